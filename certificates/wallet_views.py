"""The graduate's wallet and the certificate PDF (issue "Certificates", point 7; URLs in
PRODUCT.md).

- **The wallet** (`GET /certificates/`, in the visitor's language) lists the signed-in person's
  current certificates with what a holder does with them: download the PDF and the signed
  credential, copy the verification link, open the verification page, add the certificate to
  LinkedIn, and choose who sees it (`POST /certificates/<code>/visibility/`). Only the holder's
  own certificates are ever read, so another person's code answers the same 404 as an unknown one.
- **The PDF** (`GET /certificates/<code>/certificate.pdf`, without a language prefix like the
  credential beside it: the address is shared and must not depend on a language) is for the
  holder and staff, and for anyone when the holder made the certificate public
  (`certificates.selectors.certificate_pdf_viewable`); everyone else gets the 404 of an unknown
  code. It is rendered on first use (`certificates.pdf_services.certificate_pdf_ensure`) and
  streamed from private storage as an attachment: the file is the artefact a holder keeps and a
  verifier checks against its registered hash, so it is saved rather than shown in the browser
  (where the site's strict Content-Security-Policy could also stop the built-in viewer).
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from .linkedin import certificate_linkedin_url
from .links import verification_url
from .models import Certificate
from .selectors import achievement_name, certificate_held, certificate_pdf_viewable, wallet_certificates
from .services import certificate_visibility_set
from .views import PUBLIC_MAX_AGE
from .wallet_forms import CHOOSE_ONE, CertificateVisibilityForm, visibility_options

S = Certificate.Status
V = Certificate.Visibility


def certificate_file_stem(certificate: Certificate) -> str:
    """The name a downloaded file of the certificate gets, before its extension: the
    achievement's slug and the code, so several certificates never overwrite one another."""
    return f"{slugify(certificate.achievement.name_en) or 'certificate'}-{certificate.code}"


@dataclass
class WalletEntry:
    """One certificate as the wallet shows it."""

    certificate: Certificate
    name: str
    verification_url: str
    file_stem: str
    valid_until: object
    linkedin_url: str
    linkedin_note: str
    visibility_options: list = field(default_factory=list)
    earlier_versions: list = field(default_factory=list)

    @property
    def message_tag(self) -> str:
        """The tag of the messages about this certificate, shown on its card: the wallet returns
        scrolled to the card, where the page's own messages at the top are out of sight."""
        return message_tag(self.certificate.code)


def message_tag(code: str) -> str:
    return f"certificate-{code}"


def _linkedin(certificate: Certificate) -> tuple[str, str]:
    """The LinkedIn link, or why there is none: a revoked or suspended certificate is not one to
    show off, and a private one cannot be opened by whoever follows the link from the profile."""
    if certificate.status == S.REVOKED:
        return "", ""
    if certificate.status == S.SUSPENDED:
        return "", _("Adding it to LinkedIn is possible again once the suspension is lifted.")
    if certificate.visibility == V.PRIVATE:
        return "", _("To add it to LinkedIn, make it visible: people who follow the link from your profile must be able to open it.")
    return certificate_linkedin_url(certificate), ""


def _wallet_entry(certificate: Certificate) -> WalletEntry:
    linkedin_url, linkedin_note = _linkedin(certificate)
    return WalletEntry(
        certificate=certificate,
        name=certificate.achievement_name,
        verification_url=verification_url(certificate.code),
        file_stem=certificate_file_stem(certificate),
        valid_until=certificate.valid_until,
        linkedin_url=linkedin_url,
        linkedin_note=linkedin_note,
        visibility_options=visibility_options(certificate),
        earlier_versions=certificate.earlier_versions,
    )


@login_required
@require_safe
def certificate_wallet(request):
    """The signed-in person's certificates, newest first, with their earlier versions collapsed;
    a fixed number of queries however many there are."""
    entries = [_wallet_entry(certificate) for certificate in wallet_certificates(user=request.user)]
    return render(request, "certificates/wallet.html", {"entries": entries})


VISIBILITY_SAVED = {
    V.PUBLIC: gettext_lazy("“%(name)s” is now public: anyone with the link sees it and its PDF."),
    V.LINK_ONLY: gettext_lazy("“%(name)s” is now visible to anyone with the link; the PDF stays with you."),
    V.PRIVATE: gettext_lazy("“%(name)s” is now private: only you and platform staff can open it."),
}


@login_required
@require_POST
def certificate_visibility(request, code):
    """The holder chooses who sees one of their certificates, then returns to it in the wallet.
    Someone else's certificate is the same 404 as an unknown code, and nothing changes."""
    certificate = certificate_held(user=request.user, code=code)
    if certificate is None:
        raise Http404
    form = CertificateVisibilityForm(request.POST)
    tag = message_tag(certificate.code)
    if form.is_valid():
        try:
            certificate_visibility_set(certificate=certificate, visibility=form.cleaned_data["visibility"], by=request.user)
        except ValidationError:
            messages.error(request, CHOOSE_ONE, extra_tags=tag)
        else:
            name = achievement_name(certificate.achievement)
            messages.success(request, VISIBILITY_SAVED[certificate.visibility] % {"name": name}, extra_tags=tag)
    else:
        messages.error(request, CHOOSE_ONE, extra_tags=tag)
    return redirect(f"{reverse('certificate_wallet')}#certificate-{certificate.code}")


@require_safe
def certificate_pdf(request, code):
    """The certificate's PDF as a download, rendered on first use. The holder and staff always
    get it, anyone else only when it is public; otherwise the 404 of an unknown code."""
    certificate = certificate_pdf_viewable(user=request.user, code=code)
    if certificate is None:
        raise Http404
    # Imported here: the renderer pulls in WeasyPrint, which nothing else on this path needs.
    from .pdf_services import certificate_pdf_ensure

    certificate = certificate_pdf_ensure(certificate=certificate)
    try:
        handle = certificate.pdf.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: no file was stored
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=f"{certificate_file_stem(certificate)}.pdf", content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Were the file ever shown in the browser instead of saved, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if certificate.visibility == V.PUBLIC:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Cookie"])
    return response
