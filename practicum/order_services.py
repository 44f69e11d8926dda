"""Orders of the practicum stores: their state machine and the money each move books
(issue "Practicum I", points 5 and 6).

The life of an order is the transition table `TRANSITIONS`, the only place that says which
move is legal; `order_transition` records every move with its simulated day (Oscar's order
status pipeline and `OrderStatusChange`). An illegal move raises `OrderTransitionError`.

    placed ──pay──▶ paid ──allocate──▶ fulfilling ──ship──▶ shipped ──deliver──▶ delivered ──release──▶ completed
      │                │                  │                 │
      cancel           refund             refund            lose, refuse
      ▼                ▼                  ▼                 ▼
    cancelled        refunded           refunded          refunded

- `order_place`: a shopper's order from the demand engine. The stock row is locked, then the
  orders already placed are read, so placing the same generated order twice, even from two
  connections at once, returns the first. When the units are there they are allocated
  (`0 ≤ allocated ≤ on hand`) and the buyer pays into escrow in the market's currency; when they
  are not, the order is cancelled as out of stock and no money moves.
- `order_ship`: the parcel leaves by the listing's channel: stock leaves at average cost, the
  carrier's tariff is owed, the transit days are drawn from the run's seed within the channel's
  range. An order of a listing that ships from an overseas warehouse (`Order.warehouse`) is
  allocated from and leaves that warehouse's `WarehouseStock` at its average landed cost, by
  the warehouse's last mile, with no customs (`practicum.warehouse_services`).
- `order_deliver`, then `order_release`: escrow released to the store on the buyer's
  confirmation or when the project's auto-release timer fires (`practicum.ledger.escrow_release`:
  FX at the payment and the release day, the platform fee, the difference to FX_GAIN_LOSS).
- `order_refund`: the store cancels an order it has not shipped; escrow goes back to the buyer
  and the units return to stock.
- `lose`, `refuse` (practicum II, `practicum.shipment_services`): a parcel lost on the way, or
  refused at the door under DAP, is refunded in full out of escrow on the day it was due. The
  parcel's own journey (customs, the way back of a refused parcel, its units back in stock) is
  the shipment's transition table, `shipment_services.SHIPMENT_TRANSITIONS`, recorded as
  tracking events.

Each move has a batch form for the simulation, which moves hundreds of orders a day:
`orders_place`, `orders_ship`, `orders_deliver`, `orders_release` read what they need in a few
queries, work through the orders in memory in the order given and write in bulk, with the
outcome of the one-order functions called one after the other (which are batches of one).

`orders_ship` opens each parcel's `Shipment` (tracking stages drawn from the run's seed, the
loss drawn with the channel's loss rate) and its `CustomsDeclaration`
(`shipment_services.shipments_open`); `orders_deliver` records the delivery on it.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from . import demand, ledger
from .ledger import Account, AccountCode
from .ledger_services import (
    CHUNK, account_balances, escrow_held, in_chunks, insert_returning_ids, journal_post, journal_post_many,
)
from .logistics import shipping_quote
from .money import quantize, to_minor
from .run_models import (
    Listing, Order, OrderLine, OrderTransition, PracticumRun, RunParticipant, StockItem, Store,
)
from .selectors import ReferenceDay
from .warehouse_models import WarehouseStock

S = Order.Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PLACED, "pay"): S.PAID,
    (S.PLACED, "cancel"): S.CANCELLED,
    (S.PAID, "allocate"): S.FULFILLING,
    (S.PAID, "refund"): S.REFUNDED,
    (S.FULFILLING, "ship"): S.SHIPPED,
    (S.FULFILLING, "refund"): S.REFUNDED,
    (S.SHIPPED, "deliver"): S.DELIVERED,
    (S.SHIPPED, "lose"): S.REFUNDED,
    (S.SHIPPED, "refuse"): S.REFUNDED,
    (S.DELIVERED, "release"): S.COMPLETED,
    # A buyer's dispute refunded in full out of escrow (practicum II, `practicum.dispute_services`).
    (S.SHIPPED, "dispute_refund"): S.REFUNDED,
    (S.DELIVERED, "dispute_refund"): S.REFUNDED,
}

# The share of buyers who confirm delivery themselves, and within how many days; the others'
# escrow is released by the project's auto-release timer.
CONFIRM_PERCENT = 60
CONFIRM_WITHIN_DAYS = 3


class OrderTransitionError(ValidationError):
    """A move the transition table does not allow from the order's state."""


