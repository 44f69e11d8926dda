"""Every store's KPI snapshot at the end of each played day (issue "Practicum II", point 6): one
per store and day with the digest of its stored values, the same when read again later, the
figures of a crafted run counted as the KPIs define them, and a fixed number of queries a day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practicum import demand, kpis, ledger
from practicum.factories import home_goods_project, running_run
from practicum.dispute_models import Dispute
from practicum.kpi_services import (
    day_shoppers,
    kpi_inputs_from_json,
    kpi_snapshot_of,
    kpi_snapshot_recompute,
    kpi_snapshots_record,
)
from practicum.ledger_services import journal_entry_of
from practicum.reputation_services import store_rating
from practicum.review_models import KpiSnapshotRecord, ReputationRecord
from practicum.run_models import LedgerEntry, Order, SimulationDay
from practicum.selectors import ReferenceDay, fx_in_force
from practicum.shipment_models import CustomsDeclaration, Shipment, TrackingEvent
from practicum.simulation import _day_demand, _digest, _inputs_decoded, run_day_play

from .test_shipments import play, store_with

pytestmark = pytest.mark.django_db

SNAPSHOT_QUERIES = 11


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60)


@pytest.fixture
def run(project, mentor):
    return running_run(project, mentor, seed="kpi-1")


def traders(run, mentor):
    amber = store_with(run, mentor, "Team Amber", [("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE"),
                                                  ("TEA-GREEN", "KZ", 700000, "DAP", None, "ECOM_LINE")])
    birch = store_with(run, mentor, "Team Birch", [("BOWL-PLA", "PL", 4400, "DDP", 3000, "ECOM_LINE")])
    return amber, birch


def test_every_store_has_a_snapshot_of_every_played_day_with_its_digest(run, mentor):
    """Each played day leaves one snapshot per store; its digest is the sha256 of the stored
    canonical snapshot, whose values the stored figures give; read afresh from the tables later,
    the figures and the digest are the same."""
    amber, birch = traders(run, mentor)
    play(run, 20)
    records = list(KpiSnapshotRecord.objects.filter(store__run=run).select_related("store__run").order_by("day_number", "store__key"))
    assert [(r.day_number, r.store.key) for r in records] == [(n, key) for n in range(1, 21) for key in sorted((amber.key, birch.key))]
    for record in records:
        snapshot = kpi_snapshot_of(record)
        assert snapshot.digest() == record.digest
        assert (snapshot.store, snapshot.day) == (record.store.key, record.day)
        assert record.day == run.date_of(record.day_number)
        inputs = kpi_inputs_from_json(record.inputs)
        assert kpis.KpiSnapshot(store=record.store.key, day=record.day, values=kpis.kpi_values(inputs)).digest() == record.digest
        again_inputs, again = kpi_snapshot_recompute(record=record)
        assert again_inputs == inputs and again.digest() == record.digest
    last = {record.store_id: record for record in records if record.day_number == 20}
    for store in (amber, birch):
        inputs = kpi_inputs_from_json(last[store.pk].inputs)
        assert inputs.orders_placed == Order.objects.filter(store=store).count() > 0
        assert inputs.shoppers >= inputs.orders_placed
        assert inputs.parcels_delivered > 0 and inputs.declarations > 0
    birch_inputs = kpi_inputs_from_json(last[birch.pk].inputs)
    assert birch_inputs.declarations_accurate == 0  # declares 30.00 of a 44.00 price
    assert kpi_inputs_from_json(last[amber.pk].inputs).declarations_accurate == kpi_inputs_from_json(last[amber.pk].inputs).declarations


def test_the_money_is_the_journal_up_to_the_day(run, mentor):
    """A snapshot's money is the store's journal up to its day, valued at the day's rates: the
    same as `money_inputs_from_ledger` over the pure balances of the stored entries."""
    amber, _birch = traders(run, mentor)
    play(run, 20)
    for number in (7, 20):
        record = KpiSnapshotRecord.objects.get(store=amber, day_number=number)
        entries = [journal_entry_of(entry) for entry in LedgerEntry.objects.filter(run=run, day__lte=record.day)
                   .prefetch_related("postings").select_related("reverses").order_by("pk")]
        rates = {currency: row.cny_per_unit for (currency,), row in fx_in_force(day=record.day).items()}
        money = kpis.money_inputs_from_ledger(ledger.balances(entries), store=amber.key, cny_per_unit=rates)
        inputs = kpi_inputs_from_json(record.inputs)
        assert {name: getattr(inputs, name) for name in money} == money
    assert inputs.revenue_minor > 0 and inputs.cost_of_sales_minor > 0 and inputs.shipping_minor > 0


def test_shoppers_add_up_day_by_day(run, mentor):
    """The shoppers of a snapshot are the previous day's plus the arrivals of the day's
    market-days where the store had live listings."""
    amber, _birch = traders(run, mentor)
    play(run, 3)
    days = list(SimulationDay.objects.filter(run=run).order_by("number"))
    expected = 0
    for played in days:
        for market_day, stores, _rivals, params in _inputs_decoded(played.inputs):
            if amber.key in stores:
                expected += demand.arrivals(seed=run.seed, market_day=market_day, params=params)
        record = KpiSnapshotRecord.objects.get(store=amber, day_number=played.number)
        assert record.inputs["shoppers"] == expected
    assert day_shoppers(days[0].inputs)[amber.key] > 0


def test_recording_a_day_again_changes_nothing(run, mentor):
    """Snapshots are recorded once per store and day: recording the day again writes nothing."""
    traders(run, mentor)
    played = play_one(run)
    before = list(KpiSnapshotRecord.objects.order_by("pk").values_list("pk", "digest"))
    assert kpi_snapshots_record(run=run, played=played) == []
    assert list(KpiSnapshotRecord.objects.order_by("pk").values_list("pk", "digest")) == before


def play_one(run):
    played = run_day_play(run=run)
    run.refresh_from_db()
    return played


def test_the_figures_of_a_crafted_run(run, mentor):
    """Orders placed up to the day whatever their status, disputes opened by then, parcels
    delivered by then and those on or before their promised day, declarations of parcels shipped
    by then and those declaring at least the price, and the rating on the day."""
    store = store_with(run, mentor, "Team Cedar", [("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE")])
    listing = store.listings.get()
    day = run.date_of(10)
    inputs, _placements = _day_demand(run, day, ReferenceDay(day=day, markets=run.project.target_markets))
    played = SimulationDay.objects.create(run=run, number=10, date=day, orders=0, orders_digest="", inputs=inputs,
                                          inputs_digest=_digest(inputs))

    def order(number, placed, status=Order.Status.SHIPPED):
        return Order.objects.create(
            store=store, listing=listing, generation_key=f"crafted:{number}", number=f"C-{number}", market="PL",
            currency="PLN", total_minor=4500, incoterm="DDP", channel="ECOM_LINE", status=status,
            placed_on=run.date_of(placed), shopper=number)

    def parcel(of, shipped, promised, delivered=None, declared=4500):
        shipment = Shipment.objects.create(
            order=of, store=store, channel="ECOM_LINE", weight_grams=400, transit_days=5, shipped_on=run.date_of(shipped),
            customs_on=run.date_of(shipped + 2), promised_on=run.date_of(promised), expected_on=run.date_of(promised),
            status=Shipment.Status.DELIVERED if delivered else Shipment.Status.IN_TRANSIT)
        CustomsDeclaration.objects.create(shipment=shipment, hs_code="392410", currency="PLN", declared_value_minor=declared,
                                          goods_value_minor=4500, incoterm="DDP")
        if delivered:
            TrackingEvent.objects.create(shipment=shipment, stage=TrackingEvent.Stage.DELIVERED, day=run.date_of(delivered))
        return shipment

    on_time, late, in_transit = order(1, 2), order(2, 2), order(3, 4)
    order(4, 9, status=Order.Status.CANCELLED)
    after = order(5, 11)
    parcel(on_time, shipped=3, promised=8, delivered=8)
    parcel(late, shipped=3, promised=6, delivered=9, declared=3000)
    parcel(in_transit, shipped=5, promised=12)
    parcel(after, shipped=11, promised=15, delivered=14)
    for disputed, opened in ((late, 10), (in_transit, 11)):
        Dispute.objects.create(order=disputed, store=store, reason=Dispute.Reason.LATE, currency="PLN", claim_minor=4500,
                               opened_on=run.date_of(opened), respond_by=run.date_of(opened) + timedelta(days=3))
    ReputationRecord.objects.create(store=store, order=on_time, kind=ReputationRecord.Kind.REVIEW, day=run.date_of(9),
                                    key="C-1:review", stars=4)

    (record,) = kpi_snapshots_record(run=run, played=played)
    figures = kpi_inputs_from_json(record.inputs)
    shoppers = sum(demand.arrivals(seed=run.seed, market_day=market_day, params=params)
                   for market_day, stores, _rivals, params in _inputs_decoded(inputs) if store.key in stores)
    assert shoppers > 4
    assert (figures.shoppers, figures.orders_placed, figures.orders_disputed) == (shoppers, 4, 1)
    assert (figures.parcels_delivered, figures.parcels_on_time) == (2, 1)
    assert (figures.declarations, figures.declarations_accurate) == (3, 2)
    assert figures.rating == store_rating(store=store, as_of=day) is not None
    values = kpi_snapshot_of(record).values
    assert values[kpis.KpiKind.ON_TIME_DELIVERY] == Decimal("50.00")
    assert values[kpis.KpiKind.DISPUTE_RATE] == Decimal("25.00")
    assert values[kpis.KpiKind.DECLARATION_ACCURACY] == Decimal("66.67")
    assert values[kpis.KpiKind.REVENUE] == Decimal("0.00")


def test_a_day_costs_the_same_queries_whatever_the_stores(run, mentor, project):
    """Recording a day's snapshots takes a fixed number of queries for the whole run."""
    traders(run, mentor)
    played = play_one(run)
    KpiSnapshotRecord.objects.all().delete()
    with CaptureQueriesContext(connection) as two:
        assert len(kpi_snapshots_record(run=run, played=played)) == 2
    other = running_run(project, mentor, title="Bigger cohort", seed="kpi-2")
    for index in range(6):
        store_with(other, mentor, f"Team {index}", [("BOWL-PLA", "PL", 4500 + index * 100, "DDP", None, "ECOM_LINE")],
                   student=f"big-{index}")
    played = play_one(other)
    KpiSnapshotRecord.objects.filter(store__run=other).delete()
    with CaptureQueriesContext(connection) as six:
        assert len(kpi_snapshots_record(run=other, played=played)) == 6
    assert len(six) == len(two) <= SNAPSHOT_QUERIES
