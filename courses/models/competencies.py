"""The competency framework (an editable tree) and the evidence a learner gathers for it."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Competency(models.Model):
    """A node of the cross-border e-commerce competency framework: an area (logistics) or a
    skill inside it (choosing a logistics channel)."""

    code = models.CharField(
        _("code"), max_length=40, unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9._-]*$", _("Use capital letters, digits, dots and hyphens, such as LOG.WH."))],
        help_text=_("A short stable code such as LOG.WH, used in exports and imports."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text=_("The area this competency belongs to. Leave empty for a top-level area."),
    )
    name_en = models.CharField(_("name in English"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=60, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def name(self):
        language = translation.get_language() or ""
        return self.name_zh if language.startswith("zh") and self.name_zh else self.name_en

    @property
    def description(self):
        language = translation.get_language() or ""
        return self.description_zh if language.startswith("zh") and self.description_zh else self.description_en


class CompetencyEvidence(models.Model):
    """One piece of evidence that a learner practised a competency: a lesson completed, quiz
    questions on it mostly answered right, an assignment criterion reviewed at half its points or
    more (`courses.grade_services`); practicum KPIs add their own kind later."""

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson completed")
        QUIZ = "quiz", _("Quiz questions answered")
        RUBRIC = "rubric", _("Assignment criterion reviewed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="competency_evidence")
    competency = models.ForeignKey(Competency, verbose_name=_("competency"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_key = models.CharField(
        _("source"), max_length=80,
        help_text=_("What gave the evidence, such as lesson:<translation key>; one piece per source and competency."),
    )
    label = models.CharField(_("label"), max_length=255)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("competency evidence")
        verbose_name_plural = _("competency evidence")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "competency", "source_key"], name="evidence_once_per_source"),
        ]

    def __str__(self):
        return f"{self.user} · {self.competency.code} · {self.label}"
