"""A run's grading policy, the learners' persistent grades, gradebook overrides with their audit
trail, and the record of passing a run.

The policy has the shape of Open edX's ``GRADER`` and ``GRADE_CUTOFFS`` (see `courses.grading`,
which does the arithmetic): assignment types with weight, minimum count and drops, and letter
cutoffs, the lowest being the pass mark. Every graded quiz or assignment block of the run's
lessons names its type. `GradeEntry` holds each learner's raw score per graded item (a quiz's
best attempt, an assignment's newest reviewed submission); `CourseGradeRecord` the course grade
computed from them, recomputed by `courses.grade_services` whenever a score, an override, the
policy or the run's content changes. Overrides are append-only: each change is a new row, the
newest per item is in force, so the rows are the audit trail."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class GradingType(models.Model):
    """One assignment type of a run's policy (an entry of Open edX's ``GRADER``)."""

    run = models.ForeignKey("courses.CourseRun", verbose_name=_("run"), on_delete=models.CASCADE, related_name="grading_types")
    type = models.CharField(_("type"), max_length=60, help_text=_("As the quiz and assignment blocks name it, such as “Quiz” or “Assignment”."))
    short_label = models.CharField(_("short label"), max_length=10, blank=True, help_text=_("Shown in the gradebook, such as “Q”."))
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The type's share of the course grade, in per cent; the weights add up to 100."),
    )
    min_count = models.PositiveSmallIntegerField(_("expected count"), default=0, help_text=_("Items missing below this count as zero."))
    drop_count = models.PositiveSmallIntegerField(_("lowest dropped"), default=0, help_text=_("How many of the lowest scores do not count."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("grading type")
        verbose_name_plural = _("grading types")
        ordering = ["run", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "type"], name="grading_type_once_per_run")]

    def __str__(self):
        return f"{self.type} ({self.weight} %)"


class GradeCutoff(models.Model):
    """A letter grade of a run and the lowest course grade (per cent) that reaches it."""

    run = models.ForeignKey("courses.CourseRun", verbose_name=_("run"), on_delete=models.CASCADE, related_name="grade_cutoffs")
    letter = models.CharField(_("letter"), max_length=20)
    minimum = models.DecimalField(
        _("from (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("grade cutoff")
        verbose_name_plural = _("grade cutoffs")
        ordering = ["run", "-minimum"]
        constraints = [models.UniqueConstraint(fields=["run", "letter"], name="grade_cutoff_letter_once_per_run")]

    def __str__(self):
        return f"{self.letter} ≥ {self.minimum} %"


class GradeEntry(models.Model):
    """A learner's raw score on one graded item of the run (before any override)."""

    enrolment = models.ForeignKey("courses.Enrolment", verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="grade_entries")
    item_key = models.CharField(_("item"), max_length=80, help_text=_("quiz:<block id> or assignment:<block id>."))
    earned = models.DecimalField(_("earned"), max_digits=8, decimal_places=2)
    possible = models.DecimalField(_("possible"), max_digits=8, decimal_places=2)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grade entry")
        verbose_name_plural = _("grade entries")
        constraints = [models.UniqueConstraint(fields=["enrolment", "item_key"], name="grade_entry_once_per_item")]

    def __str__(self):
        return f"{self.enrolment_id} · {self.item_key}: {self.earned}/{self.possible}"


class GradeOverride(models.Model):
    """A gradebook change of one learner's score on one item, with the reason. The newest row
    per (enrolment, item) is in force; a row without points clears the override."""

    enrolment = models.ForeignKey("courses.Enrolment", verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="grade_overrides")
    item_key = models.CharField(_("item"), max_length=80)
    earned = models.DecimalField(_("earned"), max_digits=8, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(_("possible"), max_digits=8, decimal_places=2, null=True, blank=True)
    previous_earned = models.DecimalField(_("earned before"), max_digits=8, decimal_places=2, null=True, blank=True)
    previous_possible = models.DecimalField(_("possible before"), max_digits=8, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")
        ordering = ["enrolment", "item_key", "-changed_at", "-pk"]
        indexes = [models.Index(fields=["enrolment", "item_key", "changed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(earned__isnull=True) & models.Q(possible__isnull=True))
                | (models.Q(earned__isnull=False) & models.Q(possible__isnull=False) & models.Q(earned__lte=models.F("possible"))),
                name="grade_override_points_valid",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id} · {self.item_key}: {self.earned}/{self.possible}"

    @property
    def clears(self):
        return self.earned is None


class CourseGradeRecord(models.Model):
    """A learner's course grade in a run as last computed, with its breakdown for the progress
    page and the gradebook."""

    enrolment = models.OneToOneField("courses.Enrolment", verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="grade")
    percent = models.DecimalField(_("grade"), max_digits=5, decimal_places=4, help_text=_("A fraction from 0 to 1."))
    letter = models.CharField(_("letter"), max_length=20, blank=True)
    passed = models.BooleanField(_("reaches the pass mark"), default=False)
    breakdown = models.JSONField(_("breakdown"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("course grade")
        verbose_name_plural = _("course grades")

    def __str__(self):
        return f"{self.enrolment_id}: {self.percent}"


class CoursePass(models.Model):
    """A learner passed a run: recorded once, with the grade and the date, when the grade reached
    the pass mark and every required lesson was done. Later changes of the grade do not undo it."""

    enrolment = models.OneToOneField("courses.Enrolment", verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="course_pass")
    percent = models.DecimalField(
        _("grade"), max_digits=5, decimal_places=4, null=True, blank=True, help_text=_("Empty when the run grades nothing."),
    )
    letter = models.CharField(_("letter"), max_length=20, blank=True)
    passed_at = models.DateTimeField(_("passed at"))

    class Meta:
        verbose_name = _("course pass")
        verbose_name_plural = _("course passes")
        ordering = ["-passed_at"]

    def __str__(self):
        return f"{self.enrolment}: {self.letter or self.percent}"


class ProgramCompletion(models.Model):
    """A learner completed a program: recorded once, when the courses they passed meet every
    requirement of the program (`courses.progress.program_progress`, counting a course passed in
    any language). Like a course pass, it is never withdrawn."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="program_completions",
        help_text=_("The learner who completed the program."),
    )
    program = models.ForeignKey(
        "courses.ProgramPage", verbose_name=_("program"), on_delete=models.CASCADE, related_name="completions",
        help_text=_("The program completed."),
    )
    completed_at = models.DateTimeField(_("completed at"), help_text=_("When the last course the program needed was passed."))

    class Meta:
        verbose_name = _("program completion")
        verbose_name_plural = _("program completions")
        ordering = ["-completed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="program_completion_once")]

    def __str__(self):
        return f"{self.user} · {self.program}"
