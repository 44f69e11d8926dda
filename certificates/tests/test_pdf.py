"""The certificate PDF (issue "Certificates", points 5 and 10): a one-page A4 landscape PDF/A-3b
with the signed credential attached as `credential.json` (relationship Data), every font
embedded and subset, both names and the achievement in English and Chinese, the verification
address and its QR code; rendered once per certificate with the template revision it pins, and
never fetching anything from the network.

A co-signed certificate with logos, signatures and a Chinese name is rendered once for the
module (`rendered`), and its bytes are checked with pypdf and Poppler (`pdffonts`, `pdftotext`,
`pdfinfo`); the other tests render only what they are about."""

import datetime as dt
import hashlib
import io
import json
import re
import socket
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from pypdf import PdfReader

from academy.demo import _logo_png
from academy.organisations.factories import approved_organisation
from academy.organisations.models import Organisation
from academy.organisations.services import organisation_profile_update
from academy.people.factories import UserFactory
from certificates import pdf, pdf_services, services
from certificates.demo import _signature_png
from certificates.factories import course_achievement, issued_certificate
from certificates.links import verification_url
from certificates.models import Certificate, CertificateTemplate
from courses.factories import course_tree
from courses.models import CourseOrganisation

# Every test runs among the database tests (the module's rendered certificate is built with the
# database unblocked): left unmarked, pytest-django would order them after the transactional
# tests, whose flush leaves a PostgreSQL database without the site's pages.
pytestmark = pytest.mark.django_db

LONG_LATIN_NAME = (
    "Maximiliana Konstantinovna Vasilyeva-Montgomery de la Cruz y Fitzgerald-Smythe of Upper Ashbury-on-Wold"
)[:120]
LONG_ACHIEVEMENT_EN = (
    "Advanced International Cross-Border E-Commerce Operations, Overseas Warehousing, Customs Compliance and "
    "Multi-Market Logistics Strategy for Small and Medium Enterprises in Central Asia and the European Union: "
    "A Practitioner's Capstone Program"
)[:255]
LONG_ACHIEVEMENT_ZH = "面向中亚与欧盟中小企业的高级国际跨境电子商务运营、海外仓储、海关合规与多市场物流战略：从业者综合实践毕业项目课程（含企业导师评审与实训考核）"


# --- Building and reading ---------------------------------------------------------------------------


def issuers_with_signatories(admin, *, suffix=""):
    """A university and an enterprise, approved, with logos, and issuers with signatories and
    signature images, as the demo has them."""
    university = approved_organisation(
        approver=admin, name_en=f"Qingshan University of International Trade{suffix}", name_zh=f"青山国际贸易大学{suffix}",
        slug=f"qingshan-pdf{suffix}",
    )
    enterprise = approved_organisation(
        approver=admin, kind=Organisation.Kind.ENTERPRISE, name_en=f"Amber Loom Trading{suffix}", name_zh=f"琥珀织机贸易{suffix}",
        slug=f"amber-loom-pdf{suffix}",
    )
    people = {
        university: ("Prof. Zhou Min", "Dean, School of Cross-Border E-Commerce", "跨境电子商务学院院长", "QU"),
        enterprise: ("Wang Lei", "Director of Cross-Border Operations", "跨境运营总监", "AL"),
    }
    for organisation, (name, title_en, title_zh, initials) in people.items():
        organisation_profile_update(organisation=organisation, by=admin, logo=_logo_png(organisation.slug, initials))
        services.issuer_signatory_update(
            issuer=services.issuer_for_organisation(organisation=organisation), by=admin,
            name=name, title_en=title_en, title_zh=title_zh, signature=_signature_png(name),
        )
    return university, enterprise


def certificate_for(*, university, enterprise=None, holder, title="Cross-border logistics and overseas warehousing",
                    name_zh="跨境物流与海外仓", valid_for_days=730, grade_band="Distinction"):
    partners = [(enterprise, CourseOrganisation.Role.CERTIFIER)] if enterprise else []
    course = course_tree(organisation=university, modules=0, title=title, partners=partners)
    achievement = course_achievement(course=course)
    achievement.name_zh = name_zh
    achievement.valid_for_days = valid_for_days
    achievement.save()
    return issued_certificate(
        holder=holder, course=course, co_issuer_organisation=enterprise, grade_band=grade_band, issued_on=dt.date(2026, 11, 29),
    )