def order_transition(*, order: Order, event: str, day: date, note: str = "", actor=None) -> Order:
    """Move the order by `event` on the simulated `day` and record the move."""
    moves: list[OrderTransition] = []
    _move(order, event, day, into=moves, note=note, actor=actor)
    moves[0].save()
    return order


def order_number(generated: demand.Order) -> str:
    """The order's number in the store: market, simulated date and shopper, e.g. PL-20270305-00012."""
    return f"{generated.market}-{generated.day:%Y%m%d}-{generated.shopper:05d}"


@dataclass(frozen=True)
class Placement:
    """A shopper's order from the demand engine, to place: the store, the listing the shopper
    chose, the generated order and what the buyer pays the store (minor units)."""

    store: Store
    listing: Listing
    generated: demand.Order
    total_minor: int


def order_place(*, store: Store, listing, generated: demand.Order, total_minor: int) -> Order:
    """Record a shopper's order (idempotent by generation key), allocate its stock or cancel it
    as out of stock, and take the buyer's payment into escrow."""
    return orders_place(run=store.run, placements=[Placement(store, listing, generated, total_minor)])[0]


def orders_place(*, run: PracticumRun, placements: Iterable[Placement]) -> list[Order]:
    """`order_place` for many orders of the run at once, first come first served on stock in
    the order given; returns the orders in that order (the stored one for an order placed
    before). The stock rows are locked before the orders already placed are read, so the same
    order placed by two connections at once is stored once: the second waits for the first's
    commit and then finds its order. The rows are written in bulk, a few queries for the lot."""
    placements = list(placements)
    if not placements:
        return []
    with transaction.atomic():
        store_ids = sorted({p.store.pk for p in placements})
        product_ids = sorted({p.listing.product_id for p in placements})
        items = {(item.store_id, item.product_id): item for item in in_chunks(
            StockItem.objects.select_for_update(of=("self",)).filter(product_id__in=product_ids).order_by("pk"),
            "store_id", store_ids)}
        # A listing that ships from an overseas warehouse sells that warehouse's stock.
        held = {(item.store_id, item.warehouse, item.product_id): item for item in in_chunks(
            WarehouseStock.objects.select_for_update(of=("self",)).filter(product_id__in=product_ids).order_by("pk"),
            "store_id", sorted({p.store.pk for p in placements if p.listing.warehouse}))}
        changed_held: dict[int, WarehouseStock] = {}
        placed = _orders_placed(placements, store_ids)
        results, orders, lines, moves, payments = [], [], [], [], []
        changed: dict[int, StockItem] = {}
        for placement in placements:
            store, listing, generated = placement.store, placement.listing, placement.generated
            found = placed.get((store.pk, generated.generation_key))
            if found is not None:
                results.append(found)
                continue
            day = generated.day
            order = Order(
                store=store, listing=listing, generation_key=generated.generation_key, number=order_number(generated),
                market=generated.market, currency=generated.currency, total_minor=placement.total_minor,
                incoterm=listing.incoterm, channel=listing.channel, placed_on=day, shopper=generated.shopper,
                warehouse=listing.warehouse,
            )
            moves.append(OrderTransition(order=order, source="", target=S.PLACED, event="place", day=day, note=_(
                "A shopper ordered %(quantity)s × %(sku)s.") % {"quantity": generated.quantity, "sku": generated.sku}))
            line = OrderLine(order=order, product_id=listing.product_id, sku=generated.sku, quantity=generated.quantity,
                             unit_price_minor=generated.unit_price_minor)
            if listing.warehouse:
                item = held.get((store.pk, listing.warehouse, listing.product_id))
            else:
                item = items.get((store.pk, listing.product_id))
            if item is None or item.available < line.quantity:
                _move(order, "cancel", day, into=moves, note=_("Out of stock: %(available)s available, %(wanted)s wanted.") % {
                    "available": item.available if item else 0, "wanted": line.quantity})
            else:
                payments.append((store, order, ledger.order_payment(
                    key=f"pay:{store.key}:{order.number}", order=order.number, store=store.key, currency=order.currency,
                    amount_minor=placement.total_minor, day=day)))
                _move(order, "pay", day, into=moves)
                item.allocated += line.quantity
                (changed_held if listing.warehouse else changed)[item.pk] = item
                line.allocated = True
                order.ships_on = day + timedelta(days=1)
                _move(order, "allocate", day, into=moves)
            placed[store.pk, generated.generation_key] = order
            results.append(order)
            orders.append(order)
            lines.append(line)
        insert_returning_ids(Order, orders)
        OrderLine.objects.bulk_create(lines)
        OrderTransition.objects.bulk_create(moves)
        journal_post_many(run, payments)
        _stock_save(changed.values(), "allocated")
        rows_save(WarehouseStock, changed_held.values(), "allocated")
        return results


