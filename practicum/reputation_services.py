"""Stores' reputation from their stored events (issue "Practicum II", point 5): the rows of
`ReputationRecord` read as `practicum.reputation.ReputationEvent`s, and the score rebuilt from
them alone, for the demand engine's rating term and the store's page.

Recording: the moves of orders write the events as they happen, each keyed "<order number>:<what>"
so that recording the same event again changes nothing (`reputation_records_add`):

- "<order>:delivered": DELIVERED_ON_TIME, or DELIVERED_LATE with its days late, by the parcel's
  promised day (`shipment_services.shipments_delivered`);
- "<order>:lost": LOST (`shipment_services.parcels_at_door`);
- "<order>:dispute": the dispute's outcome (`dispute_services`);
- "<order>:cancelled": CANCELLED_BY_STORE, an order the store refunded before shipping
  (`order_services.order_refund`);
- "<order>:review": REVIEW, when the order completes (escrow released), with the project's
  `review_pct` chance; the stars are drawn from the run's seed by `REVIEW_STARS` (teaching
  values, after the share of five-star reviews on the marketplaces: on time 5/4/3 stars with
  70/25/5 %, late 4/3/2/1 with 20/40/30/10 %).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import demand
from .ledger_services import in_chunks
from .reputation import ReputationEvent, ReputationEventKind, ReputationTally, reputation_score, score_breakdown
from .review_models import ReputationRecord
from .run_models import Order, PracticumRun, Store

# Stars of a buyer's review and their chances in %, by whether the parcel came on time (teaching values).
REVIEW_STARS = {
    False: ((5, 70), (4, 25), (3, 5)),
    True: ((4, 20), (3, 40), (2, 30), (1, 10)),
}


def reputation_event_of(record: ReputationRecord) -> ReputationEvent:
    """The pure event a stored row records."""
    return ReputationEvent(kind=record.kind, day=record.day, key=record.key, stars=record.stars,
                           days_late=record.days_late)


def store_reputation_events(*, store: Store, as_of: date) -> list[ReputationEvent]:
    """The store's events up to the simulated day `as_of`, in (day, key) order."""
    records = ReputationRecord.objects.filter(store=store, day__lte=as_of).order_by("day", "key")
    return [reputation_event_of(record) for record in records]


def store_rating(*, store: Store, as_of: date) -> Decimal | None:
    """The store's rating (1.00–5.00) on `as_of`, or None while unrated."""
    return reputation_score(store_reputation_events(store=store, as_of=as_of), as_of=as_of)


def store_rating_breakdown(*, store: Store, as_of: date):
    """Each event's pull on the rating on `as_of` (`reputation.score_breakdown`), for the store's page."""
    return score_breakdown(store_reputation_events(store=store, as_of=as_of), as_of=as_of)


def run_ratings(*, run: PracticumRun, as_of: date) -> dict[str, Decimal | None]:
    """{store key: rating on `as_of`} for every store of the run, in one query."""
    tallies: dict[str, ReputationTally] = defaultdict(ReputationTally)
    keys = list(Store.objects.filter(run=run).order_by("key").values_list("key", flat=True))
    records: Iterable[ReputationRecord] = (ReputationRecord.objects.filter(store__run=run, day__lte=as_of)
                                           .select_related("store").order_by("store__key", "day", "key"))
    for record in records:
        tallies[record.store.key].add(reputation_event_of(record))
    return {key: tallies[key].score(as_of=as_of) if key in tallies else None for key in keys}


@dataclass(frozen=True)
class KindRow:
    """One line of the rating's breakdown on the store's page."""

    kind: str
    label: str
    events: int
    pull_shown: Decimal

    @property
    def pull_text(self) -> str:
        return f"{self.pull_shown:+.2f}"


@dataclass(frozen=True)
class StoreReputation:
    """The store's rating on a day, why (by event kind), and its disputes waiting for an answer."""

    as_of: date
    rating: Decimal | None
    prior_mean: Decimal
    kinds: tuple[KindRow, ...]
    open_disputes: int

    @property
    def rated(self) -> bool:
        return self.rating is not None