def stored_bytes(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def poppler(tool, path, *args, output=()) -> str:
    return subprocess.run([tool, *args, str(path), *output], check=True, capture_output=True, text=True, timeout=60).stdout


def text_of(path) -> str:
    """The PDF's text in the order it was drawn (each half of the sheet whole, not interleaved
    line by line), with runs of white space made one space, wrapped lines joined."""
    text = re.sub(r"\s+", " ", poppler("pdftotext", path, "-raw", "-enc", "UTF-8", output=["-"]))
    return re.sub(r"(?<=\w)- (?=\w)", "-", text)  # a line broken after a hyphen


def squeezed(value: str) -> str:
    """`value` without white space: pdftotext spaces out letter-spaced and centred CJK text."""
    return re.sub(r"\s+", "", value)


def publish(template: CertificateTemplate) -> CertificateTemplate:
    template.save()
    template.save_revision(log_action=False).publish(log_action=False)
    template.refresh_from_db()
    return template


def template_new(**fields) -> CertificateTemplate:
    values = {
        "name": "A template", "title_en": "Certificate", "title_zh": "证书",
        "statement_en": "has completed", "statement_zh": "已完成", "live": False,
    }
    return publish(CertificateTemplate(**{**values, **fields}))


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """A co-signed course certificate of a holder with a Chinese name, rendered through
    `certificate_pdf_ensure` once for the module; what the tests read, as plain values (the rows
    are rolled back)."""
    folder = tmp_path_factory.mktemp("certificate-pdf")
    with django_db_blocker.unblock(), transaction.atomic():
        admin = UserFactory(email="pdf-admin@example.com", is_staff=True, is_superuser=True)
        university, enterprise = issuers_with_signatories(admin)
        holder = UserFactory(email="li.wei@example.com", name_latin="Li Wei", name_native="李伟")
        certificate = certificate_for(university=university, enterprise=enterprise, holder=holder)
        returned = pdf_services.certificate_pdf_ensure(certificate=certificate)
        stored = Certificate.objects.get(pk=certificate.pk)
        content = stored_bytes(stored)
        html = pdf_services.certificate_pdf_html(certificate=stored, template=stored.template_revision.as_object())
        values = {
            "bytes": content, "code": stored.code, "credential": stored.credential, "sha256": stored.pdf_sha256,
            "name": stored.pdf.name, "html": html, "returned_is_stored": returned.pdf.name == stored.pdf.name,
            "instance_updated": certificate.pdf.name == stored.pdf.name and certificate.pdf_sha256 == stored.pdf_sha256,
            "revision_pinned": stored.template_revision_id is not None, "rendered_at": stored.pdf_rendered_at,
        }
        transaction.set_rollback(True)
    path = folder / "certificate.pdf"
    path.write_bytes(content)
    values["path"] = path
    return values


@pytest.fixture(scope="module")
def reader(rendered):
    return PdfReader(rendered["path"])


# --- The rendered certificate ------------------------------------------------------------------------


def test_the_pdf_is_one_a4_landscape_page(rendered):
    """The certificate is exactly one A4 page in landscape (842 × 595 points)."""
    info = poppler("pdfinfo", rendered["path"])
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    assert re.search(r"^Page size:\s+841\.89 x 595\.27\d? pts \(A4\)", info, re.MULTILINE)


def test_the_xmp_metadata_declares_pdfa_3b(reader):
    """The XMP metadata says PDF/A part 3, conformance B, and carries the title and issuers."""
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="3"|>3<)', xmp)
    assert re.search(r'pdfaid:conformance(="B"|>B<)', xmp)
    assert "Qingshan University of International Trade" in xmp and "Li Wei" in xmp


def test_the_pdf_has_an_srgb_output_intent(reader):
    """The catalogue has a PDF/A output intent with an embedded ICC profile."""
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and len(profile.get_data()) > 0


