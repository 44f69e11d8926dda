"""The public verification page and its upload box (issue "Certificates", points 6 and 10):
what a verifier sees in English and Chinese, and nothing more; revocation and suspension banners;
the same 404 for a private and an unknown code; 10,000 random codes find nothing; rate limits;
uploads of good, tampered, garbage, oversized and PDF files. Query count pinned."""

import copy
import hashlib
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from pypdf import PdfWriter

from academy.people.factories import UserFactory
from certificates import services
from certificates.factories import course_achievement, issued_certificate
from certificates.models import Certificate, certificate_code
from courses.factories import course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

V = Certificate.Visibility


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])


@pytest.fixture
def certificate(course, student, enterprise):
    achievement = course_achievement(course=course)
    achievement.name_zh = "跨境物流入门"
    achievement.criteria_zh = "通过课程并完成全部必修课。"
    achievement.save()
    student.name_latin, student.name_native = "Aru Nurlanovna", "阿茹·努尔兰诺夫娜"
    student.save()
    return issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise, grade_band="Distinction")


def page_url(code, language=None):
    url = reverse("certificate_verify", args=[code])
    return f"/zh-hans{url}" if language == "zh-hans" else url


def text_of(response):
    return response.content.decode()


def upload(client, url, name, data, **extra):
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, **extra)


# --- What the page says ---------------------------------------------------------------------------


def test_the_page_says_genuine_and_shows_the_facts_and_nothing_more(client, certificate, student, django_assert_max_num_queries):
    """No login: the badge says genuine and valid, with the holder's name in both scripts, the
    achievement, both issuers in both languages, the dates and the credential link; no e-mail
    address and no grade band. A link-only page is kept out of search engines."""
    # The certificate, the signing keys, the status lists and their issuers; the rest is the
    # site header (catalogue and partner links), the same on every page.
    with django_assert_max_num_queries(9):
        response = client.get(page_url(certificate.code))
    assert response.status_code == 200
    html = text_of(response)
    assert "Genuine and valid" in html and "verify-badge--valid" in html
    for fact in ("Aru Nurlanovna", "阿茹·努尔兰诺夫娜", certificate.achievement.name_en, "Alpha University of Commerce", "阿尔法商贸大学", "Gamma Trading", "伽马贸易"):
        assert fact in html, fact
    assert reverse("certificate_credential", args=[certificate.code]) in html
    assert reverse("certificate_issuer", args=[certificate.issuer.slug]) in html
    assert reverse("certificate_issuer", args=[certificate.co_issuer.slug]) in html
    assert student.email not in html and "Distinction" not in html
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", html), "an e-mail address is on the page"
    assert '<meta name="robots" content="noindex">' in html and response["X-Robots-Tag"] == "noindex"
    assert reverse("certificate_pdf", args=[certificate.code]) not in html  # link-only: the PDF stays with the holder
    assert "no-cache" in response["Cache-Control"]


