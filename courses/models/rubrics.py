"""Rubrics: an organisation's criteria with levels and points, each criterion linked to the
competency it gives evidence for. Assignments and the practicum's store reviews score work
against them later; the scoring rules are `courses.rubrics`, the writes
`courses.rubric_services`.

A rubric, its criteria and their levels are one cluster (django-modelcluster), authored in one
admin form with nested inline panels, which Wagtail supports for clusterable children since 2.8
(https://github.com/wagtail/wagtail/pull/5566)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class Rubric(ClusterableModel):
    """A named rubric of an organisation, such as “Store launch review”."""

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="rubrics",
        help_text=_("The organisation whose staff write and use this rubric."),
    )
    title = models.CharField(_("title"), max_length=160, help_text=_("A name reviewers recognise, such as “Store launch review”."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the rubric is for and how reviewers should use it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("organisation"),
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("criteria", heading=_("Criteria"), label=_("criterion")),
    ]

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["organisation__name_en", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="rubric_title_unique_per_organisation"),
        ]

    def __str__(self):
        return self.title

    @property
    def criteria_count(self):
        """The number of criteria (prefetch `criteria` when listing)."""
        return len(self.criteria.all())

    @property
    def max_points(self):
        """The most a piece of work can earn (prefetch `criteria__levels` when listing)."""
        from courses.rubric_services import rubric_spec_from
        from courses.rubrics import rubric_max_points

        return rubric_max_points(rubric_spec_from(self))


class RubricCriterion(ClusterableModel, Orderable):
    """One criterion of a rubric, such as “Product listing quality”."""

    rubric = ParentalKey(Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("title"), max_length=160, help_text=_("What is judged, such as “Product listing quality”."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What reviewers look at for this criterion."),
    )
    competency = models.ForeignKey(
        "courses.Competency", verbose_name=_("competency"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="rubric_criteria",
        help_text=_("The competency this criterion gives evidence for. Leave empty when it gives evidence for none."),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("competency"),
        InlinePanel("levels", heading=_("Levels"), label=_("level")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self):
        return self.title


class RubricLevel(Orderable):
    """One level of a criterion, such as “Excellent” for 4 points."""

    criterion = ParentalKey(RubricCriterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="levels")
    title = models.CharField(_("title"), max_length=80, help_text=_("A short name for the level, such as “Excellent”."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the work looks like at this level."),
    )
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)],
        help_text=_("The points work at this level earns, such as 4 or 2.5. Two levels may earn the same points."),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("points"),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")

    def __str__(self):
        return f"{self.title} ({self.points})"
