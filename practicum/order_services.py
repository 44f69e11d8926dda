"""Orders of the practicum stores: their state machine and the money each move books
(issue "Practicum I", points 5 and 6).

The life of an order is the transition table `TRANSITIONS`, the only place that says which
move is legal; `order_transition` records every move with its simulated day (Oscar's order
status pipeline and `OrderStatusChange`). An illegal move raises `OrderTransitionError`.

    placed ──pay──▶ paid ──allocate──▶ fulfilling ──ship──▶ shipped ──deliver──▶ delivered ──release──▶ completed
      │                │                  │
      cancel           refund             refund
      ▼                ▼                  ▼
    cancelled        refunded           refunded

- `order_place`: a shopper's order from the demand engine. The stock row is locked; when the
  units are there they are allocated (`0 ≤ allocated ≤ on hand`) and the buyer pays into escrow
  in the market's currency; when they are not, the order is cancelled as out of stock and no
  money moves. Placing the same generated order twice returns the first.
- `order_ship`: the parcel leaves by the listing's channel: stock leaves at average cost, the
  carrier's tariff is owed, the transit days are drawn from the run's seed within the channel's
  range.
- `order_deliver`, then `order_release`: escrow released to the store on the buyer's
  confirmation or when the project's auto-release timer fires (`practicum.ledger.escrow_release`:
  FX at the payment and the release day, the platform fee, the difference to FX_GAIN_LOSS).
- `order_refund`: the store cancels an order it has not shipped; escrow goes back to the buyer
  and the units return to stock.

Practicum II adds branches (customs events, refused parcels, disputes) to the same table.
"""

from datetime import date, timedelta
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import demand, ledger
from .ledger_services import escrow_held, inventory_value, journal_post
from .logistics import shipping_quote
from .money import quantize, to_minor
from .run_models import Order, OrderLine, OrderTransition, RunParticipant, StockItem, Store
from .selectors import ReferenceDay

S = Order.Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PLACED, "pay"): S.PAID,
    (S.PLACED, "cancel"): S.CANCELLED,
    (S.PAID, "allocate"): S.FULFILLING,
    (S.PAID, "refund"): S.REFUNDED,
    (S.FULFILLING, "ship"): S.SHIPPED,
    (S.FULFILLING, "refund"): S.REFUNDED,
    (S.SHIPPED, "deliver"): S.DELIVERED,
    (S.DELIVERED, "release"): S.COMPLETED,
}

# The share of buyers who confirm delivery themselves, and within how many days; the others'
# escrow is released by the project's auto-release timer.
CONFIRM_PERCENT = 60
CONFIRM_WITHIN_DAYS = 3


class OrderTransitionError(ValidationError):
    """A move the transition table does not allow from the order's state."""


def order_transition(*, order: Order, event: str, day: date, note: str = "", actor=None) -> Order:
    """Move the order by `event` on the simulated `day` and record the move."""
    target = TRANSITIONS.get((order.status, event))
    if target is None:
        raise OrderTransitionError(_("Order %(number)s is %(status)s; it cannot %(event)s.") % {
            "number": order.number, "status": order.get_status_display().lower(), "event": event})
    OrderTransition.objects.create(order=order, source=order.status, target=target, event=event, day=day,
                                   note=note[:300], actor=actor)
    order.status = target
    return order


def order_number(generated: demand.Order) -> str:
    """The order's number in the store: market, simulated date and shopper, e.g. PL-20270305-00012."""
    return f"{generated.market}-{generated.day:%Y%m%d}-{generated.shopper:05d}"


