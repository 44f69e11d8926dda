"""Writes of a certificate's PDF: choosing its template, rendering it once as a PDF/A-3b with the
signed credential attached, and storing it with its hash (issue "Certificates", point 5).

- **Which template** (`certificate_template_for`): the most specific live `CertificateTemplate`,
  in the order its model docstring gives: the issuing organisation's for the achievement's kind,
  the organisation's for any kind, the platform's for the kind, the platform's for any kind. With
  none, the platform's default is made and published on first use.
- **Which version** (`certificate_pdf_render`): a certificate pins the template revision it was
  first rendered with (`Certificate.template_revision`), and every later render uses that
  revision, so a re-render after the template was edited looks as the first one did. A re-issue
  is a new certificate, which pins the template live at its first render.
- **Once** (`certificate_pdf_ensure`): the PDF is rendered when the certificate is issued (the
  Celery task on the `pdf` queue) or on first download, and then only with `force`; the
  certificate's row is locked while rendering, so two workers render it once between them.
- **Where**: the certificate's `pdf` field, on the private storage (`certificates/pdf/<code>.pdf`),
  with `pdf_sha256` the hex SHA-256 of exactly the bytes stored, which the verification page
  compares with a copy a verifier uploads.

What the PDF shows and how it is made is in `certificates.pdf` and
`templates/certificates/certificate_pdf.html`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pdf
from .links import verification_url
from .models import Certificate, CertificateTemplate

logger = logging.getLogger(__name__)

# The platform's default template, made when no live template applies. Its text is the
# certificate's own wording in both languages, printed whatever the reader's language.
DEFAULT_TEMPLATE = {
    "name": "Platform default",
    "title_en": "Certificate of Completion",
    "title_zh": "结业证书",
    "statement_en": "has successfully completed",
    "statement_zh": "已顺利完成",
    "footer_en": "Issued through Silk Road Academy. Scan the code or open the address to verify this certificate.",
    "footer_zh": "本证书经丝路学堂颁发。扫描二维码或访问下方网址即可验证。",
}

# The fixed wording around the data, as pairs (English, Chinese): both halves are printed on
# every certificate, so these are the certificate's text, not interface strings for a reader's
# language, and are kept out of the message catalogue like the template's own fields.
LABELS = {
    "certify": ("This is to certify that", "兹证明"),
    "issued": ("Date of issue", "颁发日期"),
    "valid_until": ("Valid until", "有效期至"),
    "grade_band": ("Grade band", "成绩等级"),
    "version": ("Version", "版本"),
    "code": ("Certificate code", "证书编号"),
    "verify": ("Verify", "验证"),
}

# Renditions of the organisations' images as printed (Wagtail filter specs); PNG keeps a
# signature's transparent background.
LOGO_RENDITION = "max-400x400|format-png"
SIGNATURE_RENDITION = "max-720x240|format-png"

# The columns of the sheet in millimetres, for `pdf.font_size_to_fit`; they must match the
# template's CSS (.half width).
HALF_WIDTH_MM = 118


# --- The template -----------------------------------------------------------------------------------


def _template_rank(template: CertificateTemplate, *, organisation_id, kind: str):
    published = template.last_published_at.timestamp() if template.last_published_at else 0
    # The most specific first; among equals the most recently published.
    return (template.organisation_id != organisation_id, template.kind != kind, -published, -template.pk)


def _platform_default_template() -> CertificateTemplate:
    """The platform's default template (no organisation, any kind), made and published if there
    is none live. Two workers rendering their first certificates at once must not make two: the
    template's content-type row is locked as a mutex (a row that always exists and that nothing
    else writes), and the check is repeated under it."""
    with transaction.atomic():
        ContentType.objects.select_for_update().get(app_label="certificates", model="certificatetemplate")
        existing = CertificateTemplate.objects.filter(live=True, organisation__isnull=True, kind=CertificateTemplate.Kind.ANY).first()
        if existing is not None:
            return existing
        template = CertificateTemplate(organisation=None, kind=CertificateTemplate.Kind.ANY, live=False, **DEFAULT_TEMPLATE)
        template.full_clean()
        template.save()
        template.save_revision(log_action=False).publish(log_action=False)
        template.refresh_from_db()
        return template


def certificate_template_for(*, certificate: Certificate) -> CertificateTemplate:
    """The live template a certificate is rendered with: the issuing organisation's for the
    achievement's kind, else the organisation's for any kind, else the platform's for the kind,
    else the platform's for any kind (made and published on first use when there is none)."""
    organisation_id = certificate.issuer.organisation_id
    kind = certificate.achievement.kind
    candidates = CertificateTemplate.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True),
        live=True, kind__in=[kind, CertificateTemplate.Kind.ANY],
    )
    best = min(candidates, key=lambda template: _template_rank(template, organisation_id=organisation_id, kind=kind), default=None)
    return best if best is not None else _platform_default_template()


