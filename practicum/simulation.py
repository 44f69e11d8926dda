"""The simulation clock of a practicum run: playing one simulated day (issue "Practicum I",
point 7).

Playing day N of a run, in one transaction with the run row locked:

1. Earlier orders move on, in a fixed order (store key, order number): containers due at an
   overseas warehouse are cleared and received (`warehouse_services.inbounds_receive`), orders due
   to ship leave the China or overseas warehouse (`orders_ship`, which opens each parcel's
   shipment and, from China, its customs declaration), parcels reaching destination customs are
   assessed and booked (`shipment_services.shipments_clear_customs`), parcels due at the door
   that do not arrive (lost, or refused under DAP) are refunded (`parcels_at_door`), refused
   parcels due back return to stock (`shipments_return`), the other parcels due arrive
   (`orders_deliver`), buyers open disputes and disputes due are decided
   (`dispute_services.disputes_day`), escrow due and not frozen by a dispute is released
   (`orders_release`), and the warehouses' storage is charged and what each store owes is paid
   as far as its money goes (`storage_fees_charge`, `payables_settle`), all at the reference rows
   in force on the day; each step for all its parcels or orders at once, with the outcome of
   moving them one by one. Deliveries, losses, disputes, reviews and cancellations are recorded
   as reputation events on the way (`practicum.reputation_services`).
2. The demand engine (`practicum.demand`) meets each store's live listings that have stock,
   market by market, with the project's competitor listings and demand settings. Each listing is
   priced for the shopper by the trade-rules engine on the day (`listing_terms`): under DDP the
   shopper pays the price; under DAP the price plus the shipping, and expects duty and VAT at
   the door; from an overseas warehouse the last mile's tariff with the duties paid at inbound.
   A rated store's listings carry its rating of the day (`run_ratings`); an unrated one's the
   engine's unrated rating, so a day recorded before ratings existed replays the same. Orders
   are placed in shopper order, first come first served on stock, in one batch (`orders_place`).
3. The day is recorded (`SimulationDay`): the engine's inputs in canonical form with their sha256,
   the number of orders and `orders_digest` over all the run's orders of the day. Replaying a
   recorded day (`simulation_day_replay`) regenerates its orders from those inputs. Every store's
   KPI snapshot of the day is recorded with its digest (`kpi_services.kpi_snapshots_record`).

The same day is never played twice (a unique day number per run, the run row locked); an order
generated twice is placed once (`orders_place` is idempotent by generation key).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import demand
from .customs import CustomsInputError, FxRow, landed_cost
from .dispute_services import disputes_day
from .kpi_services import kpi_snapshots_record
from .logistics import shipping_quote
from .models import FxRate
from .money import from_minor, to_minor
from .order_services import Placement, cny_in_market, orders_deliver, orders_place, orders_release, orders_ship
from .project_models import CompetitorListing, PracticumProject
from .reputation_services import run_ratings
from .run_models import Listing, Order, PracticumRun, SimulationDay, StockItem, Store
from .selectors import ReferenceDataMissing, ReferenceDay, rows_in_force
from .shipment_services import parcels_at_door, shipments_clear_customs, shipments_return
from .warehouse_models import WarehouseStock
from .warehouse_services import LASTMILE_CHANNEL, inbounds_receive, payables_settle, storage_fees_charge

# With no competitor selling a SKU in a market, its going price is the unit cost at this markup,
# converted at the day's rate: cross-border retail prices commonly run at about three times the
# factory price (a teaching value, like the demand defaults).
GOING_PRICE_MARKUP = 3
HANDLING_DAYS = 1


class SimulationError(ValidationError):
    """A day that cannot be played, with a message for the mentor."""


def demand_parameters(project: PracticumProject) -> demand.DemandParameters:
    """The project's demand settings as the engine's parameters (the rest at their defaults)."""
    return demand.DemandParameters(
        beta_price=project.beta_price, beta_rating=project.beta_rating, beta_delivery_day=project.beta_delivery_day,
        beta_door_fee=project.beta_door_fee, no_purchase_utility=project.no_purchase_utility,
    )


@dataclass(frozen=True)
class ListingTerms:
    """What one unit of a listing means for the shopper and for the store on a day, in minor
    units of the market's currency: the shipping the channel's tariff charges for one unit
    (converted from CNY), what the shopper pays the store, the duty and VAT at the border (paid
    by the store under DDP, at the door under DAP), and the delivery days the shopper expects."""

    currency: str
    shipping_minor: int
    buyer_price_minor: int
    duty_minor: int
    vat_minor: int
    door_fees_minor: int
    delivery_days: int
    shipping_cny_minor: int
    landed: object  # the customs engine's LandedCost, for the breakdown


def listing_terms(*, reference: ReferenceDay, market: str, hs_code: str, price_minor: int, declared_minor: int,
                  weight_g: int, has_battery: bool, incoterm: str, channel: str, cache: dict | None = None,
                  warehouse: str = "") -> ListingTerms:
    """The terms of one unit of a listing on `reference.day`, by the trade-rules engines (the
    tariff of the channel and the customs rule of the market); raises SimulationError when the
    channel refuses the parcel or the reference data is missing.

    A listing that ships from an overseas warehouse (`warehouse`) goes by the warehouse's last
    mile (WH_LASTMILE) under DDP: its shipping is that channel's tariff and it owes no duty, VAT
    or door fees (paid when the stock came in, `warehouse_services`); `landed` is then None."""
    key = (market, hs_code, price_minor, declared_minor, weight_g, has_battery, incoterm, channel, warehouse)
    if cache is not None and key in cache:
        return cache[key]
    if warehouse:
        terms = _warehouse_terms(reference=reference, market=market, price_minor=price_minor, weight_g=weight_g,
                                 has_battery=has_battery)
        if cache is not None:
            cache[key] = terms
        return terms
    channel_row = reference.channels.get(channel)
    if channel_row is None:
        raise SimulationError(_("No logistics channel %(channel)s is in force on %(day)s.") % {"channel": channel, "day": reference.day})
    quote = shipping_quote(channel_row, market=market, weight_g=weight_g, has_battery=has_battery, incoterm=incoterm)
    if not quote.available:
        raise SimulationError("; ".join(note.text for note in quote.reasons))
    currency = reference.market(market).currency
    shipping_market = cny_in_market(quote.price_cny, currency, reference)
    try:
        landed = landed_cost(reference.consignment(
            market=market, hs_code=hs_code, goods_value=from_minor(declared_minor, currency), goods_currency=currency,
            weight_kg=Decimal(weight_g) / 1000, shipping=quote.price_cny, shipping_currency="CNY", incoterm=incoterm))
    except CustomsInputError as error:
        raise SimulationError(str(error).splitlines()[0]) from None
    duty = to_minor(landed.duty.amount, currency)
    vat = to_minor(landed.vat.amount, currency)
    dap = incoterm == "DAP"
    terms = ListingTerms(
        currency=currency, shipping_minor=shipping_market,
        buyer_price_minor=price_minor + (shipping_market if dap else 0),
        duty_minor=duty, vat_minor=vat, door_fees_minor=duty + vat if dap else 0,
        delivery_days=HANDLING_DAYS + -(-(quote.transit_days_min + quote.transit_days_max) // 2),
        shipping_cny_minor=to_minor(quote.price_cny, "CNY"), landed=landed,
    )
    if cache is not None:
        cache[key] = terms
    return terms


def _warehouse_terms(*, reference: ReferenceDay, market: str, price_minor: int, weight_g: int,
                     has_battery: bool) -> ListingTerms:
    channel_row = reference.channels.get(LASTMILE_CHANNEL)
    if channel_row is None:
        raise SimulationError(_("No logistics channel %(channel)s is in force on %(day)s.") % {
            "channel": LASTMILE_CHANNEL, "day": reference.day})
    quote = shipping_quote(channel_row, market=market, weight_g=weight_g, has_battery=has_battery, incoterm="DDP")
    if not quote.available:
        raise SimulationError("; ".join(note.text for note in quote.reasons))
    currency = reference.market(market).currency
    return ListingTerms(
        currency=currency, shipping_minor=cny_in_market(quote.price_cny, currency, reference), buyer_price_minor=price_minor,
        duty_minor=0, vat_minor=0, door_fees_minor=0,
        delivery_days=HANDLING_DAYS + -(-(quote.transit_days_min + quote.transit_days_max) // 2),
        shipping_cny_minor=to_minor(quote.price_cny, "CNY"), landed=None,
    )


def run_day_play(*, run: PracticumRun) -> SimulationDay:
    """Play the run's day in progress: move earlier orders on, generate and place the day's
    orders, and record the day. Refuses a run that is not running or has played its last day."""
    with transaction.atomic():
        run = PracticumRun.objects.select_for_update().select_related("project").get(pk=run.pk)
        if run.status != PracticumRun.Status.RUNNING:
            raise SimulationError(_("Start the run before playing its days."))
        number = run.day + 1
        if number > run.last_day_number:
            raise SimulationError(_("The project's last day, %(day)s, has been played.") % {"day": run.project.ends_on.isoformat()})
        day = run.date_of(number)
        project = run.project
        try:
            reference = ReferenceDay(day=day, markets=project.target_markets)
            _orders_move_on(run, day, reference)
            inputs, placements = _day_demand(run, day, reference)
        except (ReferenceDataMissing, CustomsInputError) as error:
            raise SimulationError(str(error).splitlines()[0]) from None
        orders_place(run=run, placements=[
            Placement(store, listing, order, order.unit_price_minor * order.quantity) for store, listing, order in placements])
        generated = [order for _store, _listing, order in placements]
        played = SimulationDay.objects.create(
            run=run, number=number, date=day, orders=len(generated), orders_digest=demand.orders_digest(generated),
            inputs=inputs, inputs_digest=_digest(inputs),
        )
        kpi_snapshots_record(run=run, played=played)
        run.day = number
        run.save(update_fields=["day"])
        return played


def simulation_day_replay(*, played: SimulationDay) -> tuple[int, str]:
    """The number of orders and the orders digest of a recorded day, regenerated from its
    recorded inputs alone; equal to the recorded ones unless the record was tampered with."""
    inputs = played.inputs
    if _digest(inputs) != played.inputs_digest:
        raise SimulationError(_("The recorded inputs of day %(day)s do not match their digest.") % {"day": played.number})
    orders = []
    for market_day, store_listings, competitors, params in _inputs_decoded(inputs):
        for result in demand.generate_market_day(seed=inputs["seed"], market_day=market_day, stores=store_listings,
                                                 competitor_listings=competitors, params=params).values():
            orders.extend(result.orders)
    return len(orders), demand.orders_digest(orders)


# Step 1: earlier orders move on.


def _orders_move_on(run: PracticumRun, day: date, reference: ReferenceDay) -> None:
    """Each step takes all its orders at once (`orders_ship`, ...), in (store key, number) order,
    after the step before: a parcel delivered today whose buyer confirms at once is released today."""
    project = run.project
    inbounds_receive(run=run, day=day, reference=reference)  # containers due today join the warehouse stock first
    base = (Order.objects.filter(store__run=run).select_for_update(of=("self",)).select_related("store__run")
            .order_by("store__key", "number"))
    orders_ship(orders=base.filter(status=Order.Status.FULFILLING, ships_on__lte=day), day=day, reference=reference,
                seed=run.seed)
    shipments_clear_customs(run=run, day=day, reference=reference)
    parcels_at_door(run=run, day=day)
    shipments_return(run=run, day=day)
    orders_deliver(orders=base.filter(status=Order.Status.SHIPPED, delivery_due_on__lte=day), day=day, seed=run.seed,
                   auto_release_days=project.auto_release_days)
    disputes_day(run=run, day=day, reference=reference)
    releasing = list(base.filter(status=Order.Status.DELIVERED, release_due_on__lte=day))
    payment_rates: dict[tuple[str, date], FxRow] = {}
    for order in releasing:
        rate_key = (order.currency, order.placed_on)
        if rate_key not in payment_rates:
            payment_rates[rate_key] = _fx_row(order.currency, order.placed_on)
    orders_release(orders=releasing, day=day, reference=reference, platform_fee_bps=project.platform_fee_bps,
                   payment_rate_of=lambda order: payment_rates[order.currency, order.placed_on])
    # The day's storage is owed, then each store pays what it owes as far as its money allows.
    storage_fees_charge(run=run, day=day)
    payables_settle(run=run, day=day, reference=reference)


def _fx_row(currency: str, day: date) -> FxRow:
    rows = rows_in_force(FxRate, day=day, currency=currency)
    if not rows:
        raise ReferenceDataMissing(f"No FX rate row for currency {currency} is in force on {day.isoformat()}.")
    (row,) = rows.values()
    return FxRow(currency=row.currency, cny_per_unit=row.cny_per_unit, effective_from=row.effective_from, ref=row.ref)


# Step 2: the day's demand.


def _day_demand(run: PracticumRun, day: date, reference: ReferenceDay):
    """The engine's inputs in canonical form and the orders to place, in placement order."""
    project = run.project
    params = demand_parameters(project)
    products = {p.sku: p for p in project.products.all()}
    stores = list(Store.objects.filter(run=run).order_by("key"))
    available = {
        (item.store_id, item.product_id): item.available
        for item in StockItem.objects.filter(store__run=run)
    }
    # A listing that ships from an overseas warehouse offers that warehouse's stock.
    available.update({
        (item.store_id, item.warehouse, item.product_id): item.available
        for item in WarehouseStock.objects.filter(store__run=run)
    })
    live = list(Listing.objects.filter(store__run=run, status=Listing.Status.LIVE).select_related("product").order_by("pk"))
    live_by_store_market: dict[tuple[int, str], list[Listing]] = {}
    for listing in live:
        live_by_store_market.setdefault((listing.store_id, listing.market), []).append(listing)
    competitors = list(CompetitorListing.objects.filter(project=project).order_by("sort_order", "pk"))
    cache: dict = {}
    # A store's rating on the day (`reputation_services`); an unrated store's rows carry none, so
    # days before any rating keep their inputs and digests.
    ratings = run_ratings(run=run, as_of=day)
    markets = {}
    for market in sorted(project.target_markets or []):
        currency = reference.market(market).currency
        rivals = []
        seen: dict[str, int] = {}
        for rival in competitors:
            product = products.get(rival.sku)
            if rival.market != market or rival.currency != currency or product is None:
                continue
            # Shoppers' tastes are drawn by the competitor's key, so the key is what the listing
            # is (market, SKU, its rank among the SKU's rivals), never a database id: the same
            # project built in another database meets the same shoppers.
            seen[rival.sku] = seen.get(rival.sku, 0) + 1
            door = 0
            if rival.incoterm == CompetitorListing.Incoterm.DAP:
                landed = landed_cost(reference.consignment(
                    market=market, hs_code=product.hs_code, goods_value=from_minor(rival.price_minor, currency),
                    goods_currency=currency, weight_kg=Decimal(product.weight_grams) / 1000, shipping=Decimal(0),
                    shipping_currency=currency, incoterm="DAP"))
                door = to_minor(landed.duty.amount, currency) + to_minor(landed.vat.amount, currency)
            rivals.append({"key": f"competitor-{market}-{rival.sku}-{seen[rival.sku]}", "sku": rival.sku,
                           "price_minor": rival.price_minor, "door_fees_minor": door, "rating": str(rival.rating),
                           "delivery_days": rival.delivery_days})
        going = {}
        rival_skus = {rival["sku"] for rival in rivals}
        for sku, product in sorted(products.items()):
            if sku not in rival_skus:
                going[sku] = max(1, cny_in_market(from_minor(product.unit_cost_minor * GOING_PRICE_MARKUP, "CNY"), currency, reference))
        store_listings = {}
        for store in stores:
            rows = []
            for listing in live_by_store_market.get((store.pk, market), ()):
                if listing.currency != currency:
                    continue
                stock_key = (store.pk, listing.warehouse, listing.product_id) if listing.warehouse else (store.pk, listing.product_id)
                if available.get(stock_key, 0) <= 0:
                    continue  # sold out: not offered to shoppers
                try:
                    terms = listing_terms(
                        reference=reference, market=market, hs_code=listing.product.hs_code, price_minor=listing.price_minor,
                        declared_minor=listing.declared_minor, weight_g=listing.product.weight_grams,
                        has_battery=listing.product.contains_battery, incoterm=listing.incoterm, channel=listing.channel,
                        cache=cache, warehouse=listing.warehouse)
                except SimulationError:
                    continue  # the channel no longer carries the parcel on this day: not offered
                rows.append({"key": f"{store.key}/{listing.pk}", "listing": listing.pk, "sku": listing.product.sku,
                             "price_minor": terms.buyer_price_minor, "door_fees_minor": terms.door_fees_minor,
                             "delivery_days": terms.delivery_days})
                if ratings.get(store.key) is not None:
                    rows[-1]["rating"] = str(ratings[store.key])
            if rows:
                store_listings[store.key] = rows
        markets[market] = {
            "currency": currency, "market_size": project.market_size, "reference_prices": going,
            "competitors": rivals, "stores": store_listings,
        }
    inputs = {
        "seed": run.seed, "day": day.isoformat(),
        "params": {name: str(getattr(params, name)) for name in (
            "beta_price", "beta_rating", "beta_delivery_day", "beta_door_fee", "no_purchase_utility")},
        "markets": markets,
    }
    by_key = {store.key: store for store in stores}
    listings_by_pk = {listing.pk: listing for listing in live}
    placements = []
    for market_day, store_listings, rivals, params in _inputs_decoded(inputs):
        results = demand.generate_market_day(seed=run.seed, market_day=market_day, stores=store_listings,
                                             competitor_listings=rivals, params=params)
        for store_key, result in results.items():
            for order in result.orders:
                listing_pk = int(order.listing_key.rsplit("/", 1)[1])
                placements.append((by_key[store_key], listings_by_pk[listing_pk], order))
    placements.sort(key=lambda placement: placement[2].generation_key)
    return inputs, placements


