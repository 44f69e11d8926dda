"""Buyers' disputes of practicum orders and the store's answers (issue "Practicum II", point 4).

The rules below are teaching values of the practicum (no reference table has them), named as
constants here; the chances of opening come from the project's settings
(`PracticumProject.dispute_not_received_pct`, `dispute_late_per_day_pct`,
`dispute_not_as_described_pct`, `dispute_response_days`). They follow the shape of the
marketplaces' buyer-protection programmes (AliExpress and eBay: "item not received" and "not as
described" cases, a deadline for the seller's answer, a refund, a partial refund the buyer may
accept, or an appeal decided by the platform on the evidence).

Opening (`disputes_day`, played each simulated day after the deliveries, before escrow is
released). Every chance is drawn from the run's seed with a purpose and the order number
(`shipment_services.drawn`), so the same seed and decisions open the same disputes. An order gets
at most one dispute, and only while escrow still holds its money (shipped or delivered, not
released):

- NOT_RECEIVED: a shipped parcel not delivered by its promised day + `NOT_RECEIVED_GRACE_DAYS`
  (3); chance `dispute_not_received_pct`, drawn once per order (the same draw every day). The
  buyer claims the order total.
- LATE: a parcel delivered after its promised day; chance min(`LATE_MAX_CHANCE_PCT` (60 %),
  days late × `dispute_late_per_day_pct`), drawn on the delivery day. The buyer claims
  `LATE_CLAIM_PCT` (30 %) of the total, rounded half-up.
- NOT_AS_DESCRIBED: a delivered parcel (not already disputed as late); chance
  `dispute_not_as_described_pct`, × `INSPECTED_FACTOR` (3) when customs opened the parcel, +
  `POSTAL_EXTRA_PCT` (1 point) by a postal channel (rough handling); drawn on the delivery day.
  The buyer claims the total.

The store answers by `respond_by` = opened on + `dispute_response_days` (the day in progress,
`run.current_date`, is the day of the answer; a dispute not open or past its deadline is refused
with a message):

- `dispute_refund`: the claim goes back to the buyer out of escrow; outcome REFUNDED.
- `dispute_offer`: a partial refund 0 < offer < claim; the buyer answers when the day in
  progress is played (the next played day): an offer of at least `BUYER_ACCEPTS_SHARE_PCT`
  (50 %) of the claim is accepted (the offer refunded, outcome SETTLED); a smaller one is
  rejected and the platform reviews the dispute as a contest without evidence.
- `dispute_contest`: with a message and evidence (`Evidence`: tracking, declaration, photos);
  the platform decides `PLATFORM_REVIEW_DAYS` (2) days later by `contest_outcome`:
  NOT_RECEIVED for the store iff the parcel is delivered by then and tracking is given; LATE iff
  at most `LATE_TOLERANCE_DAYS` (2) days late and tracking is given; NOT_AS_DESCRIBED iff photos
  are given, the declaration was honest (declared ≥ goods value; a parcel from an overseas
  warehouse counts as honest, its goods were declared at inbound) and customs did not open the
  parcel. Otherwise for the buyer: the claim is refunded out of escrow.

Unanswered: an OPEN dispute past `respond_by` is decided for the buyer on the next played day
(`auto_resolved`, events EXPIRED and DECIDED, the claim refunded). A dispute whose order escrow
was emptied meanwhile (a lost or refused parcel refunded in full by the platform) is closed for
the buyer with nothing more to refund and no dispute event in the reputation (the loss counts).

Money: every refund is a `ledger.refund` out of the order's escrow with the idempotency key
`dispute:<store>:<order>` (never more than escrow holds); a refund that empties escrow moves the
order to refunded (`order_services.TRANSITIONS`, event `dispute_refund`). While a dispute is not
resolved the order's escrow is frozen (`order_services.orders_release` skips the order); once
resolved, what escrow still holds is released by the simulation on the resolution day when the
order is delivered and its release day has passed, else on its release day as usual.

Reputation (`practicum.reputation`): REFUNDED and SETTLED count DISPUTE_REFUNDED, decided for the
buyer (expired included) DISPUTE_LOST, for the store DISPUTE_WON, keyed "<order>:dispute".

The dispute's states are the transition table `DISPUTE_TRANSITIONS`; every move is a
`DisputeEvent` and an illegal move raises `DisputeTransitionError`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _, gettext_lazy

from . import ledger
from .dispute_models import Dispute, DisputeEvent
from .ledger import Account, AccountCode
from .ledger_services import account_balances, escrow_held, insert_returning_ids, journal_post_many
from .order_services import _move, orders_update
from .reputation import ReputationEventKind
from .reputation_services import reputation_records_add
from .review_models import ReputationRecord
from .run_models import Order, OrderTransition, PracticumRun, RunParticipant
from .selectors import ReferenceDay
from .shipment_models import Shipment
from .shipment_services import chance_bps, drawn, percent_of

NOT_RECEIVED_GRACE_DAYS = 3
LATE_MAX_CHANCE_PCT = Decimal(60)
LATE_CLAIM_PCT = Decimal(30)
INSPECTED_FACTOR = 3
POSTAL_EXTRA_PCT = Decimal(1)
POSTAL_CHANNEL_KINDS = frozenset({"postal"})
BUYER_ACCEPTS_SHARE_PCT = 50
PLATFORM_REVIEW_DAYS = 2
LATE_TOLERANCE_DAYS = 2

DS = Dispute.Status
Reason = Dispute.Reason
Outcome = Dispute.Outcome
Kind = DisputeEvent.Kind


class Evidence(models.TextChoices):
    """What a store may attach when it contests."""

    TRACKING = "tracking", gettext_lazy("Tracking of the parcel")
    DECLARATION = "declaration", gettext_lazy("The customs declaration")
    PHOTOS = "photos", gettext_lazy("Photos of the goods before packing")


# (status, event): (status after, the event recorded). Expiry records EXPIRED and DECIDED.
DISPUTE_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (DS.OPEN, "refund"): (DS.RESOLVED, Kind.REFUNDED),
    (DS.OPEN, "offer"): (DS.OFFERED, Kind.OFFERED),
    (DS.OPEN, "contest"): (DS.CONTESTED, Kind.CONTESTED),
    (DS.OPEN, "expire"): (DS.RESOLVED, Kind.EXPIRED),
    (DS.OFFERED, "accept"): (DS.RESOLVED, Kind.ACCEPTED),
    (DS.OFFERED, "reject"): (DS.CONTESTED, Kind.REJECTED),
    (DS.CONTESTED, "decide"): (DS.RESOLVED, Kind.DECIDED),
    # Escrow emptied by the platform (a lost or refused parcel): closed with nothing to refund.
    (DS.OPEN, "close"): (DS.RESOLVED, Kind.DECIDED),
    (DS.OFFERED, "close"): (DS.RESOLVED, Kind.DECIDED),
    (DS.CONTESTED, "close"): (DS.RESOLVED, Kind.DECIDED),
}
UNRESOLVED = (DS.OPEN, DS.OFFERED, DS.CONTESTED)

OUTCOME_REPUTATION = {
    Outcome.REFUNDED: ReputationEventKind.DISPUTE_REFUNDED,
    Outcome.SETTLED: ReputationEventKind.DISPUTE_REFUNDED,
    Outcome.FOR_BUYER: ReputationEventKind.DISPUTE_LOST,
    Outcome.FOR_STORE: ReputationEventKind.DISPUTE_WON,
}


class DisputeTransitionError(ValidationError):
    """A move the dispute's transition table does not allow from where it is."""