def order_place(*, store: Store, listing, generated: demand.Order, total_minor: int) -> Order:
    """Record a shopper's order (idempotent by generation key), allocate its stock or cancel it
    as out of stock, and take the buyer's payment into escrow."""
    day = generated.day
    with transaction.atomic():
        existing = Order.objects.filter(store=store, generation_key=generated.generation_key).first()
        if existing is not None:
            return existing
        item = StockItem.objects.select_for_update().filter(store=store, product_id=listing.product_id).first()
        order = Order.objects.create(
            store=store, listing=listing, generation_key=generated.generation_key, number=order_number(generated),
            market=generated.market, currency=generated.currency, total_minor=total_minor, incoterm=listing.incoterm,
            channel=listing.channel, placed_on=day, shopper=generated.shopper,
        )
        OrderTransition.objects.create(order=order, source="", target=S.PLACED, event="place", day=day,
                                       note=_("A shopper ordered %(quantity)s × %(sku)s.") % {"quantity": generated.quantity, "sku": generated.sku})
        line = OrderLine.objects.create(order=order, product_id=listing.product_id, sku=generated.sku,
                                        quantity=generated.quantity, unit_price_minor=generated.unit_price_minor)
        if item is None or item.available < line.quantity:
            order_transition(order=order, event="cancel", day=day, note=_("Out of stock: %(available)s available, %(wanted)s wanted.") % {
                "available": item.available if item else 0, "wanted": line.quantity})
            order.save(update_fields=["status"])
            return order
        journal_post(run=store.run, store=store, order=order, entry=ledger.order_payment(
            key=f"pay:{store.key}:{order.number}", order=order.number, store=store.key, currency=order.currency,
            amount_minor=total_minor, day=day))
        order_transition(order=order, event="pay", day=day)
        item.allocated += line.quantity
        item.save(update_fields=["allocated"])
        line.allocated = True
        line.save(update_fields=["allocated"])
        order.ships_on = day + timedelta(days=1)
        order_transition(order=order, event="allocate", day=day)
        order.save(update_fields=["status", "ships_on"])
        return order


def order_ship(*, order: Order, day: date, reference: ReferenceDay, seed: str) -> Order:
    """The parcel leaves the China warehouse by the order's channel on `day`."""
    store = order.store
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        lines = list(order.lines.select_related("product"))
        cost_of_goods = 0
        weight_g = 0
        has_battery = False
        for line in lines:
            item = StockItem.objects.select_for_update().get(store=store, product_id=line.product_id)
            cost = item.cost_minor * line.quantity // item.on_hand if item.on_hand else 0
            item.on_hand -= line.quantity
            item.allocated -= line.quantity
            item.cost_minor -= cost
            item.save(update_fields=["on_hand", "allocated", "cost_minor"])
            cost_of_goods += cost
            weight_g += line.product.weight_grams * line.quantity
            has_battery = has_battery or line.product.contains_battery
        channel = reference.channels.get(order.channel)
        shipping_minor = 0
        transit_days = 0
        if channel is not None:
            quote = shipping_quote(channel, market=order.market, weight_g=weight_g, has_battery=has_battery, incoterm=order.incoterm)
            if quote.price_cny is not None:
                shipping_minor = to_minor(quote.price_cny, ledger.BOOK_CURRENCY)
            transit_days = demand.stream(seed, "transit", order.generation_key).randint(quote.transit_days_min, quote.transit_days_max)
        if cost_of_goods or shipping_minor:
            journal_post(run=store.run, store=store, order=order, entry=ledger.shipment(
                key=f"ship:{store.key}:{order.number}", order=order.number, store=store.key,
                cost_of_goods_minor=cost_of_goods, inventory_minor=inventory_value(store=store),
                shipping_minor=shipping_minor, channel=order.channel, day=day))
        order.ships_on = day
        order.delivery_due_on = day + timedelta(days=max(1, transit_days))
        order_transition(order=order, event="ship", day=day, note=_("Shipped by %(channel)s, %(days)s days in transit.") % {
            "channel": channel.name if channel else order.channel, "days": max(1, transit_days)})
        order.save(update_fields=["status", "ships_on", "delivery_due_on"])
        return order