def _live_revision(template: CertificateTemplate):
    """The template's live revision; a live template made without one (in code, not in the
    admin) gets its current state published, so there is a revision to pin."""
    if template.live_revision_id is not None:
        return template.live_revision
    revision = template.save_revision(log_action=False)
    revision.publish(log_action=False)
    return revision


# --- The printed content --------------------------------------------------------------------------


def _image_src(image, spec: str) -> str:
    """Where the print template reads an organisation's image from: the rendition's local file
    when the storage has one, else its bytes inline (a remote storage's URL is never fetched)."""
    if image is None:
        return ""
    try:
        rendition = image.get_rendition(spec)
    except Exception:  # a missing or unreadable source file must not stop a certificate
        logger.warning("Certificate PDF: no rendition %s of image %s; printed without it.", spec, image.pk, exc_info=True)
        return ""
    # Only a file-system storage's path is its file: others (a bucket, the tests' in-memory
    # storage) may answer path() with a name that is not where their bytes are.
    if isinstance(rendition.file.storage, FileSystemStorage) and os.path.isfile(rendition.file.path):
        return pdf.local_file_uri(rendition.file.path)
    with rendition.file.open("rb") as handle:
        return pdf.data_uri(handle.read(), "image/png")


def _organisation(issuer) -> dict:
    organisation = issuer.organisation
    return {
        "name_en": organisation.name_en,
        "name_zh": organisation.name_zh or organisation.name_en,
        "logo": _image_src(organisation.logo, LOGO_RENDITION),
    }


def _signatory(issuer) -> dict:
    organisation = issuer.organisation
    return {
        "signature": _image_src(issuer.signature, SIGNATURE_RENDITION),
        "name": issuer.signatory_name,
        "title_en": issuer.signatory_title_en,
        "title_zh": issuer.signatory_title_zh,
        "organisation_en": organisation.name_en,
        "organisation_zh": organisation.name_zh or organisation.name_en,
    }


def _half(*, language: str, index: int, template: CertificateTemplate, holder_name: str, achievement_name: str, facts: list) -> dict:
    title = template.title_en if language == "en" else template.title_zh
    return {
        "lang": "en" if language == "en" else "zh-Hans",
        "title": title,
        "certify": LABELS["certify"][index],
        "name": holder_name,
        "name_pt": pdf.font_size_to_fit(holder_name, width_mm=HALF_WIDTH_MM, max_pt=30, min_pt=13, lines=1 if len(holder_name) < 40 else 2),
        "statement": template.statement_en if language == "en" else template.statement_zh,
        "achievement": achievement_name,
        "achievement_pt": pdf.font_size_to_fit(achievement_name, width_mm=HALF_WIDTH_MM, max_pt=18, min_pt=9, lines=3),
        "facts": [(labels[index], values[index]) for labels, values in facts],
    }


def certificate_pdf_context(*, certificate: Certificate, template: CertificateTemplate) -> dict:
    """Everything `certificates/certificate_pdf.html` prints, from the certificate and the
    template version it is rendered with."""
    achievement = certificate.achievement
    issuers = [issuer for issuer in (certificate.issuer, certificate.co_issuer) if issuer is not None]
    url = verification_url(certificate.code)

    facts = [(LABELS["issued"], (pdf.date_long(certificate.issued_on, "en"), pdf.date_long(certificate.issued_on, "zh")))]
    if achievement.valid_for_days:
        until = certificate.issued_on + dt.timedelta(days=achievement.valid_for_days)
        facts.append((LABELS["valid_until"], (pdf.date_long(until, "en"), pdf.date_long(until, "zh"))))
    if template.show_grade_band and certificate.grade_band:
        facts.append((LABELS["grade_band"], (certificate.grade_band, certificate.grade_band)))
    if certificate.version > 1:
        facts.append((LABELS["version"], (str(certificate.version), f"第 {certificate.version} 版")))

    # The names copied at issue; the profile's name only for a certificate issued without one
    # (never the e-mail address, which get_short_name() could fall back to).
    name_latin = certificate.name_latin or certificate.name_native or certificate.holder.get_full_name()
    name_native = certificate.name_native or name_latin
    achievement_zh = achievement.name_zh or achievement.name_en
    return {
        "accent": template.accent_colour,
        "document_title": f"{template.title_en}: {name_latin}, {achievement.name_en}",
        "authors": [issuer.organisation.name_en for issuer in issuers],
        "created": certificate.issued_on.isoformat(),
        "organisations": [_organisation(issuer) for issuer in issuers],
        "halves": [
            _half(language="en", index=0, template=template, holder_name=name_latin, achievement_name=achievement.name_en, facts=facts),
            _half(language="zh", index=1, template=template, holder_name=name_native, achievement_name=achievement_zh, facts=facts),
        ],
        "signatories": [_signatory(issuer) for issuer in issuers],
        "qr": pdf.qr_svg_data_uri(url),
        "verification_url": url,
        "code": certificate.code,
        "labels": LABELS,
        "footer_en": template.footer_en,
        "footer_zh": template.footer_zh,
    }