def test_a_public_certificate_links_its_pdf_and_may_be_indexed(client, certificate):
    """A public certificate's page links the PDF and carries no noindex."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PUBLIC)
    html = text_of(client.get(page_url(certificate.code)))
    assert reverse("certificate_pdf", args=[certificate.code]) in html
    assert "noindex" not in html


def test_the_page_speaks_chinese_under_the_chinese_prefix(client, certificate):
    """Under /zh-hans/ the achievement and criteria are the Chinese ones and each organisation is
    named in Chinese first."""
    response = client.get(page_url(certificate.code, "zh-hans"))
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
    html = text_of(response)
    assert "跨境物流入门" in html and "通过课程并完成全部必修课。" in html
    assert html.index("阿尔法商贸大学") < html.index("Alpha University of Commerce")


def test_a_revoked_certificate_stays_visible_with_date_and_reason(client, certificate, platform_admin):
    """Revoked: the red badge and the banner "Revoked on <date> because: <reason>" (the reason as
    the issuer wrote it); the check of its status list says revoked too."""
    certificate = services.certificate_revoke(certificate=certificate, reason="Plagiarism in the final project.", by=platform_admin)
    response = client.get(page_url(certificate.code))
    html = text_of(response)
    assert response.status_code == 200
    assert "verify-badge--revoked" in html and "Genuine and valid" not in html
    date = date_format(certificate.status_changed_at, "DATE_FORMAT")
    assert f"Revoked on {date} because: Plagiarism in the final project." in html
    assert "revocation list marks it" in html


def test_suspension_shows_a_banner_until_it_is_lifted(client, certificate, platform_admin):
    """Suspended: the amber badge and "Suspended on … because: …"; lifting it brings back
    "Genuine and valid"."""
    services.certificate_suspend(certificate=certificate, reason="QA review of the final grade.", by=platform_admin)
    html = text_of(client.get(page_url(certificate.code)))
    assert "verify-badge--suspended" in html and "because: QA review of the final grade." in html
    services.certificate_unsuspend(certificate=certificate, by=platform_admin)
    html = text_of(client.get(page_url(certificate.code)))
    assert "Genuine and valid" in html and "Suspended on" not in html


def test_a_superseded_certificate_points_to_the_newer_version_unless_it_is_private(client, certificate, platform_admin, student):
    """The old version says a newer one was issued and links it; a private newer version is not linked."""
    newer = services.certificate_reissue(certificate=certificate, by=platform_admin)
    html = text_of(client.get(page_url(certificate.code)))
    assert "A newer version of this certificate was issued." in html and "Replaced by a newer version" in html
    assert "Genuine and valid" not in html
    assert page_url(newer.code) in html
    services.certificate_visibility_set(certificate=newer, visibility=V.PRIVATE, by=student)
    html = text_of(client.get(page_url(certificate.code)))
    assert "A newer version of this certificate was issued." in html and newer.code not in html


def test_an_expired_certificate_says_so(client, course, student, enterprise):
    """Past its achievement's validity the badge says expired (grey), with the end date."""
    import datetime as dt

    from django.utils import timezone

    achievement = course_achievement(course=course)
    achievement.valid_for_days = 30
    achievement.save()
    certificate = issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise, issued_on=timezone.localdate() - dt.timedelta(days=40))
    html = text_of(client.get(page_url(certificate.code)))
    assert "verify-badge--expired" in html and "Expired" in html


# --- Who sees it ----------------------------------------------------------------------------------


def test_a_private_certificate_is_the_same_404_as_an_unknown_code(client, certificate):
    """For anyone but the holder and staff a private certificate's page is exactly the page of a
    code that does not exist (the addresses aside, which the language switcher repeats)."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PRIVATE)
    unknown_code = certificate_code()
    unknown = client.get(page_url(unknown_code))
    private = client.get(page_url(certificate.code))
    assert unknown.status_code == private.status_code == 404
    assert len(unknown.content) == len(private.content)
    assert unknown.content.replace(unknown_code.encode(), b"CODE") == private.content.replace(certificate.code.encode(), b"CODE")
    assert b'content="noindex"' in private.content
    client.force_login(UserFactory())
    signed_in = client.get(page_url(certificate.code))
    assert signed_in.status_code == 404 and b"No certificate to show" in signed_in.content


def test_the_holder_and_staff_see_a_private_certificate_with_a_note(client, certificate, student, platform_admin):
    """The holder sees their private certificate with "Only you can see this page"; staff see it
    with a note of their own."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PRIVATE)
    client.force_login(student)
    html = text_of(client.get(page_url(certificate.code)))
    assert "Only you can see this page" in html and "Genuine and valid" in html and "noindex" in html
    client.force_login(platform_admin)
    html = text_of(client.get(page_url(certificate.code)))
    assert "only its holder and staff can see this page" in html


def test_ten_thousand_random_codes_find_nothing(client, certificate):
    """10,000 fresh random codes: none is a certificate's (one query), and a sample of them asked
    of the page answers 404."""
    codes = {certificate_code() for _ in range(10_000)}
    assert len(codes) == 10_000
    assert not Certificate.objects.filter(code__in=codes).exists()
    for code in list(codes)[:30]:
        assert client.get(page_url(code)).status_code == 404
    assert client.get(page_url(certificate.code)).status_code == 200