# Pure rules: the simulation, the store's answers and the tests use these.


def dispute_step(status: str, event: str) -> tuple[str, str]:
    """(status after, event kind) of `event` from `status`; raises DisputeTransitionError."""
    move = DISPUTE_TRANSITIONS.get((status, event))
    if move is None:
        raise DisputeTransitionError(_("The dispute is %(status)s; it cannot %(event)s.") % {
            "status": Dispute.Status(status).label.lower() if status in DS.values else status, "event": event})
    return move


def opening_chance_pct(reason: str, *, not_received_pct=0, late_per_day_pct=0, not_as_described_pct=0,
                       days_late: int = 0, inspected: bool = False, postal: bool = False) -> Fraction:
    """The chance (in %, exact, within 0–100) that a buyer opens a dispute for `reason`."""
    if reason == Reason.NOT_RECEIVED:
        chance = Fraction(not_received_pct)
    elif reason == Reason.LATE:
        chance = min(Fraction(LATE_MAX_CHANCE_PCT), max(days_late, 0) * Fraction(late_per_day_pct))
    elif reason == Reason.NOT_AS_DESCRIBED:
        chance = Fraction(not_as_described_pct) * (INSPECTED_FACTOR if inspected else 1)
        chance += Fraction(POSTAL_EXTRA_PCT) if postal else 0
    else:
        raise ValueError(f"unknown dispute reason {reason!r}")
    return max(Fraction(0), min(Fraction(100), chance))


