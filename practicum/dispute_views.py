"""A store's disputes (issue "Practicum II", point 4): the list with a filter by status, and one
dispute with the buyer's claim in plain words, the deadline, the parcel's tracking and customs
declaration, the dispute's moves, the order's ledger entries and the store's answer (refund the
claim, offer a partial refund, contest with evidence).

Who sees them is who sees the store (`store_selectors.store_access` through
`store_views._store_or_404`): the team's members answer, the run's mentors read (a POST is 403),
anyone else gets 404, for another store's dispute too. The answers are
`practicum.dispute_services`' services; their ValidationErrors come back on the form with what
was typed, answered 400. The reads below keep a fixed number of queries.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from academy.forms import validation_error_onto

from .dispute_forms import DisputeContestForm, DisputeFilterForm, DisputeOfferForm, DisputeRefundForm
from .dispute_models import Dispute, DisputeEvent
from .dispute_services import (
    BUYER_ACCEPTS_SHARE_PCT, LATE_CLAIM_PCT, PLATFORM_REVIEW_DAYS, Evidence, dispute_contest, dispute_offer, dispute_refund,
)
from .run_models import LedgerEntry, Store
from .shipment_models import Shipment, TrackingEvent
from .store_views import Money, _entry_row, _store_context, _store_or_404

DISPUTES_PER_PAGE = 25

# The buyer's claim as the buyer would put it.
REASON_WORDS = {
    Dispute.Reason.NOT_RECEIVED: gettext_lazy(
        "The buyer says the parcel has not arrived, several days after the day your listing promised, and asks for the whole price back."),
    Dispute.Reason.LATE: gettext_lazy(
        "The parcel arrived after the day your listing promised. The buyer asks for %(share)s %% of the price back for the wait."),
    Dispute.Reason.NOT_AS_DESCRIBED: gettext_lazy(
        "The buyer says the goods are not what the listing described and asks for the whole price back."),
}


# Reads.


def store_disputes_page(*, store: Store, status: str = "", page_number=1) -> Page:
    """A page of the store's disputes, newest first, each with its order (two queries)."""
    disputes = Dispute.objects.filter(store=store)
    if status:
        disputes = disputes.filter(status=status)
    disputes = disputes.select_related("order").order_by("-opened_on", "-pk")
    return Paginator(disputes, DISPUTES_PER_PAGE).get_page(page_number)


def store_dispute(*, store: Store, dispute_id: int) -> Dispute | None:
    """One dispute of the store with its order, parcel, declaration, tracking, moves and the
    order's ledger entries; None when it is not the store's."""
    dispute = (
        Dispute.objects.filter(store=store, pk=dispute_id)
        .select_related("order__shipment__declaration")
        .prefetch_related(
            Prefetch("events", queryset=DisputeEvent.objects.select_related("actor").order_by("day", "pk")),
            Prefetch("order__ledger_entries", queryset=LedgerEntry.objects.prefetch_related("postings").order_by("pk")),
            Prefetch("order__shipment__events", queryset=TrackingEvent.objects.order_by("day", "pk")),
        )
        .first()
    )
    if dispute is None:
        return None
    dispute.store = dispute.order.store = store
    try:
        dispute.parcel = dispute.order.shipment
    except Shipment.DoesNotExist:
        dispute.parcel = None
    return dispute


@dataclass
class Answers:
    """The answer forms of an open dispute (None each when the reader cannot answer)."""

    refund: DisputeRefundForm | None = None
    offer: DisputeOfferForm | None = None
    contest: DisputeContestForm | None = None


# Pages.


