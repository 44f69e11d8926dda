"""The views of the certificates section of the Wagtail admin (issue "Certificates", point 2):
certificate templates, issuers and their keys, certificates with their history and proofs, the
actions on one certificate, the bulk actions of the listing, "Issue for a cohort" and a batch's
progress.

Every view is confined to the user's organisations with `academy.organisations.admin_scoping`
(platform administrators see everything): a template of their organisations, an issuer of
their organisations, a certificate their organisations issued or co-signed
(`selectors.certificates_for_staff`), a course run of a course they lead or certify, a batch
they started. Anything else is the 404 of something that does not exist. The model permissions
still decide what a person may do at all; the rules are in `certificates.services` and
`certificates.batch_services`."""

from __future__ import annotations

from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, TitleColumn
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from academy.organisations.admin_scoping import (
    OrganisationScopedViewMixin,
    ScopedCopyView,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedUsageView,
    organisations_staffed_by,
)
from academy.organisations.transitions import IllegalTransition

from . import links, services
from .admin_forms import CohortRunForm, ReasonForm, batch_reason_form
from .batch_services import certificate_batch_create, user_may_batch
from .models import Achievement, Certificate, CertificateBatch, CertificateTemplate, Issuer, SigningKey
from .selectors import (
    CohortState,
    certificate_batches_for_staff,
    certificates_for_staff,
    course_run_cohort,
    course_runs_certifiable_by,
)

A = CertificateBatch.Action
S = Certificate.Status


# --- Certificate templates (a snippet with drafts and revisions) ----------------------------------
#
# The snippet's views are Wagtail's, each narrowed to the user's organisations' templates: the
# Scoped* views of admin_scoping put first in the bases, the snippet views (drafts, revisions,
# publishing) after them. The few snippet views that look their object up on the whole model
# (comparing revisions, unpublishing, unscheduling) get ScopedObjectLookupMixin.


class ScopedObjectLookupMixin(OrganisationScopedViewMixin):
    """For views that look their object up by `self.pk` on the whole model."""

    def get_object(self, queryset=None):
        return get_object_or_404(self.scope_queryset(self.model._default_manager.all()), pk=unquote(str(self.pk)))


