"""The learning tree as Wagtail pages: a site-wide catalog and program index under the home
page; programs and courses under the page of the organisation that leads them; modules under a
course; lessons under a module. Pages stay presentational: what they list comes from selectors."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from academy.page_cache import page_cache_allow
from courses.blocks import LessonStreamBlock, lesson_activity_keys
from courses.forms_admin import CoursePageForm, LearningPageForm
from courses.search import segmented


class CatalogPage(Page):
    """The site-wide course catalog: search, facets, sorting and pages of results."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalog")

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            page_cache_allow(request)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import catalog_search

        context = super().get_context(request, *args, **kwargs)
        context["catalog"] = catalog_search(params=request.GET, locale=self.locale)
        return context


class ProgramIndexPage(Page):
    """Every program of the site in the reader's language."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("program index")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import programs_listed

        context = super().get_context(request, *args, **kwargs)
        context["programs"] = programs_listed(locale=self.locale)
        return context


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class _UnderUniversityPage:
    """Programs and courses are led by a university: they may only be created under a
    university's organisation page."""

    @classmethod
    def can_create_at(cls, parent):
        if not super().can_create_at(parent):
            return False
        organisation = getattr(parent.specific, "organisation", None)
        return organisation is not None and organisation.kind == "university"

    @cached_property
    def owner_organisation(self):
        """The organisation whose page this page sits under: the lead university."""
        from academy.organisations.models import OrganisationPage

        ancestor = OrganisationPage.objects.ancestor_of(self).select_related("organisation").first()
        return ancestor.organisation if ancestor else None


class ProgramPage(_UnderUniversityPage, Page):
    """A talent track made of several courses, with requirement rules."""

    summary = models.TextField(_("summary"), max_length=400, help_text=_("One or two sentences shown in listings."))
    about = RichTextField(_("about"), blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    competencies = ParentalManyToManyField("courses.Competency", verbose_name=_("competencies"), blank=True, related_name="programs")

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("about"),
        FieldPanel("image"),
        InlinePanel("requirements", label=_("Requirements"), min_num=1),
        FieldPanel("competencies", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("search_text_segmented"),
    ]
    base_form_class = LearningPageForm
    parent_page_types = ["organisations.OrganisationPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("program")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import program_detail

        context = super().get_context(request, *args, **kwargs)
        context.update(program_detail(program=self, user=request.user))
        return context

    def search_text_segmented(self):
        return segmented(f"{self.title} {self.summary}")


class ProgramRequirement(ClusterableModel, Orderable):
    """A rule of a program: all of these courses, or at least n of them."""

    class Rule(models.TextChoices):
        ALL = "all", _("All of")
        AT_LEAST = "at_least", _("At least n of")

    program = ParentalKey(ProgramPage, verbose_name=_("program"), on_delete=models.CASCADE, related_name="requirements")
    title = models.CharField(_("title"), max_length=120, help_text=_("For example “Core courses” or “Electives”."))
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, default=Rule.ALL)
    minimum = models.PositiveSmallIntegerField(_("n"), null=True, blank=True, help_text=_("With “at least n of”: how many of the courses are needed."))
    courses = ParentalManyToManyField("courses.CoursePage", verbose_name=_("courses"), related_name="program_requirements")

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("rule"), FieldPanel("minimum")]),
        FieldPanel("courses", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.rule == self.Rule.AT_LEAST and not self.minimum:
            raise ValidationError({"minimum": _("Say how many courses “at least n of” needs.")})
        if self.rule == self.Rule.ALL:
            self.minimum = None


class CoursePage(_UnderUniversityPage, Page):
    """A course: its public page (about, partners, runs open for enrolment) and the root of its
    modules and lessons."""

    summary = models.TextField(_("summary"), max_length=400, help_text=_("One or two sentences shown in the catalog."))
    about = RichTextField(_("about"), blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.INTRODUCTORY)
    effort_hours = models.PositiveSmallIntegerField(_("effort in hours"), default=10, help_text=_("About how many hours a learner spends on the whole course."))
    markets = CountryField(_("destination markets"), multiple=True, blank=True, help_text=_("The markets the course teaches about."))
    competencies = ParentalManyToManyField("courses.Competency", verbose_name=_("competencies"), blank=True, related_name="courses")

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("about"),
        FieldPanel("image"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("effort_hours")]),
        FieldPanel("markets"),
        FieldPanel("competencies", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([InlinePanel("partners", label=_("Partner"))], heading=_("Co-running organisations")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("about"),
        index.SearchField("search_text_segmented"),
        index.FilterField("level"),
    ]
    base_form_class = CoursePageForm
    parent_page_types = ["organisations.OrganisationPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import course_detail

        context = super().get_context(request, *args, **kwargs)
        context.update(course_detail(course=self, user=request.user))
        return context

    def search_text_segmented(self):
        """Chinese has no spaces between words, so the search index gets the title and summary
        cut into words (jieba) as well as the raw text."""
        return segmented(f"{self.title} {self.summary}")


class CourseOrganisation(Orderable):
    """An organisation that co-runs a course, with its role. The role decides what its staff may
    do in the course's part of the admin (courses.services.course_permissions_sync), whose logo
    shows on the course page, and who signs the course's certificates."""

    class Role(models.TextChoices):
        LEAD_UNIVERSITY = "lead_university", _("Lead university")
        CO_AUTHOR = "co_author", _("Co-author")
        PRACTICUM_PARTNER = "practicum_partner", _("Practicum partner")
        CERTIFIER = "certifier", _("Certifier")

    course = ParentalKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="course_links",
        limit_choices_to={"status": "approved"},
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    panels = [FieldRowPanel([FieldPanel("organisation"), FieldPanel("role")])]

    class Meta(Orderable.Meta):
        verbose_name = _("co-running organisation")
        verbose_name_plural = _("co-running organisations")
        constraints = [
            models.UniqueConstraint(fields=["course", "organisation"], name="course_partner_once"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class ModulePage(Page):
    """A module of a course: a group of lessons."""

    summary = models.TextField(_("summary"), blank=True, max_length=400)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    base_form_class = LearningPageForm
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        # A module has no page of its own for learners: its course lists it.
        return redirect(self.get_parent().url)


class LessonPage(Page):
    """A lesson: StreamField content, competencies, and whether it counts towards completion.

    Learners read a lesson inside a course run (courses.views.lesson), which shows the revision
    published to that run; the lesson's own URL shows authors and previewers the current
    version, and everyone else an invitation to enrol."""

    summary = models.TextField(_("summary"), blank=True, max_length=400)
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=15)
    required = models.BooleanField(_("required"), default=True, help_text=_("Whether the lesson counts towards completing the course."))
    competencies = ParentalManyToManyField("courses.Competency", verbose_name=_("competencies"), blank=True, related_name="lessons")
    body = StreamField(LessonStreamBlock(), verbose_name=_("body"), use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("duration_minutes"), FieldPanel("required")]),
        FieldPanel("competencies", widget=forms.CheckboxSelectMultiple),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    base_form_class = LearningPageForm
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")

    def activity_keys(self):
        return lesson_activity_keys(self.body)

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        from courses.selectors import lesson_url_in_run

        if not getattr(request, "is_preview", False) and not self.permissions_for_user(request.user).can_edit():
            url = lesson_url_in_run(user=request.user, lesson=self)
            if url:
                return redirect(url)
            request.lesson_locked = True
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["locked"] = getattr(request, "lesson_locked", False)
        context["course"] = self.get_parent().get_parent().specific
        return context