def claim_of(reason: str, total_minor: int) -> int:
    """What the buyer claims back: the total, or for a late parcel `LATE_CLAIM_PCT` of it
    (rounded half-up, at least one minor unit of a paid order)."""
    if reason == Reason.LATE:
        return max(1, percent_of(total_minor, LATE_CLAIM_PCT)) if total_minor > 0 else 0
    return total_minor


def buyer_accepts(*, offer_minor: int, claim_minor: int) -> bool:
    """Whether the buyer takes a partial refund: at least `BUYER_ACCEPTS_SHARE_PCT` of the claim."""
    return offer_minor * 100 >= claim_minor * BUYER_ACCEPTS_SHARE_PCT


def contest_outcome(*, reason: str, evidence: Iterable[str], delivered: bool, days_late: int,
                    honest_declaration: bool, inspected: bool) -> str:
    """The platform's decision of a contested dispute (module docstring): FOR_STORE or FOR_BUYER."""
    evidence = set(evidence)
    if reason == Reason.NOT_RECEIVED:
        wins = delivered and Evidence.TRACKING in evidence
    elif reason == Reason.LATE:
        wins = days_late <= LATE_TOLERANCE_DAYS and Evidence.TRACKING in evidence
    else:
        wins = Evidence.PHOTOS in evidence and honest_declaration and not inspected
    return Outcome.FOR_STORE if wins else Outcome.FOR_BUYER


def refund_entry(*, dispute: Dispute, store_key: str, amount_minor: int, held_minor: int, day: date) -> ledger.JournalEntry:
    """The ledger entry of a dispute's refund out of escrow (`ledger.refund`, idempotent key)."""
    order = dispute.order
    return ledger.refund(key=f"dispute:{store_key}:{order.number}", order=order.number, store=store_key,
                         currency=order.currency, amount_minor=amount_minor, held_minor=held_minor, day=day)


# Moving a dispute: the table decides, every move is recorded.


@dataclass
class DisputeBatch:
    """What a day's moves write: events, ledger entries, order moves and reputation rows."""

    events: list[DisputeEvent] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)  # (store, order, JournalEntry) for journal_post_many
    order_moves: list[OrderTransition] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    reputation: list[ReputationRecord] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)

    def save(self, run: PracticumRun) -> None:
        journal_post_many(run, self.entries)
        OrderTransition.objects.bulk_create(self.order_moves)
        orders_update(self.orders, "status")
        for dispute in self.disputes:
            dispute.save(update_fields=["status", "outcome", "offer_minor", "refunded_minor", "decide_on", "resolved_on",
                                        "auto_resolved", "store_message", "evidence"])
        DisputeEvent.objects.bulk_create(self.events)
        reputation_records_add(records=self.reputation)


def dispute_move(dispute: Dispute, event: str, day: date, *, batch: DisputeBatch, amount_minor: int | None = None,
                 note: str = "", actor=None) -> None:
    """Move the dispute by `event` and record the move in `batch`."""
    dispute.status, kind = dispute_step(dispute.status, event)
    batch.events.append(DisputeEvent(dispute=dispute, kind=kind, day=day, amount_minor=amount_minor, note=note[:500],
                                     actor=actor))
    if dispute not in batch.disputes:
        batch.disputes.append(dispute)


def _resolve(dispute: Dispute, *, day: date, outcome: str, refund_minor: int, held_minor: int, batch: DisputeBatch,
             auto: bool = False) -> None:
    """Settle a resolved dispute: refund out of escrow (never more than it holds), move a
    fully refunded order to refunded, count the outcome in the store's reputation."""
    order, store = dispute.order, dispute.store
    refund_minor = min(refund_minor, held_minor)
    if refund_minor > 0:
        batch.entries.append((store, order, refund_entry(dispute=dispute, store_key=store.key, amount_minor=refund_minor,
                                                         held_minor=held_minor, day=day)))
        dispute.refunded_minor = refund_minor
        if refund_minor == held_minor and order.status in (Order.Status.SHIPPED, Order.Status.DELIVERED):
            _move(order, "dispute_refund", day, into=batch.order_moves, note=_(
                "Refunded in full after the buyer's dispute."))
            batch.orders.append(order)
    dispute.outcome, dispute.resolved_on, dispute.auto_resolved = outcome, day, auto
    batch.reputation.append(ReputationRecord(store=store, order=order, kind=OUTCOME_REPUTATION[outcome], day=day,
                                             key=f"{order.number}:dispute"))


