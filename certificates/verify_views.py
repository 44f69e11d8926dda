"""The public verification page (issue "Certificates", point 6; URL in PRODUCT.md), inside the
language prefixes: `/certificates/verify/<code>/` in English, `/zh-hans/certificates/verify/<code>/`
in Chinese, and `/certificates/verify/` for a verifier who has only a file.

- **What it says**, with no login: whether the certificate is genuine (its stored credential is
  verified by `certificates.verification.credential_verify` on every view, not assumed), whether
  it is current (issued, suspended or revoked with the date and reason, superseded, expired), the
  holder's printed name, the achievement, both issuers, the dates, and nothing more: no e-mail
  address, no grade.
- **Who sees it**: anyone for a public or link-only certificate; a private one only its holder and
  staff (with a note saying so); everyone else gets exactly the page of an unknown code, with the
  same status (404), template and wording.
- **Search engines**: only a public certificate's page may be indexed (its holder chose to be
  listed publicly); a link-only page, any private view, the 404 and the 429 carry
  `<meta name="robots" content="noindex">` and an `X-Robots-Tag` header, so a shared link does
  not turn into a search result.
- **The upload box**: a verifier drops a `credential.json` or the PDF; the page reports each
  check in plain words (`certificates.verification.upload_verify`). The file is read into memory
  and never stored; its declared size is checked before the body is read.
- **Rate limits** (`certificates.ratelimit`): page views and uploads per client address, over
  which the answer is a 429 page with `Retry-After`. They are counted before a code is looked up,
  so unknown codes count too.
- The page is never cached: a revocation must show at once to every verifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _, get_language
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from .models import Certificate
from .ratelimit import rate_for, rate_limit_consume
from .selectors import achievement_name, certificate_for_verification, certificate_viewer, certificate_visible_to
from .verification import (
    CredentialCheck,
    Outcome,
    PdfCheck,
    UnreadableUpload,
    certificate_outcome,
    credential_verify,
    outcome_label,
    upload_verify,
)
from .verify_forms import UPLOAD_MAX_BYTES, UploadCapMemoryHandler, VerificationUploadForm, too_big_message

TEMPLATE = "certificates/verify.html"
# Room for the multipart envelope around the file when comparing the declared body size to the cap.
MULTIPART_ALLOWANCE = 64 * 1024


def upload_max_bytes() -> int:
    return int(getattr(settings, "CERTIFICATES_VERIFY_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES))


@dataclass
class IssuerLine:
    """An issuer as the page lists it: its role, its name in the visitor's language and in the
    other one, and its public profile (the keys a verifier checks against)."""

    role: str
    name: str
    other_name: str
    other_lang: str
    profile_url: str


def _issuer_lines(certificate: Certificate) -> list[IssuerLine]:
    chinese = (get_language() or "").startswith("zh")
    lines = []
    for role, issuer in ((_("Issued by"), certificate.issuer), (_("Co-signed by"), certificate.co_issuer)):
        if issuer is None:
            continue
        organisation = issuer.organisation
        name, other, other_lang = organisation.name, "", ""
        if organisation.name_zh and organisation.name_zh != organisation.name_en:
            other, other_lang = (organisation.name_en, "en") if chinese else (organisation.name_zh, "zh-Hans")
        lines.append(IssuerLine(role, name, other, other_lang, reverse("certificate_issuer", args=[issuer.slug])))
    return lines


def _finish(response, *, noindex: bool):
    add_never_cache_headers(response)
    if noindex:
        response["X-Robots-Tag"] = "noindex"
    return response


def _visible_certificate(request, code: str) -> tuple[Certificate, str | None] | None:
    """(certificate, viewer) when the visitor may see the certificate with this code, else None:
    unknown and private-to-someone-else alike."""
    certificate = certificate_for_verification(code=code)
    if certificate is None:
        return None
    if not certificate_visible_to(certificate=certificate, user=request.user):
        return None
    return certificate, certificate_viewer(certificate=certificate, user=request.user)


def _not_found(request):
    """The one answer for an unknown code and for a private certificate seen by someone else."""
    return _finish(render(request, TEMPLATE, {"mode": "not_found", "noindex": True}, status=404), noindex=True)


def _rate_limited(request, retry_after: int, scope: str):
    limit, window = rate_for(scope)
    context = {
        "mode": "rate_limited", "noindex": True, "scope": scope, "limit": limit,
        "window_minutes": max(1, window // 60), "retry_minutes": max(1, -(-retry_after // 60)),
    }
    response = render(request, TEMPLATE, context, status=429)
    response["Retry-After"] = str(retry_after)
    return _finish(response, noindex=True)


def _certificate_context(certificate: Certificate, viewer: str | None) -> dict:
    verification = credential_verify(certificate.credential, certificate=certificate)
    outcome = certificate_outcome(certificate) if verification.genuine else Outcome.INVALID
    achievement = certificate.achievement
    chinese = (get_language() or "").startswith("zh")
    newer = getattr(certificate, "superseded_by", None) if certificate.superseded else None
    public = certificate.visibility == Certificate.Visibility.PUBLIC
    return {
        "certificate": certificate,
        "viewer": viewer,
        "verification": verification,
        "outcome": outcome,
        "outcome_label": outcome_label(outcome),
        "achievement_name": achievement_name(achievement),
        "criteria": (achievement.criteria_zh if chinese and achievement.criteria_zh else achievement.criteria_en),
        "issuers": _issuer_lines(certificate),
        "valid_until": certificate.valid_until,
        "status_reason": certificate.status_reason.strip(),
        "newer": newer,
        "newer_url": reverse("certificate_verify", args=[newer.code]) if newer and newer.visibility != Certificate.Visibility.PRIVATE else "",
        "credential_url": reverse("certificate_credential", args=[certificate.code]),
        "pdf_url": reverse("certificate_pdf", args=[certificate.code]) if public else "",
        "noindex": not public,
    }


def _report_context(report: CredentialCheck | PdfCheck, certificate: Certificate | None) -> dict:
    """What the page shows of an uploaded file's verification."""
    is_pdf = isinstance(report, PdfCheck)
    matched = report.certificate
    if is_pdf and matched is None and report.credential is not None:
        matched = report.credential.certificate  # a changed PDF whose credential is ours
    # A private certificate's record (name, page) is shown to no one through an upload.
    shown = matched if matched is not None and matched.visibility != Certificate.Visibility.PRIVATE else None
    return {
        "report": report,
        "report_is_pdf": is_pdf,
        "report_outcome": report.outcome,
        "report_outcome_label": outcome_label(report.outcome),
        "report_certificate": shown,
        "report_achievement_name": achievement_name(shown.achievement) if shown else "",
        "report_certificate_url": reverse("certificate_verify", args=[shown.code]) if shown else "",
        "report_matches_page": (matched is not None and matched.pk == certificate.pk) if certificate is not None else None,
    }


