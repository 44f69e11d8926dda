"""Buyers' disputes (issue "Practicum II", point 4): opened from the run's seed with chances driven
by the project's settings, escrow frozen until they are resolved, each answer of the store (a
refund, an offer accepted or rejected, a contest decided by the rules) and the expiry on the
stored ledger, determinism, the pages with who may see and answer them, and a Hypothesis machine
of random payments, shipments, disputes, refunds and releases keeping the journal sound."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from practicum import factories, ledger
from practicum.dispute_models import Dispute, DisputeEvent
from practicum.dispute_services import (
    BUYER_ACCEPTS_SHARE_PCT, DISPUTE_TRANSITIONS, LATE_CLAIM_PCT, PLATFORM_REVIEW_DAYS, DisputeTransitionError, Evidence,
    buyer_accepts, claim_of, contest_outcome, dispute_contest, dispute_offer, dispute_refund, dispute_step,
    opening_chance_pct, refund_entry,
)
from practicum.factories import home_goods_project
from practicum.ledger import EntryKind
from practicum.ledger_services import escrow_held, journal_entry_of
from practicum.order_services import TRANSITIONS
from practicum.reputation import ReputationEventKind
from practicum.review_models import ReputationRecord
from practicum.run_models import LedgerEntry, Order, OrderTransition, PracticumRun, SimulationDay
from practicum.shipment_models import Shipment
from practicum.shipment_services import chance_bps, drawn
from practicum.simulation import run_day_play

pytestmark = pytest.mark.django_db

R = Dispute.Reason
DS = Dispute.Status
O = Dispute.Outcome
# The disputes list: the session, the reader, the store and its membership, the count and the page.
DISPUTES_QUERIES = 8
DISPUTE_QUERIES = 12


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60)


def store_with(run, mentor, name, *, listings=(("BOWL-PLA", "PL", 4500, "DDP", None, "EXPRESS"),), units=300, student=""):
    """A team's store with stock of every product and live listings (`factories.trading_store`)."""
    return factories.trading_store(run, mentor, name, listings, units=units, student=student)


def play(run, days):
    for _ in range(days):
        run_day_play(run=run)
    run.refresh_from_db()


