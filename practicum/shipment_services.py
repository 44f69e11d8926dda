"""The writes of parcels and customs (issue "Practicum II", points 1 and 2): a shipped order's
`Shipment`, its tracking stages and its `CustomsDeclaration`, customs on the day the parcel
reaches the destination, the door (a lost parcel, a refused DAP parcel), the way back of a
refused parcel, and the delivery.

The journey of a parcel is the transition table `SHIPMENT_TRANSITIONS`; every move is recorded
as a `TrackingEvent` on its simulated day, and an illegal move raises:

    in_transit ──clear──▶ out_for_delivery ──deliver──▶ delivered
        │                      │
        lose                   refuse
        ▼                      ▼
      lost                  returning ──return──▶ returned

The stages before customs (label, consolidation and inspection at the international centre,
export) are recorded when the parcel leaves, on the days drawn for them; the last mile when it
clears customs. The order itself moves by `order_services.TRANSITIONS` (`lose`, `refuse`: the
buyer is refunded in full out of escrow).

Every draw comes from the run's seed and the order's generation key
(`practicum.demand.stream(seed, purpose, key)`), so the same seed and decisions give the same
parcels, inspections and refusals:

- `stages`: the stage days spread over the drawn transit days (shares of the transit: the
  international centre at 10–20 %, export at 20–35 %, customs at 50–70 %, the last mile at
  75–90 %, each day not before the one before; customs at least a day before the door).
- `loss`: lost with the channel's `loss_rate_pct` (logistics_channels.csv). A lost parcel
  never reaches customs; its buyer is refunded in full on the day it was expected.
- `inspection`: customs open a parcel with the project's `inspection_base_pct` plus
  `inspection_slope_pct` × the share of the goods price left undeclared (declared value below
  the goods price the buyer paid, shipping excluded). An inspected under-declared parcel is
  assessed on its true value: the duty and VAT above those declared are due, plus
  `inspection_penalty_pct` of that difference as a penalty (always the store's, which made the
  declaration), and customs hold it `inspection_delay_days`; an honest one is held a day.
- `refusal`: under DAP the buyer meets duty and VAT at the door and refuses with
  `dap_refusal_base_pct` plus `dap_refusal_slope_pct` × the door fees as a share of the goods
  price. A refused parcel comes back at the store's cost (the channel's tariff again) after
  its transit days, and its units return to stock when it is back.

Customs use the trade-rules engine (`practicum.customs.landed_cost`) with the reference rows in
force on the day the parcel reaches customs (`ReferenceDay` of that day). Under DDP the store
pays duty and VAT (`ledger.customs_duties`: the expenses in CNY, the payables in the market's
currency); under DAP the buyer pays them at the door and the store's books see nothing but a
penalty. Probabilities without a reference column are project settings with documented
defaults (`PracticumProject`, "Customs in the flow").

Each step takes a day's parcels of a run at once (a few reads, bulk writes), in (store key,
order number) order, as the order batches do.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import demand, ledger
from .customs import LandedCost, landed_cost
from .ledger import Account, AccountCode
from .ledger_services import account_balances, in_chunks, insert_returning_ids, journal_post_many
from .logistics import ChannelRow, shipping_quote
from .money import from_minor, to_minor
from .order_services import _move, cny_in_market, orders_update, rows_insert, rows_save
from .run_models import Listing, Order, OrderLine, OrderTransition, PracticumRun, StockItem
from .selectors import ReferenceDay
from .shipment_models import CustomsDeclaration, Shipment, TrackingEvent

SS = Shipment.Status
Stage = TrackingEvent.Stage

SHIPMENT_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    # (status, event): (status after, the tracking stage that records the move)
    (SS.IN_TRANSIT, "clear"): (SS.OUT_FOR_DELIVERY, Stage.CUSTOMS),
    (SS.IN_TRANSIT, "lose"): (SS.LOST, Stage.LOST),
    (SS.OUT_FOR_DELIVERY, "deliver"): (SS.DELIVERED, Stage.DELIVERED),
    (SS.OUT_FOR_DELIVERY, "refuse"): (SS.RETURNING, Stage.REFUSED),
    (SS.RETURNING, "return"): (SS.RETURNED, Stage.RETURNED),
}

# Shares of the transit days (in %) at which each stage before the door falls: (lowest, highest).
STAGE_SHARES = ((Stage.CONSOLIDATION, 10, 20), (Stage.EXPORT, 20, 35), (Stage.CUSTOMS, 50, 70), (Stage.LAST_MILE, 75, 90))
HONEST_INSPECTION_DELAY_DAYS = 1
BPS = 10_000


class ShipmentTransitionError(ValidationError):
    """A move the parcel's transition table does not allow from where it is."""