def test_the_signed_credential_is_attached_as_associated_data(reader, rendered):
    """The catalogue's /AF lists one file specification, credential.json, with /AFRelationship
    /Data and the JSON-LD media type, and the attached bytes are the certificate's signed
    credential (both proofs included)."""
    root = reader.trailer["/Root"]
    [filespec] = [entry.get_object() for entry in root["/AF"]]
    assert filespec["/Type"] == "/Filespec" and filespec["/F"] == "credential.json" and filespec["/UF"] == "credential.json"
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/Desc"]
    embedded = filespec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/application/ld+json"
    attached = json.loads(embedded.get_data().decode("utf-8"))
    assert attached == rendered["credential"]
    assert len(attached["proof"]) == 2
    # The same file through the EmbeddedFiles name tree, as PDF readers list attachments.
    assert list(reader.attachments) == ["credential.json"]


def test_every_font_is_embedded_and_subset(rendered):
    """`pdffonts` lists every font as embedded and subset, Noto Sans CJK among them."""
    lines = poppler("pdffonts", rendered["path"]).splitlines()[2:]
    assert lines, "no fonts listed"
    rows = [line.split() for line in lines]
    # Columns from the right: object ID (2), uni, sub, emb.
    assert all(row[-5] == "yes" for row in rows), lines
    assert all(row[-4] == "yes" for row in rows), lines
    assert all(re.match(r"^[A-Z]{6}\+", row[0]) for row in rows), lines
    assert any("Noto-Sans-CJK-SC" in row[0] for row in rows), lines


def test_the_text_holds_both_names_the_achievement_and_the_issuers(rendered):
    """The holder's name in Latin and Chinese script, the achievement's English and Chinese
    names, both organisations in both languages, the dates in each language's form and the
    grade band are printed."""
    text = text_of(rendered["path"])
    flat = squeezed(text)
    assert "Li Wei" in text and "李伟" in flat
    assert "Cross-border logistics and overseas warehousing" in text and "跨境物流与海外仓" in flat
    assert "Qingshan University of International Trade" in text and "青山国际贸易大学" in flat
    assert "Amber Loom Trading" in text and "琥珀织机贸易" in flat
    assert "29 November 2026" in text and "2026年11月29日" in flat
    assert "28 November 2028" in text and "2028年11月28日" in flat  # valid until: 730 days later
    assert "Distinction" in text
    assert "Prof. Zhou Min" in text and "跨境运营总监" in flat


def test_the_verification_address_and_code_are_printed(rendered):
    """The verification page's address and the certificate's code are printed under the QR."""
    text = text_of(rendered["path"])
    assert verification_url(rendered["code"]) in text
    assert rendered["code"] in text


def test_the_qr_code_encodes_the_verification_address(rendered):
    """The QR image on the certificate is the QR code of its verification page's address."""
    expected = pdf.qr_svg_data_uri(verification_url(rendered["code"]))
    assert f'src="{expected}"' in rendered["html"]


def test_the_stored_hash_is_the_sha256_of_the_stored_bytes(rendered):
    """`pdf_sha256` is the hex SHA-256 of exactly the bytes stored, under certificates/pdf/."""
    assert rendered["sha256"] == hashlib.sha256(rendered["bytes"]).hexdigest()
    assert rendered["name"] == f"certificates/pdf/{rendered['code']}.pdf"
    assert rendered["bytes"].startswith(b"%PDF-1.7")


def test_ensure_pins_the_template_revision_and_updates_the_callers_instance(rendered):
    """Rendering pins a template revision and dates it; the instance passed in gets the stored
    file, so a view can stream it."""
    assert rendered["revision_pinned"] and rendered["rendered_at"] is not None
    assert rendered["returned_is_stored"] and rendered["instance_updated"]


def test_images_come_inline_when_the_storage_has_no_local_files(rendered):
    """Logos and signatures on a storage without local files (the tests' in-memory storage, or a
    bucket) are read and inlined as data: URIs, never referenced by URL."""
    images = re.findall(r'<img class="(issuer__logo|signatory__signature)" src="([^"]+)"', rendered["html"])
    assert len(images) == 4
    assert all(src.startswith("data:image/png;base64,") for _kind, src in images)