def order_ship(*, order: Order, day: date, reference: ReferenceDay, seed: str) -> Order:
    """The parcel leaves the China warehouse by the order's channel on `day`."""
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("store__run").get(pk=order.pk)
        return orders_ship(orders=[locked], day=day, reference=reference, seed=seed)[0]


def orders_ship(*, orders: Sequence[Order], day: date, reference: ReferenceDay, seed: str) -> list[Order]:
    """`order_ship` for orders of one run, locked by the caller (`select_for_update`, with
    `select_related("store__run")`), one after the other in the order given: stock leaves at
    its average cost at that point, and the books' stock value goes down order by order."""
    orders = list(orders)
    if not orders:
        return orders
    run = _one_run(orders)
    # Imported here: the shipment services move orders by this module's transition table.
    from .shipment_services import ParcelsOpening

    with transaction.atomic():
        lines: dict[int, list[OrderLine]] = {}
        for line in in_chunks(OrderLine.objects.select_related("product").order_by("pk"), "order_id", [o.pk for o in orders]):
            lines.setdefault(line.order_id, []).append(line)
        stores = {order.store_id: order.store for order in orders}
        items = {(item.store_id, item.product_id): item for item in in_chunks(
            StockItem.objects.select_for_update(of=("self",)).order_by("pk"), "store_id", sorted(stores))}
        # An order of a warehouse listing leaves that warehouse's stock at its average landed cost.
        held = {(item.store_id, item.warehouse, item.product_id): item for item in in_chunks(
            WarehouseStock.objects.select_for_update(of=("self",)).order_by("pk"), "store_id",
            sorted({order.store_id for order in orders if order.warehouse}))}
        changed_held: dict[int, WarehouseStock] = {}
        inventory = account_balances(run=run, accounts= [Account(AccountCode.INVENTORY, store.key) for store in stores.values()])
        quotes: dict[tuple, object] = {}
        changed: dict[int, StockItem] = {}
        moves, shipments = [], []
        parcels = ParcelsOpening(seed=seed, day=day, reference=reference, listings={
            listing.pk: listing for listing in in_chunks(Listing.objects.all(), "pk", sorted({o.listing_id for o in orders}))})
        for order in orders:
            store = order.store
            cost_of_goods = 0
            weight_g = 0
            has_battery = False
            for line in lines.get(order.pk, ()):
                if order.warehouse:
                    item = held.get((store.pk, order.warehouse, line.product_id))
                    if item is None:
                        raise WarehouseStock.DoesNotExist(
                            f"store {store.key} has no stock of product {line.product_id} in {order.warehouse}")
                else:
                    item = items.get((store.pk, line.product_id))
                if item is None:
                    raise StockItem.DoesNotExist(f"store {store.key} has no stock row for product {line.product_id}")
                cost = item.cost_minor * line.quantity // item.on_hand if item.on_hand else 0
                item.on_hand -= line.quantity
                item.allocated -= line.quantity
                item.cost_minor -= cost
                (changed_held if order.warehouse else changed)[item.pk] = item
                cost_of_goods += cost
                weight_g += line.product.weight_grams * line.quantity
                has_battery = has_battery or line.product.contains_battery
            channel = reference.channels.get(order.channel)
            shipping_minor = 0
            transit_days = 0
            if channel is not None:
                quote_key = (order.channel, order.market, weight_g, has_battery, order.incoterm)
                if quote_key not in quotes:
                    quotes[quote_key] = shipping_quote(channel, market=order.market, weight_g=weight_g,
                                                       has_battery=has_battery, incoterm=order.incoterm)
                quote = quotes[quote_key]
                if quote.price_cny is not None:
                    shipping_minor = to_minor(quote.price_cny, ledger.BOOK_CURRENCY)
                transit_days = demand.stream(seed, "transit", order.generation_key).randint(
                    quote.transit_days_min, quote.transit_days_max)
            if cost_of_goods or shipping_minor:
                account = str(Account(AccountCode.INVENTORY, store.key))
                shipments.append((store, order, ledger.shipment(
                    key=f"ship:{store.key}:{order.number}", order=order.number, store=store.key,
                    cost_of_goods_minor=cost_of_goods, inventory_minor=inventory.get((account, ledger.BOOK_CURRENCY), 0),
                    shipping_minor=shipping_minor, channel=order.channel, day=day)))
                inventory[account, ledger.BOOK_CURRENCY] = inventory.get((account, ledger.BOOK_CURRENCY), 0) - cost_of_goods
            order.ships_on = day
            order.delivery_due_on = day + timedelta(days=max(1, transit_days))
            _move(order, "ship", day, into=moves, note=_("Shipped by %(channel)s, %(days)s days in transit.") % {
                "channel": channel.name if channel else order.channel, "days": max(1, transit_days)})
            parcels.add(order=order, lines=lines.get(order.pk, ()), channel=channel, weight_g=weight_g,
                        tariff_minor=shipping_minor, cost_of_goods_minor=cost_of_goods, transit_days=max(1, transit_days),
                        quote=quotes.get((order.channel, order.market, weight_g, has_battery, order.incoterm)))
        journal_post_many(run, shipments)
        parcels.save()
        OrderTransition.objects.bulk_create(moves)
        _stock_save(changed.values(), "on_hand", "allocated", "cost_minor")
        rows_save(WarehouseStock, changed_held.values(), "on_hand", "allocated", "cost_minor")
        orders_update(orders, "status", "ships_on", "delivery_due_on")
        return orders


