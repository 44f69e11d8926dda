"""The wallet's form: the holder chooses who sees a certificate (issue "Certificates", points 1
and 7). The form only parses the choice; `certificates.services.certificate_visibility_set`
decides who may make it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Certificate

V = Certificate.Visibility

# One line per choice, as the issue describes them, shown under the radio buttons.
VISIBILITY_EXPLANATIONS = {
    V.PUBLIC: _("Anyone with the link sees the verification page and the PDF; it may be listed on your public profile and in the talent pool."),
    V.LINK_ONLY: _("Anyone with the link sees the verification page and the credential; it is listed nowhere and the PDF stays with you."),
    V.PRIVATE: _("Only you and platform staff can open it; for everyone else its links answer “not found”."),
}

CHOOSE_ONE = _("Choose public, anyone with the link, or private.")


class CertificateVisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=V.choices, widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_ONE, "invalid_choice": CHOOSE_ONE},
    )


def visibility_options(certificate: Certificate) -> list[dict]:
    """The wallet's radio buttons for a certificate: each choice with its explanation, an id of
    its own on a page of several certificates, and whether it is the current one."""
    return [
        {
            "value": value, "label": label, "explanation": VISIBILITY_EXPLANATIONS[value],
            "checked": value == certificate.visibility, "id": f"visibility-{certificate.code}-{value}",
        }
        for value, label in V.choices
    ]
