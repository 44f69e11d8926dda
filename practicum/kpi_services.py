"""Every store's KPI snapshot at the end of a played day (issue "Practicum II", point 6): its
figures up to the day read from the run's tables into a `practicum.kpis.KpiInputs`, the KPI
values and their sha256 stored as a `KpiSnapshotRecord`.

Where each figure comes from (all up to and including the simulated day, so a past day's
figures can be read again later and give the same snapshot):

- money: the store's income and expense accounts in the stored journal (entries dated up to the
  day), valued by `kpis.money_inputs_from_ledger` at the FX rows in force on the day;
- shoppers: the shoppers of every market-day in which the store had at least one live listing
  before the demand engine (`SimulationDay.inputs`, the market-day's `demand.arrivals`),
  cumulative: the day's own added to the previous day's snapshot, so a day reads only its own
  inputs. An order the engine did not generate (a test's, an import) was placed by a shopper
  too, so the count is never below the orders placed;
- orders placed: the store's orders placed on or before the day, whatever their status now;
- orders disputed: the store's orders with a `Dispute` opened on or before the day;
- parcels delivered and on time: parcels with a "delivered" tracking stage on or before the day,
  and those of them delivered on or before the day the listing promised (`Shipment.promised_on`,
  which later delays do not move), Amazon's on-time delivery rate;
- declarations and accurate ones: the customs declarations of the parcels shipped on or before
  the day, and those declaring at least the goods price the buyer paid;
- rating: the store's rating on the day from its reputation events (`reputation_services.run_ratings`).

A day costs a fixed number of aggregated queries for the whole run (not per store or KPI):
`kpi_snapshots_record` runs inside `simulation.run_day_play`'s transaction after the day's
orders and moves are written.
"""

import logging
from collections import defaultdict
from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from . import demand, kpis
from .dispute_models import Dispute
from .ledger import CHART, Account, AccountKind
from .reputation_services import run_ratings
from .review_models import KpiSnapshotRecord
from .run_models import LedgerPosting, Order, PracticumRun, SimulationDay, Store
from .selectors import fx_in_force
from .shipment_models import CustomsDeclaration, TrackingEvent

logger = logging.getLogger(__name__)

PROFIT_CODES = tuple(str(code) for code, rule in CHART.items() if rule.kind in (AccountKind.INCOME, AccountKind.EXPENSE))


# Inputs as stored.


def kpi_inputs_json(inputs: kpis.KpiInputs) -> dict:
    """`inputs` as JSON-ready values: ints, and the rating as a string with its decimals (or null)."""
    data = asdict(inputs)
    data["rating"] = None if inputs.rating is None else str(inputs.rating)
    return data


def kpi_inputs_from_json(data) -> kpis.KpiInputs:
    """The `KpiInputs` a stored `KpiSnapshotRecord.inputs` describes; KpiError when malformed."""
    names = {item.name for item in fields(kpis.KpiInputs)}
    unknown = set(data) - names
    if unknown:
        raise kpis.KpiError(f"unknown KPI figures {', '.join(sorted(unknown))}")
    values = dict(data)
    if values.get("rating") is not None:
        values["rating"] = Decimal(values["rating"])
    return kpis.KpiInputs(**values)


def kpi_snapshot_of(record: KpiSnapshotRecord) -> kpis.KpiSnapshot:
    """The snapshot a record stores (its canonical form read back)."""
    return kpis.KpiSnapshot.from_canonical(record.snapshot)


# Shoppers.


def day_shoppers(inputs: dict) -> dict[str, int]:
    """{store key: shoppers who saw at least one of its live listings} of one played day, from
    the demand engine's recorded inputs (`SimulationDay.inputs`)."""
    from .simulation import _inputs_decoded  # the simulation calls this module while it plays a day

    counts: dict[str, int] = defaultdict(int)
    for market_day, stores, _rivals, params in _inputs_decoded(inputs):
        if not stores:
            continue
        arrivals = demand.arrivals(seed=inputs["seed"], market_day=market_day, params=params)
        for store_key in stores:
            counts[store_key] += arrivals
    return dict(counts)


def run_shoppers(*, run: PracticumRun, up_to_number: int) -> dict[str, int]:
    """{store key: shoppers} over the run's played days numbered up to `up_to_number`, from the
    recorded inputs alone (one query): the cumulative count without any earlier snapshot."""
    totals: dict[str, int] = defaultdict(int)
    for inputs in SimulationDay.objects.filter(run=run, number__lte=up_to_number).order_by("number").values_list(
            "inputs", flat=True):
        for key, count in day_shoppers(inputs).items():
            totals[key] += count
    return dict(totals)


# Figures.


def _by_store(rows, key="store_id"):
    return {row[key]: row for row in rows}