class TemplateOrganisationRequiredMixin:
    """The organisation field offers only the user's organisations and must be filled in: a
    template without one is the platform's default, which only platform administrators make."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        field = form.fields.get("organisation")
        if field is not None and self.scoped_organisations is not None:
            field.required = True
            field.empty_label = None
        return form


class TemplateIndexView(ScopedIndexView, snippet_views.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organisation", "latest_revision")


class TemplateCreateView(TemplateOrganisationRequiredMixin, ScopedCreateView, snippet_views.CreateView):
    pass


class TemplateEditView(TemplateOrganisationRequiredMixin, ScopedEditView, snippet_views.EditView):
    pass


class TemplateCopyView(TemplateOrganisationRequiredMixin, ScopedCopyView, snippet_views.CopyView):
    pass


class TemplateDeleteView(ScopedDeleteView, snippet_views.DeleteView):
    pass


class TemplateInspectView(ScopedInspectView, snippet_views.InspectView):
    pass


class TemplateHistoryView(ScopedHistoryView, snippet_views.HistoryView):
    pass


class TemplateUsageView(ScopedUsageView, snippet_views.UsageView):
    pass


class TemplateRevisionsCompareView(ScopedObjectLookupMixin, snippet_views.RevisionsCompareView):
    pass


class TemplateUnpublishView(ScopedObjectLookupMixin, snippet_views.UnpublishView):
    pass


class TemplateRevisionsUnscheduleView(ScopedObjectLookupMixin, snippet_views.RevisionsUnscheduleView):
    pass


def templates_for_user(user, queryset=None):
    """`queryset` (every template by default) narrowed to the user's organisations' templates."""
    queryset = CertificateTemplate.objects.all() if queryset is None else queryset
    organisations = organisations_staffed_by(user=user)
    return queryset if organisations is None else queryset.filter(organisation__in=organisations.values("pk"))


class _TemplateChooserScopeMixin:
    def get_object_list(self):
        return templates_for_user(self.request.user, super().get_object_list())


class TemplateChooseView(_TemplateChooserScopeMixin, snippet_chooser.ChooseView):
    pass


class TemplateChooseResultsView(_TemplateChooserScopeMixin, snippet_chooser.ChooseResultsView):
    pass


class TemplateChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return templates_for_user(self.request.user).get(pk=pk)


class TemplateChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return templates_for_user(self.request.user).filter(pk__in=pks)


class TemplateChooserCreateView(snippet_chooser.SnippetCreateView):
    """Templates are made in their own editor, where the organisation is checked; the chooser
    has no creation form (Wagtail's view would fail without one)."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class TemplateChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    """The snippet chooser of certificate templates, listing only the user's organisations'."""

    choose_view_class = TemplateChooseView
    choose_results_view_class = TemplateChooseResultsView
    chosen_view_class = TemplateChosenView
    chosen_multiple_view_class = TemplateChosenMultipleView
    create_view_class = TemplateChooserCreateView


# --- Issuers --------------------------------------------------------------------------------------


def organisations_administered_by(user) -> set | None:
    """The pks of the organisations `user` administers, or None for a platform administrator.
    Only they change who signs an organisation's certificates, as on the organisation's own
    profile (`services.issuer_signatory_update`)."""
    from academy.organisations.models import Membership
    from academy.organisations.selectors import user_is_platform_admin

    if user_is_platform_admin(user=user):
        return None
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.ORG_ADMIN, status=Membership.Status.ACTIVE)
        .values_list("organisation_id", flat=True)
    )


class IssuerSignatoryEditorsMixin:
    """Edit links only where the user administers the issuer's organisation."""

    @cached_property
    def administered(self):
        return organisations_administered_by(self.request.user)

    def may_edit(self, issuer) -> bool:
        return self.administered is None or issuer.organisation_id in self.administered


