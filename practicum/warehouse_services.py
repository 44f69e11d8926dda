"""The writes of overseas warehouses and of what a store owes (issue "Practicum II", point 1):
containers of stock from China to a warehouse (`inbound_ship`), their clearance and receipt
(`inbounds_receive`), the warehouses' daily storage (`storage_fees_charge`), a listing that ships
from a warehouse (`listing_warehouse_set`), and the daily settlement of the payables
(`payables_settle`). The models are `practicum.warehouse_models`.

The freight model: consolidation (拼柜, LCL)
--------------------------------------------
`logistics_channels.csv` prices a rail or sea container (`RAIL_FCL`, `SEA_FCL`: kind rail or
sea, `step_g` 0) at one price for a 40 ft box of up to `max_weight_g` (26 t). A student store
ships a few hundred kilograms, not 26 t, and overseas-warehouse providers sell exactly that: a
share of a consolidated container (拼柜, less-than-container load), charged by the share of the
box the goods take. Weight is the measure here (the catalogue has weights, not volumes), so

    freight (fen) = ceil(container price (fen) × weight (g) / max_weight_g)

rounded up to the fen, as a carrier rounds a charge, and at least one fen. The freight is split
over the container's lines by weight (`apportion`: largest remainder, so the shares add up to
the freight exactly). Transit days are drawn within the channel's range from the run's seed and
the container's number (`demand.stream`), so the same decisions give the same arrival.

Landed cost at arrival (IAS 2.11: the cost of purchase includes import duties, transport and
handling): on the day the container arrives, customs clear each line by `B2B_STANDARD` with the
reference rows in force that day (README, "Landed-cost rules": bulk stock to an overseas
warehouse, no de minimis, duty on the CIF value, VAT on CIF + duty). The engine takes the line's
goods at cost and its freight share in CNY and converts them into the market's currency itself
(README step 1), so the breakdown shows the conversion with its FX row. Duty and VAT are owed
in the market's currency; their CNY (the container's duty and VAT each converted once at the
day's FX row and rounded half-up, `ledger.inbound_clearance`) is split over the lines by their
duty and VAT. The warehouse's inbound handling is ceil(kg × `inbound_handling_cny_per_kg`) for
the container, split by weight. A line's landed cost = goods + freight share + duty and VAT in
CNY + handling share, which is what its units add to the store's `WarehouseStock`; the books
hold the same amounts in INVENTORY (`ledger.inbound_freight`, `ledger.inbound_clearance`).

Storage: at the end of each played day, per store, Σ over its warehouses of units on hand ×
unit weight (kg) × `storage_fee_cny_per_kg_day`, exact, rounded half-up once to the fen; one
entry per store and day, none when it is zero.

Settlement: at the end of each played day each store pays what it owes, as far as what it may
spend allows (`ledger.settlement_plan`: customs first, then carriers and warehouses). What
cannot be paid stays owed and is shown on the warehouses page.

Money is an int of minor units; days are simulated days (the run's day in progress for a
student's decision, the played day for the simulation's steps).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import demand, ledger
from .customs import CustomsInputError, landed_cost
from .ledger import Account, AccountCode
from .ledger_services import account_balances, in_chunks, journal_post_many
from .logistics import ChannelRow, shipping_quote
from .models import Warehouse
from .money import from_minor, quantize, to_minor
from .order_services import rows_save
from .project_models import ProjectProduct
from .run_models import Listing, PracticumRun, RunParticipant, StockItem, Store
from .selectors import ReferenceDataMissing, ReferenceDay, rows_in_force
from .warehouse_models import InboundLine, InboundShipment, WarehouseStock

CONTAINER_KINDS = ("rail", "sea")
LASTMILE_CHANNEL = "WH_LASTMILE"
B2B_RULE = "B2B_STANDARD"
MAX_INBOUND_UNITS = 100_000
GRAMS_PER_KG = 1000


# Pure helpers.


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` in whole units that add up to it exactly: each
    share rounded down, the units left over to the largest remainders (the earlier line first on
    a tie). All-zero weights split nothing (every share 0, unless `total` is 0 too)."""
    whole = sum(weights)
    if total == 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * weight // whole for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for index in remainders[:total - sum(shares)]:
        shares[index] += 1
    return shares