def order_deliver(*, order: Order, day: date, seed: str, auto_release_days: int) -> Order:
    """The parcel reaches the buyer; the day escrow will be released is set: the buyer's
    confirmation (drawn from the run's seed) or the auto-release timer."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        rng = demand.stream(seed, "confirm", order.generation_key)
        confirms = rng.randrange(100) < CONFIRM_PERCENT
        wait = rng.randint(0, CONFIRM_WITHIN_DAYS) if confirms else auto_release_days
        order.release_due_on = day + timedelta(days=wait)
        note = (_("Delivered; the buyer will confirm in %(days)s days.") if confirms
                else _("Delivered; escrow is released automatically after %(days)s days.")) % {"days": wait}
        order_transition(order=order, event="deliver", day=day, note=note)
        order.save(update_fields=["status", "release_due_on"])
        return order


def order_release(*, order: Order, day: date, reference: ReferenceDay, platform_fee_bps: int, payment_rate) -> Order:
    """Escrow of a delivered order released to the store on `day` (`payment_rate`: the FX row
    in force on the day the buyer paid)."""
    store = order.store
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        held = escrow_held(order=order)
        release_rate = reference.fx.get(order.currency)
        if held:
            journal_post(run=store.run, store=store, order=order, entry=ledger.escrow_release(
                key=f"release:{store.key}:{order.number}", order=order.number, store=store.key, currency=order.currency,
                amount_minor=held, held_minor=held, payment_rate=payment_rate, release_rate=release_rate,
                platform_fee_bps=platform_fee_bps, day=day))
        confirmed = order.release_due_on is not None and order.delivery_due_on is not None and \
            (order.release_due_on - order.delivery_due_on).days <= CONFIRM_WITHIN_DAYS
        order_transition(order=order, event="release", day=day,
                         note=_("The buyer confirmed delivery.") if confirmed else _("Released by the auto-release timer."))
        order.save(update_fields=["status"])
        return order


def order_refund(*, order: Order, by, reason: str) -> Order:
    """The store cancels an order it has not shipped: escrow back to the buyer in full, the
    allocated units back to available stock. Dated the run's day in progress."""
    store = order.store
    run = store.run
    if not RunParticipant.objects.filter(team_id=store.team_id, user=by, status=RunParticipant.Status.ACCEPTED).exists():
        raise PermissionDenied(_("Only the team's members can change its store."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the order is cancelled; the buyer reads it.")})
    day = run.current_date
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if (order.status, "refund") not in TRANSITIONS:
            raise OrderTransitionError(_("Order %(number)s is %(status)s; only an order not yet shipped can be cancelled.") % {
                "number": order.number, "status": order.get_status_display().lower()})
        held = escrow_held(order=order)
        if held:
            journal_post(run=run, store=store, order=order, entry=ledger.refund(
                key=f"refund:{store.key}:{order.number}", order=order.number, store=store.key, currency=order.currency,
                amount_minor=held, held_minor=held, day=day))
        for line in order.lines.filter(allocated=True):
            item = StockItem.objects.select_for_update().get(store=store, product_id=line.product_id)
            item.allocated -= line.quantity
            item.save(update_fields=["allocated"])
            line.allocated = False
            line.save(update_fields=["allocated"])
        order_transition(order=order, event="refund", day=day, note=reason, actor=by)
        order.save(update_fields=["status"])
        return order


def buyer_total_minor(*, price_minor: int, quantity: int, incoterm: str, shipping_market_minor: int) -> int:
    """What the buyer pays the store: the price of the units, plus the shipping under DAP."""
    return price_minor * quantity + (shipping_market_minor if incoterm == "DAP" else 0)


def cny_in_market(amount_cny, currency: str, reference: ReferenceDay) -> int:
    """A CNY amount in minor units of a market's currency at the day's FX row, rounded half-up."""
    rate = reference.fx.get(currency)
    if rate is None:
        raise ValidationError(_("No FX rate for %(currency)s is in force on %(day)s.") % {"currency": currency, "day": reference.day})
    pivot = reference.fx.get("CNY")
    cny_rate = Fraction(pivot.cny_per_unit) if pivot else Fraction(1)
    return to_minor(quantize(Fraction(amount_cny) * cny_rate / Fraction(rate.cny_per_unit), currency), currency)


__all__ = [
    "TRANSITIONS", "OrderTransitionError", "buyer_total_minor", "cny_in_market", "order_deliver", "order_number",
    "order_place", "order_refund", "order_release", "order_ship", "order_transition",
]