# --- Rate limits ----------------------------------------------------------------------------------


def test_page_views_over_the_limit_get_a_friendly_429(client, certificate, settings):
    """Past the limit an address gets 429 with Retry-After and a page saying when to come back;
    another address is not affected; unknown codes count too."""
    settings.CERTIFICATES_VERIFY_RATE = {"view": (3, 600)}
    assert client.get(page_url(certificate.code)).status_code == 200
    assert client.get(page_url(certificate_code())).status_code == 404
    assert client.get(page_url(certificate.code)).status_code == 200
    limited = client.get(page_url(certificate.code))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 600
    assert "Too many requests" in text_of(limited) and "at most 3 requests" in text_of(limited)
    assert client.get(page_url(certificate.code), REMOTE_ADDR="10.1.2.3").status_code == 200


def test_uploads_over_the_limit_get_a_429(client, certificate, settings):
    """Uploads have their own, lower limit."""
    settings.CERTIFICATES_VERIFY_RATE = {"upload": (2, 600)}
    url = reverse("certificate_verify_upload")
    data = json.dumps(certificate.credential).encode()
    assert upload(client, url, "credential.json", data).status_code == 200
    assert upload(client, url, "credential.json", data).status_code == 200
    limited = upload(client, url, "credential.json", data)
    assert limited.status_code == 429 and "Retry-After" in limited


# --- The upload box -------------------------------------------------------------------------------


def test_uploading_the_credential_reports_each_check_and_matches_the_page(client, certificate):
    """The certificate's own credential.json: genuine and valid, both signatures named, and it is
    the certificate on this page."""
    response = upload(client, page_url(certificate.code), "credential.json", json.dumps(certificate.credential).encode())
    html = text_of(response)
    assert response.status_code == 200
    assert "The credential you checked" in html and "This file is the certificate on this page." in html
    assert "Valid signature by Alpha University of Commerce." in html and "Valid signature by Gamma Trading." in html
    assert "Not revoked" in html and "Not suspended" in html


def test_uploading_a_tampered_credential_reports_it_not_verified(client, certificate):
    """A credential with a changed name: "Not verified", and each signature says it does not match."""
    forged = copy.deepcopy(certificate.credential)
    forged["credentialSubject"]["achievement"]["name"] = "Master of Everything"
    html = text_of(upload(client, reverse("certificate_verify_upload"), "credential.json", json.dumps(forged).encode()))
    assert "verify-badge--invalid" in html
    assert html.count("does not match: the credential was changed after it was signed") == 2


def test_a_revoked_certificates_credential_upload_says_revoked(client, certificate, platform_admin):
    """The upload check reads the revocation from the issuer's status list."""
    services.certificate_revoke(certificate=certificate, reason="plagiarism.", by=platform_admin)
    html = text_of(upload(client, reverse("certificate_verify_upload"), "credential.json", json.dumps(certificate.credential).encode()))
    assert "verify-badge--revoked" in html and "revocation list marks it" in html


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        pytest.param("notes.txt", b"just some text", "neither a certificate PDF nor a JSON credential", id="garbage"),
        pytest.param("credential.json", b'{"hello": "world"}', "not an Open Badges credential", id="json-not-a-credential"),
        pytest.param("certificate.pdf", b"not really a PDF", "neither a certificate PDF nor a JSON credential", id="not-a-pdf"),
    ],
)
def test_bad_uploads_get_a_clear_message(client, certificate, name, data, words):
    """Garbage, JSON that is not a credential, and a "PDF" that is not one: a 400 with the reason
    next to the file field, and the page still works."""
    response = upload(client, page_url(certificate.code), name, data)
    assert response.status_code == 400
    html = text_of(response)
    assert words in html and "Genuine and valid" in html  # the certificate's own status still shows