def run_kpi_inputs(*, run: PracticumRun, day: date, stores: list[Store], shoppers: dict[str, int]) -> dict[int, kpis.KpiInputs]:
    """{store id: KpiInputs up to `day`} of `stores` (of `run`), `shoppers` by store key; one
    aggregated query per figure for the whole run. A store whose figures break a KPI rule is
    left out and logged (the day is still played)."""
    rates = {currency: row.cny_per_unit for (currency,), row in fx_in_force(day=day).items()}
    balances: dict[str, dict] = defaultdict(dict)
    postings = (LedgerPosting.objects.filter(entry__run=run, entry__day__lte=day, code__in=PROFIT_CODES)
                .values("account", "currency").annotate(total=Sum("amount_minor")).order_by())
    for row in postings:
        if row["total"]:
            account = Account.parse(row["account"])
            balances[account.store][account, row["currency"]] = row["total"]
    placed = _by_store(Order.objects.filter(store__run=run, placed_on__lte=day).values("store_id")
                       .annotate(n=Count("pk")).order_by())
    disputed = _by_store(Dispute.objects.filter(store__run=run, opened_on__lte=day).values("store_id")
                         .annotate(n=Count("order_id", distinct=True)).order_by())
    delivered = _by_store(
        TrackingEvent.objects.filter(shipment__store__run=run, stage=TrackingEvent.Stage.DELIVERED, day__lte=day)
        .values("shipment__store_id")
        .annotate(n=Count("shipment_id", distinct=True),
                  on_time=Count("shipment_id", distinct=True, filter=Q(day__lte=F("shipment__promised_on"))))
        .order_by(), key="shipment__store_id")
    declared = _by_store(
        CustomsDeclaration.objects.filter(shipment__store__run=run, shipment__shipped_on__lte=day)
        .values("shipment__store_id")
        .annotate(n=Count("pk"), accurate=Count("pk", filter=Q(declared_value_minor__gte=F("goods_value_minor"))))
        .order_by(), key="shipment__store_id")
    ratings = run_ratings(run=run, as_of=day)
    found = {}
    for store in stores:
        orders = placed.get(store.pk, {}).get("n", 0)
        try:
            money = kpis.money_inputs_from_ledger(balances.get(store.key, {}), store=store.key, cny_per_unit=rates)
            found[store.pk] = kpis.KpiInputs(
                **money,
                shoppers=max(shoppers.get(store.key, 0), orders), orders_placed=orders,
                orders_disputed=disputed.get(store.pk, {}).get("n", 0),
                parcels_delivered=delivered.get(store.pk, {}).get("n", 0),
                parcels_on_time=delivered.get(store.pk, {}).get("on_time", 0),
                declarations=declared.get(store.pk, {}).get("n", 0),
                declarations_accurate=declared.get(store.pk, {}).get("accurate", 0),
                rating=ratings.get(store.key),
            )
        except kpis.KpiError as error:
            logger.error("No KPI snapshot of store %s on %s: %s", store.key, day.isoformat(), error)
    return found


# Snapshots.


def kpi_snapshots_record(*, run: PracticumRun, played: SimulationDay) -> list[KpiSnapshotRecord]:
    """Record every store's snapshot at the end of the played day (`played`, just written by
    `simulation.run_day_play`); a store that has one for the day keeps it (idempotent). Returns
    the records written."""
    number, day = played.number, played.date
    stores = list(Store.objects.filter(run=run).order_by("key"))
    known = KpiSnapshotRecord.objects.filter(store__run=run, day_number__in=(number - 1, number)).values_list(
        "store_id", "day_number", "inputs")
    previous, done = {}, set()
    for store_id, day_number, inputs in known:
        if day_number == number:
            done.add(store_id)
        else:
            previous[store_id] = inputs.get("shoppers", 0)
    stores = [store for store in stores if store.pk not in done]
    if not stores:
        return []
    today = day_shoppers(played.inputs)
    if number > 1 and any(store.pk not in previous for store in stores):
        # A store without yesterday's snapshot (formed today, or days played before snapshots
        # were recorded) counts its shoppers from the recorded days.
        earlier = run_shoppers(run=run, up_to_number=number - 1)
        for store in stores:
            previous.setdefault(store.pk, earlier.get(store.key, 0))
    shoppers = {store.key: previous.get(store.pk, 0) + today.get(store.key, 0) for store in stores}
    inputs = run_kpi_inputs(run=run, day=day, stores=stores, shoppers=shoppers)
    records = []
    for store in stores:
        if store.pk not in inputs:
            continue
        snapshot = kpis.kpi_snapshot(store=store.key, day=day, inputs=inputs[store.pk])
        records.append(KpiSnapshotRecord(store=store, day_number=number, day=day, inputs=kpi_inputs_json(inputs[store.pk]),
                                         snapshot=snapshot.canonical(), digest=snapshot.digest()))
    KpiSnapshotRecord.objects.bulk_create(records, ignore_conflicts=True)
    return records


def kpi_snapshot_recompute(*, record: KpiSnapshotRecord) -> tuple[kpis.KpiInputs, kpis.KpiSnapshot]:
    """The store's inputs and snapshot for the record's day read afresh from the run's tables
    (shoppers from every recorded day): equal to the stored ones unless something changed."""
    store = record.store
    played = SimulationDay.objects.filter(run_id=store.run_id, date=record.day).first()
    number = played.number if played else record.day_number
    shoppers = run_shoppers(run=store.run, up_to_number=number)
    inputs = run_kpi_inputs(run=store.run, day=record.day, stores=[store], shoppers=shoppers)[store.pk]
    return inputs, kpis.kpi_snapshot(store=store.key, day=record.day, inputs=inputs)


__all__ = [
    "day_shoppers", "kpi_inputs_from_json", "kpi_inputs_json", "kpi_snapshot_of", "kpi_snapshot_recompute",
    "kpi_snapshots_record", "run_kpi_inputs", "run_shoppers",
]
