"""Organisations (universities and enterprises), their members and roles, and each
organisation's public page, which roots its part of the Wagtail page tree.

Status changes follow the transition tables in `transitions.py` and are recorded as
`OrganisationStatusChange` / `MembershipStatusChange` rows (django-oscar's order-status pipeline
is the model for this)."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from academy.home.blocks import SectionStreamBlock
from academy.home.forms import AcademyPageForm
from academy.home.models import StandardPage


class Organisation(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        ENTERPRISE = "enterprise", _("Enterprise")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name in English"), max_length=160, unique=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("The organisation's address on the site, in lowercase letters, digits and hyphens."))
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="organisation_applications",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    group = models.OneToOneField(
        "auth.Group", verbose_name=_("editors group"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="organisation",
        help_text=_("The Wagtail group of the organisation's staff, created on approval."),
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", verbose_name=_("collection"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="organisation",
        help_text=_("The organisation's own image and document collection, created on approval."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]
        permissions = [("review_organisation", _("Can approve or reject organisations and memberships"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        page = self.page
        return page.url if page is not None else ""

    @property
    def page(self):
        """The organisation's page in the reader's language, else its source page. Prefetch
        `pages__locale` when listing organisations."""
        pages = list(self.pages.all())
        language = translation.get_language() or ""
        for page in pages:
            if page.locale.language_code == language:
                return page
        return next((page for page in pages if page.alias_of_id is None), pages[0] if pages else None)

    @property
    def name(self):
        """The name in the reader's language, falling back to English."""
        if translation.get_language() and translation.get_language().startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en

    @property
    def description(self):
        if translation.get_language() and translation.get_language().startswith("zh") and self.description_zh:
            return self.description_zh
        return self.description_en


class Membership(models.Model):
    class Role(models.TextChoices):
        ORG_ADMIN = "org_admin", _("Organisation admin")
        AUTHOR = "author", _("Author / instructor")
        MENTOR = "mentor", _("Mentor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        REMOVED = "removed", _("Removed")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(_("message"), blank=True, help_text=_("Why the person asks to join, for whoever approves it."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name_en", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_one_per_person_and_organisation"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class StatusChangeBase(models.Model):
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "pk"]


class OrganisationStatusChange(StatusChangeBase):
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("organisation status change")
        verbose_name_plural = _("organisation status changes")


class MembershipStatusChange(StatusChangeBase):
    membership = models.ForeignKey(Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("membership status change")
        verbose_name_plural = _("membership status changes")


class PartnerIndexPage(Page):
    """Lists every approved organisation; each organisation's page sits below it."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["organisations.OrganisationPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("partner index page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import organisations_public

        context = super().get_context(request, *args, **kwargs)
        organisations = organisations_public()
        context["universities"] = [o for o in organisations if o.kind == Organisation.Kind.UNIVERSITY]
        context["enterprises"] = [o for o in organisations if o.kind == Organisation.Kind.ENTERPRISE]
        return context


class OrganisationPage(Page):
    """An organisation's public page and the root of its part of the page tree: the
    organisation's editors group has page permissions on this subtree only."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="pages")
    body = StreamField(SectionStreamBlock(), verbose_name=_("body"), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    base_form_class = AcademyPageForm
    parent_page_types = ["organisations.PartnerIndexPage"]
    subpage_types = ["home.StandardPage", "courses.CoursePage", "courses.ProgramPage"]

    class Meta:
        verbose_name = _("organisation page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import organisation_public_members

        context = super().get_context(request, *args, **kwargs)
        context["organisation"] = self.organisation
        context["members"] = organisation_public_members(organisation=self.organisation)
        # Courses and programs have their own section (courses' partner_tags); general pages here.
        context["subpages"] = list(self.get_children().live().public().type(StandardPage).order_by("path"))
        return context
