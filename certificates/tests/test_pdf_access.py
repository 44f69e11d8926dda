"""Who may fetch a certificate's PDF (issue "Certificates", points 1, 5 and 10; URL contract in
PRODUCT.md): the holder and staff always; anyone else only when the holder made it public. A
link-only or private certificate's PDF answers everyone else exactly as an unknown code does.
The PDF is a download with no language prefix, never cached by shared caches unless public.

Most tests stand a fake renderer in for `certificates.pdf_services.certificate_pdf_ensure`, so
they test access and the response without WeasyPrint; one renders the real PDF."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from academy.people.factories import UserFactory
from certificates import pdf_services
from certificates.factories import issued_certificate
from certificates.models import Certificate
from courses.factories import course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

V = Certificate.Visibility
FAKE_PDF = b"%PDF-1.7\n% a stand-in for the rendered certificate\n%%EOF\n"


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(
        organisation=university_a, modules=0, title="Cross-border Logistics & Customs",
        partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)],
    )


@pytest.fixture
def certificate(course, student, enterprise):
    return issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise)


@pytest.fixture
def fake_renderer(monkeypatch):
    """The PDF service replaced by one that stores FAKE_PDF on first use, as the real one stores
    its render; the calls are counted."""
    calls = []

    def certificate_pdf_ensure(*, certificate):
        calls.append(certificate.code)
        if not certificate.pdf:
            certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(FAKE_PDF), save=False)
            certificate.pdf_sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
            Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name, pdf_sha256=certificate.pdf_sha256)
        return certificate

    monkeypatch.setattr(pdf_services, "certificate_pdf_ensure", certificate_pdf_ensure)
    return calls


def pdf_url(code):
    return reverse("certificate_pdf", args=[code])


def _visibility(certificate, visibility):
    Certificate.objects.filter(pk=certificate.pk).update(visibility=visibility)


def test_the_pdf_address_has_no_language_prefix():
    """The PDF's address is the same in every language: it is shared, and printed beside the
    credential's."""
    with translation.override("zh-hans"):
        assert pdf_url("abc") == "/certificates/abc/certificate.pdf"


def test_the_holder_downloads_the_pdf(client, certificate, student, fake_renderer, django_assert_max_num_queries):
    """The holder gets the stored PDF as an attachment named after the achievement and the code,
    not sniffable, never kept by a shared cache."""
    client.force_login(student)
    client.get(pdf_url(certificate.code))  # the first download renders and stores it
    with django_assert_max_num_queries(2):  # the user and the certificate
        response = client.get(pdf_url(certificate.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="cross-border-logistics-customs-{certificate.code}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert fake_renderer == [certificate.code, certificate.code]
    certificate.refresh_from_db()
    assert certificate.pdf_sha256 == hashlib.sha256(FAKE_PDF).hexdigest()


@pytest.mark.parametrize("visibility", [V.LINK_ONLY, V.PRIVATE])
def test_staff_download_any_pdf(client, certificate, platform_admin, fake_renderer, visibility):
    """Platform staff get a link-only or private certificate's PDF too."""
    _visibility(certificate, visibility)
    client.force_login(platform_admin)
    response = client.get(pdf_url(certificate.code))
    assert response.status_code == 200 and b"".join(response.streaming_content) == FAKE_PDF


def test_a_staff_flag_alone_is_enough(client, certificate, fake_renderer):
    """`is_staff` without superuser counts as staff for the PDF."""
    _visibility(certificate, V.PRIVATE)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(pdf_url(certificate.code)).status_code == 200


@pytest.mark.parametrize("visibility", [V.LINK_ONLY, V.PRIVATE])
def test_another_user_gets_the_404_of_an_unknown_code(client, certificate, fake_renderer, visibility):
    """Signed in as someone else, or not signed in, a link-only or private certificate's PDF
    answers exactly like a code that does not exist, and nothing is rendered."""
    _visibility(certificate, visibility)
    unknown = client.get(pdf_url("A" * 22))
    anonymous = client.get(pdf_url(certificate.code))
    client.force_login(UserFactory())
    unknown_signed_in = client.get(pdf_url("B" * 22))
    other = client.get(pdf_url(certificate.code))
    assert unknown.status_code == anonymous.status_code == unknown_signed_in.status_code == other.status_code == 404
    assert unknown.content == anonymous.content
    assert unknown_signed_in.content == other.content
    assert fake_renderer == []


def test_a_public_pdf_is_open_to_anyone(client, certificate, fake_renderer, django_assert_max_num_queries):
    """Once the holder made the certificate public, anyone with the link gets its PDF, and shared
    caches may keep it for a few minutes."""
    _visibility(certificate, V.PUBLIC)
    client.get(pdf_url(certificate.code))  # the first download renders and stores it
    with django_assert_max_num_queries(1):
        response = client.get(pdf_url(certificate.code))
    assert response.status_code == 200 and b"".join(response.streaming_content) == FAKE_PDF
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


def test_only_get_and_head_are_answered(client, certificate, student, fake_renderer):
    """The PDF address takes no writes."""
    client.force_login(student)
    assert client.post(pdf_url(certificate.code)).status_code == 405
    assert client.head(pdf_url(certificate.code)).status_code == 200


def test_the_holder_gets_the_real_rendered_pdf(client, certificate, student):
    """With the real renderer, the first download renders the certificate's PDF and stores it;
    the bytes served are the ones whose hash is registered for the verification page."""
    client.force_login(student)
    response = client.get(pdf_url(certificate.code))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.pdf_sha256 == hashlib.sha256(body).hexdigest()