@csrf_protect
def _verify_page(request, *, code: str | None, upload_handler: UploadCapMemoryHandler | None):
    certificate = viewer = None
    if code is not None:
        if (visible := _visible_certificate(request, code)) is None:
            return _not_found(request)
        certificate, viewer = visible

    context = {"mode": "certificate" if certificate else "upload", "noindex": False, "upload_max_bytes": upload_max_bytes()}
    status = 200
    if certificate is not None:
        context.update(_certificate_context(certificate, viewer))

    if request.method == "POST":
        form = VerificationUploadForm(
            request.POST, request.FILES, max_bytes=upload_max_bytes(),
            file_too_big=upload_handler is not None and upload_handler.too_big,
        )
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = upload_verify(data=upload.read())
            except UnreadableUpload as error:
                form.add_error("file", str(error))
            else:
                context.update(_report_context(report, certificate))
                form = VerificationUploadForm(max_bytes=upload_max_bytes())
        if form.errors:
            status = 413 if form.has_error("file", "too_big") else 400
        context["noindex"] = True
    else:
        form = VerificationUploadForm(max_bytes=upload_max_bytes())
    context["form"] = form
    response = render(request, TEMPLATE, context, status=status)
    return _finish(response, noindex=context["noindex"])


def _verify(request, *, code: str | None):
    uploading = request.method == "POST"
    scope = "upload" if uploading else "view"
    retry_after = rate_limit_consume(request=request, scope=scope)
    if retry_after is not None:
        return _rate_limited(request, retry_after, scope)
    handler = None
    if uploading:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > upload_max_bytes() + MULTIPART_ALLOWANCE:
            return _too_big_unread(request, code=code)
        # Before anything reads the body (the CSRF check reads the form, hence csrf_exempt on the
        # views and csrf_protect on _verify_page): the file stays in memory, capped.
        handler = UploadCapMemoryHandler(request, max_bytes=upload_max_bytes())
        request.upload_handlers = [handler]
    return _verify_page(request, code=code, upload_handler=handler)


def _too_big_unread(request, *, code: str | None):
    """The answer to an upload declared larger than the cap, without reading its body: the page
    with the error (for a code the visitor may see; the 404 otherwise). Nothing is done with the
    request, so there is nothing for a CSRF check to protect."""
    context = {"mode": "upload", "upload_max_bytes": upload_max_bytes()}
    if code is not None:
        if (visible := _visible_certificate(request, code)) is None:
            return _not_found(request)
        context.update(_certificate_context(*visible), mode="certificate")
    context.update(
        noindex=True, form=VerificationUploadForm(max_bytes=upload_max_bytes()), upload_error=too_big_message(upload_max_bytes()),
    )
    return _finish(render(request, TEMPLATE, context, status=413), noindex=True)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_verify(request, code):
    """A certificate's public verification page, with the upload box."""
    return _verify(request, code=code)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_verify_upload(request):
    """The upload box alone, for a verifier with a file but no code."""
    return _verify(request, code=None)