def shipment_move(shipment: Shipment, event: str, day: date, *, into: list, note: str = "") -> None:
    """Move the parcel by `event` (the table decides) and add the tracking event to `into`."""
    move = SHIPMENT_TRANSITIONS.get((shipment.status, event))
    if move is None:
        raise ShipmentTransitionError(_("The parcel is %(status)s; it cannot %(event)s.") % {
            "status": shipment.get_status_display().lower(), "event": event})
    shipment.status, stage = move
    into.append((shipment, stage, day, note))


def events_insert(events: Sequence[tuple]) -> None:
    """Record tracking events, each (saved shipment, stage, day, note): a day's parcels write a
    thousand of them, so they are plain tuples rather than model instances."""
    rows_insert(TrackingEvent, ("shipment", "stage", "day", "note"),
                ((shipment, str(stage), day, note[:300]) for shipment, stage, day, note in events))


# What a declaration holds when the parcel leaves; customs fill in the rest on their day.
DECLARED_FIELDS = (
    "shipment", "hs_code", "hs_codes", "currency", "declared_value_minor", "goods_value_minor", "ioss", "incoterm",
    "cleared_on", "rule", "customs_value_minor", "duty_minor", "vat_minor", "refs", "lines", "inspected",
    "under_declared", "difference_minor", "penalty_minor", "door_fees_minor", "refused",
)


# Draws.


@dataclass(frozen=True)
class StageDays:
    consolidation: date
    export: date
    customs: date
    last_mile: date
    door: date


