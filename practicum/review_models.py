"""How a store is judged (issue "Practicum II", points 5 and 6): its reputation events, its KPI
snapshot at the end of every played day, the mentor's rubric review and sign-off, the practicum
grade pinned to the snapshot it was computed from, and the pass each member of a passing team
receives.

- `ReputationRecord`: one event of `practicum.reputation` (on-time or late delivery, loss,
  dispute outcome, review, cancellation) with its idempotency key; the store's rating on a day
  is rebuilt from these rows alone (`reputation.reputation_score`).
- `KpiSnapshotRecord`: the store's `practicum.kpis.KpiInputs` and KPI values at the end of a
  played day, with the sha256 of the canonical snapshot (`KpiSnapshot.digest`).
- `PracticumGrade`: a mentor's signed-off grade: the rubric levels chosen, the comment, the
  snapshot it was computed from and the `GradeRecord` that recomputes to it. A re-grade
  supersedes the earlier one; one grade per store is current.
- `PracticumPass`: a member of a team whose current grade passes, once per person and run;
  announced with `practicum.signals.practicum_passed` for certificates.

Days are simulated days; money in the snapshot inputs is ints of fen.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reputation import ReputationEventKind


class ReputationRecord(models.Model):
    """One reputation event of a store (append-only)."""

    Kind = models.TextChoices("Kind", [(kind.name, (kind.value, label)) for kind, label in (
        (ReputationEventKind.DELIVERED_ON_TIME, _("Delivered on time")),
        (ReputationEventKind.DELIVERED_LATE, _("Delivered late")),
        (ReputationEventKind.LOST, _("Lost in transit")),
        (ReputationEventKind.DISPUTE_WON, _("Dispute decided for the store")),
        (ReputationEventKind.DISPUTE_LOST, _("Dispute decided for the buyer")),
        (ReputationEventKind.DISPUTE_REFUNDED, _("Dispute settled with a refund")),
        (ReputationEventKind.REVIEW, _("Buyer's review")),
        (ReputationEventKind.CANCELLED_BY_STORE, _("Cancelled by the store")),
    )])

    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="reputation_records", help_text=_("The store the event counts for."))
    order = models.ForeignKey("practicum.Order", verbose_name=_("order"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="reputation_records", help_text=_("The order the event is about."))
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices, help_text=_("What happened."))
    day = models.DateField(_("simulated day"), help_text=_("The simulated day it happened."))
    key = models.CharField(_("key"), max_length=120, help_text=_("The event's idempotency key, such as the order number and the event."))
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True, help_text=_("A review's stars, 1 to 5."))
    days_late = models.PositiveSmallIntegerField(_("days late"), null=True, blank=True,
                                                 help_text=_("How many days after the promised day a late parcel arrived."))

    class Meta:
        verbose_name = _("reputation event")
        verbose_name_plural = _("reputation events")
        ordering = ["store", "day", "pk"]
        constraints = [models.UniqueConstraint(fields=["store", "key"], name="practicum_reputation_event_once")]
        indexes = [models.Index(fields=["store", "day"])]

    def __str__(self):
        return f"{self.day} {self.kind}"


class KpiSnapshotRecord(models.Model):
    """A store's KPIs at the end of a played day, hashed."""

    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="kpi_snapshots", help_text=_("The store measured."))
    day_number = models.PositiveIntegerField(_("day"), help_text=_("The played day's number in the run."))
    day = models.DateField(_("simulated date"), help_text=_("The simulated date of the day."))
    inputs = models.JSONField(_("figures"), help_text=_("The store's figures up to the day (KpiInputs), money in fen."))
    snapshot = models.JSONField(_("snapshot"), help_text=_("The canonical KPI snapshot the digest is taken over."))
    digest = models.CharField(_("digest"), max_length=64, help_text=_("sha256 of the canonical snapshot."))

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["store", "day_number"]
        constraints = [models.UniqueConstraint(fields=["store", "day_number"], name="practicum_kpi_snapshot_once_a_day")]

    def __str__(self):
        return f"{self.store} · {self.day}"


class PracticumGrade(models.Model):
    """A mentor's signed-off practicum grade of a team's store."""

    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="grades", help_text=_("The store graded."))
    snapshot = models.ForeignKey(KpiSnapshotRecord, verbose_name=_("KPI snapshot"), on_delete=models.PROTECT,
                                 related_name="grades", help_text=_("The snapshot the KPI score was computed from."))
    snapshot_digest = models.CharField(_("snapshot digest"), max_length=64,
                                       help_text=_("The digest of that snapshot when the grade was computed."))
    rubric_choices = models.JSONField(_("rubric levels"), default=dict, blank=True,
                                      help_text=_("The level chosen for each criterion of the project's rubric."))
    rubric_earned = models.DecimalField(_("rubric points"), max_digits=8, decimal_places=2, null=True, blank=True,
                                        help_text=_("The points the rubric levels chosen earn."))
    rubric_possible = models.DecimalField(_("rubric points possible"), max_digits=8, decimal_places=2, null=True, blank=True,
                                          help_text=_("The most the rubric can earn."))
    record = models.JSONField(_("grade record"), help_text=_("Everything the grade was computed from (GradeRecord), to recompute it."))
    kpi_score = models.DecimalField(_("KPI score"), max_digits=5, decimal_places=2, help_text=_("0 to 100."))
    rubric_score_pct = models.DecimalField(_("rubric score"), max_digits=5, decimal_places=2, null=True, blank=True,
                                           help_text=_("0 to 100; empty for a project without a rubric."))
    grade = models.DecimalField(_("grade"), max_digits=5, decimal_places=2, help_text=_("The practicum grade, 0 to 100."))
    pass_grade_pct = models.PositiveSmallIntegerField(_("pass mark"), help_text=_("The project's pass mark when graded."))
    passed = models.BooleanField(_("passed"), help_text=_("Whether the grade reaches the pass mark."))
    comment = models.TextField(_("comment"), max_length=4000, blank=True, help_text=_("The mentor's comment to the team."))
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      on_delete=models.SET_NULL, related_name="+", help_text=_("The mentor who signed the grade off."))
    signed_off_at = models.DateTimeField(_("signed off at"), help_text=_("When the mentor signed it off."))
    superseded = models.BooleanField(_("superseded"), default=False, help_text=_("Whether a later grade replaced this one."))

    class Meta:
        verbose_name = _("practicum grade")
        verbose_name_plural = _("practicum grades")
        ordering = ["store", "-signed_off_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["store"], condition=models.Q(superseded=False),
                                               name="practicum_grade_one_current")]

    def __str__(self):
        return f"{self.store} {self.grade}"


class PracticumPass(models.Model):
    """A student passed a practicum run: a member of a team whose current grade passes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE,
                             related_name="practicum_passes", help_text=_("The student who passed."))
    run = models.ForeignKey("practicum.PracticumRun", verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="passes", help_text=_("The run passed."))
    grade = models.ForeignKey(PracticumGrade, verbose_name=_("grade"), on_delete=models.PROTECT, related_name="passes",
                              help_text=_("The grade that passed."))
    passed_at = models.DateTimeField(_("passed at"), help_text=_("When the passing grade was signed off."))

    class Meta:
        verbose_name = _("practicum pass")
        verbose_name_plural = _("practicum passes")
        ordering = ["-passed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "run"], name="practicum_pass_once_per_run")]

    def __str__(self):
        return f"{self.user} · {self.run}"


__all__ = ["KpiSnapshotRecord", "PracticumGrade", "PracticumPass", "ReputationRecord"]