class IssuerIndexView(IssuerSignatoryEditorsMixin, ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organisation", "signature").prefetch_related("signing_keys")

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self.may_edit(instance) else None


class IssuerEditView(IssuerSignatoryEditorsMixin, ScopedEditView):
    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()  # among the user's issuers: another organisation's is a 404
        if not self.may_edit(self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IssuerInspectView(IssuerSignatoryEditorsMixin, ScopedInspectView):
    template_name = "certificates/admin/issuer_inspect.html"

    def get_edit_url(self):
        return super().get_edit_url() if self.may_edit(self.object) else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issuer = self.object
        context.update({
            "issuer": issuer,
            "keys": list(issuer.signing_keys.order_by("created_at", "pk")),
            "profile_url": _issuer_profile_url(issuer),
            "can_rotate": self.request.user.is_superuser,
            "rotate_url": reverse(self.rotate_url_name, args=[quote(issuer.pk)]),
            "can_edit": self.get_edit_url() is not None,
            "edit_url": self.get_edit_url(),
        })
        return context

    rotate_url_name = None


def _issuer_profile_url(issuer):
    from .credentials import issuer_profile_url

    return issuer_profile_url(issuer.slug)


class IssuerRotateKeyView(ScopedObjectLookupMixin, WagtailAdminTemplateMixin, TemplateView):
    """Retire the issuer's signing key and make a new one; superusers only, after a confirmation
    page that says what happens to what the old key signed."""

    model = Issuer
    template_name = "certificates/admin/issuer_rotate_key.html"
    page_title = gettext_lazy("Rotate the signing key")
    header_icon = "key"
    inspect_url_name = None
    index_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.pk = self.kwargs["pk"]
        self.object = self.get_object()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": Issuer._meta.verbose_name_plural.capitalize()},
            {"url": reverse(self.inspect_url_name, args=[quote(self.object.pk)]), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "issuer": self.object,
            "active_key": self.object.signing_keys.filter(status=SigningKey.Status.ACTIVE).first(),
            "cancel_url": reverse(self.inspect_url_name, args=[quote(self.object.pk)]),
        })
        return context

    def post(self, request, *args, **kwargs):
        key = services.signing_key_rotate(issuer=self.object)
        messages.success(request, _("%(issuer)s now signs with %(key)s; the retired key stays published.") % {
            "issuer": self.object, "key": key.key_id})
        return redirect(self.inspect_url_name, quote(self.object.pk))


# --- Certificates ---------------------------------------------------------------------------------


class CertificateScopeMixin(OrganisationScopedViewMixin):
    """Narrows to the certificates the user's organisations issued or co-signed."""

    def scope_queryset(self, queryset):
        if self.scoped_organisations is None:
            return queryset
        return queryset.filter(pk__in=certificates_for_staff(user=self.request.user).values("pk"))


# Generic views the viewset needs (Wagtail's URL finder expects them) but the permission policy
# refuses to everyone; scoped all the same, as admin_scoping requires of every view class.


class CertificateCreateView(CertificateScopeMixin, ScopedCreateView):
    pass


class CertificateEditView(CertificateScopeMixin, ScopedEditView):
    pass


class CertificateCopyView(CertificateScopeMixin, ScopedCopyView):
    pass


class CertificateDeleteView(CertificateScopeMixin, ScopedDeleteView):
    pass


class CertificateHistoryView(CertificateScopeMixin, ScopedHistoryView):
    pass


class CertificateUsageView(CertificateScopeMixin, ScopedUsageView):
    pass


def _certificate_issuer_choices(request):
    """The issuers on the certificates the user sees: their own, and the partners who issued or
    co-signed with them (whose names the rows show anyway)."""
    if request is None:
        return Issuer.objects.none()
    issuers = Issuer.objects.select_related("organisation").order_by("organisation__name_en")
    if organisations_staffed_by(user=request.user) is None:
        return issuers
    visible = certificates_for_staff(user=request.user)
    return issuers.filter(
        Q(pk__in=visible.values("issuer_id")) | Q(pk__in=visible.filter(co_issuer__isnull=False).values("co_issuer_id"))
    )


class CertificateFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=Certificate.Status.choices)
    kind = ChoiceFilter(label=gettext_lazy("Kind"), field_name="achievement__kind", choices=Achievement.Kind.choices)
    issuer = ModelChoiceFilter(
        label=gettext_lazy("Issuer or co-issuer"), queryset=_certificate_issuer_choices, method="filter_issuer",
    )
    superseded = ChoiceFilter(
        label=gettext_lazy("Version"), method="filter_superseded",
        choices=[("current", gettext_lazy("Current")), ("superseded", gettext_lazy("Superseded"))],
    )

    class Meta:
        model = Certificate
        fields = ["status", "kind", "issuer", "superseded"]

    def filter_issuer(self, queryset, name, value):
        return queryset.filter(Q(issuer=value) | Q(co_issuer=value))

    def filter_superseded(self, queryset, name, value):
        return queryset.filter(superseded=(value == "superseded"))


def _holder_label(certificate):
    names = [certificate.name_latin or certificate.holder.get_full_name() or certificate.holder.email]
    if certificate.name_native and certificate.name_native != names[0]:
        names.append(certificate.name_native)
    return " · ".join(names)


def _status_label(certificate):
    label = certificate.get_status_display()
    if certificate.superseded:
        label = _("%(status)s, superseded") % {"status": label}
    return label