def stage_days(*, seed: str, key: str, shipped_on: date, transit_days: int) -> StageDays:
    """The days of a parcel's stages, spread over its transit days by the run's seed."""
    rng = demand.stream(seed, "stages", key)
    transit = max(1, transit_days)
    offsets, previous = [], 0
    for _stage, low, high in STAGE_SHARES:
        offset = max(previous, transit * rng.randint(low, high) // 100)
        offsets.append(offset)
        previous = offset
    offsets[2] = min(offsets[2], transit - 1)
    offsets[0], offsets[1] = min(offsets[0], offsets[2]), min(offsets[1], offsets[2])
    offsets[3] = min(max(offsets[3], offsets[2]), transit)
    consolidation, export, customs, last_mile = (shipped_on + timedelta(days=o) for o in offsets)
    return StageDays(consolidation, export, customs, last_mile, shipped_on + timedelta(days=transit))


def chance_bps(percent) -> int:
    """A chance in percent (a Decimal or Fraction) as basis points, rounded down, within 0–100 %."""
    return max(0, min(BPS, int(Fraction(percent) * 100)))


def drawn(seed: str, purpose: str, key: str, bps: int) -> bool:
    """Whether the event of `bps` chance happens to the parcel: one integer draw of its stream."""
    return demand.stream(seed, purpose, key).randrange(BPS) < bps


def share_of(part: int, whole: int) -> Fraction:
    return Fraction(max(part, 0), whole) if whole > 0 else Fraction(0)


def percent_of(amount_minor: int, percent: Decimal) -> int:
    """`percent` % of a positive amount of minor units, rounded half-up."""
    exact = Fraction(amount_minor) * Fraction(percent) / 100
    return int(exact + Fraction(1, 2)) if exact > 0 else 0


# Leaving the warehouse.


class ParcelsOpening:
    """The parcels of the orders `order_services.orders_ship` sends on a day: each one's
    `Shipment`, its first tracking stages and its `CustomsDeclaration`, written by `save`."""

    def __init__(self, *, seed: str, day: date, reference: ReferenceDay, listings: dict[int, Listing]):
        self.seed, self.day, self.reference, self.listings = seed, day, reference, listings
        self.shipments: list[Shipment] = []
        self.events: list[tuple] = []  # (shipment, stage, day, note), see events_insert
        self.declarations: list[CustomsDeclaration] = []
        self._unit_shipping: dict[tuple, int] = {}

    def add(self, *, order: Order, lines: Sequence[OrderLine], channel: ChannelRow | None, weight_g: int,
            tariff_minor: int, cost_of_goods_minor: int, transit_days: int, quote) -> Shipment:
        from .simulation import HANDLING_DAYS  # the simulation imports the order services, which import this module

        if order.warehouse:
            return self._from_warehouse(order=order, channel=channel, weight_g=weight_g, tariff_minor=tariff_minor,
                                        cost_of_goods_minor=cost_of_goods_minor, transit_days=transit_days, quote=quote)
        key = order.generation_key
        day = self.day
        stages = stage_days(seed=self.seed, key=key, shipped_on=day, transit_days=transit_days)
        lost = channel is not None and drawn(self.seed, "loss", key, chance_bps(channel.loss_rate_pct))
        promised = stages.door
        if quote is not None:
            promised = order.placed_on + timedelta(days=HANDLING_DAYS + -(-(quote.transit_days_min + quote.transit_days_max) // 2))
        shipment = Shipment(
            order=order, store=order.store, channel=order.channel, weight_grams=max(1, weight_g), tariff_minor=tariff_minor,
            cost_of_goods_minor=cost_of_goods_minor, transit_days=transit_days, shipped_on=day, customs_on=stages.customs,
            promised_on=promised, expected_on=stages.door, lost=lost,
        )
        name = channel.name if channel is not None else order.channel
        self.events += [
            (shipment, Stage.LABEL, day, _("Label created for %(channel)s, %(weight)s g.") % {"channel": name, "weight": weight_g}),
            (shipment, Stage.CONSOLIDATION, stages.consolidation, _("Consolidated and inspected at the international centre.")),
            (shipment, Stage.EXPORT, stages.export, _("Export cleared in China.")),
        ]
        listing = self.listings.get(order.listing_id)
        goods = sum(self._goods_unit(order, line, channel) * line.quantity for line in lines)
        if listing is not None and listing.declared_value_minor:
            declared = listing.declared_value_minor * sum(line.quantity for line in lines)
        else:
            declared = goods  # an empty declared value declares the price paid
        hs_codes = list(dict.fromkeys(line.product.hs_code for line in lines))
        market = self.reference.markets.get(order.market)
        self.declarations.append(CustomsDeclaration(
            shipment=shipment, hs_code=hs_codes[0] if hs_codes else "", hs_codes=hs_codes, currency=order.currency,
            declared_value_minor=declared, goods_value_minor=goods, incoterm=order.incoterm,
            ioss=market is not None and market.rule == "EU_IOSS" and order.incoterm == "DDP",
        ))
        self.shipments.append(shipment)
        return shipment

    def _from_warehouse(self, *, order: Order, channel: ChannelRow | None, weight_g: int, tariff_minor: int,
                        cost_of_goods_minor: int, transit_days: int, quote) -> Shipment:
        """A parcel from an overseas warehouse (`order.warehouse`): its label, then the last mile
        the same day, with no consolidation, export or customs and no declaration (the duty and
        VAT were paid when the stock came in, `warehouse_services.inbounds_receive`). A lost one
        (the channel's loss rate) stays in transit until it is due."""
        from .simulation import HANDLING_DAYS  # see add

        key, day = order.generation_key, self.day
        lost = channel is not None and drawn(self.seed, "loss", key, chance_bps(channel.loss_rate_pct))
        door = day + timedelta(days=max(1, transit_days))
        promised = door
        if quote is not None:
            promised = order.placed_on + timedelta(days=HANDLING_DAYS + -(-(quote.transit_days_min + quote.transit_days_max) // 2))
        shipment = Shipment(
            order=order, store=order.store, channel=order.channel, weight_grams=max(1, weight_g), tariff_minor=tariff_minor,
            cost_of_goods_minor=cost_of_goods_minor, transit_days=transit_days, shipped_on=day, customs_on=day,
            promised_on=promised, expected_on=door, lost=lost, status=SS.IN_TRANSIT if lost else SS.OUT_FOR_DELIVERY,
        )
        name = channel.name if channel is not None else order.channel
        self.events += [
            (shipment, Stage.LABEL, day, _("Label created at warehouse %(warehouse)s for %(channel)s, %(weight)s g.") % {
                "warehouse": order.warehouse, "channel": name, "weight": weight_g}),
            (shipment, Stage.LAST_MILE, day, _("Handed to the last-mile carrier at the warehouse; no customs: duty and VAT "
                                               "were paid when the stock came in.")),
        ]
        self.shipments.append(shipment)
        return shipment

    def _goods_unit(self, order: Order, line: OrderLine, channel: ChannelRow | None) -> int:
        """The goods price of one unit the buyer paid: the line's unit price, less under DAP
        the per-unit shipping the listing added to it (re-priced at the ship day's rows: the
        day after the order, so the same figure unless a tariff or FX row changed overnight)."""
        if order.incoterm != "DAP" or channel is None:
            return line.unit_price_minor
        product = line.product
        cache_key = (channel.code, order.market, product.pk, order.currency)
        if cache_key not in self._unit_shipping:
            quote = shipping_quote(channel, market=order.market, weight_g=product.weight_grams,
                                   has_battery=product.contains_battery, incoterm=order.incoterm)
            self._unit_shipping[cache_key] = (
                cny_in_market(quote.price_cny, order.currency, self.reference) if quote.price_cny is not None else 0)
        return max(0, line.unit_price_minor - self._unit_shipping[cache_key])

    def save(self) -> None:
        insert_returning_ids(Shipment, self.shipments)
        events_insert(self.events)
        rows_insert(CustomsDeclaration, DECLARED_FIELDS,
                    ([getattr(declaration, name) for name in DECLARED_FIELDS] for declaration in self.declarations))


# Customs.


@dataclass(frozen=True)
class Assessment:
    landed: LandedCost
    customs_value_minor: int
    duty_minor: int
    vat_minor: int

    @property
    def taxes_minor(self) -> int:
        return self.duty_minor + self.vat_minor


def parcel_assessment(*, reference: ReferenceDay, shipment: Shipment, declaration: CustomsDeclaration, market: str,
                      value_minor: int, cache: dict | None = None) -> Assessment:
    """The engine's landed cost of the parcel at a goods value (the declared one, or the true one
    after an inspection) on `reference.day`, its tariff in CNY as the shipping."""
    currency = declaration.currency
    key = (market, tuple(declaration.hs_codes or [declaration.hs_code]), value_minor, currency, shipment.weight_grams,
           shipment.tariff_minor, shipment.channel, declaration.incoterm)
    if cache is not None and key in cache:
        return cache[key]
    landed = landed_cost(reference.consignment(
        market=market, hs_code=declaration.hs_code, hs_codes=declaration.hs_codes or (), goods_value=from_minor(value_minor, currency),
        goods_currency=currency, weight_kg=Decimal(shipment.weight_grams) / 1000,
        shipping=from_minor(shipment.tariff_minor, "CNY"), shipping_currency="CNY", incoterm=declaration.incoterm))
    result = Assessment(landed, to_minor(landed.customs_value.amount, currency), to_minor(landed.duty.amount, currency),
                        to_minor(landed.vat.amount, currency))
    if cache is not None:
        cache[key] = result
    return result


def breakdown_json(landed: LandedCost, *, channel: ChannelRow | None, weight_g: int, market: str) -> list[dict]:
    """The engine's lines as the calculator shows them (amount, rule, formula, source, rows, and
    the amount in CNY), the shipping line with the channel's tariff formula."""
    tariff = None
    if channel is not None:
        # The tariff's price depends on the weight only; DAP and no battery ask for the price alone.
        quote = shipping_quote(channel, market=market, weight_g=max(1, weight_g), has_battery=False, incoterm="DAP")
        tariff = quote if quote.price_formula else None
    lines = []
    for line, cny in zip(landed.lines, landed.in_cny, strict=True):
        row = line.to_json()
        row["amount_cny"] = cny.to_json()["amount"]
        row["cny_formula"] = cny.formula
        if line.code == "shipping" and tariff is not None:
            row["formula"] = f"{tariff.name} tariff: {tariff.price_formula}; {row['formula']}"
            row["refs"] = [tariff.ref, *row["refs"]]
        lines.append(row)
    return lines


def shipments_clear_customs(*, run: PracticumRun, day: date, reference: ReferenceDay) -> list[Shipment]:
    """The parcels of the run that reach destination customs by `day` are assessed, inspected
    or not, booked (DDP: duty and VAT; a penalty) and sent out for delivery."""
    project = run.project
    shipments = list(
        # A parcel from an overseas warehouse has no declaration: it passed customs with its container.
        Shipment.objects.filter(store__run=run, status=SS.IN_TRANSIT, lost=False, customs_on__lte=day,
                                declaration__isnull=False)
        .select_related("order__store", "declaration").order_by("store__key", "order__number"))
    if not shipments:
        return shipments
    cache: dict = {}
    events, entries, delayed = [], [], []
    with transaction.atomic():
        for shipment in shipments:
            order = shipment.order
            order.store.run = run
            declaration = shipment.declaration
            key = order.generation_key
            channel = reference.channels.get(shipment.channel)
            declared = parcel_assessment(reference=reference, shipment=shipment, declaration=declaration, market=order.market,
                                         value_minor=declaration.declared_value_minor, cache=cache)
            goods = declaration.goods_value_minor
            under = declaration.declared_value_minor < goods
            undeclared = share_of(goods - declaration.declared_value_minor, goods) if under else Fraction(0)
            inspected = drawn(run.seed, "inspection", key, chance_bps(
                Fraction(project.inspection_base_pct) + Fraction(project.inspection_slope_pct) * undeclared))
            assessed, difference, penalty, delay = declared, 0, 0, 0
            if inspected and under:
                assessed = parcel_assessment(reference=reference, shipment=shipment, declaration=declaration,
                                             market=order.market, value_minor=goods, cache=cache)
                difference = max(0, assessed.taxes_minor - declared.taxes_minor)
                penalty = percent_of(difference, project.inspection_penalty_pct)
                delay = project.inspection_delay_days
            elif inspected:
                delay = HONEST_INSPECTION_DELAY_DAYS
            ddp = declaration.incoterm == "DDP"
            declaration.cleared_on = day
            declaration.rule = assessed.landed.rule
            declaration.customs_value_minor = assessed.customs_value_minor
            declaration.duty_minor, declaration.vat_minor = assessed.duty_minor, assessed.vat_minor
            declaration.refs = list(assessed.landed.line("total").refs)
            declaration.lines = breakdown_json(assessed.landed, channel=channel, weight_g=shipment.weight_grams,
                                               market=order.market)
            declaration.inspected, declaration.under_declared = inspected, under
            declaration.difference_minor, declaration.penalty_minor = difference, penalty
            declaration.door_fees_minor = 0 if ddp else assessed.taxes_minor
            store_pays = (assessed.duty_minor, assessed.vat_minor) if ddp else (0, 0)
            if sum(store_pays) + penalty:
                notes = [f"rule {assessed.landed.rule}"]
                if declaration.ioss:
                    notes.append("IOSS: VAT collected at checkout, passed on to the EU")
                if inspected and under:
                    notes.append(f"inspected: declared {from_minor(declaration.declared_value_minor, declaration.currency)},"
                                 f" paid {from_minor(goods, declaration.currency)} {declaration.currency}; re-assessed on the"
                                 f" price paid, penalty {project.inspection_penalty_pct.normalize():f} % of the difference")
                entries.append((order.store, order, ledger.customs_duties(
                    key=f"customs:{order.store.key}:{order.number}", order=order.number, store=order.store.key,
                    currency=declaration.currency, duty_minor=store_pays[0], vat_minor=store_pays[1], penalty_minor=penalty,
                    rate=reference.fx.get(declaration.currency), day=day, note="; ".join(notes))))
            shipment_move(shipment, "clear", day, into=events, note=_customs_note(declaration, assessed))
            if inspected:
                events.append((shipment, Stage.INSPECTION, day, _(
                    "Opened by customs: the declared value is below the price paid; held %(days)s days, penalty charged.")
                    % {"days": delay} if under else _("Opened by customs: the declaration matches; held %(days)s day.") % {"days": delay}))
            if delay:
                shipment.expected_on += timedelta(days=delay)
                order.delivery_due_on = shipment.expected_on
                delayed.append(order)
            planned = stage_days(seed=run.seed, key=key, shipped_on=shipment.shipped_on, transit_days=shipment.transit_days)
            events.append((shipment, Stage.LAST_MILE, min(max(day, planned.last_mile) + timedelta(days=delay), shipment.expected_on),
                           _("Handed to the last-mile carrier.")))
        journal_post_many(run, entries)
        events_insert(events)
        rows_save(CustomsDeclaration, [s.declaration for s in shipments], "cleared_on", "rule", "customs_value_minor",
                  "duty_minor", "vat_minor", "refs", "lines", "inspected", "under_declared", "difference_minor",
                  "penalty_minor", "door_fees_minor")
        rows_save(Shipment, shipments, "status", "expected_on")
        orders_update(delayed, "delivery_due_on")
    return shipments


def _customs_note(declaration: CustomsDeclaration, assessed: Assessment) -> str:
    currency = declaration.currency
    taxes = {"duty": from_minor(assessed.duty_minor, currency), "vat": from_minor(assessed.vat_minor, currency),
             "currency": currency, "rule": assessed.landed.rule}
    if declaration.incoterm == "DDP":
        return _("Cleared under %(rule)s: duty %(duty)s, VAT %(vat)s %(currency)s, paid by the store (DDP).") % taxes
    return _("Cleared under %(rule)s: duty %(duty)s, VAT %(vat)s %(currency)s, due from the buyer at the door (DAP).") % taxes


# At the door.


def parcels_at_door(*, run: PracticumRun, day: date) -> list[Shipment]:
    """Parcels due at the door by `day` that do not arrive: a lost one, and a DAP one its buyer
    refuses. Each order is refunded in full out of escrow; a refused parcel starts back at the
    store's cost. Returns them; the others are delivered by `order_services.orders_deliver`."""
    project = run.project
    candidates = list(
        Shipment.objects.filter(store__run=run, order__status=Order.Status.SHIPPED, expected_on__lte=day)
        .filter(Q(lost=True, status=SS.IN_TRANSIT) | Q(declaration__incoterm="DAP", status=SS.OUT_FOR_DELIVERY))
        .select_related("order__store", "declaration").order_by("store__key", "order__number"))
    failing = []
    for shipment in candidates:
        if shipment.lost:
            failing.append((shipment, "lose"))
            continue
        declaration = shipment.declaration
        bps = chance_bps(Fraction(project.dap_refusal_base_pct) + Fraction(project.dap_refusal_slope_pct)
                         * share_of(declaration.door_fees_minor, declaration.goods_value_minor))
        if drawn(run.seed, "refusal", shipment.order.generation_key, bps):
            failing.append((shipment, "refuse"))
    if not failing:
        return []
    with transaction.atomic():
        orders = [shipment.order for shipment, _event in failing]
        for order in orders:
            order.store.run = run
        held = account_balances(run=run, accounts=[Account(AccountCode.ESCROW, o.store.key, o.number) for o in orders])
        entries, moves, events, refused = [], [], [], []
        for shipment, event in failing:
            order = shipment.order
            store = order.store
            amount = -held.get((str(Account(AccountCode.ESCROW, store.key, order.number)), order.currency), 0)
            if amount > 0:
                entries.append((store, order, ledger.refund(
                    key=f"refund:{store.key}:{order.number}", order=order.number, store=store.key, currency=order.currency,
                    amount_minor=amount, held_minor=amount, day=day)))
            if event == "lose":
                _move(order, "lose", day, into=moves, note=_("The parcel was lost on the way; the buyer is refunded in full."))
                shipment_move(shipment, "lose", day, into=events, note=_("The carrier lost the parcel."))
                continue
            declaration = shipment.declaration
            declaration.refused = True
            refused.append(declaration)
            _move(order, "refuse", day, into=moves, note=_(
                "The buyer refused to pay %(fees)s %(currency)s at the door; refunded in full, the parcel comes back.") % {
                "fees": from_minor(declaration.door_fees_minor, order.currency), "currency": order.currency})
            shipment.return_due_on = day + timedelta(days=shipment.transit_days)
            shipment_move(shipment, "refuse", day, into=events, note=_("Refused at the door; on its way back to the warehouse."))
            if shipment.tariff_minor:
                entries.append((store, order, ledger.return_shipping(
                    key=f"return:{store.key}:{order.number}", order=order.number, store=store.key,
                    shipping_minor=shipment.tariff_minor, channel=shipment.channel, day=day)))
        journal_post_many(run, entries)
        OrderTransition.objects.bulk_create(moves)
        events_insert(events)
        orders_update(orders, "status")
        rows_save(Shipment, [shipment for shipment, _event in failing], "status", "return_due_on")
        rows_save(CustomsDeclaration, refused, "refused")
        from .reputation_services import losses_record  # reputation reads the order models this module moves

        losses_record(orders=[shipment.order for shipment, event in failing if event == "lose"], day=day)
    return [shipment for shipment, _event in failing]


def shipments_return(*, run: PracticumRun, day: date) -> list[Shipment]:
    """Refused parcels back in the warehouse by `day`: their units return to stock at the cost
    they left with (on the books too), recorded on the parcel."""
    shipments = list(Shipment.objects.filter(store__run=run, status=SS.RETURNING, return_due_on__lte=day)
                     .select_related("order__store").order_by("store__key", "order__number"))
    if not shipments:
        return shipments
    with transaction.atomic():
        lines: dict[int, list[OrderLine]] = {}
        for line in in_chunks(OrderLine.objects.order_by("pk"), "order_id", [s.order_id for s in shipments]):
            lines.setdefault(line.order_id, []).append(line)
        items = {(item.store_id, item.product_id): item for item in in_chunks(
            StockItem.objects.select_for_update(of=("self",)).order_by("pk"), "store_id", sorted({s.store_id for s in shipments}))}
        entries, events, changed = [], [], {}
        for shipment in shipments:
            order = shipment.order
            order_lines = lines.get(order.pk, [])
            units = sum(line.quantity for line in order_lines)
            left = shipment.cost_of_goods_minor
            for index, line in enumerate(order_lines):
                item = items.get((order.store_id, line.product_id))
                if item is None:
                    raise StockItem.DoesNotExist(f"store {order.store.key} has no stock row for product {line.product_id}")
                cost = left if index == len(order_lines) - 1 else shipment.cost_of_goods_minor * line.quantity // units
                left -= cost
                item.on_hand += line.quantity
                item.cost_minor += cost
                changed[item.pk] = item
            if shipment.cost_of_goods_minor:
                entries.append((order.store, order, ledger.stock_return(
                    key=f"restock:{order.store.key}:{order.number}", order=order.number, store=order.store.key,
                    cost_of_goods_minor=shipment.cost_of_goods_minor, day=day)))
            shipment_move(shipment, "return", day, into=events, note=_("%(units)s units back in stock.") % {"units": units})
        journal_post_many(run, entries)
        events_insert(events)
        rows_save(StockItem, changed.values(), "on_hand", "cost_minor")
        rows_save(Shipment, shipments, "status")
    return shipments


def shipments_delivered(*, orders: Iterable[Order], day: date) -> None:
    """Record the delivery of the orders' parcels (`order_services.orders_deliver`)."""
    shipments = list(in_chunks(Shipment.objects.filter(status=SS.OUT_FOR_DELIVERY).order_by("pk"), "order_id",
                               [order.pk for order in orders]))
    events: list[TrackingEvent] = []
    for shipment in shipments:
        shipment_move(shipment, "deliver", day, into=events, note=_("Delivered to the buyer."))
    events_insert(events)
    for start in range(0, len(shipments), 500):
        Shipment.objects.filter(pk__in=[s.pk for s in shipments[start:start + 500]]).update(status=SS.DELIVERED)
    from .reputation_services import deliveries_record  # see parcels_at_door

    deliveries_record(shipments=shipments, orders=orders, day=day)


__all__ = [
    "SHIPMENT_TRANSITIONS", "Assessment", "ParcelsOpening", "ShipmentTransitionError",
    "breakdown_json", "chance_bps", "parcel_assessment", "parcels_at_door", "shipment_move", "shipments_clear_customs",
    "shipments_delivered", "shipments_return", "stage_days",
]