def certificate_pdf_html(*, certificate: Certificate, template: CertificateTemplate) -> str:
    """The certificate's finished print HTML, with `template` (a template version)."""
    return render_to_string("certificates/certificate_pdf.html", certificate_pdf_context(certificate=certificate, template=template))


def pdf_local_roots() -> list[str]:
    """The folders the PDF renderer may read files from: media (logos and signatures) and
    static files. Read when rendering, never at import, so tests can move them."""
    roots = [settings.MEDIA_ROOT, settings.STATIC_ROOT]
    location = getattr(default_storage, "location", None)
    if location:
        roots.append(location)
    return [str(root) for root in roots if root]


def certificate_pdf_bytes(*, certificate: Certificate, template: CertificateTemplate) -> bytes:
    """The certificate's PDF/A-3b with its signed credential attached, rendered with `template`."""
    if not certificate.credential:
        raise ValidationError(_("The certificate has no signed credential to attach to its PDF yet."))
    created = dt.datetime.combine(certificate.issued_on, dt.time(), tzinfo=dt.UTC)
    return pdf.pdf_render(
        certificate_pdf_html(certificate=certificate, template=template),
        credential=certificate.credential, created=created, roots=pdf_local_roots(),
    )


# --- Rendering and storing ------------------------------------------------------------------------

PDF_FIELDS = ("pdf", "pdf_sha256", "pdf_rendered_at", "template_revision")


def _has_stored_pdf(certificate: Certificate) -> bool:
    return bool(certificate.pdf and certificate.pdf_sha256) and certificate.pdf.storage.exists(certificate.pdf.name)


RENDER_RELATED = (
    "achievement", "holder", "template_revision", "issuer__organisation__logo", "issuer__signature",
    "co_issuer__organisation__logo", "co_issuer__signature",
)


def certificate_pdf_render(*, certificate: Certificate, force: bool = False) -> Certificate:
    """Render and store the certificate's PDF, unless it has one and `force` is false; returns the
    certificate as stored (and updates the instance given, so a caller can stream its `pdf`).

    The template revision it pins is used; a certificate rendered for the first time pins the
    live revision of `certificate_template_for`. The render itself runs outside any transaction:
    a lock held for the ~0.2 s of WeasyPrint would serialise the workers (on SQLite every write
    transaction takes the database's one write lock). Storing then locks the row and checks
    again: when a concurrent call stored a PDF first, that one is kept and this render dropped,
    so a certificate gets one PDF however many workers render it. A forced re-render replaces
    the file and deletes the old one once the transaction commits."""
    current = Certificate.objects.select_related(*RENDER_RELATED).get(pk=certificate.pk)
    if not force and _has_stored_pdf(current):
        _copy_pdf_fields(source=current, target=certificate)
        return current
    revision = current.template_revision or _live_revision(certificate_template_for(certificate=current))
    content = certificate_pdf_bytes(certificate=current, template=revision.as_object())

    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
        locked = Certificate.objects.select_for_update(of=("self",)).select_related("template_revision").get(pk=certificate.pk)
        if not force and _has_stored_pdf(locked):
            _copy_pdf_fields(source=locked, target=certificate)
            return locked
        old_name = locked.pdf.name if locked.pdf else ""
        locked.pdf.save(f"{locked.code}.pdf", ContentFile(content), save=False)
        new_name = locked.pdf.name
        try:
            locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
            locked.pdf_rendered_at = timezone.now()
            locked.template_revision = locked.template_revision or revision
            locked.save(update_fields=list(PDF_FIELDS))
        except Exception:
            locked.pdf.storage.delete(new_name)
            raise
        if old_name and old_name != new_name:
            storage = locked.pdf.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    _copy_pdf_fields(source=locked, target=certificate)
    return locked


def certificate_pdf_ensure(*, certificate: Certificate) -> Certificate:
    """The certificate with its PDF: returned as it is when it already has one (checked without a
    lock), rendered otherwise (`certificate_pdf_render`)."""
    if _has_stored_pdf(certificate):
        return certificate
    return certificate_pdf_render(certificate=certificate)


def _copy_pdf_fields(*, source: Certificate, target: Certificate) -> None:
    if target is source:
        return
    # The file by name: a FieldFile belongs to one instance.
    target.pdf = source.pdf.name
    for field in ("pdf_sha256", "pdf_rendered_at", "template_revision"):
        setattr(target, field, getattr(source, field))