def journal(run):
    return [journal_entry_of(e) for e in
            LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses").order_by("pk")]


def sound(run):
    """The run's journal passes every ledger check and no order's escrow is below zero."""
    entries = journal(run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced
    for (account, _currency), value in ledger.balances(entries).items():
        if account.code == ledger.AccountCode.ESCROW:
            assert value <= 0  # a credit balance: what escrow holds
    return entries


def disputed_run(project, mentor, *, days=10, reason=R.NOT_AS_DESCRIBED, seed="seed-1", **settings):
    """A run whose every delivered parcel is disputed (as not as described, by default), played `days` days."""
    fields = {"dispute_not_received_pct": Decimal(0), "dispute_late_per_day_pct": Decimal(0),
              "dispute_not_as_described_pct": Decimal(0)}
    fields[{R.NOT_AS_DESCRIBED: "dispute_not_as_described_pct", R.LATE: "dispute_late_per_day_pct",
            R.NOT_RECEIVED: "dispute_not_received_pct"}[reason]] = Decimal(100)
    fields.update(settings)
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    run = factories.running_run(project, mentor, seed=seed)
    store = store_with(run, mentor, "Team Amber")
    play(run, days)
    return run, store


def open_dispute(store):
    """The store's latest open dispute that can still be answered on the run's day in progress."""
    run = PracticumRun.objects.get(pk=store.run_id)
    dispute = (Dispute.objects.filter(store=store, status=DS.OPEN, respond_by__gte=run.current_date)
               .select_related("order", "store__run").order_by("-opened_on", "-pk").first())
    assert dispute is not None, "no dispute to answer"
    return dispute


# The pure rules.


def test_the_transition_table_allows_only_its_moves_and_an_illegal_move_raises():
    """Each status answers only the events of the table; anything else raises."""
    assert dispute_step(DS.OPEN, "refund") == (DS.RESOLVED, DisputeEvent.Kind.REFUNDED)
    assert dispute_step(DS.OFFERED, "reject") == (DS.CONTESTED, DisputeEvent.Kind.REJECTED)
    for status in DS.values:
        for event in ("refund", "offer", "contest", "expire", "accept", "reject", "decide"):
            if (status, event) in DISPUTE_TRANSITIONS:
                continue
            with pytest.raises(DisputeTransitionError):
                dispute_step(status, event)
    assert not any(status == DS.RESOLVED for status, _event in DISPUTE_TRANSITIONS)
    assert TRANSITIONS[Order.Status.DELIVERED, "dispute_refund"] == Order.Status.REFUNDED
    assert TRANSITIONS[Order.Status.SHIPPED, "dispute_refund"] == Order.Status.REFUNDED


def test_opening_chances_follow_the_settings():
    """Late: days × the per-day setting, at most 60 %; not as described tripled when inspected,
    one point more by post; not received: the setting."""
    assert opening_chance_pct(R.LATE, late_per_day_pct=Decimal(4), days_late=3) == 12
    assert opening_chance_pct(R.LATE, late_per_day_pct=Decimal(4), days_late=30) == 60
    assert opening_chance_pct(R.NOT_AS_DESCRIBED, not_as_described_pct=Decimal(2)) == 2
    assert opening_chance_pct(R.NOT_AS_DESCRIBED, not_as_described_pct=Decimal(2), inspected=True) == 6
    assert opening_chance_pct(R.NOT_AS_DESCRIBED, not_as_described_pct=Decimal(2), inspected=True, postal=True) == 7
    assert opening_chance_pct(R.NOT_RECEIVED, not_received_pct=Decimal("40")) == 40
    assert claim_of(R.LATE, 4501) == 1350  # 30 % of 45.01 = 13.503, half-up
    assert claim_of(R.LATE, 5) == 2  # 1.5 → 2
    assert claim_of(R.NOT_RECEIVED, 4501) == claim_of(R.NOT_AS_DESCRIBED, 4501) == 4501
    assert LATE_CLAIM_PCT == 30


def test_more_days_late_draw_more_late_disputes_with_a_fixed_seed():
    """Statistically, over 2,000 orders drawn from one seed: each day late adds its share of disputes."""
    counts = {}
    for days in (1, 3, 8, 20):
        bps = chance_bps(opening_chance_pct(R.LATE, late_per_day_pct=Decimal(4), days_late=days))
        counts[days] = sum(drawn("seed-1", "dispute-late", f"PL-{n:05d}", bps) for n in range(2000))
    assert counts[1] < counts[3] < counts[8] < counts[20]
    assert 40 <= counts[1] <= 130 and 500 <= counts[8] <= 780 and 1100 <= counts[20] <= 1300  # 4 %, 32 %, 60 %


def test_the_contest_rules_decide_by_reason_and_evidence():
    """Not received: for the store iff delivered with tracking; late: iff ≤ 2 days late with
    tracking; not as described: iff photos, an honest declaration and no inspection."""
    base = {"delivered": True, "days_late": 0, "honest_declaration": True, "inspected": False}
    T, P, D = Evidence.TRACKING, Evidence.PHOTOS, Evidence.DECLARATION
    assert contest_outcome(reason=R.NOT_RECEIVED, evidence=[T], **base) == O.FOR_STORE
    assert contest_outcome(reason=R.NOT_RECEIVED, evidence=[T], **{**base, "delivered": False}) == O.FOR_BUYER
    assert contest_outcome(reason=R.NOT_RECEIVED, evidence=[P, D], **base) == O.FOR_BUYER
    assert contest_outcome(reason=R.LATE, evidence=[T], **{**base, "days_late": 2}) == O.FOR_STORE
    assert contest_outcome(reason=R.LATE, evidence=[T], **{**base, "days_late": 3}) == O.FOR_BUYER
    assert contest_outcome(reason=R.LATE, evidence=[], **{**base, "days_late": 1}) == O.FOR_BUYER
    assert contest_outcome(reason=R.NOT_AS_DESCRIBED, evidence=[P], **base) == O.FOR_STORE
    assert contest_outcome(reason=R.NOT_AS_DESCRIBED, evidence=[P], **{**base, "honest_declaration": False}) == O.FOR_BUYER
    assert contest_outcome(reason=R.NOT_AS_DESCRIBED, evidence=[P, T], **{**base, "inspected": True}) == O.FOR_BUYER
    assert contest_outcome(reason=R.NOT_AS_DESCRIBED, evidence=[T, D], **base) == O.FOR_BUYER
    assert buyer_accepts(offer_minor=50, claim_minor=100) and not buyer_accepts(offer_minor=49, claim_minor=100)
    assert BUYER_ACCEPTS_SHARE_PCT == 50


# Opening, in the simulation.


def test_settings_drive_the_disputes_opened(project, mentor):
    """With every chance at 0 no dispute opens; with not-as-described at 100 % every delivered
    parcel is disputed once, on its delivery day, while escrow holds its money, for the total."""
    run, store = disputed_run(project, mentor, days=12, dispute_not_as_described_pct=Decimal(0))
    assert not Dispute.objects.exists()
    project.dispute_not_as_described_pct = Decimal(100)
    project.save()
    play(run, 3)
    disputes = list(Dispute.objects.filter(store=store).select_related("order"))
    assert disputes
    delivered_days = {o.order_id: o.day for o in OrderTransition.objects.filter(event="deliver", order__store=store)}
    for dispute in disputes:
        assert dispute.reason == R.NOT_AS_DESCRIBED and dispute.claim_minor == dispute.order.total_minor
        assert dispute.opened_on == delivered_days[dispute.order_id] >= run.date_of(13)
        assert dispute.respond_by == dispute.opened_on + timedelta(days=project.dispute_response_days)
        assert [e.kind for e in dispute.events.all()] == [DisputeEvent.Kind.OPENED]
    # Only parcels delivered after the setting changed; parcels released before are never disputed.
    assert not Dispute.objects.filter(order__status=Order.Status.COMPLETED).exists()
    sound(run)


def test_late_parcels_are_disputed_for_thirty_percent_on_their_delivery_day(project, mentor):
    """Late disputes open on the delivery day of a parcel after its promised day, claiming 30 %."""
    run, store = disputed_run(project, mentor, days=16, reason=R.LATE)
    disputes = list(Dispute.objects.filter(store=store).select_related("order__shipment"))
    assert disputes
    for dispute in disputes:
        assert dispute.reason == R.LATE and dispute.opened_on > dispute.order.shipment.promised_on
        assert dispute.claim_minor == claim_of(R.LATE, dispute.order.total_minor)
    late = ReputationRecord.objects.filter(store=store, kind=ReputationEventKind.DELIVERED_LATE).count()
    assert len(disputes) <= late


def test_parcels_not_received_after_the_grace_days_are_disputed(project, mentor):
    """Parcels held ten days by customs (under-declared, every one inspected) are disputed as not
    received three days after their promised day, for the total, once each; delivered later, the
    store that contests with tracking wins."""
    project.inspection_base_pct, project.inspection_delay_days = Decimal(100), 10
    project.dispute_not_received_pct = Decimal(100)
    for name in ("dispute_late_per_day_pct", "dispute_not_as_described_pct"):
        setattr(project, name, Decimal(0))
    project.save()
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber", listings=[("BOWL-PLA", "PL", 4500, "DDP", 1000, "EXPRESS")])
    play(run, 12)
    disputes = list(Dispute.objects.filter(store=store).select_related("order__shipment"))
    assert disputes
    for dispute in disputes:
        shipment = dispute.order.shipment
        assert dispute.reason == R.NOT_RECEIVED and dispute.claim_minor == dispute.order.total_minor
        assert dispute.opened_on == shipment.promised_on + timedelta(days=3)
        assert shipment.status != Shipment.Status.DELIVERED
    assert Dispute.objects.values("order").distinct().count() == len(disputes)
    dispute = open_dispute(store)
    dispute_contest(dispute=dispute, by=store.user, message="Held by customs; tracking attached.",
                    evidence=[Evidence.TRACKING])
    play(run, PLATFORM_REVIEW_DAYS + 1)
    dispute.refresh_from_db()
    dispute.order.shipment.refresh_from_db()
    delivered = dispute.order.shipment.status == Shipment.Status.DELIVERED
    assert dispute.outcome == (O.FOR_STORE if delivered else O.FOR_BUYER)
    sound(run)


# Escrow frozen, and each answer on the ledger.


def test_escrow_is_frozen_while_the_dispute_is_open_and_released_after_it_is_won(project, mentor):
    """An order disputed stays delivered with its escrow held past its release day; contested with
    photos on an honest declaration that customs did not open, it is decided for the store two
    days later and its escrow released that day."""
    run, store = disputed_run(project, mentor, days=9, inspection_base_pct=Decimal(0), inspection_slope_pct=Decimal(0))
    dispute = open_dispute(store)
    order = dispute.order
    dispute_contest(dispute=dispute, by=store.user, message="The set left complete; see the photos.",
                    evidence=[Evidence.PHOTOS, Evidence.TRACKING])
    dispute.refresh_from_db()
    assert dispute.status == DS.CONTESTED and dispute.decide_on == run.current_date + timedelta(days=PLATFORM_REVIEW_DAYS)
    decide_on = dispute.decide_on
    while run.current_date < decide_on:
        play(run, 1)
        order.refresh_from_db()
        assert order.status == Order.Status.DELIVERED and escrow_held(order=order) == order.total_minor
    play(run, 1)  # the decision day
    dispute.refresh_from_db()
    order.refresh_from_db()
    assert dispute.status == DS.RESOLVED and dispute.outcome == O.FOR_STORE and dispute.refunded_minor == 0
    assert [e.kind for e in dispute.events.all()] == ["opened", "contested", "decided"]
    if order.release_due_on <= decide_on:
        assert order.status == Order.Status.COMPLETED and escrow_held(order=order) == 0
        assert LedgerEntry.objects.get(key=f"release:{store.key}:{order.number}").day == decide_on
    assert ReputationRecord.objects.get(store=store, key=f"{order.number}:dispute").kind == ReputationEventKind.DISPUTE_WON
    sound(run)


def test_a_refund_of_the_whole_claim_refunds_the_order(project, mentor):
    """The store refunds the claim (the total): escrow empties, the order moves to refunded, the
    reputation counts a refunded dispute, and a second answer is refused."""
    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    order = dispute.order
    dispute_refund(dispute=dispute, by=store.user)
    dispute.refresh_from_db()
    order.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.refunded_minor) == (DS.RESOLVED, O.REFUNDED, order.total_minor)
    assert order.status == Order.Status.REFUNDED and escrow_held(order=order) == 0
    entry = LedgerEntry.objects.get(key=f"dispute:{store.key}:{order.number}")
    assert entry.kind == EntryKind.REFUND and entry.day == run.current_date
    assert OrderTransition.objects.filter(order=order, event="dispute_refund", target="refunded").exists()
    assert ReputationRecord.objects.get(store=store, key=f"{order.number}:dispute").kind == "dispute_refunded"
    with pytest.raises(DisputeTransitionError, match="can no longer be answered"):
        dispute_offer(dispute=dispute, by=store.user, amount_minor=10)
    play(run, 3)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    sound(run)


def test_an_offer_of_half_the_claim_is_accepted_and_the_rest_released(project, mentor):
    """An offer of at least half the claim is accepted when the day is played: the offer is
    refunded and what escrow still holds is released to the store."""
    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    order = dispute.order
    offer = -(-dispute.claim_minor // 2)
    dispute_offer(dispute=dispute, by=store.user, amount_minor=offer)
    assert Dispute.objects.get(pk=dispute.pk).status == DS.OFFERED
    play(run, 1)
    dispute.refresh_from_db()
    order.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.refunded_minor) == (DS.RESOLVED, O.SETTLED, offer)
    assert [e.kind for e in dispute.events.all()] == ["opened", "offered", "accepted"]
    assert order.status in (Order.Status.DELIVERED, Order.Status.COMPLETED)
    play(run, 8)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED and escrow_held(order=order) == 0
    release = LedgerEntry.objects.get(key=f"release:{store.key}:{order.number}")
    released = [p.amount_minor for p in release.postings.all() if p.code == "ESCROW"]
    assert released == [order.total_minor - offer]
    sound(run)


def test_a_small_offer_is_rejected_and_the_platform_decides_for_the_buyer(project, mentor):
    """An offer under half the claim is rejected; reviewed as a contest without evidence, the
    dispute goes to the buyer two days later and the claim is refunded."""
    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    order = dispute.order
    dispute_offer(dispute=dispute, by=store.user, amount_minor=max(1, dispute.claim_minor // 2 - 1))
    play(run, 1)
    dispute.refresh_from_db()
    assert dispute.status == DS.CONTESTED and dispute.decide_on == run.date_of(run.day) + timedelta(days=2)
    play(run, 2)
    dispute.refresh_from_db()
    order.refresh_from_db()
    assert (dispute.outcome, dispute.refunded_minor) == (O.FOR_BUYER, dispute.claim_minor)
    assert [e.kind for e in dispute.events.all()] == ["opened", "offered", "rejected", "decided"]
    assert order.status == Order.Status.REFUNDED and escrow_held(order=order) == 0
    assert ReputationRecord.objects.get(store=store, key=f"{order.number}:dispute").kind == "dispute_lost"
    sound(run)


def test_an_unanswered_dispute_expires_for_the_buyer_and_answers_after_the_deadline_are_refused(project, mentor):
    """Past its deadline an open dispute is decided for the buyer on the next played day:
    automatically, with EXPIRED and DECIDED, the claim refunded; the store's answer is refused."""
    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    order = dispute.order
    while run.current_date <= dispute.respond_by:
        play(run, 1)
        dispute.refresh_from_db()
        if run.current_date <= dispute.respond_by:
            assert dispute.status == DS.OPEN
    dispute.refresh_from_db()
    if dispute.status == DS.OPEN:  # past the deadline, before the next played day
        with pytest.raises(DisputeTransitionError, match="deadline"):
            dispute_refund(dispute=dispute, by=store.user)
        play(run, 1)
        dispute.refresh_from_db()
    assert dispute.status == DS.RESOLVED and dispute.outcome == O.FOR_BUYER and dispute.auto_resolved
    assert dispute.resolved_on == dispute.respond_by + timedelta(days=1)
    assert [e.kind for e in dispute.events.all()] == ["opened", "expired", "decided"]
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and escrow_held(order=order) == 0
    sound(run)


def test_only_members_answer_and_bad_offers_are_refused(project, mentor):
    """A mentor cannot answer; an offer of nothing or of the whole claim is refused with a message."""
    from django.core.exceptions import ValidationError

    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    with pytest.raises(PermissionDenied):
        dispute_refund(dispute=dispute, by=mentor)
    for amount in (0, dispute.claim_minor):
        with pytest.raises(ValidationError, match="less than the buyer's claim"):
            dispute_offer(dispute=dispute, by=store.user, amount_minor=amount)
    with pytest.raises(ValidationError):
        dispute_contest(dispute=dispute, by=store.user, message="  ", evidence=[])
    with pytest.raises(ValidationError):
        dispute_contest(dispute=dispute, by=store.user, message="no", evidence=["selfie"])
    assert Dispute.objects.get(pk=dispute.pk).status == DS.OPEN


def dispute_outcomes(run):
    return sorted((d.order.number, d.reason, d.claim_minor, str(d.opened_on), d.status, d.outcome, d.refunded_minor)
                  for d in Dispute.objects.filter(store__run=run).select_related("order"))


def test_the_same_seed_gives_the_same_disputes_and_digests(project, mentor):
    """Two runs with one seed and the same decisions open the same disputes and place the same orders."""
    project.dispute_not_as_described_pct = Decimal(30)
    project.dispute_late_per_day_pct = Decimal(20)
    project.save()
    results = []
    for title in ("First", "Second"):
        run = factories.running_run(project, mentor, title=title, seed="same-seed")
        store_with(run, mentor, "Team Amber", student=f"student-{title.lower()}")
        play(run, 16)
        # The inputs name listings by their ids, which differ between runs; the orders do not.
        results.append((dispute_outcomes(run), list(SimulationDay.objects.filter(run=run).order_by("number")
                                                    .values_list("orders", "orders_digest"))))
    assert results[0][0] and results[0] == results[1]


# The pages.


def test_a_member_reads_the_list_and_a_dispute_and_answers_it(client, project, mentor):
    """The list filters by status; the dispute shows the claim, deadline, parcel, events and
    entries; a refund posted from the page resolves it."""
    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    client.force_login(store.user)
    listing = client.get(reverse("practicum_disputes", args=[store.pk]))
    assert listing.status_code == 200 and dispute.order.number in listing.content.decode()
    filtered = client.get(reverse("practicum_disputes", args=[store.pk]), {"status": "open"})
    assert filtered.context["page"].paginator.count == Dispute.objects.filter(store=store, status=DS.OPEN).count()
    assert all(d.status == DS.OPEN for d in filtered.context["page"].object_list)
    url = reverse("practicum_dispute", args=[store.pk, dispute.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and page.context["answerable"]
    assert "not what the listing described" in body and "EXPRESS" in body
    assert page.context["entries"] and page.context["tracking"]
    dashboard = client.get(reverse("practicum_store", args=[store.pk]))
    assert dashboard.context["reputation"].open_disputes >= 1
    assert reverse("practicum_disputes", args=[store.pk]) in dashboard.content.decode()
    order_page = client.get(reverse("practicum_order", args=[store.pk, dispute.order.pk]))
    assert url in order_page.content.decode()
    response = client.post(url, {"action": "refund"})
    assert response.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).outcome == O.REFUNDED


def test_form_errors_keep_the_input_and_say_why(client, project, mentor):
    """An offer with too many decimals or of the whole claim, and a contest without a message,
    come back 400 with the message and what was typed."""
    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    client.force_login(store.user)
    url = reverse("practicum_dispute", args=[store.pk, dispute.pk])
    response = client.post(url, {"action": "offer", "amount": "1.234"})
    assert response.status_code == 400
    assert 'value="1.234"' in response.content.decode() and "2 decimal places" in response.content.decode()
    claim = Decimal(dispute.claim_minor) / 100
    response = client.post(url, {"action": "offer", "amount": f"{claim}"})
    assert response.status_code == 400 and "less than the buyer" in response.content.decode()
    assert f'value="{claim}"' in response.content.decode()
    response = client.post(url, {"action": "contest", "message": "", "evidence": ["photos"]})
    assert response.status_code == 400
    assert response.context["answers"].contest["evidence"].value() == ["photos"]
    assert Dispute.objects.get(pk=dispute.pk).status == DS.OPEN


def test_another_team_gets_404_and_a_mentor_reads_without_answering(client, project, mentor):
    """Another team's member gets 404 on the list, the dispute and a POST; the run's mentor
    reads both pages without forms and a POST is refused."""
    run, store = disputed_run(project, mentor, days=9)
    other = store_with(run, mentor, "Team Birch")
    dispute = open_dispute(store)
    urls = [reverse("practicum_disputes", args=[store.pk]), reverse("practicum_dispute", args=[store.pk, dispute.pk])]
    client.force_login(other.user)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(urls[1], {"action": "refund"}).status_code == 404
    # Another store's dispute under the member's own store id is not found either.
    assert client.get(reverse("practicum_dispute", args=[other.pk, dispute.pk])).status_code == 404
    client.force_login(mentor)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
    assert response.context["answers"] is None and "csrfmiddlewaretoken" not in response.content.decode().split("<main")[1]
    assert client.post(urls[1], {"action": "refund"}).status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).status == DS.OPEN


def test_the_disputes_list_query_count_does_not_grow(client, project, mentor, django_assert_max_num_queries):
    """A few disputes or many more: the list and a dispute take the same number of queries."""
    run, store = disputed_run(project, mentor, days=8)
    client.force_login(store.user)
    url = reverse("practicum_disputes", args=[store.pk])
    client.get(url)
    with django_assert_max_num_queries(DISPUTES_QUERIES):
        small = client.get(url)
    dispute = open_dispute(store)
    with django_assert_max_num_queries(DISPUTE_QUERIES):
        client.get(reverse("practicum_dispute", args=[store.pk, dispute.pk]))
    play(run, 8)
    with django_assert_max_num_queries(DISPUTES_QUERIES):
        large = client.get(url)
    with django_assert_max_num_queries(DISPUTE_QUERIES):
        client.get(reverse("practicum_dispute", args=[store.pk, Dispute.objects.filter(store=store).last().pk]))
    assert large.context["page"].paginator.count > small.context["page"].paginator.count


# Random sequences on the ledger: a Hypothesis state machine of the dispute rules.


class DisputeLedgerMachine(RuleBasedStateMachine):
    """Orders paid into escrow, shipped and delivered; disputes opened while escrow holds money,
    answered by refund, offer or contest, expired and decided by `dispute_services`' rules and
    table, with refunds in part or in full through `refund_entry`; releases of delivered orders
    whose dispute is resolved. The journal stays balanced and no escrow goes below zero."""

    STORE = "store-a"

    def __init__(self):
        super().__init__()
        self.journal: list = []
        self.day = date(2026, 9, 1)
        self.orders: dict[str, dict] = {}
        self.disputes: dict[str, Dispute] = {}

    def post(self, entry):
        self.journal.append(entry)

    def held(self, number):
        return ledger.escrow_balance(self.journal, order=number, currency="PLN")

    @initialize(capital=st.integers(min_value=1_000_00, max_value=50_000_00))
    def open_the_store(self, capital):
        self.post(ledger.capital_contribution(key="capital", store=self.STORE, amount_minor=capital, day=self.day))
        self.post(ledger.stock_purchase(key="stock", store=self.STORE, cost_minor=capital // 2, available_minor=capital,
                                        day=self.day))
        self.inventory = capital // 2

    @rule(amount=st.integers(min_value=1, max_value=500_00))
    def pay(self, amount):
        number = f"PL-{len(self.orders):05d}"
        self.post(ledger.order_payment(key=f"pay:{number}", order=number, store=self.STORE, currency="PLN",
                                       amount_minor=amount, day=self.day))
        self.orders[number] = {"status": "paid", "total": amount}

    def pick(self, data, status):
        numbers = sorted(n for n, o in self.orders.items() if o["status"] in status)
        return data.draw(st.sampled_from(numbers)) if numbers else None

    @rule(data=st.data(), cost=st.integers(min_value=0, max_value=5_000))
    def ship(self, data, cost):
        number = self.pick(data, ("paid",))
        if number is None:
            return
        cost = min(cost, self.inventory)
        self.post(ledger.shipment(key=f"ship:{number}", order=number, store=self.STORE, cost_of_goods_minor=cost,
                                  inventory_minor=self.inventory, shipping_minor=100, channel="EXPRESS", day=self.day))
        self.inventory -= cost
        self.orders[number]["status"] = "shipped"

    @rule(data=st.data())
    def deliver(self, data):
        number = self.pick(data, ("shipped",))
        if number is not None:
            self.orders[number]["status"] = "delivered"

    @rule(data=st.data(), reason=st.sampled_from(R.values))
    def open_dispute(self, data, reason):
        number = self.pick(data, ("shipped", "delivered"))
        if number is None or number in self.disputes or self.held(number) <= 0:
            return
        order = Order(number=number, currency="PLN", total_minor=self.orders[number]["total"])
        claim = min(claim_of(reason, order.total_minor), self.held(number))
        self.disputes[number] = Dispute(order=order, reason=reason, currency="PLN", claim_minor=claim, opened_on=self.day,
                                        respond_by=self.day + timedelta(days=3))

    def settle(self, dispute, event, refund, outcome):
        """Move by the table; refund out of escrow (never more than it holds), as `_resolve` does."""
        dispute.status, _kind = dispute_step(dispute.status, event)
        if dispute.status != DS.RESOLVED:
            return
        number = dispute.order.number
        held = self.held(number)
        amount = min(refund, held)
        if amount > 0:
            self.post(refund_entry(dispute=dispute, store_key=self.STORE, amount_minor=amount, held_minor=held, day=self.day))
            dispute.refunded_minor = amount
            if amount == held:
                self.orders[number]["status"] = "refunded"
        dispute.outcome = outcome

    @rule(data=st.data(), answer=st.sampled_from(("refund", "offer", "contest", "expire", "accept", "reject", "decide")),
          share=st.integers(min_value=1, max_value=99), evidence=st.sets(st.sampled_from(Evidence.values)),
          facts=st.tuples(st.booleans(), st.integers(min_value=0, max_value=9), st.booleans(), st.booleans()))
    def move_a_dispute(self, data, answer, share, evidence, facts):
        open_ones = sorted(n for n, d in self.disputes.items() if d.status != DS.RESOLVED)
        if not open_ones:
            return
        dispute = self.disputes[data.draw(st.sampled_from(open_ones))]
        if (dispute.status, answer) not in DISPUTE_TRANSITIONS:
            with pytest.raises(DisputeTransitionError):
                dispute_step(dispute.status, answer)
            return
        if answer == "refund":
            self.settle(dispute, answer, dispute.claim_minor, O.REFUNDED)
        elif answer == "offer":
            dispute.offer_minor = max(1, dispute.claim_minor * share // 100)
            if dispute.offer_minor >= dispute.claim_minor:
                return
            self.settle(dispute, answer, 0, "")
        elif answer == "accept":
            if not buyer_accepts(offer_minor=dispute.offer_minor, claim_minor=dispute.claim_minor):
                return
            self.settle(dispute, answer, dispute.offer_minor, O.SETTLED)
        elif answer in ("contest", "reject"):
            dispute.evidence = sorted(evidence) if answer == "contest" else []
            self.settle(dispute, answer, 0, "")
        elif answer == "expire":
            self.settle(dispute, answer, dispute.claim_minor, O.FOR_BUYER)
        else:
            delivered, days_late, honest, inspected = facts
            outcome = contest_outcome(reason=dispute.reason, evidence=dispute.evidence, delivered=delivered,
                                      days_late=days_late, honest_declaration=honest, inspected=inspected)
            self.settle(dispute, "decide", dispute.claim_minor if outcome == O.FOR_BUYER else 0, outcome)

    @rule(data=st.data(), rate=st.integers(min_value=150, max_value=250), bps=st.integers(min_value=0, max_value=1_500))
    def release(self, data, rate, bps):
        """Escrow of a delivered order is released unless a dispute not resolved freezes it."""
        number = self.pick(data, ("delivered",))
        if number is None:
            return
        dispute = self.disputes.get(number)
        if dispute is not None and dispute.status != DS.RESOLVED:
            return  # frozen
        held = self.held(number)
        if held > 0:
            self.post(ledger.escrow_release(key=f"release:{number}", order=number, store=self.STORE, currency="PLN",
                                            amount_minor=held, held_minor=held, payment_rate=Decimal(rate) / 100,
                                            release_rate=Decimal(rate) / 100, platform_fee_bps=bps, day=self.day))
        self.orders[number]["status"] = "completed"

    @rule(days=st.integers(min_value=1, max_value=3))
    def next_day(self, days):
        self.day += timedelta(days=days)

    @invariant()
    def the_journal_is_balanced_and_escrow_never_negative(self):
        ledger.journal_check(self.journal)
        assert ledger.trial_balance(self.journal).balanced
        for number, order in self.orders.items():
            held = self.held(number)
            assert 0 <= held <= order["total"]
            if order["status"] in ("refunded", "completed"):
                assert held == 0
            dispute = self.disputes.get(number)
            if dispute is not None:
                assert 0 <= dispute.refunded_minor <= dispute.claim_minor

    @invariant()
    def a_frozen_order_is_never_released(self):
        for number, dispute in self.disputes.items():
            if dispute.status != DS.RESOLVED:
                assert not any(e.key == f"release:{number}" for e in self.journal)


TestDisputeLedgerMachine = DisputeLedgerMachine.TestCase
TestDisputeLedgerMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)


def test_a_parcel_from_an_overseas_warehouse_counts_as_honestly_declared_in_a_contest(project, mentor):
    """A warehouse parcel has no declaration of its own (its goods were declared at inbound), so
    contesting "not as described" with photos can win; a China parcel without a declaration cannot."""
    from practicum.dispute_services import _contest_facts

    run, store = disputed_run(project, mentor, days=9)
    dispute = open_dispute(store)
    order = dispute.order
    order.shipment.declaration.delete()
    facts = _contest_facts(Dispute.objects.select_related("order").get(pk=dispute.pk))
    assert facts["honest_declaration"] is False and facts["inspected"] is False
    Order.objects.filter(pk=order.pk).update(warehouse="WH-PL-POZ")
    facts = _contest_facts(Dispute.objects.select_related("order").get(pk=dispute.pk))
    assert facts["honest_declaration"] is True
    assert contest_outcome(**{**facts, "evidence": [Evidence.PHOTOS]}) == O.FOR_STORE
