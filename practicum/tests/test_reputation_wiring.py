"""A store's reputation wired into the simulation (issue "Practicum II", point 5): the events its
orders record (on time or late by the promised day, lost, cancelled by the store, disputes,
reviews on completion), idempotent by key; the rating rebuilt from the stored events alone equal
to the incremental tally; the rating in the next day's demand inputs; replay of days recorded
before ratings existed; and the rating card on the store's dashboard."""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from practicum import factories
from practicum.order_services import order_refund
from practicum.reputation import ReputationEventKind as K, ReputationTally, reputation_score
from practicum.reputation_services import (
    REVIEW_STARS, deliveries_record, reputation_event_of, review_stars, run_ratings, store_rating, store_reputation,
)
from practicum.review_models import ReputationRecord
from practicum.run_models import Order, OrderTransition, SimulationDay
from practicum.shipment_models import Shipment
from practicum.simulation import _digest, simulation_day_replay

from .test_disputes import play, store_with

pytestmark = pytest.mark.django_db

DASHBOARD_QUERIES = 17


@pytest.fixture
def project(enterprise, mentor):
    return factories.home_goods_project(organisation=enterprise, by=mentor, market_size=60, review_pct=Decimal(100))


def test_deliveries_count_on_time_or_late_by_the_promised_day_once(project, mentor):
    """Each delivered parcel records one event keyed "<order>:delivered": on time by its promised
    day, else late by the days after it; recording again changes nothing."""
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber")
    play(run, 12)
    delivered = {t.order_id: t.day for t in OrderTransition.objects.filter(order__store=store, event="deliver")}
    records = {r.order_id: r for r in ReputationRecord.objects.filter(store=store, kind__in=[K.DELIVERED_ON_TIME,
                                                                                              K.DELIVERED_LATE])}
    assert delivered and set(records) == set(delivered)
    for shipment in Shipment.objects.filter(order_id__in=delivered).select_related("order"):
        record = records[shipment.order_id]
        late = (delivered[shipment.order_id] - shipment.promised_on).days
        assert record.key == f"{shipment.order.number}:delivered" and record.day == delivered[shipment.order_id]
        assert (record.kind, record.days_late) == ((K.DELIVERED_LATE, late) if late > 0 else (K.DELIVERED_ON_TIME, None))
    before = ReputationRecord.objects.count()
    shipments = list(Shipment.objects.filter(order_id__in=delivered))
    day = max(delivered.values())
    orders = list(Order.objects.filter(pk__in=delivered))
    deliveries_record(shipments=[s for s in shipments if delivered[s.order_id] == day], orders=orders, day=day)
    assert ReputationRecord.objects.count() == before


def test_completed_orders_are_reviewed_with_the_projects_chance_and_stars_by_punctuality(project, mentor):
    """With review_pct 100 every completed order is reviewed once, on its release day, with stars
    of the on-time or late table; with 0 none is."""
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber")
    play(run, 14)
    completed = {t.order_id: t.day for t in OrderTransition.objects.filter(order__store=store, event="release")}
    reviews = {r.order_id: r for r in ReputationRecord.objects.filter(store=store, kind=K.REVIEW)}
    assert completed and set(reviews) == set(completed)
    late = set(ReputationRecord.objects.filter(store=store, kind=K.DELIVERED_LATE).values_list("order_id", flat=True))
    for order_id, review in reviews.items():
        assert review.day == completed[order_id]
        assert review.stars in {stars for stars, _share in REVIEW_STARS[order_id in late]}
    project.review_pct = Decimal(0)
    project.save()
    play(run, 3)
    assert ReputationRecord.objects.filter(store=store, kind=K.REVIEW).count() == len(reviews)


def test_review_stars_follow_the_teaching_shares():
    """Over 4,000 draws the stars come out near 70/25/5 % on time and 20/40/30/10 % late."""
    for late, table in REVIEW_STARS.items():
        counts = Counter(review_stars(seed="seed-1", key=f"PL-{n:05d}", late=late) for n in range(4000))
        assert set(counts) == {stars for stars, _ in table}
        for stars, share in table:
            assert abs(counts[stars] / 4000 * 100 - share) < 3


