"""Forms of the certificates section of the Wagtail admin: an issuer's signatory, the reason of
a suspension or revocation, and the course run of an issue batch. Their choices are narrowed to
what the user may act on; the rules themselves live in `certificates.services` and
`certificates.batch_services`."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Certificate, CertificateBatch, Issuer
from .selectors import course_runs_certifiable_by


def issuer_has_signed(issuer: Issuer) -> bool:
    """Whether the issuer's slug is already in signed credentials: a certificate it issued or
    co-signed, or a status list it published. Its slug then never changes, or they would stop
    verifying."""
    if issuer.pk is None:
        return False
    return (
        Certificate.objects.filter(issuer=issuer).exists()
        or Certificate.objects.filter(co_issuer=issuer).exists()
        or issuer.status_lists.exists()
    )


class IssuerAdminForm(WagtailAdminModelForm):
    """The issuer's address and who signs its certificates. The slug is read-only once signed
    credentials carry it; the signature is one of the images the user may choose (their
    organisation's collection), whatever id is posted."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        slug = self.fields.get("slug")
        if slug is not None and issuer_has_signed(self.instance):
            slug.disabled = True
            slug.help_text = _("Signed credentials carry this address, so it no longer changes.")
        signature = self.fields.get("signature")
        if signature is not None and for_user is not None:
            from wagtail.images import get_image_model
            from wagtail.permissions import policy_registry

            images = policy_registry.get_by_type(get_image_model())
            signature.queryset = images.instances_user_has_any_permission_for(for_user, ["choose"])


class ReasonForm(forms.Form):
    """Why a certificate is suspended or revoked; the verification page shows it."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
        help_text=_("Shown on the verification page to everyone who checks the certificate."),
    )

    def __init__(self, *args, required=True, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if not required:
            self.fields["reason"].label = _("Note")
        if help_text is not None:
            self.fields["reason"].help_text = help_text


def batch_reason_form(action: str, data=None) -> ReasonForm | None:
    """The form a bulk action asks for: a required reason to suspend or revoke, an optional note to
    lift a suspension, nothing to re-issue."""
    if action in (CertificateBatch.Action.SUSPEND, CertificateBatch.Action.REVOKE):
        return ReasonForm(data)
    if action == CertificateBatch.Action.UNSUSPEND:
        return ReasonForm(data, required=False, help_text=_("Recorded in the certificates' history; optional."))
    return None


class CourseRunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, run):
        return f"{run.course.title} — {run.title} ({run.starts_at:%Y-%m-%d})"


class CohortRunForm(forms.Form):
    """The course run to issue certificates for, among those the user may certify."""

    run = CourseRunChoiceField(
        label=_("Course run"), queryset=None, empty_label=_("Choose a course run"),
        help_text=_("Runs of the courses your organisation leads or certifies."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = course_runs_certifiable_by(user=user)