def _inputs_decoded(inputs):
    """(MarketDay, {store key: [Listing]}, [competitor Listing], DemandParameters) per market."""
    day = date.fromisoformat(inputs["day"])
    params = demand.DemandParameters(**{name: Decimal(value) for name, value in inputs["params"].items()})
    for market, data in sorted(inputs["markets"].items()):
        currency = data["currency"]
        market_day = demand.MarketDay(market=market, day=day, currency=currency, market_size=Decimal(data["market_size"]),
                                      reference_prices=data["reference_prices"])
        rivals = [demand.Listing(key=r["key"], sku=r["sku"], market=market, price_minor=r["price_minor"], currency=currency,
                                 rating=Decimal(r["rating"]), delivery_days=r["delivery_days"], door_fees_minor=r["door_fees_minor"])
                  for r in data["competitors"]]
        stores = {
            store_key: [demand.Listing(key=row["key"], sku=row["sku"], market=market, price_minor=row["price_minor"],
                                       currency=currency, rating=Decimal(row["rating"]) if row.get("rating") else None,
                                       delivery_days=row["delivery_days"],
                                       door_fees_minor=row["door_fees_minor"], store_key=store_key)
                        for row in rows]
            for store_key, rows in sorted(data["stores"].items())
        }
        yield market_day, stores, rivals, params


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


__all__ = ["ListingTerms", "SimulationError", "demand_parameters", "listing_terms", "run_day_play", "simulation_day_replay"]