def test_images_on_the_file_system_are_read_from_their_files(settings, tmp_path, plain_certificate, platform_admin):
    """With media on the file system (the default outside tests), a logo is referenced by its
    local file, and the renderer's fetcher serves it: media is one of the folders it reads."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }
    organisation = plain_certificate.issuer.organisation
    organisation_profile_update(organisation=organisation, by=platform_admin, logo=_logo_png(organisation.slug, "AU"))
    certificate = Certificate.objects.select_related("issuer__organisation__logo").get(pk=plain_certificate.pk)
    template = pdf_services.certificate_template_for(certificate=certificate)
    [printed] = pdf_services.certificate_pdf_context(certificate=certificate, template=template)["organisations"]
    assert printed["logo"].startswith(f"file://{tmp_path}/media/")
    fetcher = pdf.LocalOnlyURLFetcher(pdf_services.pdf_local_roots())
    assert fetcher.fetch(printed["logo"]).read().startswith(b"\x89PNG")

# --- Rendering once, the pinned template ------------------------------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs rendered (the real renderer runs)."""
    calls = []
    real = pdf.pdf_render

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "pdf_render", counting)
    return calls


@pytest.fixture
def stand_in_renders(monkeypatch):
    """The renderer replaced by one that returns a stand-in PDF naming the HTML's hash, for the
    tests of what happens around a render; the calls are counted."""
    calls = []

    def stand_in(html, **kwargs):
        calls.append(html)
        return b"%PDF-1.7\n% stand-in " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"

    monkeypatch.setattr(pdf, "pdf_render", stand_in)
    return calls


@pytest.fixture
def plain_certificate(university_a, student):
    """A certificate of a single issuer with no logo or signatory."""
    return certificate_for(university=university_a, holder=student, name_zh="", valid_for_days=None, grade_band="")


def test_ensure_renders_once_and_force_renders_again(plain_certificate, renders, django_capture_on_commit_callbacks):
    """A second ensure or a render without force keeps the stored PDF; a forced render renders
    again with the same pinned revision (the same bytes: the render is reproducible), stores a
    new file and deletes the old one once the transaction commits."""
    first = pdf_services.certificate_pdf_ensure(certificate=plain_certificate)
    first_name, first_sha, first_at = first.pdf.name, first.pdf_sha256, first.pdf_rendered_at
    storage = first.pdf.storage
    again = pdf_services.certificate_pdf_ensure(certificate=Certificate.objects.get(pk=plain_certificate.pk))
    unforced = pdf_services.certificate_pdf_render(certificate=plain_certificate)
    assert len(renders) == 1
    assert (again.pdf.name, again.pdf_rendered_at) == (first_name, first_at) == (unforced.pdf.name, unforced.pdf_rendered_at)

    with django_capture_on_commit_callbacks(execute=True):
        forced = pdf_services.certificate_pdf_render(certificate=plain_certificate, force=True)
    assert len(renders) == 2
    stored = Certificate.objects.get(pk=plain_certificate.pk)
    assert stored.pdf.name == forced.pdf.name != first_name
    assert stored.pdf_rendered_at > first_at
    assert stored.template_revision_id == first.template_revision_id
    assert stored.pdf_sha256 == hashlib.sha256(stored_bytes(stored)).hexdigest() == first_sha
    assert not storage.exists(first_name) and storage.exists(stored.pdf.name)