def order_deliver(*, order: Order, day: date, seed: str, auto_release_days: int) -> Order:
    """The parcel reaches the buyer; the day escrow will be released is set: the buyer's
    confirmation (drawn from the run's seed) or the auto-release timer."""
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("store__run").get(pk=order.pk)
        return orders_deliver(orders=[locked], day=day, seed=seed, auto_release_days=auto_release_days)[0]


def orders_deliver(*, orders: Sequence[Order], day: date, seed: str, auto_release_days: int) -> list[Order]:
    """`order_deliver` for orders locked by the caller."""
    orders = list(orders)
    moves: list[OrderTransition] = []
    with transaction.atomic():
        for order in orders:
            rng = demand.stream(seed, "confirm", order.generation_key)
            confirms = rng.randrange(100) < CONFIRM_PERCENT
            wait = rng.randint(0, CONFIRM_WITHIN_DAYS) if confirms else auto_release_days
            order.release_due_on = day + timedelta(days=wait)
            note = (_("Delivered; the buyer will confirm in %(days)s days.") if confirms
                    else _("Delivered; escrow is released automatically after %(days)s days.")) % {"days": wait}
            _move(order, "deliver", day, into=moves, note=note)
        OrderTransition.objects.bulk_create(moves)
        orders_update(orders, "status", "release_due_on")
        from .shipment_services import shipments_delivered  # see orders_ship

        shipments_delivered(orders=orders, day=day)
    return orders