class CertificateIndexView(CertificateScopeMixin, ScopedIndexView):
    template_name = "certificates/admin/certificate_index.html"
    filterset_class = CertificateFilterSet
    default_ordering = "-issued_on"
    page_title = gettext_lazy("Certificates")

    def get_base_queryset(self):
        return (
            super().get_base_queryset()
            .select_related("holder", "achievement", "issuer__organisation", "co_issuer__organisation")
            .defer("credential", "evidence")
        )

    def order_queryset(self, queryset):
        return super().order_queryset(queryset).order_by(*([self.ordering] if self.ordering else []), "-pk")

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="certificate"),
            title_column_class(
                "holder", label=_("Holder"), accessor=_holder_label, sort_key="name_latin",
                get_url=lambda certificate: self.get_inspect_url(certificate),
                get_title_id=lambda certificate: f"certificate_{quote(certificate.pk)}_title",
            ),
            Column("achievement", label=_("Achievement"), accessor="achievement.name_en", sort_key="achievement__name_en"),
            Column("kind", label=_("Kind"), accessor="achievement.get_kind_display"),
            Column("issuer", label=_("Issuer"), accessor="issuer.name"),
            Column("co_issuer", label=_("Co-issuer"), accessor=lambda c: c.co_issuer.name if c.co_issuer_id else "—"),
            Column("status", label=_("Status"), accessor=_status_label, sort_key="status"),
            Column("version", label=_("Version"), accessor="version"),
            Column("issued_on", label=_("Issued on"), accessor=lambda c: date_format(c.issued_on), sort_key="issued_on"),
        ]


class CertificateInspectView(CertificateScopeMixin, ScopedInspectView):
    template_name = "certificates/admin/certificate_inspect.html"
    action_url_names: dict = {}
    pdf_url_name = None

    def get_object(self, queryset=None):
        queryset = Certificate.objects.select_related(
            "holder", "achievement", "issuer__organisation", "co_issuer__organisation", "supersedes", "template_revision",
        )
        return get_object_or_404(self.scope_queryset(queryset), pk=unquote(str(self.pk)))

    def get_page_subtitle(self):
        return _holder_label(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        user = self.request.user
        newer = Certificate.objects.filter(supersedes=certificate).only("pk", "version", "code").first()
        visible = self.scope_queryset(Certificate.objects.filter(pk__in=[p for p in (certificate.supersedes_id, newer and newer.pk) if p]))
        visible_ids = set(visible.values_list("pk", flat=True))
        context.update({
            "certificate": certificate,
            "status_changes": _status_changes(certificate),
            "proofs": certificate_proofs(certificate),
            "verification_url": links.verification_url(certificate.code),
            "credential_url": links.credential_url(certificate.code),
            "pdf_url": reverse(self.pdf_url_name, args=[quote(certificate.pk)]),
            "older": certificate.supersedes if certificate.supersedes_id in visible_ids else None,
            "newer": newer if newer and newer.pk in visible_ids else None,
            "actions": certificate_actions(certificate, user=user, url_names=self.action_url_names),
        })
        return context


def _status_changes(certificate) -> list:
    labels = dict(Certificate.Status.choices)
    changes = list(certificate.status_changes.select_related("changed_by").order_by("changed_at", "pk"))
    for change in changes:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


def certificate_proofs(certificate) -> list[dict]:
    """The credential's proofs with who signed each and with which of their keys (one query)."""
    from .credentials import verification_method_id

    proofs = (certificate.credential or {}).get("proof") or []
    if isinstance(proofs, dict):
        proofs = [proofs]
    signers = [issuer for issuer in (certificate.issuer, certificate.co_issuer) if issuer is not None]
    keys = {
        verification_method_id(key.issuer.slug, key.key_id): key
        for key in SigningKey.objects.filter(issuer__in=signers).select_related("issuer__organisation")
    }
    rows = []
    for proof in proofs:
        method = proof.get("verificationMethod", "")
        key = keys.get(method)
        rows.append({
            "signer": key.issuer if key else None, "key": key, "method": method,
            "created": proof.get("created", ""), "cryptosuite": proof.get("cryptosuite", ""),
        })
    return rows


def certificate_actions(certificate, *, user, url_names) -> list[dict]:
    """The actions the certificate's status allows and the user may take, for its page."""
    actions = []
    if certificate.superseded:
        return actions
    if certificate.status != S.REVOKED and user_may_batch(user=user, action=A.REISSUE):
        actions.append({"label": _("Re-issue"), "url_name": "reissue", "classname": "button-secondary"})
    if certificate.status == S.ISSUED and user_may_batch(user=user, action=A.SUSPEND):
        actions.append({"label": _("Suspend"), "url_name": "suspend", "classname": "button-secondary"})
    if certificate.status == S.SUSPENDED and user_may_batch(user=user, action=A.UNSUSPEND):
        actions.append({"label": _("Lift suspension"), "url_name": "unsuspend", "classname": "button-secondary"})
    if certificate.status != S.REVOKED and user_may_batch(user=user, action=A.REVOKE):
        actions.append({"label": _("Revoke"), "url_name": "revoke", "classname": "serious"})
    for action in actions:
        action["url"] = reverse(url_names[action.pop("url_name")], args=[quote(certificate.pk)])
    return actions


class CertificateObjectMixin(CertificateScopeMixin):
    """A view of one certificate among the user's (404 otherwise) that needs `action`'s permissions."""

    model = Certificate
    action = None
    inspect_url_name = None
    index_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        queryset = Certificate.objects.select_related("holder", "achievement", "issuer__organisation", "co_issuer__organisation")
        self.object = get_object_or_404(self.scope_queryset(queryset), pk=unquote(str(self.kwargs["pk"])))

    def dispatch(self, request, *args, **kwargs):
        if not user_may_batch(user=request.user, action=self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])