# The simulated day.


def disputes_day(*, run: PracticumRun, day: date, reference: ReferenceDay) -> list[Dispute]:
    """The disputes' day: offers answered, contests decided, unanswered disputes expired, then
    new disputes opened (module docstring). Returns the disputes opened."""
    with transaction.atomic():
        _disputes_settle(run, day)
        return _disputes_open(run, day, reference)


def _disputes_settle(run: PracticumRun, day: date) -> None:
    pending = list(Dispute.objects.filter(store__run=run, status__in=UNRESOLVED)
                   .select_related("order__shipment__declaration", "store").order_by("store__key", "order__number"))
    if not pending:
        return
    for dispute in pending:
        dispute.store.run = run
        dispute.order.store = dispute.store
    held = account_balances(run=run, accounts=[Account(AccountCode.ESCROW, d.store.key, d.order.number) for d in pending])
    batch = DisputeBatch()
    for dispute in pending:
        order = dispute.order
        holding = -held.get((str(Account(AccountCode.ESCROW, dispute.store.key, order.number)), order.currency), 0)
        if holding <= 0:
            dispute_move(dispute, "close", day, batch=batch, note=_(
                "Closed: the buyer was refunded in full when the parcel did not arrive."))
            dispute.outcome, dispute.resolved_on, dispute.auto_resolved = Outcome.FOR_BUYER, day, True
            continue
        if dispute.status == DS.OPEN and dispute.respond_by < day:
            dispute_move(dispute, "expire", day, batch=batch, note=_("The store did not answer by the deadline."))
            # The platform's decision is part of the same move: recorded, not a state of its own.
            batch.events.append(DisputeEvent(dispute=dispute, kind=Kind.DECIDED, day=day,
                                             amount_minor=min(dispute.claim_minor, holding),
                                             note=_("Decided for the buyer: the store did not answer.")))
            _resolve(dispute, day=day, outcome=Outcome.FOR_BUYER, refund_minor=dispute.claim_minor, held_minor=holding,
                     batch=batch, auto=True)
        elif dispute.status == DS.OFFERED and dispute.decide_on is not None and dispute.decide_on <= day:
            if buyer_accepts(offer_minor=dispute.offer_minor, claim_minor=dispute.claim_minor):
                dispute_move(dispute, "accept", day, batch=batch, amount_minor=dispute.offer_minor,
                             note=_("The buyer accepted the partial refund."))
                _resolve(dispute, day=day, outcome=Outcome.SETTLED, refund_minor=dispute.offer_minor, held_minor=holding,
                         batch=batch)
            else:
                dispute_move(dispute, "reject", day, batch=batch, amount_minor=dispute.offer_minor, note=_(
                    "The buyer rejected the offer; the platform reviews the dispute."))
                dispute.decide_on = day + timedelta(days=PLATFORM_REVIEW_DAYS)
                dispute.evidence = []
        elif dispute.status == DS.CONTESTED and dispute.decide_on is not None and dispute.decide_on <= day:
            outcome = contest_outcome(**_contest_facts(dispute))
            refund = dispute.claim_minor if outcome == Outcome.FOR_BUYER else 0
            dispute_move(dispute, "decide", day, batch=batch, amount_minor=min(refund, holding) or None,
                         note=_("Decided for the store on its evidence.") if outcome == Outcome.FOR_STORE
                         else _("Decided for the buyer: the evidence does not answer the claim."))
            _resolve(dispute, day=day, outcome=outcome, refund_minor=refund, held_minor=holding, batch=batch)
    batch.save(run)


def _contest_facts(dispute: Dispute) -> dict:
    """What `contest_outcome` needs to know about the dispute's parcel."""
    order = dispute.order
    try:
        shipment = order.shipment
    except Shipment.DoesNotExist:
        shipment = None
    declaration = getattr(shipment, "declaration", None) if shipment is not None else None
    days_late = max(0, (dispute.opened_on - shipment.promised_on).days) if shipment is not None else 0
    return {
        "reason": dispute.reason, "evidence": dispute.evidence or [],
        "delivered": shipment is not None and shipment.status == Shipment.Status.DELIVERED,
        "days_late": days_late,
        # A parcel from an overseas warehouse has no declaration of its own: its goods were
        # declared and taxed at their cost when the container came in (B2B_STANDARD).
        "honest_declaration": (declaration.declared_value_minor >= declaration.goods_value_minor if declaration is not None
                               else bool(order.warehouse)),
        "inspected": declaration is not None and declaration.inspected,
    }