def order_release(*, order: Order, day: date, reference: ReferenceDay, platform_fee_bps: int, payment_rate) -> Order:
    """Escrow of a delivered order released to the store on `day` (`payment_rate`: the FX row
    in force on the day the buyer paid)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("store__run").get(pk=order.pk)
        released = orders_release(orders=[locked], day=day, reference=reference, platform_fee_bps=platform_fee_bps,
                                  payment_rate_of=lambda _order: payment_rate)
        return released[0] if released else locked  # frozen by a dispute not resolved


def orders_release(*, orders: Sequence[Order], day: date, reference: ReferenceDay, platform_fee_bps: int,
                   payment_rate_of: Callable[[Order], object]) -> list[Order]:
    """`order_release` for orders of one run locked by the caller; `payment_rate_of(order)` is
    the FX row in force on the day its buyer paid. An order with a dispute not resolved is
    skipped (its escrow is frozen); returns the orders released. A completed order's buyer may
    review it (`reputation_services.reviews_record`)."""
    # Imported here: the dispute services move orders by this module's transition table.
    from .dispute_services import frozen_order_ids
    from .reputation_services import reviews_record

    orders = list(orders)
    if not orders:
        return orders
    run = _one_run(orders)
    frozen = frozen_order_ids(order.pk for order in orders)
    orders = [order for order in orders if order.pk not in frozen]
    if not orders:
        return orders
    with transaction.atomic():
        held = account_balances(run=run, accounts= [Account(AccountCode.ESCROW, order.store.key, order.number) for order in orders])
        moves, releases = [], []
        for order in orders:
            store = order.store
            amount = -held.get((str(Account(AccountCode.ESCROW, store.key, order.number)), order.currency), 0)
            if amount:
                releases.append((store, order, ledger.escrow_release(
                    key=f"release:{store.key}:{order.number}", order=order.number, store=store.key, currency=order.currency,
                    amount_minor=amount, held_minor=amount, payment_rate=payment_rate_of(order),
                    release_rate=reference.fx.get(order.currency), platform_fee_bps=platform_fee_bps, day=day)))
            confirmed = order.release_due_on is not None and order.delivery_due_on is not None and \
                (order.release_due_on - order.delivery_due_on).days <= CONFIRM_WITHIN_DAYS
            _move(order, "release", day, into=moves,
                  note=_("The buyer confirmed delivery.") if confirmed else _("Released by the auto-release timer."))
        journal_post_many(run, releases)
        OrderTransition.objects.bulk_create(moves)
        orders_update(orders, "status")
        reviews_record(run=run, orders=orders, day=day)
    return orders


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
            if order.warehouse:  # the units were set aside in that overseas warehouse
                item = WarehouseStock.objects.select_for_update().get(store=store, warehouse=order.warehouse,
                                                                      product_id=line.product_id)
            else:
                item = StockItem.objects.select_for_update().get(store=store, product_id=line.product_id)
            item.allocated -= line.quantity
            item.save(update_fields=["allocated"])
            line.allocated = False
            line.save(update_fields=["allocated"])
        order_transition(order=order, event="refund", day=day, note=reason, actor=by)
        order.save(update_fields=["status"])
        from .reputation_services import cancellation_record  # see orders_release

        cancellation_record(order=order, day=day)
        return order


def cny_in_market(amount_cny, currency: str, reference: ReferenceDay) -> int:
    """A CNY amount in minor units of a market's currency at the day's FX row, rounded half-up."""
    rate = reference.fx.get(currency)
    if rate is None:
        raise ValidationError(_("No FX rate for %(currency)s is in force on %(day)s.") % {"currency": currency, "day": reference.day})
    pivot = reference.fx.get("CNY")
    cny_rate = Fraction(pivot.cny_per_unit) if pivot else Fraction(1)
    return to_minor(quantize(Fraction(amount_cny) * cny_rate / Fraction(rate.cny_per_unit), currency), currency)


# Writing many orders at once: the simulation moves hundreds of orders a day, so each batch
# function reads what it needs in a few queries, works in memory in the given order (so the
# outcome is the one-by-one outcome), and writes in bulk.

def _move(order: Order, event: str, day: date, *, into: list, note: str = "", actor=None) -> None:
    """Move the order by `event` (the transition table decides) and add the record to `into`."""
    target = TRANSITIONS.get((order.status, event))
    if target is None:
        raise OrderTransitionError(_("Order %(number)s is %(status)s; it cannot %(event)s.") % {
            "number": order.number, "status": order.get_status_display().lower(), "event": event})
    into.append(OrderTransition(order=order, source=order.status, target=target, event=event, day=day,
                                note=note[:300], actor=actor))
    order.status = target


def _one_run(orders: Sequence[Order]) -> PracticumRun:
    if len({order.store.run_id for order in orders}) != 1:
        raise ValueError("a batch of orders belongs to one run")
    return orders[0].store.run


def _orders_placed(placements: list[Placement], store_ids: list[int]) -> dict[tuple[int, str], Order]:
    """The orders already stored for the placements, by (store id, generation key). A generation
    key names its day, so the orders of the placements' days are all that can match."""
    query = Order.objects.filter(placed_on__in=sorted({p.generated.day for p in placements}))
    keys = sorted({p.generated.generation_key for p in placements})
    if len(keys) <= CHUNK:
        query = query.filter(generation_key__in=keys)
    return {(order.store_id, order.generation_key): order for order in in_chunks(query, "store_id", store_ids)}