class CertificateActionView(CertificateObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """The confirmation page of an action on one certificate and its POST."""

    template_name = "certificates/admin/certificate_action.html"
    header_icon = "doc-full"

    def get_page_subtitle(self):
        return f"{_holder_label(self.object)} · {self.object.achievement.name_en}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Certificates")},
            {"url": self.inspect_url(), "label": _holder_label(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form(self):
        return batch_reason_form(self.action, self.request.POST if self.request.method == "POST" else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "certificate": self.object, "action": self.action, "cancel_url": self.inspect_url(),
            "form": kwargs.get("form", self.get_form()),
            "verification_url": links.verification_url(self.object.code),
        })
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        reason = form.cleaned_data.get("reason", "") if form is not None else ""
        try:
            return self.perform(reason)
        except (IllegalTransition, ValidationError) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            if isinstance(error, IllegalTransition):
                now = Certificate.objects.get(pk=self.object.pk)
                if now.superseded:
                    message = _("A newer version already replaces this certificate.")
                else:
                    message = _("The certificate's status does not allow this any more (it is now “%(status)s”).") % {
                        "status": now.get_status_display()}
            messages.error(request, message)
            return redirect(self.inspect_url())

    # A status change: the service (called with the certificate, the reason and who) and what
    # the staff member is told afterwards. Re-issuing overrides `perform` instead.
    status_service = None
    done_message = ""

    def perform(self, reason):
        self.status_service(certificate=self.object, reason=reason, by=self.request.user)
        messages.success(self.request, self.done_message)
        return redirect(self.inspect_url())


class CertificateReissueView(CertificateActionView):
    """A new version, through a one-item batch whose worker also renders the new PDF."""

    action = A.REISSUE
    page_title = gettext_lazy("Re-issue the certificate")
    batch_url_name = None

    def perform(self, reason):
        if self.object.superseded or self.object.status == S.REVOKED:
            raise IllegalTransition(self.object.code)
        batch = certificate_batch_create(action=self.action, by=self.request.user, codes=[self.object.code])
        messages.success(self.request, _("The new version is being issued; its PDF follows."))
        return redirect(self.batch_url_name, batch.pk)


class CertificateSuspendView(CertificateActionView):
    action = A.SUSPEND
    page_title = gettext_lazy("Suspend the certificate")
    status_service = staticmethod(services.certificate_suspend)
    done_message = gettext_lazy("The certificate is suspended; verifiers now see it suspended.")


class CertificateUnsuspendView(CertificateActionView):
    action = A.UNSUSPEND
    page_title = gettext_lazy("Lift the suspension")
    status_service = staticmethod(services.certificate_unsuspend)
    done_message = gettext_lazy("The suspension is lifted; the certificate is valid again.")


class CertificateRevokeView(CertificateActionView):
    action = A.REVOKE
    page_title = gettext_lazy("Revoke the certificate")
    status_service = staticmethod(services.certificate_revoke)
    done_message = gettext_lazy("The certificate is revoked for good; verifiers now see it revoked.")


class CertificatePdfView(CertificateScopeMixin, View):
    """The certificate's PDF for the staff of the organisations that signed it, whatever the
    holder's visibility choice (rendered first if it is not yet)."""

    model = Certificate

    def get(self, request, *args, **kwargs):
        # Imported here: the renderer pulls in WeasyPrint, which nothing else here needs.
        from .pdf_services import certificate_pdf_ensure
        from .wallet_views import certificate_file_stem

        if not request.user.has_perm("certificates.view_certificate"):
            raise PermissionDenied
        certificate = get_object_or_404(
            self.scope_queryset(Certificate.objects.select_related("achievement")), pk=unquote(str(kwargs["pk"])),
        )
        certificate = certificate_pdf_ensure(certificate=certificate)
        try:
            handle = certificate.pdf.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, as_attachment=True, filename=f"{certificate_file_stem(certificate)}.pdf", content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


# --- Bulk actions on the listing's selected rows ----------------------------------------------------


class CertificateBulkAction(BulkAction):
    """A bulk action on certificates chosen in the listing: a confirmation page listing them (and
    asking for the reason where one is needed), then a `CertificateBatch` and its progress page.
    The chosen ids must all be certificates the user may act on: one that is not (unknown, or
    another organisation's) makes the whole request a 404, and nothing is queued."""

    models = [Certificate]
    batch_action = None
    template_name = "certificates/admin/bulk_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_may_batch(user=request.user, action=self.batch_action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_all_objects_in_listing_query(self, parent_id):
        return certificates_for_staff(user=self.request.user).values_list("pk", flat=True)

    @cached_property
    def _chosen(self):
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            ids = [str(pk) for pk in self.get_all_objects_in_listing_query(None)]
        if not ids or not all(pk.isdigit() for pk in ids):
            raise Http404
        chosen = list(
            certificates_for_staff(user=self.request.user).filter(pk__in=ids)
            .select_related("holder", "achievement", "issuer__organisation").defer("credential", "evidence")
            .order_by("-issued_on", "-pk")
        )
        if len(chosen) != len(set(ids)):
            raise Http404
        return chosen

    def get_actionable_objects(self):
        return self._chosen, {"items_with_no_access": []}

    def object_context(self, certificate):
        return {"item": certificate, "holder": _holder_label(certificate), "status": _status_label(certificate)}

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return batch_reason_form(self.batch_action, data) or ReasonForm(data, required=False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"batch_action": self.batch_action, "asks_reason": batch_reason_form(self.batch_action) is not None})
        return context

    def form_valid(self, form):
        certificates = self._chosen
        try:
            batch = certificate_batch_create(
                action=self.batch_action, by=self.request.user, codes=[c.code for c in certificates],
                reason=form.cleaned_data.get("reason", "") if self.batch_action != A.REISSUE else "",
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, ngettext(
            "%(count)s certificate queued; the bar below shows the progress.",
            "%(count)s certificates queued; the bar below shows the progress.", batch.total) % {"count": batch.total})
        return redirect("certificates:batch", batch.pk)