@login_required
@require_GET
def store_disputes(request, store_id):
    """The store's disputes, newest first, filtered by status, 25 a page."""
    access = _store_or_404(request, store_id)
    filters = DisputeFilterForm(request.GET or None)
    page = store_disputes_page(store=access.store, page_number=request.GET.get("page") or 1, **filters.filters())
    money = Money()
    for dispute in page.object_list:
        dispute.claim_text = money(dispute.claim_minor, dispute.currency)
        dispute.refunded_text = money(dispute.refunded_minor, dispute.currency) if dispute.refunded_minor else ""
    context = _store_context(access, "disputes")
    context.update({"page": page, "filters": filters, "filtered": filters.is_bound and filters.active})
    return render(request, "practicum/store_disputes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def store_dispute_page(request, store_id, dispute_id):
    """One dispute; a member answers it here (POST with `action` refund, offer or contest)."""
    access = _store_or_404(request, store_id)
    dispute = _dispute_or_404(access, dispute_id)
    if request.method == "GET":
        return _dispute_page(request, access, dispute)
    action = request.POST.get("action", "")
    answers = Answers()
    try:
        if action == "refund":
            answers.refund = form = DisputeRefundForm(request.POST)
            if form.is_valid():
                dispute_refund(dispute=dispute, by=request.user)
                messages.success(request, _("The claim is refunded to the buyer out of escrow."))
                return redirect("practicum_dispute", access.store.pk, dispute.pk)
        elif action == "offer":
            answers.offer = form = DisputeOfferForm(request.POST, currency=dispute.currency)
            if form.is_valid():
                dispute_offer(dispute=dispute, by=request.user, amount_minor=form.cleaned_data["amount"])
                messages.success(request, _("Your offer is sent. The buyer answers when the day is played."))
                return redirect("practicum_dispute", access.store.pk, dispute.pk)
        elif action == "contest":
            answers.contest = form = DisputeContestForm(request.POST)
            if form.is_valid():
                dispute_contest(dispute=dispute, by=request.user, message=form.cleaned_data["message"],
                                evidence=form.cleaned_data["evidence"])
                messages.success(request, _("The dispute is contested. The platform decides in %(days)s days.") % {
                    "days": PLATFORM_REVIEW_DAYS})
                return redirect("practicum_dispute", access.store.pk, dispute.pk)
        else:
            answers.refund = form = DisputeRefundForm(request.POST)
            form.add_error(None, _("Choose how to answer: refund, offer or contest."))
    except ValidationError as exc:
        validation_error_onto(form, exc)
    return _dispute_page(request, access, _dispute_or_404(access, dispute_id), answers=answers, status=400)


def _dispute_or_404(access, dispute_id) -> Dispute:
    dispute = store_dispute(store=access.store, dispute_id=dispute_id)
    if dispute is None:
        raise Http404
    return dispute


def _dispute_page(request, access, dispute, *, answers: Answers | None = None, status=200):
    money = Money()
    run = access.run
    order = dispute.order
    currency = dispute.currency
    answerable = access.can_edit and dispute.status == Dispute.Status.OPEN and run.current_date <= dispute.respond_by
    forms = answers or Answers()
    if answerable:
        forms.refund = forms.refund or DisputeRefundForm()
        forms.offer = forms.offer or DisputeOfferForm(currency=currency)
        forms.contest = forms.contest or DisputeContestForm()
    # A refused answer on a dispute no longer answerable still shows its message.
    errors = [error for form in (forms.refund, forms.offer, forms.contest) if form is not None
              for error in form.non_field_errors()] if not answerable else []
    events = list(dispute.events.all())
    for event in events:
        event.amount_text = money(event.amount_minor, currency) if event.amount_minor else ""
    parcel = dispute.parcel
    played = run.date_of(run.day) if run.day >= 1 else None
    tracking = []
    declaration = None
    if parcel is not None:
        tracking = [event for event in parcel.events.all() if played is not None and event.day <= played]
        declaration = getattr(parcel, "declaration", None)
    context = _store_context(access, "disputes")
    context.update({
        "dispute": dispute, "order": order, "events": events, "parcel": parcel, "tracking": tracking[-6:],
        "declaration": declaration,
        "declared_text": money(declaration.declared_value_minor, declaration.currency) if declaration else "",
        "goods_text": money(declaration.goods_value_minor, declaration.currency) if declaration else "",
        "reason_words": REASON_WORDS[dispute.reason] % {"share": LATE_CLAIM_PCT.normalize()}
        if dispute.reason == Dispute.Reason.LATE else REASON_WORDS[dispute.reason],
        "claim_text": money(dispute.claim_minor, currency), "total_text": money(order.total_minor, currency),
        "offer_text": money(dispute.offer_minor, currency) if dispute.offer_minor else "",
        "refunded_text": money(dispute.refunded_minor, currency) if dispute.refunded_minor else "",
        "entries": [_entry_row(entry, money) for entry in order.ledger_entries.all()],
        "answerable": answerable, "answers": forms if answerable else None, "answer_errors": errors,
        "evidence_labels": [Evidence(kind).label for kind in dispute.evidence or [] if kind in Evidence.values],
        "accepts_share": BUYER_ACCEPTS_SHARE_PCT, "review_days": PLATFORM_REVIEW_DAYS,
        "past_deadline": dispute.status == Dispute.Status.OPEN and run.current_date > dispute.respond_by,
    })
    return render(request, "practicum/store_dispute.html", context, status=status)


__all__ = ["store_dispute", "store_dispute_page", "store_disputes", "store_disputes_page"]