def test_a_pdf_stored_meanwhile_by_another_worker_is_kept(plain_certificate, monkeypatch):
    """Two workers render the same certificate at once (the render runs outside the lock): the
    one that stores second finds the first one's PDF under the lock, keeps it and drops its own,
    so the certificate has one PDF file and its hash."""
    real = pdf.pdf_render
    stored_by_other = {}

    def render_while_another_worker_stores(html, **kwargs):
        if not stored_by_other:
            stored_by_other["pdf"] = True
            monkeypatch.setattr(pdf, "pdf_render", lambda html, **kwargs: b"%PDF-1.7\n% the other worker's\n%%EOF\n")
            other = pdf_services.certificate_pdf_render(certificate=Certificate.objects.get(pk=plain_certificate.pk))
            stored_by_other["name"], stored_by_other["sha"] = other.pdf.name, other.pdf_sha256
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "pdf_render", render_while_another_worker_stores)
    result = pdf_services.certificate_pdf_render(certificate=plain_certificate)
    stored = Certificate.objects.get(pk=plain_certificate.pk)
    assert (result.pdf.name, result.pdf_sha256) == (stored.pdf.name, stored.pdf_sha256) == (stored_by_other["name"], stored_by_other["sha"])
    assert stored_bytes(stored).endswith(b"% the other worker's\n%%EOF\n")
    assert plain_certificate.pdf_sha256 == stored.pdf_sha256


def test_a_missing_file_is_rendered_again(plain_certificate, stand_in_renders):
    """A certificate whose stored file is gone gets a new one on the next ensure."""
    first = pdf_services.certificate_pdf_ensure(certificate=plain_certificate)
    first.pdf.storage.delete(first.pdf.name)
    pdf_services.certificate_pdf_ensure(certificate=first)
    assert len(stand_in_renders) == 2 and first.pdf.storage.exists(first.pdf.name)


def test_a_rerender_uses_the_pinned_revision_after_the_template_changes(plain_certificate, tmp_path):
    """After the template is edited and republished, a forced re-render still prints the
    revision the certificate pinned, while a new certificate gets the new one."""
    template = template_new(title_en="Certificate of Mastery", title_zh="精通证书")
    pdf_services.certificate_pdf_ensure(certificate=plain_certificate)
    pinned = plain_certificate.template_revision_id

    template.title_en = "Certificate of Excellence"
    template.title_zh = "卓越证书"
    publish(template)
    certificate = pdf_services.certificate_pdf_render(certificate=plain_certificate, force=True)
    assert certificate.template_revision_id == pinned
    path = tmp_path / "rerendered.pdf"
    path.write_bytes(stored_bytes(certificate))
    text = text_of(path)
    assert "CERTIFICATEOFMASTERY" in squeezed(text) and "EXCELLENCE" not in squeezed(text)

    newcomer = certificate_for(university=plain_certificate.issuer.organisation, holder=UserFactory(), title="Another course")
    chosen = pdf_services.certificate_template_for(certificate=newcomer)
    assert chosen.pk == template.pk and chosen.live_revision_id != pinned
    assert "Certificate of Excellence" in pdf_services.certificate_pdf_html(
        certificate=newcomer, template=chosen.live_revision.as_object(),
    )


def test_an_unsigned_certificate_has_no_pdf(plain_certificate, stand_in_renders):
    """A certificate without its signed credential is not rendered: the PDF must carry it."""
    Certificate.objects.filter(pk=plain_certificate.pk).update(credential={})
    with pytest.raises(ValidationError):
        pdf_services.certificate_pdf_render(certificate=plain_certificate)
    assert not Certificate.objects.get(pk=plain_certificate.pk).pdf and stand_in_renders == []


# --- Which template ----------------------------------------------------------------------------------


def test_the_most_specific_live_template_is_chosen(plain_certificate, university_b):
    """Organisation + kind, then organisation + any kind, then platform + kind, then platform +
    any kind; drafts, other kinds and other organisations' templates are never chosen."""
    organisation = plain_certificate.issuer.organisation
    course = CertificateTemplate.Kind.COURSE

    def chosen():
        return pdf_services.certificate_template_for(certificate=plain_certificate)

    template_new(name="other organisation", organisation=university_b, kind=course)
    template_new(name="platform practicum", kind=CertificateTemplate.Kind.PRACTICUM)
    platform_any = template_new(name="platform any")
    assert chosen() == platform_any
    platform_course = template_new(name="platform course", kind=course)
    assert chosen() == platform_course
    organisation_any = template_new(name="organisation any", organisation=organisation)
    assert chosen() == organisation_any
    organisation_course = template_new(name="organisation course", organisation=organisation, kind=course)
    assert chosen() == organisation_course

    organisation_course.unpublish()
    assert chosen() == organisation_any
    assert CertificateTemplate.objects.count() == 6  # no default was made


