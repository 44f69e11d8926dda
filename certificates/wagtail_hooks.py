"""Admin wiring of certificates (issue "Certificates", points 1 and 2): one "Certificates" menu
with the certificate templates (a snippet with drafts, publishing and revisions), the issuers
with their signatories and signing keys, the certificates with their actions and bulk actions,
and "Issue for a cohort". Each organisation's staff see only their organisations' objects
(`certificates.admin_views`); the model permissions decide what they may do.

Issuers and certificates are never made, edited as rows or deleted here: issuers are made on
first use by issuance, certificates by the issuing rules and batches, and a certificate's status
changes only through its actions (`certificates.services`), so the permission policies of both
models withhold those generic operations from everyone, superusers included."""

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from academy.organisations.admin_scoping import OrganisationScopedViewSetMixin

from . import admin_views as views
from .admin_forms import IssuerAdminForm
from .batch_services import user_may_batch
from .models import Certificate, CertificateBatch, CertificateTemplate, Issuer


class WithheldPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, except `withheld` actions, which nobody is given in the admin."""

    def __init__(self, model, *, withheld):
        super().__init__(model)
        self.withheld = frozenset(withheld)

    def user_has_permission(self, user, action):
        return action not in self.withheld and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.withheld]
        if not allowed:
            from django.contrib.auth import get_user_model

            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


register_permission_policy(Issuer, WithheldPermissionPolicy(Issuer, withheld={"add", "delete"}), exact_class=True)
register_permission_policy(Certificate, WithheldPermissionPolicy(Certificate, withheld={"add", "change", "delete"}), exact_class=True)


# --- Certificate templates ------------------------------------------------------------------------


class CertificateTemplateViewSet(OrganisationScopedViewSetMixin, SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full-inverse"
    menu_label = _("Templates")
    # Shown in the Certificates menu, not in the Snippets list (whose counts span organisations).
    menu_item_is_registered = True
    organisation_field = "organisation"
    organisation_form_fields = {"organisation": ""}
    index_view_class = views.TemplateIndexView
    add_view_class = views.TemplateCreateView
    edit_view_class = views.TemplateEditView
    copy_view_class = views.TemplateCopyView
    delete_view_class = views.TemplateDeleteView
    inspect_view_class = views.TemplateInspectView
    history_view_class = views.TemplateHistoryView
    usage_view_class = views.TemplateUsageView
    revisions_compare_view_class = views.TemplateRevisionsCompareView
    unpublish_view_class = views.TemplateUnpublishView
    revisions_unschedule_view_class = views.TemplateRevisionsUnscheduleView
    chooser_viewset_class = views.TemplateChooserViewSet
    list_display = ["name", "organisation", "kind", LiveStatusTagColumn(), UpdatedAtColumn()]
    # No list filters: the organisation filter's choices would show other organisations' names.
    search_fields = ["name", "title_en", "title_zh"]
    inspect_view_enabled = True
    edit_handler = ObjectList([
        FieldPanel("name"),
        # Required on a draft save too (for those who must choose one): a draft saved without an
        # organisation would be a platform template, out of its author's sight.
        FieldRowPanel([FieldPanel("organisation", required_on_save=True), FieldPanel("kind")]),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("title_en"), FieldPanel("title_zh")]),
            FieldRowPanel([FieldPanel("statement_en"), FieldPanel("statement_zh")]),
            FieldRowPanel([FieldPanel("footer_en"), FieldPanel("footer_zh")]),
        ], heading=_("Wording, in English and Chinese")),
        FieldRowPanel([FieldPanel("accent_colour"), FieldPanel("show_grade_band")]),
    ])


# --- Issuers --------------------------------------------------------------------------------------


def _active_key(issuer):
    keys = [key.key_id for key in issuer.signing_keys.all() if key.status == "active"]
    return keys[0] if keys else "—"


class IssuerViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = Issuer
    name = "certificate_issuers"
    icon = "key"
    menu_label = _("Issuers")
    organisation_field = "organisation"
    index_view_class = views.IssuerIndexView
    edit_view_class = views.IssuerEditView
    inspect_view_class = views.IssuerInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "organisation", "slug", "signatory_name",
        Column("active_key", label=_("Signing key"), accessor=_active_key),
    ]
    search_fields = ["slug", "signatory_name", "organisation__name_en", "organisation__name_zh"]
    edit_handler = ObjectList([
        FieldPanel("slug"),
        FieldPanel("signatory_name"),
        FieldRowPanel([FieldPanel("signatory_title_en"), FieldPanel("signatory_title_zh")]),
        FieldPanel("signature"),
    ], base_form_class=IssuerAdminForm)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(rotate_url_name=self.get_url_name("rotate_key"), **kwargs)

    @property
    def rotate_key_view(self):
        return self.construct_view(
            views.IssuerRotateKeyView, inspect_url_name=self.get_url_name("inspect"), index_url_name=self.get_url_name("index"),
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("rotate-key/<int:pk>/", self.rotate_key_view, name="rotate_key")]


# --- Certificates, their actions, issue for a cohort and batches ------------------------------------


ACTION_VIEWS = {
    "reissue": views.CertificateReissueView,
    "suspend": views.CertificateSuspendView,
    "unsuspend": views.CertificateUnsuspendView,
    "revoke": views.CertificateRevokeView,
}


class CertificateViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    """The certificates the user's organisations issued or co-signed. Their generic add, edit and
    delete views exist (Wagtail's URL finder expects them) but the permission policy refuses them."""

    model = Certificate
    name = "certificates"
    icon = "doc-full"
    menu_label = _("Certificates")
    index_view_class = views.CertificateIndexView
    inspect_view_class = views.CertificateInspectView
    add_view_class = views.CertificateCreateView
    edit_view_class = views.CertificateEditView
    copy_view_class = views.CertificateCopyView
    delete_view_class = views.CertificateDeleteView
    history_view_class = views.CertificateHistoryView
    usage_view_class = views.CertificateUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["visibility"]
    search_fields = ["holder__display_name", "holder__email", "name_latin", "name_native", "code"]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            action_url_names={name: self.get_url_name(name) for name in ACTION_VIEWS}, pdf_url_name=self.get_url_name("pdf"), **kwargs,
        )

    def _action_view(self, name):
        return self.construct_view(
            ACTION_VIEWS[name], inspect_url_name=self.get_url_name("inspect"), index_url_name=self.get_url_name("index"),
            **({"batch_url_name": self.get_url_name("batch")} if name == "reissue" else {}),
        )

    def get_urlpatterns(self):
        inspect = self.get_url_name("inspect")
        choose, preview = self.get_url_name("issue_cohort"), self.get_url_name("issue_cohort_preview")
        return super().get_urlpatterns() + [
            *[path(f"{name}/<int:pk>/", self._action_view(name), name=name) for name in ACTION_VIEWS],
            path("pdf/<int:pk>/", self.construct_view(views.CertificatePdfView), name="pdf"),
            path("issue/", self.construct_view(views.CohortChooseView, preview_url_name=preview), name="issue_cohort"),
            path("issue/<int:run_id>/", self.construct_view(views.CohortPreviewView, choose_url_name=choose), name="issue_cohort_preview"),
            path("batches/<int:pk>/", self.construct_view(
                views.BatchView, progress_url_name=self.get_url_name("batch_progress"), inspect_url_name=inspect, choose_url_name=choose,
            ), name="batch"),
            path("batches/<int:pk>/progress/", self.construct_view(views.BatchProgressView), name="batch_progress"),
        ]


class CohortMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_batch(user=request.user, action=CertificateBatch.Action.ISSUE)


class CertificatesViewSetGroup(ModelViewSetGroup):
    """Templates, issuers, certificates and issuing for a cohort: what an organisation signs."""

    menu_label = _("Certificates")
    menu_icon = "doc-full"
    menu_order = 280
    items = (CertificateTemplateViewSet, IssuerViewSet, CertificateViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items.append(CohortMenuItem(
            _("Issue for a cohort"), reverse("certificates:issue_cohort"), name="certificates-issue-cohort",
            icon_name="doc-full-inverse", order=len(items) + 1,
        ))
        return items


# register_snippet (rather than the register_admin_viewset hook) so the template model is a
# snippet as soon as the hooks are loaded, which is when Wagtail creates its "publish" permission.
register_snippet(CertificatesViewSetGroup)


for bulk_action in (views.ReissueBulkAction, views.SuspendBulkAction, views.UnsuspendBulkAction, views.RevokeBulkAction):
    hooks.register("register_bulk_action", bulk_action)


@hooks.register("before_delete_snippet")
def certificate_template_delete_guard(request, instances):
    """The snippets' bulk delete looks templates up on the whole model; another organisation's
    template among them is the 404 of an unknown one, and nothing is deleted."""
    templates = [instance for instance in instances if isinstance(instance, CertificateTemplate)]
    if templates and views.templates_for_user(request.user).filter(pk__in=[t.pk for t in templates]).count() != len(templates):
        raise Http404
    return None
