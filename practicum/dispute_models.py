"""Buyers' disputes of practicum orders (issue "Practicum II", point 4).

A simulated buyer opens a `Dispute` on an order (its parcel not received, late, or not as
described), drawn from the run's seed with chances driven by the store's decisions (the
project's dispute settings). While a dispute is not resolved the order's escrow is frozen: it is
neither released nor auto-released. The store answers before `respond_by`: it refunds in full,
offers a partial refund, or contests with evidence; the rules of `practicum.dispute_services`
decide what follows, and a dispute the store leaves unanswered is resolved for the buyer when
the deadline passes. Every move is a `DisputeEvent` (append-only) and every refund and release
is on the ledger.

Money is an integer of minor units of the order's currency. Days are simulated days.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CURRENCY_CODE


class Dispute(models.Model):
    """A buyer's dispute of one order."""

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("Not received")
        LATE = "late", _("Arrived late")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the store")
        OFFERED = "offered", _("Partial refund offered")
        CONTESTED = "contested", _("Contested, under review")
        RESOLVED = "resolved", _("Resolved")

    class Outcome(models.TextChoices):
        REFUNDED = "refunded", _("Refunded by the store")
        SETTLED = "settled", _("Settled with a partial refund")
        FOR_STORE = "for_store", _("Decided for the store")
        FOR_BUYER = "for_buyer", _("Decided for the buyer")

    order = models.OneToOneField("practicum.Order", verbose_name=_("order"), on_delete=models.CASCADE,
                                 related_name="dispute", help_text=_("The order disputed."))
    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="disputes", help_text=_("The store the buyer disputes with."))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, help_text=_("What the buyer complains of."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              help_text=_("Where the dispute is."))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True,
                               help_text=_("How the dispute ended; empty until it is resolved."))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE],
                                help_text=_("The currency the buyer paid in."))
    claim_minor = models.BigIntegerField(_("claim (minor units)"), validators=[MinValueValidator(0)],
                                         help_text=_("What the buyer asks back, in minor units of the currency."))
    offer_minor = models.BigIntegerField(_("offer (minor units)"), null=True, blank=True, validators=[MinValueValidator(0)],
                                         help_text=_("The partial refund the store offered, if any."))
    refunded_minor = models.BigIntegerField(_("refunded (minor units)"), default=0, validators=[MinValueValidator(0)],
                                            help_text=_("What was refunded to the buyer out of escrow because of the dispute."))
    opened_on = models.DateField(_("opened on"), help_text=_("The simulated day the buyer opened the dispute."))
    respond_by = models.DateField(_("answer by"),
                                  help_text=_("The last simulated day the store may answer; unanswered, the buyer wins the next day."))
    decide_on = models.DateField(_("decision due on"), null=True, blank=True,
                                 help_text=_("The simulated day the platform decides a contested dispute or the buyer answers an offer."))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True, help_text=_("The simulated day it was resolved."))
    auto_resolved = models.BooleanField(_("resolved automatically"), default=False,
                                        help_text=_("Whether the deadline passed without the store's answer."))
    store_message = models.TextField(_("store's answer"), blank=True, max_length=2000,
                                     help_text=_("What the store wrote to the buyer and the platform."))
    evidence = models.JSONField(_("evidence"), default=list, blank=True,
                                help_text=_("The kinds of evidence the store attached when contesting (tracking, declaration, photos)."))

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["store", "-opened_on", "-pk"]
        indexes = [models.Index(fields=["store", "status"]), models.Index(fields=["status", "respond_by"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(refunded_minor__lte=models.F("claim_minor")),
                                   name="practicum_dispute_refund_within_claim"),
        ]

    def __str__(self):
        return f"{self.order} · {self.reason}"


class DisputeEvent(models.Model):
    """One move of a dispute, on its simulated day (append-only)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened by the buyer")
        REFUNDED = "refunded", _("Refunded in full by the store")
        OFFERED = "offered", _("Partial refund offered")
        ACCEPTED = "accepted", _("Offer accepted by the buyer")
        REJECTED = "rejected", _("Offer rejected by the buyer")
        CONTESTED = "contested", _("Contested with evidence")
        DECIDED = "decided", _("Decided by the platform")
        EXPIRED = "expired", _("Deadline passed without an answer")

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="events",
                                help_text=_("The dispute that moved."))
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices, help_text=_("The move."))
    day = models.DateField(_("simulated day"), help_text=_("The simulated day of the move."))
    amount_minor = models.BigIntegerField(_("amount (minor units)"), null=True, blank=True,
                                          help_text=_("The money the move is about, if any."))
    note = models.CharField(_("note"), max_length=500, blank=True, help_text=_("Why, in a sentence."))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", help_text=_("The student who acted; empty for the simulation."))

    class Meta:
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")
        ordering = ["dispute", "day", "pk"]

    def __str__(self):
        return f"{self.day} {self.kind}"


__all__ = ["Dispute", "DisputeEvent"]