def test_the_platform_default_is_made_once_when_no_template_applies(plain_certificate, university_b):
    """With no live template that applies, the platform's default (any kind) is made and
    published on first use, and the same one is chosen afterwards."""
    template_new(name="someone else's", organisation=university_b)
    template = pdf_services.certificate_template_for(certificate=plain_certificate)
    assert template.organisation_id is None and template.kind == CertificateTemplate.Kind.ANY
    assert template.live and template.live_revision_id is not None
    assert (template.title_en, template.title_zh) == ("Certificate of Completion", "结业证书")
    assert pdf_services.certificate_template_for(certificate=plain_certificate) == template
    assert CertificateTemplate.objects.filter(organisation__isnull=True).count() == 1


def test_a_live_template_made_without_a_revision_is_pinned_by_publishing_it(plain_certificate, stand_in_renders):
    """A template made live in code, with no revision, gets its state published so the
    certificate can pin it."""
    template = CertificateTemplate.objects.create(
        name="made in code", title_en="Diploma", title_zh="文凭", statement_en="has completed", statement_zh="已完成",
    )
    assert template.live and template.live_revision_id is None
    certificate = pdf_services.certificate_pdf_ensure(certificate=plain_certificate)
    template.refresh_from_db()
    assert certificate.template_revision_id == template.live_revision_id is not None


# --- What is printed ------------------------------------------------------------------------------------


def test_a_blank_signatory_prints_the_organisation_name_only(plain_certificate):
    """An issuer with no signatory and no signature image gets its organisation's names, without
    a signature line or an empty image; a single issuer has one signature block and no logo."""
    html = pdf_services.certificate_pdf_html(
        certificate=plain_certificate, template=pdf_services.certificate_template_for(certificate=plain_certificate),
    ).split("<body>")[1]
    assert html.count('class="signatory ') == 1
    assert "signatory__line" not in html and "signatory__signature" not in html and "issuer__logo" not in html
    assert html.count("Alpha University of Commerce") >= 2 and "阿尔法商贸大学" in html
    # No Chinese achievement name: the English one is printed in the Chinese half too.
    assert html.count(plain_certificate.achievement.name_en) >= 2


def test_grade_band_and_version_are_printed_only_when_they_apply(plain_certificate):
    """The grade band is printed when the template shows it and the certificate has one; the
    version only from 2 on."""
    template = template_new(name="with grades", show_grade_band=True)
    plain_certificate.grade_band = "Merit"
    html = pdf_services.certificate_pdf_html(certificate=plain_certificate, template=template)
    assert "Merit" in html and "成绩等级" in html and "第 " not in html
    template.show_grade_band = False
    plain_certificate.version = 2
    html = pdf_services.certificate_pdf_html(certificate=plain_certificate, template=template)
    assert "Merit" not in html and "第 2 版" in html



def test_the_templates_accent_colour_is_printed(plain_certificate):
    """The frame and headings take the template's accent colour."""
    template = template_new(name="burgundy", accent_colour="#7a1f3d")
    html = pdf_services.certificate_pdf_html(certificate=plain_certificate, template=template)
    assert "--accent: #7a1f3d;" in html and "#0f5c5c" not in html

def test_long_names_shrink_and_stay_on_one_page(university_a, tmp_path):
    """The longest Latin name and achievement names the fields allow still print whole, on one
    page."""
    holder = UserFactory(name_latin=LONG_LATIN_NAME, name_native="欧阳娜娜·阿依古丽·努尔兰·叶尔兰·买买提明·艾合买提江")
    certificate = certificate_for(university=university_a, holder=holder, title=LONG_ACHIEVEMENT_EN, name_zh=LONG_ACHIEVEMENT_ZH)
    certificate = pdf_services.certificate_pdf_ensure(certificate=certificate)
    path = tmp_path / "long.pdf"
    path.write_bytes(stored_bytes(certificate))
    assert re.search(r"^Pages:\s+1$", poppler("pdfinfo", path), re.MULTILINE)
    text = text_of(path)
    assert LONG_LATIN_NAME in text
    assert LONG_ACHIEVEMENT_EN in text
    assert squeezed(LONG_ACHIEVEMENT_ZH) in squeezed(text)


