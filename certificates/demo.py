"""The certificates part of the demo.

- `certificates_demo_issuers` (before courses and practicum are loaded, whose passes issue
  certificates): the demo organisations as issuers with their signatories and signature images,
  so the demo's PDFs are rendered with them.
- `certificates_demo_load` (last): one revoked certificate — a customs-course certificate
  issued by hand to a practicum applicant in error and revoked with the reason, which the
  verification page and the signed revocation list show.
- `certificates_demo_reset`: removing what issuance left for the demo organisations, so
  `load_demo_data --reset` can delete their people, courses, projects and organisations (which
  certificates, achievements and issuers protect)."""

from django.db.models import Q

# Who signs each demo organisation's certificates: (name, title in English, title in Chinese).
SIGNATORIES = {
    "qingshan-university": ("Prof. Zhou Min", "Dean, School of Cross-Border E-Commerce", "跨境电子商务学院院长"),
    "steppe-bridge-university": ("Prof. Aliya Nurpeisova", "Vice-Rector for Academic Affairs", "主管教学副校长"),
    "amber-loom-trading": ("Wang Lei", "Director of Cross-Border Operations", "跨境运营总监"),
    "lotus-caravan-logistics": ("Liu Fang", "Managing Director", "总经理"),
}
REVOKED_HOLDER = "daniyar.omarov@example.com"
REVOKED_REASON = (
    "Issued in error: the certificate was issued by hand before the holder had passed the course run. "
    "It does not attest the course."
)


def _signature_png(name: str):
    """A signature-like image of `name`, drawn with Pillow in Noto Serif Italic when the Debian
    font is installed (the demo ships no image files)."""
    from io import BytesIO
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf")
    font = ImageFont.truetype(str(font_path), 64) if font_path.exists() else ImageFont.load_default(size=64)
    image = Image.new("RGBA", (640, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.text((24, 80), name.replace("Prof. ", ""), fill=(28, 40, 64, 255), font=font, anchor="lm")
    draw.line((24, 122, 420, 116), fill=(28, 40, 64, 200), width=3)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    return SimpleUploadedFile(f"signature-{slug}.png", buffer.getvalue(), content_type="image/png")


def certificates_demo_issuers(*, organisations, admin) -> None:
    """Each demo organisation as an issuer with its signatory (once: an issuer with a signatory
    is left as it is)."""
    from .services import issuer_for_organisation, issuer_signatory_update

    for slug, (name, title_en, title_zh) in SIGNATORIES.items():
        organisation = organisations.get(slug)
        if organisation is None:
            continue
        issuer = issuer_for_organisation(organisation=organisation)
        if issuer.signatory_name:
            continue
        issuer_signatory_update(
            issuer=issuer, by=admin, name=name, title_en=title_en, title_zh=title_zh, signature=_signature_png(name),
        )


def certificates_demo_load(*, admin) -> None:
    """The demo's revoked certificate (once): the customs course's certificate, issued by hand to
    a practicum applicant who never took the course, then revoked with the reason."""
    from django.contrib.auth import get_user_model

    from courses.models import CoursePage, CourseRun

    from .models import Certificate
    from .pdf_services import certificate_pdf_ensure
    from .services import achievement_for_course, certificate_issue, certificate_revoke, issuers_for_course_run

    holder = get_user_model().objects.filter(email=REVOKED_HOLDER).first()
    course = CoursePage.objects.filter(slug__contains="customs", locale__language_code="en").first()
    run = CourseRun.objects.filter(course=course).order_by("pk").first() if course else None
    if holder is None or run is None:
        return
    achievement = achievement_for_course(course=course)
    if Certificate.objects.filter(holder=holder, achievement=achievement).exists():
        return
    issuer, co_issuer = issuers_for_course_run(run=run)
    certificate = certificate_issue(holder=holder, achievement=achievement, issuer=issuer, co_issuer=co_issuer)
    certificate_pdf_ensure(certificate=certificate)
    certificate_revoke(certificate=certificate, reason=REVOKED_REASON, by=admin)


def certificates_demo_reset(*, organisations) -> None:
    """Remove the certificates issued or co-signed by `organisations` (newest versions first:
    a version protects the one it supersedes), the achievements of their courses and practicum
    projects, and their issuers with their status lists and signing keys. Call before the
    courses and practicum are reset."""
    from .models import Achievement, Certificate, Issuer, SigningKey, StatusList

    certificates = Certificate.objects.filter(
        Q(issuer__organisation__in=organisations) | Q(co_issuer__organisation__in=organisations)
        | Q(achievement__course__partners__organisation__in=organisations)
        | Q(achievement__practicum_project__organisation__in=organisations)
    ).distinct()
    achievement_ids = set(certificates.values_list("achievement_id", flat=True))
    for certificate in certificates.order_by("-version"):
        certificate.delete()
    Achievement.objects.filter(
        Q(pk__in=achievement_ids) | Q(course__partners__organisation__in=organisations)
        | Q(practicum_project__organisation__in=organisations),
        certificates__isnull=True,
    ).delete()
    issuers = Issuer.objects.filter(organisation__in=organisations, certificates_issued__isnull=True, certificates_co_signed__isnull=True)
    StatusList.objects.filter(issuer__in=issuers).delete()
    SigningKey.objects.filter(issuer__in=issuers).delete()
    issuers.delete()