def _disputes_open(run: PracticumRun, day: date, reference: ReferenceDay) -> list[Dispute]:
    project = run.project
    overdue = list(
        Shipment.objects.filter(store__run=run, order__status=Order.Status.SHIPPED, order__dispute__isnull=True,
                                status__in=[Shipment.Status.IN_TRANSIT, Shipment.Status.OUT_FOR_DELIVERY],
                                promised_on__lte=day - timedelta(days=NOT_RECEIVED_GRACE_DAYS))
        .select_related("order__store").order_by("store__key", "order__number"))
    delivered = list(
        Shipment.objects.filter(store__run=run, order__status=Order.Status.DELIVERED, order__dispute__isnull=True,
                                status=Shipment.Status.DELIVERED, order__transitions__event="deliver",
                                order__transitions__day=day)
        .select_related("order__store", "declaration").order_by("store__key", "order__number"))
    candidates: list[tuple[Shipment, str, int]] = []  # (parcel, reason, days late)
    not_received = chance_bps(opening_chance_pct(Reason.NOT_RECEIVED, not_received_pct=project.dispute_not_received_pct))
    for shipment in overdue:
        if drawn(run.seed, "dispute-not-received", shipment.order.number, not_received):
            candidates.append((shipment, Reason.NOT_RECEIVED, 0))
    for shipment in delivered:
        days_late = (day - shipment.promised_on).days
        if days_late > 0 and drawn(run.seed, "dispute-late", shipment.order.number, chance_bps(opening_chance_pct(
                Reason.LATE, late_per_day_pct=project.dispute_late_per_day_pct, days_late=days_late))):
            candidates.append((shipment, Reason.LATE, days_late))
            continue
        channel = reference.channels.get(shipment.channel)
        declaration = getattr(shipment, "declaration", None)
        chance = opening_chance_pct(
            Reason.NOT_AS_DESCRIBED, not_as_described_pct=project.dispute_not_as_described_pct,
            inspected=declaration is not None and declaration.inspected,
            postal=channel is not None and channel.kind in POSTAL_CHANNEL_KINDS)
        if drawn(run.seed, "dispute-not-as-described", shipment.order.number, chance_bps(chance)):
            candidates.append((shipment, Reason.NOT_AS_DESCRIBED, 0))
    if not candidates:
        return []
    candidates.sort(key=lambda row: (row[0].order.store.key, row[0].order.number))
    held = account_balances(run=run, accounts=[Account(AccountCode.ESCROW, s.order.store.key, s.order.number)
                                               for s, _reason, _late in candidates])
    disputes, notes = [], []
    respond_by = day + timedelta(days=project.dispute_response_days)
    for shipment, reason, days_late in candidates:
        order = shipment.order
        holding = -held.get((str(Account(AccountCode.ESCROW, order.store.key, order.number)), order.currency), 0)
        claim = min(claim_of(reason, order.total_minor), holding)
        if claim <= 0:
            continue
        disputes.append(Dispute(order=order, store=order.store, reason=reason, currency=order.currency, claim_minor=claim,
                                opened_on=day, respond_by=respond_by))
        notes.append(_opening_note(reason, days_late))
    insert_returning_ids(Dispute, disputes)
    DisputeEvent.objects.bulk_create([
        DisputeEvent(dispute=dispute, kind=Kind.OPENED, day=day, amount_minor=dispute.claim_minor, note=note)
        for dispute, note in zip(disputes, notes, strict=True)])
    return disputes


def _opening_note(reason: str, days_late: int) -> str:
    if reason == Reason.NOT_RECEIVED:
        return _("The buyer says the parcel has not arrived, %(days)s days after the promised day.") % {
            "days": NOT_RECEIVED_GRACE_DAYS}
    if reason == Reason.LATE:
        return _("The parcel arrived %(days)s days after the promised day; the buyer asks for part of the price back.") % {
            "days": days_late}
    return _("The buyer says the goods are not as described and asks for the price back.")


# The store's answers (the day is the run's day in progress).