# --- Pure pieces ---------------------------------------------------------------------------------------


def test_dates_are_written_in_each_languages_form():
    """English prints "29 November 2026", Chinese "2026年11月29日"."""
    day = dt.date(2026, 11, 29)
    assert pdf.date_long(day, "en") == "29 November 2026"
    assert pdf.date_long(day, "zh") == "2026年11月29日"


def test_font_sizes_shrink_for_long_text_within_bounds():
    """A short name keeps the largest size; a longer one gets a smaller size; the smallest size
    is the floor; wide CJK characters count double."""
    assert pdf.font_size_to_fit("Li Wei", width_mm=118, max_pt=30, min_pt=13) == 30
    long_size = pdf.font_size_to_fit(LONG_LATIN_NAME, width_mm=118, max_pt=30, min_pt=13, lines=2)
    assert 13 <= long_size < 30
    assert pdf.font_size_to_fit("x" * 2000, width_mm=118, max_pt=30, min_pt=13) == 13
    assert pdf.text_width_em("李伟") > pdf.text_width_em("Li")


def test_the_qr_code_is_a_full_qr_code_of_the_address():
    """The QR code is a full-size QR code (not Micro QR) with error correction M, built from the
    address given: another address gives another symbol."""
    url = "http://127.0.0.1:8000/certificates/verify/AbCdEfGhIjKlMnOpQrStUv/"
    code = pdf.qr_code(url)
    assert not code.is_micro and code.error == "M"
    assert code.matrix != pdf.qr_code(url.replace("AbC", "XyZ")).matrix
    uri = pdf.qr_svg_data_uri(url)
    assert uri.startswith("data:image/svg+xml")


# --- No network -------------------------------------------------------------------------------------


@pytest.fixture
def no_sockets(monkeypatch):
    """Records (and blocks) every attempt to open a network connection."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_the_fetcher_serves_local_files_and_data_and_refuses_the_rest(tmp_path):
    """Files under the given folders and data: URIs are served; http(s), ftp and files elsewhere
    are refused and recorded."""
    served = tmp_path / "media" / "logo.svg"
    served.parent.mkdir()
    served.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    outside = tmp_path / "secret.txt"
    outside.write_text("not for certificates")
    fetcher = pdf.LocalOnlyURLFetcher([served.parent])
    assert fetcher.fetch(pdf.local_file_uri(served)).read() == served.read_bytes()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    refused = [
        "http://example.com/logo.png", "https://example.com/logo.png", "ftp://example.com/logo.png",
        pdf.local_file_uri(outside), f"{served.parent.as_uri()}/../secret.txt", "file://example.com/etc/passwd",
    ]
    for url in refused:
        with pytest.raises(pdf.URLRefusedError):
            fetcher.fetch(url)
    assert fetcher.refused == refused


def test_remote_resources_are_refused_and_the_pdf_is_still_made(no_sockets):
    """A template whose image and stylesheet point to http(s) addresses renders without them,
    and nothing is fetched."""
    html = (
        '<html lang="en"><head><title>t</title><link rel="stylesheet" href="https://example.com/style.css"></head>'
        '<body><img src="http://example.com/logo.png" alt=""><p>Still a certificate</p></body></html>'
    )
    content = pdf.pdf_render(html, credential={"id": "urn:test"}, created=dt.datetime(2026, 11, 29, tzinfo=dt.UTC))
    assert content.startswith(b"%PDF-") and no_sockets == []
    assert PdfReader(io.BytesIO(content)).attachments["credential.json"] == [b'{\n  "id": "urn:test"\n}']


def test_the_credential_is_attached_as_utf8_json():
    """The attached JSON keeps Chinese as characters and is indented."""
    data = pdf.credential_json_bytes({"name": "跨境物流"})
    assert data == '{\n  "name": "跨境物流"\n}'.encode()