def _stock_save(items: Iterable[StockItem], *fields: str) -> None:
    """Save `fields` of the stock rows (`rows_save`)."""
    rows_save(StockItem, items, *fields)


def rows_save(model, rows: Iterable, *fields: str) -> None:
    """Save `fields` of the rows with one statement run for every row (executemany).
    `bulk_update` would do it in fewer statements but builds a CASE expression per row and
    field in Python, which cost more than the rest of a simulated day's writes together."""
    rows = list(rows)
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
                           [[field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns] + [row.pk]
                            for row in rows])


def rows_insert(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows, each a sequence of values of `fields`, whose ids nobody needs back, with one
    statement run for every row (executemany): `bulk_create` builds a model instance per row and
    prepares every value through the query compiler, which costs more than the insert itself for
    a day's thousand tracking events. A foreign key's value may be its saved related object."""
    rows = list(rows)
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    prepare = [(lambda value: getattr(value, "pk", value)) if field.is_relation
               else (lambda value, field=field: field.get_db_prep_save(value, connection)) for field in columns]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})",
            [[convert(value) for convert, value in zip(prepare, row, strict=True)] for row in rows])


def orders_update(orders: Sequence[Order], *fields: str) -> None:
    """Save `fields` of the orders: one UPDATE per set of values they share (a day's orders
    share most of them)."""
    groups: dict[tuple, list[int]] = {}
    for order in orders:
        groups.setdefault(tuple(getattr(order, name) for name in fields), []).append(order.pk)
    for values, pks in groups.items():
        for start in range(0, len(pks), CHUNK):
            Order.objects.filter(pk__in=pks[start:start + CHUNK]).update(**dict(zip(fields, values, strict=True)))


__all__ = [
    "TRANSITIONS", "OrderTransitionError", "Placement", "cny_in_market", "order_deliver",
    "order_number", "order_place", "order_refund", "order_release", "order_ship", "order_transition", "orders_deliver",
    "orders_place", "orders_release", "orders_ship", "orders_update", "rows_insert", "rows_save",
]