class ReissueBulkAction(CertificateBulkAction):
    display_name = gettext_lazy("Re-issue")
    action_type = "reissue"
    aria_label = gettext_lazy("Re-issue the selected certificates")
    batch_action = A.REISSUE
    action_priority = 10


class SuspendBulkAction(CertificateBulkAction):
    display_name = gettext_lazy("Suspend")
    action_type = "suspend"
    aria_label = gettext_lazy("Suspend the selected certificates")
    batch_action = A.SUSPEND
    action_priority = 20


class UnsuspendBulkAction(CertificateBulkAction):
    display_name = gettext_lazy("Lift suspension")
    action_type = "unsuspend"
    aria_label = gettext_lazy("Lift the suspension of the selected certificates")
    batch_action = A.UNSUSPEND
    action_priority = 30


class RevokeBulkAction(CertificateBulkAction):
    display_name = gettext_lazy("Revoke")
    action_type = "revoke"
    aria_label = gettext_lazy("Revoke the selected certificates")
    batch_action = A.REVOKE
    action_priority = 40
    classes = {"serious"}


# --- Issue for a cohort, and a batch's progress ------------------------------------------------------


class CohortMixin:
    """Issuing for a cohort needs the permission to add certificates."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_batch(user=request.user, action=A.ISSUE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CohortChooseView(CohortMixin, WagtailAdminTemplateMixin, TemplateView):
    """Step 1: choose the course run. Also lists the user's recent batches."""

    template_name = "certificates/admin/cohort_choose.html"
    page_title = gettext_lazy("Issue certificates for a course run")
    header_icon = "doc-full"
    preview_url_name = None

    def get(self, request, *args, **kwargs):
        form = CohortRunForm(request.GET if "run" in request.GET else None, user=request.user)
        if form.is_bound and form.is_valid():
            return redirect(self.preview_url_name, form.cleaned_data["run"].pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["batches"] = list(certificate_batches_for_staff(user=self.request.user)[:10])
        return context


class CohortPreviewView(CohortMixin, WagtailAdminTemplateMixin, TemplateView):
    """Step 2: who passed the run and holds a certificate already, who would get one now, who
    has not passed yet; then confirm, which queues an issue batch."""

    template_name = "certificates/admin/cohort_preview.html"
    page_title = gettext_lazy("Issue certificates for a course run")
    header_icon = "doc-full"
    choose_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.run = get_object_or_404(course_runs_certifiable_by(user=request.user), pk=self.kwargs["run_id"])

    def get_page_subtitle(self):
        return str(self.run)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.choose_url_name), "label": self.get_page_title()},
            {"url": "", "label": str(self.run)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = course_run_cohort(run=self.run)
        context.update({"run": self.run, "cohort": cohort, "states": CohortState, "choose_url": reverse(self.choose_url_name)})
        context["signers"] = _run_signers(self.run)
        return context

    def post(self, request, *args, **kwargs):
        try:
            batch = certificate_batch_create(action=A.ISSUE, by=request.user, course_run=self.run)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(request, ngettext(
            "%(count)s certificate is being issued; the bar below shows the progress.",
            "%(count)s certificates are being issued; the bar below shows the progress.", batch.total) % {"count": batch.total})
        return redirect("certificates:batch", batch.pk)


def _run_signers(run) -> list:
    """The organisations that will sign the run's certificates, issuer first, chosen as
    `services.issuers_for_course_run` chooses them but without making issuers (a preview writes
    nothing)."""
    from courses.models import CourseOrganisation

    Role = CourseOrganisation.Role
    by_role = {}
    for link in CourseOrganisation.objects.filter(course_id=run.course_id).select_related("organisation").order_by("sort_order", "pk"):
        by_role.setdefault(link.role, link.organisation)
    lead = by_role.get(Role.LEAD_UNIVERSITY) or run.course.specific.owner_organisation
    partner = by_role.get(Role.CERTIFIER) or by_role.get(Role.PRACTICUM_PARTNER)
    if partner is not None and lead is not None and partner.pk == lead.pk:
        partner = None
    return [organisation for organisation in (lead, partner) if organisation is not None]


class BatchMixin:
    """A batch the user started (any batch for a platform administrator); 404 otherwise."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.batch = get_object_or_404(certificate_batches_for_staff(user=request.user), pk=self.kwargs["pk"])


# What a batch did to a certificate, as its summary says it.
BATCH_DONE_LABELS = {
    A.ISSUE: gettext_lazy("Issued"),
    A.REISSUE: gettext_lazy("Re-issued as a new version"),
    A.SUSPEND: gettext_lazy("Suspended"),
    A.UNSUSPEND: gettext_lazy("Suspension lifted"),
    A.REVOKE: gettext_lazy("Revoked"),
}


def batch_progress(batch) -> dict:
    """What the progress bar shows: counts, status and a sentence."""
    finished = batch.status in (CertificateBatch.Status.DONE, CertificateBatch.Status.FAILED)
    label = _("%(done)s of %(total)s done") % {"done": batch.done, "total": batch.total}
    if batch.failures:
        label += " · " + ngettext("%(count)s problem", "%(count)s problems", len(batch.failures)) % {"count": len(batch.failures)}
    return {
        "status": batch.status, "status_label": batch.get_status_display(), "done": batch.done, "total": batch.total,
        "failures": len(batch.failures), "finished": finished, "label": label, "error": batch.error,
        # The keys every progress bar reads (academy/js/progress-poll.js).
        "value": batch.done, "max": batch.total, "text": f"{label} · {batch.get_status_display()}",
    }


class BatchView(BatchMixin, WagtailAdminTemplateMixin, TemplateView):
    """The batch's progress bar while it runs (polled by progress-poll.js; without JavaScript,
    a refresh link), then what it did, with links to the certificates."""

    template_name = "certificates/admin/batch.html"
    header_icon = "doc-full"
    progress_url_name = None
    inspect_url_name = None
    index_url_name = None
    choose_url_name = None

    def get_page_title(self):
        return _("Certificate batch: %(action)s") % {"action": self.batch.get_action_display()}

    def get_page_subtitle(self):
        return str(self.batch.course_run) if self.batch.course_run_id else ""

    def get_breadcrumbs_items(self):
        if self.batch.action == A.ISSUE:
            parent = {"url": reverse(self.choose_url_name), "label": _("Issue certificates for a course run")}
        else:
            parent = {"url": reverse(self.index_url_name), "label": _("Certificates")}
        return self.breadcrumbs_items + [parent, {"url": "", "label": self.get_page_title()}]

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        done_label = BATCH_DONE_LABELS[batch.action]
        codes = [result["code"] for result in batch.results]
        certificates = {
            certificate.code: certificate
            for certificate in certificates_for_staff(user=self.request.user).filter(code__in=codes)
            .select_related("holder", "achievement").defer("credential", "evidence")
        }
        results = []
        for result in batch.results:
            certificate = certificates.get(result["code"])
            results.append({
                **result, "certificate": certificate, "holder": _holder_label(certificate) if certificate else "",
                "outcome_label": _("Skipped: nothing to change") if result["outcome"] == "skipped" else done_label,
                "url": reverse(self.inspect_url_name, args=[quote(certificate.pk)]) if certificate else "",
            })
        context.update({
            "batch": batch, "progress": batch_progress(batch),
            "progress_url": reverse(self.progress_url_name, args=[batch.pk]),
            "results": results, "failures": batch.failures,
            "done_count": sum(1 for result in batch.results if result["outcome"] == "done"),
            "skipped_count": sum(1 for result in batch.results if result["outcome"] == "skipped"),
        })
        return context


class BatchProgressView(BatchMixin, TemplateView):
    """The batch's progress as JSON: `status`, `done`, `total`, `failures` (a count), `finished`
    and `label`, the progress in words."""

    @method_decorator(never_cache)
    def get(self, request, *args, **kwargs):
        return JsonResponse(batch_progress(self.batch))