def container_freight(channel: ChannelRow, weight_g: int) -> tuple[int, str]:
    """The store's share of a consolidated container (module docstring): the fen and the formula."""
    price_minor = to_minor(quantize(channel.first_price_cny, "CNY"), "CNY")
    freight = max(1, -(-price_minor * weight_g // channel.max_weight_g))
    formula = (f"ceil(CNY {from_minor(price_minor, 'CNY')} per container × {weight_g:,} g / {channel.max_weight_g:,} g)"
               f" = CNY {from_minor(freight, 'CNY')} (a share of a consolidated container, by weight)")
    return freight, formula


def storage_fee_exact(rows: Sequence[tuple[int, int, int]]) -> Fraction:
    """Σ units × unit weight (g) / 1000 × fee (fen per kg per day), in exact fen, over
    (units, unit weight in grams, fee in fen) rows."""
    return sum((Fraction(units * weight_g * fee, GRAMS_PER_KG) for units, weight_g, fee in rows), Fraction(0))


def half_up(value: Fraction) -> int:
    """A non-negative exact amount rounded half-up to a whole minor unit."""
    return int(value + Fraction(1, 2)) if value > 0 else 0


# Reads used by the writes and the page.


def warehouses_on(*, day: date, markets=None) -> dict[str, Warehouse]:
    """The overseas warehouses in force on `day`, by code, in the given markets if any."""
    rows = {code: row for (code,), row in rows_in_force(Warehouse, day=day).items()}
    if markets is not None:
        wanted = {m.upper() for m in markets}
        rows = {code: row for code, row in rows.items() if row.market in wanted}
    return dict(sorted(rows.items()))


def container_channels(*, reference: ReferenceDay, market: str | None = None) -> list[ChannelRow]:
    """The container channels in force (rail, sea), serving `market` if given."""
    return [c for c in sorted(reference.channels.values(), key=lambda c: (c.kind, c.code))
            if c.kind in CONTAINER_KINDS and (market is None or c.serves(market))]


# Containers.


@dataclass
class InboundPlanLine:
    product: ProjectProduct
    item: StockItem | None
    units: int
    weight_g: int
    goods_cost_minor: int
    freight_share_minor: int = 0


@dataclass
class InboundPlan:
    """A container checked against the rules, before it is written: the preview and the write
    share it."""

    day: date
    warehouse: Warehouse
    channel: ChannelRow
    lines: list[InboundPlanLine]
    weight_g: int
    freight_minor: int
    freight_formula: str
    refs: list[str] = field(default_factory=list)

    @property
    def arrives_earliest(self) -> date:
        return self.day + timedelta(days=self.channel.transit_days_min)

    @property
    def arrives_latest(self) -> date:
        return self.day + timedelta(days=self.channel.transit_days_max)

    @property
    def goods_cost_minor(self) -> int:
        return sum(line.goods_cost_minor for line in self.lines)


def inbound_plan(*, store: Store, warehouse: str, channel: str, quantities: Mapping[int, int],
                 items: Mapping[int, StockItem] | None = None) -> InboundPlan:
    """Check a container of the store's China stock to `warehouse` by `channel` on the run's day
    in progress and work out its weight, goods at average cost and freight; a ValidationError
    names the field (warehouse, channel, quantities) otherwise. `items` are the store's China
    stock rows by product id (locked by a write); read here when not given."""
    run = store.run
    day = run.current_date
    project = run.project
    errors: dict[str, list[str]] = {}
    rows = warehouses_on(day=day, markets=project.target_markets or [])
    row = rows.get(warehouse)
    if row is None:
        raise ValidationError({"warehouse": _("Choose an overseas warehouse in force on %(day)s in one of the project's "
                                              "markets.") % {"day": day.isoformat()}})
    reference = ReferenceDay(day=day, markets=[row.market])
    channel_row = reference.channels.get(channel)
    if channel_row is None or channel_row.kind not in CONTAINER_KINDS:
        raise ValidationError({"channel": _("Choose a rail or sea container channel in force on %(day)s.") % {
            "day": day.isoformat()}})
    if not channel_row.serves(row.market):
        raise ValidationError({"channel": _("%(channel)s does not serve %(market)s; choose a container channel that "
                                            "does.") % {"channel": channel_row.name, "market": row.market}})
    products = {p.pk: p for p in project.products.all()}
    wanted = {}
    for product_id, units in quantities.items():
        if isinstance(units, bool) or not isinstance(units, int) or units < 0 or units > MAX_INBOUND_UNITS:
            errors.setdefault("quantities", []).append(_("Units are whole numbers from 0 to %(max)s.") % {
                "max": MAX_INBOUND_UNITS})
            continue
        if units == 0:
            continue
        product = products.get(product_id)
        if product is None:
            errors.setdefault("quantities", []).append(_("Choose products of the project's catalogue."))
            continue
        wanted[product_id] = units
    if errors:
        raise ValidationError(errors)
    if not wanted:
        raise ValidationError({"quantities": [_("Put at least one unit in the container.")]})
    if items is None:
        items = {item.product_id: item for item in StockItem.objects.filter(store=store, product_id__in=list(wanted))}
    lines = []
    for product_id in sorted(wanted, key=lambda pk: (products[pk].sort_order, pk)):
        product, units = products[product_id], wanted[product_id]
        item = items.get(product_id)
        available = item.available if item is not None else 0
        if units > available:
            errors.setdefault("quantities", []).append(
                _("%(sku)s: %(available)s units can leave the China stock (on hand less those promised to orders), "
                  "not %(units)s.") % {"sku": product.sku, "available": available, "units": units})
            continue
        cost = item.cost_minor * units // item.on_hand if item.on_hand else 0
        lines.append(InboundPlanLine(product=product, item=item, units=units, weight_g=units * product.weight_grams,
                                     goods_cost_minor=cost))
    if errors:
        raise ValidationError(errors)
    weight = sum(line.weight_g for line in lines)
    quote = shipping_quote(channel_row, market=row.market, weight_g=weight,
                           has_battery=any(line.product.contains_battery for line in lines), incoterm="DAP")
    if not quote.available:
        raise ValidationError({"channel": "; ".join(note.text for note in quote.reasons) + "."})
    freight, formula = container_freight(channel_row, weight)
    for line, share in zip(lines, apportion(freight, [line.weight_g for line in lines]), strict=True):
        line.freight_share_minor = share
    return InboundPlan(day=day, warehouse=row, channel=channel_row, lines=lines, weight_g=weight, freight_minor=freight,
                       freight_formula=formula, refs=[channel_row.ref, row.ref])


def inbound_ship(*, store: Store, warehouse: str, channel: str, quantities: Mapping[int, int], by) -> InboundShipment:
    """Ship units of the store's China stock in a container to an overseas warehouse, dated the
    run's day in progress: the units leave the China stock at average cost, the freight (the
    store's share of a consolidated container) is added to the stock's cost and owed to the
    carrier, and the arrival day is drawn within the channel's transit range."""
    run = store.run
    if not RunParticipant.objects.filter(team_id=store.team_id, user=by, status=RunParticipant.Status.ACCEPTED).exists():
        raise PermissionDenied(_("Only the team's members can change its store."))
    with transaction.atomic():
        run = PracticumRun.objects.select_related("project").get(pk=run.pk)
        if run.status != PracticumRun.Status.RUNNING or run.day >= run.last_day_number:
            raise ValidationError(_("Containers are shipped while the run is running, on its day in progress."))
        store = Store.objects.select_for_update().select_related("team").get(pk=store.pk)
        store.run = run
        items = {item.product_id: item for item in StockItem.objects.select_for_update().filter(
            store=store, product_id__in=[pk for pk, units in quantities.items() if units]).order_by("pk")}
        plan = inbound_plan(store=store, warehouse=warehouse, channel=channel, quantities=quantities, items=items)
        day = plan.day
        same_day = InboundShipment.objects.filter(store=store, shipped_on=day).count()
        number = f"IN-{day:%Y%m%d}-{same_day + 1:02d}"
        transit = demand.stream(run.seed, "inbound-transit", store.key, number).randint(
            plan.channel.transit_days_min, plan.channel.transit_days_max)
        market = plan.warehouse.market
        inbound = InboundShipment.objects.create(
            store=store, number=number, warehouse=plan.warehouse.code, market=market, channel=plan.channel.code,
            shipped_on=day, transit_days=transit, arrives_on=day + timedelta(days=transit), weight_grams=plan.weight_g,
            freight_minor=plan.freight_minor, currency=ReferenceDay(day=day, markets=[market]).market(market).currency,
            refs=[{"what": "freight", "formula": plan.freight_formula, "refs": plan.refs}], created_by=by,
        )
        InboundLine.objects.bulk_create([
            InboundLine(inbound=inbound, product=line.product, quantity=line.units, weight_grams=line.weight_g,
                        goods_cost_minor=line.goods_cost_minor, freight_share_minor=line.freight_share_minor)
            for line in plan.lines
        ])
        for line in plan.lines:
            line.item.on_hand -= line.units
            line.item.cost_minor -= line.goods_cost_minor
        rows_save(StockItem, [line.item for line in plan.lines], "on_hand", "cost_minor")
        journal_post_many(run, [(store, None, ledger.inbound_freight(
            key=f"inbound-freight:{store.key}:{number}", inbound=number, store=store.key, freight_minor=plan.freight_minor,
            channel=plan.channel.code, day=day, note=plan.freight_formula))])
        return inbound


def inbounds_receive(*, run: PracticumRun, day: date, reference: ReferenceDay) -> list[InboundShipment]:
    """The containers of the run due by `day` are cleared by `B2B_STANDARD` on the day's rows,
    charged the warehouse's inbound handling and received into the stores' warehouse stock at
    their landed cost (module docstring)."""
    with transaction.atomic():
        inbounds = list(InboundShipment.objects.select_for_update(of=("self",)).filter(
            store__run=run, status=InboundShipment.Status.IN_TRANSIT, arrives_on__lte=day)
            .select_related("store").order_by("store__key", "number"))
        if not inbounds:
            return inbounds
        lines: dict[int, list[InboundLine]] = {}
        for line in in_chunks(InboundLine.objects.select_related("product").order_by("pk"), "inbound_id",
                              [i.pk for i in inbounds]):
            lines.setdefault(line.inbound_id, []).append(line)
        rows = warehouses_on(day=day)
        store_ids = sorted({i.store_id for i in inbounds})
        stock = {(s.store_id, s.warehouse, s.product_id): s for s in in_chunks(
            WarehouseStock.objects.select_for_update().order_by("pk"), "store_id", store_ids)}
        new_stock: list[WarehouseStock] = []
        changed_stock: dict[int, WarehouseStock] = {}
        entries, changed_lines = [], []
        for inbound in inbounds:
            store = inbound.store
            store.run = run
            row = rows.get(inbound.warehouse)
            if row is None:
                raise ReferenceDataMissing(f"No overseas warehouse row for {inbound.warehouse} is in force on {day.isoformat()}.")
            currency = reference.market(inbound.market).currency
            rate = reference.fx.get(currency)
            if rate is None:
                raise ReferenceDataMissing(f"No FX rate row for currency {currency} is in force on {day.isoformat()}.")
            inbound_lines = lines.get(inbound.pk, [])
            refs: set[str] = set()
            for line in inbound_lines:
                try:
                    landed = landed_cost(reference.consignment(
                        market=inbound.market, hs_code=line.product.hs_code, goods_value=from_minor(line.goods_cost_minor, "CNY"),
                        goods_currency="CNY", weight_kg=Decimal(line.weight_grams) / GRAMS_PER_KG,
                        shipping=from_minor(line.freight_share_minor, "CNY"), shipping_currency="CNY", incoterm="DDP",
                        rule_override=B2B_RULE))
                except CustomsInputError as error:
                    raise ReferenceDataMissing(str(error).splitlines()[0]) from None
                line.duty_minor = to_minor(landed.duty.amount, currency)
                line.vat_minor = to_minor(landed.vat.amount, currency)
                line.lines = _breakdown(landed, inbound, line)
                refs.update(landed.line("total").refs)
            duty = sum(line.duty_minor for line in inbound_lines)
            vat = sum(line.vat_minor for line in inbound_lines)
            duty_cny = ledger.fx_convert(duty, currency, ledger.BOOK_CURRENCY, rate.cny_per_unit).converted_minor if duty else 0
            vat_cny = ledger.fx_convert(vat, currency, ledger.BOOK_CURRENCY, rate.cny_per_unit).converted_minor if vat else 0
            handling = -(-inbound.weight_grams * row.inbound_handling_cny_minor_per_kg // GRAMS_PER_KG)
            handling_formula = (f"ceil({Decimal(inbound.weight_grams) / GRAMS_PER_KG:f} kg × CNY"
                                f" {from_minor(row.inbound_handling_cny_minor_per_kg, 'CNY')}/kg) = CNY {from_minor(handling, 'CNY')}")
            shares = zip(apportion(duty_cny, [line.duty_minor for line in inbound_lines]),
                         apportion(vat_cny, [line.vat_minor for line in inbound_lines]),
                         apportion(handling, [line.weight_grams for line in inbound_lines]), strict=True)
            for line, (duty_share, vat_share, handling_share) in zip(inbound_lines, shares, strict=True):
                line.handling_minor = handling_share
                line.landed_cost_minor = (line.goods_cost_minor + line.freight_share_minor + duty_share + vat_share
                                          + handling_share)
                key = (store.pk, inbound.warehouse, line.product_id)
                held = stock.get(key)
                if held is None:
                    held = stock[key] = WarehouseStock(store=store, warehouse=inbound.warehouse, product=line.product)
                    new_stock.append(held)
                elif held.pk is not None:
                    changed_stock[held.pk] = held
                held.on_hand += line.quantity
                held.cost_minor += line.landed_cost_minor
                changed_lines.append(line)
            if duty + vat + handling:
                entries.append((store, None, ledger.inbound_clearance(
                    key=f"inbound-clearance:{store.key}:{inbound.number}", inbound=inbound.number, store=store.key,
                    currency=currency, duty_minor=duty, vat_minor=vat, handling_minor=handling, rate=rate, day=day,
                    note=f"rule {B2B_RULE}; handling {handling_formula}")))
            inbound.duty_minor, inbound.vat_minor, inbound.handling_minor = duty, vat, handling
            inbound.currency = currency
            inbound.status = InboundShipment.Status.RECEIVED
            inbound.received_on = day
            inbound.refs = [ref for ref in inbound.refs if ref.get("what") == "freight"] + [
                {"what": "clearance", "formula": f"{B2B_RULE}, duty {from_minor(duty, currency)} {currency} = CNY"
                                                 f" {from_minor(duty_cny, 'CNY')}, VAT {from_minor(vat, currency)} {currency}"
                                                 f" = CNY {from_minor(vat_cny, 'CNY')} at {rate.cny_per_unit} CNY/{currency}",
                 "refs": sorted(refs | {rate.ref})},
                {"what": "handling", "formula": handling_formula, "refs": [row.ref]},
            ]
        WarehouseStock.objects.bulk_create(new_stock)
        journal_post_many(run, entries)
        rows_save(WarehouseStock, changed_stock.values(), "on_hand", "cost_minor")
        rows_save(InboundLine, changed_lines, "duty_minor", "vat_minor", "handling_minor", "landed_cost_minor", "lines")
        rows_save(InboundShipment, inbounds, "duty_minor", "vat_minor", "handling_minor", "currency", "status",
                  "received_on", "refs")
    return inbounds


def _breakdown(landed, inbound: InboundShipment, line: InboundLine) -> list[dict]:
    """The engine's lines as the calculator shows them, the shipping line with the freight share."""
    from .shipment_services import breakdown_json  # the shipment services import the order services, as this module

    rows = breakdown_json(landed, channel=None, weight_g=line.weight_grams, market=inbound.market)
    for row in rows:
        if row["code"] == "shipping":
            row["formula"] = (f"{inbound.channel} freight CNY {from_minor(inbound.freight_minor, 'CNY')} split by weight:"
                              f" {line.weight_grams:,} of {inbound.weight_grams:,} g = CNY"
                              f" {from_minor(line.freight_share_minor, 'CNY')}; {row['formula']}")
    return rows


# Storage.


def storage_fees_charge(*, run: PracticumRun, day: date) -> list[ledger.JournalEntry]:
    """Each store's storage in its overseas warehouses on `day` (module docstring), one entry
    per store (key `storage:<store>:<day>`), none when nothing is stored."""
    held = list(WarehouseStock.objects.filter(store__run=run, on_hand__gt=0).select_related("store", "product")
                .order_by("store__key", "warehouse", "product__sort_order", "pk"))
    if not held:
        return []
    rows = warehouses_on(day=day)
    by_store: dict[int, list[WarehouseStock]] = {}
    for stock in held:
        by_store.setdefault(stock.store_id, []).append(stock)
    entries = []
    for stocks in by_store.values():
        store = stocks[0].store
        store.run = run
        figures, notes = [], []
        for stock in stocks:
            row = rows.get(stock.warehouse)
            if row is None:
                raise ReferenceDataMissing(f"No overseas warehouse row for {stock.warehouse} is in force on {day.isoformat()}.")
            figures.append((stock.on_hand, stock.product.weight_grams, row.storage_fee_cny_minor_per_kg_day))
            notes.append(f"{stock.warehouse} {stock.product.sku} {stock.on_hand} × {stock.product.weight_grams} g"
                         f" × CNY {from_minor(row.storage_fee_cny_minor_per_kg_day, 'CNY')}/kg")
        amount = half_up(storage_fee_exact(figures))
        if amount:
            entries.append((store, None, ledger.storage_fee(key=f"storage:{store.key}:{day.isoformat()}", store=store.key,
                                                            amount_minor=amount, day=day, note="; ".join(notes))))
    journal_post_many(run, entries)
    return [entry for _store, _order, entry in entries]


# Payables.


PAYABLES = tuple(ledger.PAYABLE_CODES)


def store_payables(*, run: PracticumRun, stores: Sequence[Store]) -> dict[str, dict[tuple[str, str], int]]:
    """What each store owes, {store key: {(payable code, currency): amount owed}} (positive
    amounts only) with its available balance under ("STORE_AVAILABLE", "CNY"); one query."""
    accounts = [Account(code, store.key) for store in stores for code in (*PAYABLES, AccountCode.STORE_AVAILABLE)]
    balances = account_balances(run=run, accounts=accounts)
    result: dict[str, dict[tuple[str, str], int]] = {store.key: {} for store in stores}
    for (name, currency), total in balances.items():
        account = Account.parse(name)
        if account.code == AccountCode.STORE_AVAILABLE:
            result[account.store][account.code.value, currency] = total
        elif -total > 0:
            result[account.store][account.code.value, currency] = -total
    return result


def payables_settle(*, run: PracticumRun, day: date, reference: ReferenceDay) -> list[ledger.JournalEntry]:
    """Every store of the run pays what it owes on `day` from what it may spend, as far as that
    allows (`ledger.settlement_plan`), at the day's FX rows; one entry per store that pays
    (key `settle:<store>:<day>`)."""
    stores = list(Store.objects.filter(run=run).order_by("key"))
    owed_by_store = store_payables(run=run, stores=stores)
    entries = []
    for store in stores:
        store.run = run
        owed = dict(owed_by_store[store.key])
        available = owed.pop((AccountCode.STORE_AVAILABLE.value, ledger.BOOK_CURRENCY), 0)
        owed = {(AccountCode(code), currency): amount for (code, currency), amount in owed.items()
                if currency == ledger.BOOK_CURRENCY or currency in reference.fx}
        if not owed or available <= 0:
            continue
        plan = ledger.settlement_plan(owed=owed, available_minor=available, rates=reference.fx, day=day)
        if not any(line.paid_minor for line in plan):
            continue
        entries.append((store, None, ledger.payables_settlement(
            key=f"settle:{store.key}:{day.isoformat()}", store=store.key, lines=plan, available_minor=available,
            rates=reference.fx, day=day)))
    journal_post_many(run, entries)
    return [entry for _store, _order, entry in entries]


# Listings that ship from a warehouse.


def listing_warehouse_errors(*, day: date, market: str, warehouse: str, channel: str, incoterm: str) -> dict[str, str]:
    """Why a listing in `market` cannot ship from `warehouse` by `channel` under `incoterm` on
    `day` (field: message), or nothing when it can (or ships from China, `warehouse` empty)."""
    if not warehouse:
        if channel == LASTMILE_CHANNEL:
            return {"warehouse": _("%(channel)s carries parcels from an overseas warehouse; choose the warehouse the "
                                   "listing ships from.") % {"channel": LASTMILE_CHANNEL}}
        return {}
    errors = {}
    row = warehouses_on(day=day, markets=[market]).get(warehouse)
    if row is None:
        errors["warehouse"] = _("Choose a warehouse in force in %(market)s on %(day)s, or ship from China.") % {
            "market": market, "day": day.isoformat()}
    if channel != LASTMILE_CHANNEL:
        errors["channel"] = _("A listing that ships from an overseas warehouse goes by the warehouse's last mile "
                              "(%(channel)s).") % {"channel": LASTMILE_CHANNEL}
    if incoterm != "DDP":
        errors["incoterm"] = _("A listing that ships from an overseas warehouse is DDP: its duty and VAT were paid "
                               "when the stock came in.")
    return errors


def listing_warehouse_set(*, listing: Listing, warehouse: str, by) -> Listing:
    """Set where a saved listing ships from: an overseas warehouse in force in its market (then
    its channel is the warehouse's last mile and its Incoterm DDP), or China (empty)."""
    store = listing.store
    if not RunParticipant.objects.filter(team_id=store.team_id, user=by, status=RunParticipant.Status.ACCEPTED).exists():
        raise PermissionDenied(_("Only the team's members can change its store."))
    errors = listing_warehouse_errors(day=store.run.current_date, market=listing.market, warehouse=warehouse,
                                      channel=listing.channel, incoterm=listing.incoterm)
    if errors:
        raise ValidationError(errors)
    if listing.warehouse != warehouse:
        listing.warehouse = warehouse
        listing.save(update_fields=["warehouse", "updated_at"])
    return listing


__all__ = [
    "apportion", "container_channels", "container_freight", "inbound_plan", "inbound_ship", "inbounds_receive",
    "listing_warehouse_errors", "listing_warehouse_set", "payables_settle", "storage_fee_exact", "storage_fees_charge",
    "store_payables", "warehouses_on",
]