def test_an_upload_declared_too_big_is_refused_before_its_body_is_read(client, certificate):
    """A body over the cap (5 MB) is refused with a message, from its declared length; on a
    private certificate's address it is still the 404 of an unknown code."""
    big = b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024 + 1)
    response = upload(client, reverse("certificate_verify_upload"), "big.pdf", big)
    assert response.status_code == 413
    assert "The file is too large" in text_of(response)
    on_page = upload(client, page_url(certificate.code), "big.pdf", big)
    assert on_page.status_code == 413 and "Genuine and valid" in text_of(on_page)
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PRIVATE)
    assert upload(client, page_url(certificate.code), "big.pdf", big).status_code == 404


def test_a_file_over_the_cap_in_a_small_declared_body_is_skipped(client, settings):
    """A file past the cap though the body's declared size was within the allowance is skipped
    while it is read, and reported too big rather than missing."""
    settings.CERTIFICATES_VERIFY_UPLOAD_MAX_BYTES = 1000
    response = upload(client, reverse("certificate_verify_upload"), "credential.json", b"{" + b" " * 1500 + b"}")
    assert response.status_code == 413 and "The file is too large" in text_of(response)


def test_uploads_are_kept_in_memory_and_never_written_to_disk(client, certificate, monkeypatch):
    """Even a file larger than Django's in-memory threshold never becomes a temporary file."""

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile", refuse)
    pdf = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)
    response = upload(client, reverse("certificate_verify_upload"), "big.pdf", pdf)
    assert response.status_code == 200
    assert "fingerprint matches no certificate" in text_of(response)


def test_the_upload_box_checks_the_csrf_token(certificate):
    """The upload is a normal form POST with a CSRF token: without it the answer is 403."""
    strict = Client(enforce_csrf_checks=True)
    response = upload(strict, page_url(certificate.code), "credential.json", json.dumps(certificate.credential).encode())
    assert response.status_code == 403


def test_the_upload_page_without_a_code_works_in_both_languages(client):
    """/certificates/verify/ offers the upload box alone, in English and in Chinese."""
    for url in (reverse("certificate_verify_upload"), "/zh-hans" + reverse("certificate_verify_upload")):
        response = client.get(url)
        assert response.status_code == 200 and b'enctype="multipart/form-data"' in response.content


def _small_pdf(credential):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("credential.json", json.dumps(credential).encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_registered_pdf_upload_names_its_certificate_and_a_changed_one_does_not_match(client, certificate):
    """A PDF registered for the certificate: "not a byte was changed", and its page is linked; the
    same PDF with one byte changed: the fingerprint matches nothing."""
    data = _small_pdf(certificate.credential)
    Certificate.objects.filter(pk=certificate.pk).update(pdf_sha256=hashlib.sha256(data).hexdigest())
    html = text_of(upload(client, reverse("certificate_verify_upload"), "certificate.pdf", data))
    assert "not a byte was changed" in html and "verify-badge--valid" in html
    assert page_url(certificate.code) in html and "Aru Nurlanovna" in html
    changed = bytearray(data)
    position = changed.index(b"%%EOF") - 2
    changed[position] = ord(" ") if changed[position] != ord(" ") else ord("\n")
    html = text_of(upload(client, reverse("certificate_verify_upload"), "certificate.pdf", bytes(changed)))
    assert "fingerprint matches no certificate" in html and "verify-badge--invalid" in html
    assert "The credential attached to the PDF is genuine" in html


def test_the_rendered_pdf_uploaded_on_its_page_verifies(client, certificate):
    """The real PDF (certificates.pdf_services) uploaded on its certificate's page: its hash is
    registered, its attached credential verifies, and it is this page's certificate."""
    pdf_services = pytest.importorskip("certificates.pdf_services")
    rendered = pdf_services.certificate_pdf_render(certificate=certificate)
    with rendered.pdf.open("rb") as handle:
        data = handle.read()
    html = text_of(upload(client, page_url(certificate.code), "certificate.pdf", data))
    assert "This file is the certificate on this page." in html and "not a byte was changed" in html
    assert "The credential attached to the PDF is genuine" in html