def _answerable(dispute: Dispute, by) -> tuple[Dispute, date, int]:
    """The dispute locked for an answer: its order row locked, the member checked, the
    deadline and the state checked; (dispute, day, what escrow holds)."""
    store = dispute.store
    run = store.run
    if not RunParticipant.objects.filter(team_id=store.team_id, user=by, status=RunParticipant.Status.ACCEPTED).exists():
        raise PermissionDenied(_("Only the team's members can answer its disputes."))
    if run.status != PracticumRun.Status.RUNNING:
        raise ValidationError(_("The run is not running; disputes can no longer be answered."))
    order = Order.objects.select_for_update().get(pk=dispute.order_id)
    order.store = store
    dispute = Dispute.objects.get(pk=dispute.pk)
    dispute.order, dispute.store = order, store
    day = run.current_date
    if dispute.status != DS.OPEN:
        raise DisputeTransitionError(_("This dispute is %(status)s; it can no longer be answered.") % {
            "status": dispute.get_status_display().lower()})
    if day > dispute.respond_by:
        raise DisputeTransitionError(_("The deadline to answer was %(day)s; the dispute goes to the buyer.") % {
            "day": dispute.respond_by.isoformat()})
    return dispute, day, escrow_held(order=order)


def dispute_refund(*, dispute: Dispute, by) -> Dispute:
    """The store refunds the buyer's claim out of escrow; outcome REFUNDED."""
    with transaction.atomic():
        dispute, day, held = _answerable(dispute, by)
        batch = DisputeBatch()
        dispute_move(dispute, "refund", day, batch=batch, amount_minor=min(dispute.claim_minor, held), actor=by,
                     note=_("The store refunded the claim."))
        _resolve(dispute, day=day, outcome=Outcome.REFUNDED, refund_minor=dispute.claim_minor, held_minor=held, batch=batch)
        batch.save(dispute.store.run)
        return dispute


def dispute_offer(*, dispute: Dispute, by, amount_minor: int) -> Dispute:
    """The store offers a partial refund (0 < amount < claim); the buyer answers when the day
    in progress is played."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise TypeError(f"amount_minor must be an int of minor units, not {type(amount_minor).__name__}")
    with transaction.atomic():
        dispute, day, _held = _answerable(dispute, by)
        if not 0 < amount_minor < dispute.claim_minor:
            raise ValidationError({"amount": _("Offer more than nothing and less than the buyer's claim.")})
        batch = DisputeBatch()
        dispute.offer_minor, dispute.decide_on = amount_minor, day
        dispute_move(dispute, "offer", day, batch=batch, amount_minor=amount_minor, actor=by,
                     note=_("The store offered a partial refund."))
        batch.save(dispute.store.run)
        return dispute


def dispute_contest(*, dispute: Dispute, by, message: str, evidence: Sequence[str]) -> Dispute:
    """The store contests with a message and evidence; the platform decides
    `PLATFORM_REVIEW_DAYS` days later."""
    message = " ".join((message or "").split())
    if not message:
        raise ValidationError({"message": _("Tell the platform why the claim is wrong.")})
    unknown = [kind for kind in evidence if kind not in Evidence.values]
    if unknown:
        raise ValidationError({"evidence": _("Unknown evidence: %(kinds)s.") % {"kinds": ", ".join(unknown)}})
    with transaction.atomic():
        dispute, day, _held = _answerable(dispute, by)
        batch = DisputeBatch()
        dispute.store_message = message[:2000]
        dispute.evidence = [kind for kind in Evidence.values if kind in set(evidence)]
        dispute.decide_on = day + timedelta(days=PLATFORM_REVIEW_DAYS)
        dispute_move(dispute, "contest", day, batch=batch, actor=by, note=message)
        batch.save(dispute.store.run)
        return dispute


def frozen_order_ids(order_ids: Iterable[int]) -> set[int]:
    """The orders among `order_ids` whose escrow is frozen by a dispute not resolved."""
    from .ledger_services import in_chunks

    return set(in_chunks(Dispute.objects.filter(status__in=UNRESOLVED).values_list("order_id", flat=True), "order_id",
                         list(order_ids)))


__all__ = [
    "BUYER_ACCEPTS_SHARE_PCT", "DISPUTE_TRANSITIONS", "INSPECTED_FACTOR", "LATE_CLAIM_PCT", "LATE_MAX_CHANCE_PCT",
    "LATE_TOLERANCE_DAYS", "NOT_RECEIVED_GRACE_DAYS", "PLATFORM_REVIEW_DAYS", "POSTAL_EXTRA_PCT", "DisputeTransitionError",
    "Evidence", "buyer_accepts", "claim_of", "contest_outcome", "dispute_contest", "dispute_move", "dispute_offer",
    "dispute_refund", "dispute_step", "disputes_day", "frozen_order_ids", "opening_chance_pct", "refund_entry",
]