def test_a_store_cancelling_and_a_lost_parcel_are_recorded(project, mentor):
    """Cancelling an unshipped order records CANCELLED_BY_STORE on the day in progress."""
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber")
    play(run, 1)
    order = Order.objects.filter(store=store, status=Order.Status.FULFILLING).first()
    order_refund(order=order, by=store.user, reason="Damaged in the warehouse.")
    record = ReputationRecord.objects.get(store=store, key=f"{order.number}:cancelled")
    assert record.kind == K.CANCELLED_BY_STORE and record.day == run.current_date


def test_the_rating_rebuilt_from_stored_events_equals_the_tally_and_feeds_the_next_days_demand(project, mentor):
    """The stored events, folded in any order, give the rating `store_rating` and `run_ratings`
    read; each played day's demand inputs carry it for a rated store (none before) and every day
    replays to its digest."""
    project.dispute_not_as_described_pct = Decimal(20)
    project.save()
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber")
    other = store_with(run, mentor, "Team Birch", listings=())
    play(run, 16)
    as_of = run.date_of(run.day)
    events = [reputation_event_of(r) for r in ReputationRecord.objects.filter(store=store)]
    assert {event.kind for event in events} >= {K.DELIVERED_ON_TIME, K.REVIEW}
    random.Random(7).shuffle(events)
    tally = ReputationTally()
    for event in events:
        tally.add(event)
    assert tally.score(as_of=as_of) == reputation_score(events, as_of=as_of) == store_rating(store=store, as_of=as_of)
    assert run_ratings(run=run, as_of=as_of) == {store.key: store_rating(store=store, as_of=as_of), other.key: None}
    rated_days = 0
    for played in SimulationDay.objects.filter(run=run).order_by("number"):
        rating = store_rating(store=store, as_of=played.date)
        rows = [row for market in played.inputs["markets"].values() for row in market["stores"].get(store.key, [])]
        assert rows
        for row in rows:
            assert row.get("rating") == (str(rating) if rating is not None else None)
        rated_days += rating is not None
        assert simulation_day_replay(played=played) == (played.orders, played.orders_digest)
    assert 0 < rated_days < run.day  # the first days are unrated


def test_a_day_recorded_before_ratings_existed_still_replays(project, mentor):
    """A recorded day whose inputs have no rating key (as recorded before reputation was wired
    in) replays to its own digest: an unrated listing, as then."""
    run = factories.running_run(project, mentor)
    store_with(run, mentor, "Team Amber")
    play(run, 12)
    played = SimulationDay.objects.filter(run=run).order_by("-number").first()
    rows = [row for market in played.inputs["markets"].values() for rows in market["stores"].values() for row in rows]
    assert any("rating" in row for row in rows)
    for row in rows:
        row.pop("rating", None)
    played.inputs_digest = _digest(played.inputs)
    count, digest = simulation_day_replay(played=played)
    assert count > 0 and len(digest) == 64
    first = SimulationDay.objects.get(run=run, number=1)
    assert not any("rating" in row for market in first.inputs["markets"].values() for rows in market["stores"].values()
                   for row in rows)
    assert simulation_day_replay(played=first) == (first.orders, first.orders_digest)


def test_the_dashboard_shows_the_rating_and_its_breakdown(client, project, mentor, django_assert_max_num_queries):
    """Before any event: "not rated yet"; later the rating to 0.01 with each event kind's pull,
    which add up to the rating from the prior; the query count does not grow."""
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber")
    client.force_login(store.user)
    url = reverse("practicum_store", args=[store.pk])
    response = client.get(url)
    assert "Not rated yet" in response.content.decode() and not response.context["reputation"].rated
    play(run, 14)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(url)
    reputation = response.context["reputation"]
    assert reputation.rated and reputation.rating == store_rating(store=store, as_of=run.current_date)
    assert reputation.prior_mean + sum(row.pull_shown for row in reputation.kinds) == reputation.rating
    body = response.content.decode()
    assert f"{reputation.rating} stars" in body and "Delivered on time" in body
    assert store_reputation(store=store, as_of=run.current_date + timedelta(days=30)).rating is not None