def store_reputation(*, store: Store, as_of: date) -> StoreReputation:
    """The dashboard's rating card (two queries): the score and its breakdown by event kind
    (`reputation.ReputationBreakdown.by_kind`), and how many of its disputes are open."""
    from .dispute_models import Dispute

    breakdown = store_rating_breakdown(store=store, as_of=as_of)
    labels = dict(ReputationRecord.Kind.choices)
    kinds = tuple(KindRow(kind=summary.kind.value, label=labels.get(summary.kind.value, summary.kind.value),
                          events=summary.events, pull_shown=summary.pull_shown) for summary in breakdown.by_kind())
    open_disputes = Dispute.objects.filter(store=store, status=Dispute.Status.OPEN).count()
    return StoreReputation(as_of=as_of, rating=breakdown.score, prior_mean=breakdown.prior_mean, kinds=kinds,
                           open_disputes=open_disputes)


# Recording.


def reputation_records_add(*, records: Iterable[ReputationRecord]) -> None:
    """Store the events (unsaved rows), each checked as a `ReputationEvent`; a key the store has
    recorded already is skipped, so recording again changes nothing."""
    records = list(records)
    if not records:
        return
    for record in records:
        reputation_event_of(record)  # the pure rules: the kind, stars only for a review, days late only when late
    ReputationRecord.objects.bulk_create(records, ignore_conflicts=True)


def deliveries_record(*, shipments, orders: Iterable[Order], day: date) -> None:
    """A delivered parcel counts on time when it arrives by its promised day, else late by the
    days after it ("<order>:delivered"); `orders` are the parcels' orders."""
    numbers = {order.pk: order.number for order in orders}
    rows = []
    for shipment in shipments:
        late = (day - shipment.promised_on).days
        rows.append(ReputationRecord(
            store_id=shipment.store_id, order_id=shipment.order_id, day=day, key=f"{numbers[shipment.order_id]}:delivered",
            kind=ReputationEventKind.DELIVERED_LATE if late > 0 else ReputationEventKind.DELIVERED_ON_TIME,
            days_late=late if late > 0 else None))
    reputation_records_add(records=rows)


def losses_record(*, orders: Iterable[Order], day: date) -> None:
    """Lost parcels ("<order>:lost")."""
    reputation_records_add(records=[
        ReputationRecord(store_id=order.store_id, order_id=order.pk, kind=ReputationEventKind.LOST, day=day,
                         key=f"{order.number}:lost") for order in orders])


def cancellation_record(*, order: Order, day: date) -> None:
    """An order the store cancelled and refunded before shipping ("<order>:cancelled")."""
    reputation_records_add(records=[ReputationRecord(store_id=order.store_id, order_id=order.pk, day=day,
                                                     kind=ReputationEventKind.CANCELLED_BY_STORE,
                                                     key=f"{order.number}:cancelled")])


def review_stars(*, seed: str, key: str, late: bool) -> int:
    """A review's stars, drawn from the run's seed by `REVIEW_STARS`."""
    draw = demand.stream(seed, "review-stars", key).randrange(100)
    for stars, share in REVIEW_STARS[late]:
        if draw < share:
            return stars
        draw -= share
    raise AssertionError("the shares of REVIEW_STARS add up to 100")


def reviews_record(*, run: PracticumRun, orders: Iterable[Order], day: date) -> None:
    """Buyers of completed orders review with the project's `review_pct` chance ("<order>:review");
    the stars depend on whether the parcel came late (its "<order>:delivered" event)."""
    from .shipment_services import chance_bps, drawn  # the shipment services record deliveries here

    orders = list(orders)
    bps = chance_bps(run.project.review_pct)
    reviewing = [order for order in orders if drawn(run.seed, "review", order.number, bps)]
    if not reviewing:
        return
    late = set(in_chunks(ReputationRecord.objects.filter(kind=ReputationEventKind.DELIVERED_LATE)
                         .values_list("order_id", flat=True), "order_id", [order.pk for order in reviewing]))
    reputation_records_add(records=[
        ReputationRecord(store_id=order.store_id, order_id=order.pk, kind=ReputationEventKind.REVIEW, day=day,
                         key=f"{order.number}:review",
                         stars=review_stars(seed=run.seed, key=order.number, late=order.pk in late))
        for order in reviewing])


__all__ = [
    "REVIEW_STARS", "cancellation_record", "deliveries_record", "losses_record", "reputation_event_of",
    "reputation_records_add", "review_stars", "reviews_record", "run_ratings", "store_rating", "store_rating_breakdown",
    "store_reputation", "store_reputation_events", "StoreReputation",
]
