"""The public JSON endpoints (issue "Certificates", points 3 and 4; URLs in PRODUCT.md): a
certificate's credential (the same 404 for a private and an unknown code, except for its holder
and staff), an issuer's profile with active and retired keys, and the signed status lists that
revoking and suspending change. No language prefix; query counts pinned."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from academy.people.factories import UserFactory
from certificates import proofs, services
from certificates.credentials import public_key_for_method
from certificates.factories import issued_certificate
from certificates.models import Certificate
from certificates.status_list import StatusBitstring
from courses.factories import course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

V = Certificate.Visibility


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])


@pytest.fixture
def certificate(course, student, enterprise):
    return issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise)


def credential_url(code):
    return reverse("certificate_credential", args=[code])


def test_the_urls_have_no_language_prefix():
    """The endpoints' addresses are signed into credentials, so they never carry a language prefix."""
    assert credential_url("abc") == "/certificates/abc/credential.json"
    assert reverse("certificate_issuer", args=["alpha"]) == "/certificates/issuers/alpha/"
    assert reverse("certificate_status_list", args=["alpha", "revocation"]) == "/certificates/status/alpha/revocation/"


@pytest.mark.parametrize("visibility", [V.PUBLIC, V.LINK_ONLY])
def test_a_public_or_link_only_credential_is_served_to_anyone(client, certificate, visibility, django_assert_max_num_queries):
    """Anyone with the link gets the signed credential as JSON-LD, cacheable publicly."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=visibility)
    with django_assert_max_num_queries(1):
        response = client.get(credential_url(certificate.code))
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    assert "public" in response["Cache-Control"]
    document = response.json()
    assert document == certificate.credential
    assert proofs.proof_verify(document, resolve_key=public_key_for_method).verified


def test_a_private_credential_is_the_same_404_as_an_unknown_code(client, certificate):
    """For anyone but the holder and staff, a private certificate's credential answers exactly like
    a code that does not exist."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PRIVATE)
    unknown = client.get(credential_url("A" * 22))
    private = client.get(credential_url(certificate.code))
    assert unknown.status_code == private.status_code == 404
    assert unknown.content == private.content
    client.force_login(UserFactory())
    assert client.get(credential_url(certificate.code)).status_code == 404


def test_the_holder_and_staff_get_their_private_credential(client, certificate, student, platform_admin):
    """The holder (and staff) still fetch a private certificate's credential, never cached publicly."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PRIVATE)
    for user in (student, platform_admin):
        client.force_login(user)
        response = client.get(credential_url(certificate.code))
        assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_the_issuer_profile_lists_active_and_retired_keys(client, certificate, django_assert_max_num_queries):
    """After a rotation the profile publishes both keys as Multikeys under assertionMethod, and
    the old credential verifies with only what the profile publishes."""
    issuer = certificate.issuer
    services.signing_key_rotate(issuer=issuer)
    with django_assert_max_num_queries(2):
        response = client.get(reverse("certificate_issuer", args=[issuer.slug]))
    assert response.status_code == 200
    profile = response.json()
    assert profile["id"] == f"{settings.SITE_URL}/certificates/issuers/{issuer.slug}/"
    methods = {method["id"]: method for method in profile["verificationMethod"]}
    assert len(methods) == 2 and set(profile["assertionMethod"]) == set(methods)
    assert all(m["type"] == "Multikey" and m["controller"] == profile["id"] for m in methods.values())
    own_proof = next(p for p in certificate.credential["proof"] if p["verificationMethod"] in methods)
    only_published = {method_id: m["publicKeyMultibase"] for method_id, m in methods.items()}
    document = proofs.proofs_without(certificate.credential, keep=[own_proof["verificationMethod"]])
    assert proofs.proof_verify(document, resolve_key=only_published.get).verified


def test_the_profile_urls_come_from_site_url_not_the_request(client, certificate):
    """Behind any host name, the profile names the SITE_URL addresses that credentials carry."""
    with override_settings(SITE_URL="https://certs.example.org", ALLOWED_HOSTS=["*"]):
        response = client.get(reverse("certificate_issuer", args=[certificate.issuer.slug]), HTTP_HOST="other.example.com")
    profile = response.json()
    assert profile["id"] == f"https://certs.example.org/certificates/issuers/{certificate.issuer.slug}/"
    assert all(m["id"].startswith(profile["id"] + "#") for m in profile["verificationMethod"])


def test_an_unknown_issuer_or_purpose_is_404(client, certificate):
    """Unknown issuers and purposes other than revocation and suspension are not found."""
    assert client.get(reverse("certificate_issuer", args=["nobody"])).status_code == 404
    assert client.get(reverse("certificate_status_list", args=[certificate.issuer.slug, "message"])).status_code == 404
    assert client.get(reverse("certificate_status_list", args=["nobody", "revocation"])).status_code == 404


def _served_bit(client, slug, purpose, index):
    response = client.get(reverse("certificate_status_list", args=[slug, purpose]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    credential = response.json()
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert proofs.proof_verify(credential, resolve_key=public_key_for_method).verified
    return StatusBitstring.decode(credential["credentialSubject"]["encodedList"]).get(index)


def test_revoking_flips_the_bit_in_the_served_list(client, certificate, platform_admin):
    """Before revocation the served, signed revocation list has the bit clear; after, set."""
    slug = certificate.issuer.slug
    assert _served_bit(client, slug, "revocation", certificate.revocation_index) is False
    services.certificate_revoke(certificate=certificate, reason="Issued in error.", by=platform_admin)
    assert _served_bit(client, slug, "revocation", certificate.revocation_index) is True


def test_unsuspending_clears_the_bit_in_the_served_list(client, certificate, platform_admin):
    """A suspension shows in the served suspension list; lifting it clears the bit."""
    slug = certificate.issuer.slug
    services.certificate_suspend(certificate=certificate, reason="Under review.", by=platform_admin)
    assert _served_bit(client, slug, "suspension", certificate.suspension_index) is True
    services.certificate_unsuspend(certificate=certificate, by=platform_admin)
    assert _served_bit(client, slug, "suspension", certificate.suspension_index) is False


def test_the_status_list_endpoint_query_count(client, certificate, platform_admin, django_assert_max_num_queries):
    """An existing status list is served with one query."""
    services.certificate_suspend(certificate=certificate, reason="Under review.", by=platform_admin)
    with django_assert_max_num_queries(1):
        response = client.get(reverse("certificate_status_list", args=[certificate.issuer.slug, "suspension"]))
    assert response.status_code == 200 and "public" in response["Cache-Control"]


def test_the_achievement_id_serves_the_achievement(client, certificate, django_assert_max_num_queries):
    """The `achievement.id` a credential names answers with that same Achievement as JSON-LD (no
    holder data); an unknown id is a 404."""
    achievement = certificate.credential["credentialSubject"]["achievement"]
    path = achievement["id"].removeprefix(settings.SITE_URL)
    assert path == reverse("certificate_achievement", args=[certificate.achievement_id])
    with django_assert_max_num_queries(2):
        response = client.get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert {key: value for key, value in document.items() if key != "@context"} == achievement
    assert document["@context"] == certificate.credential["@context"]
    assert client.get(reverse("certificate_achievement", args=[999_999]), HTTP_HOST="127.0.0.1").status_code == 404


def test_an_issuer_without_a_website_links_its_page_on_this_site(certificate, university_a):
    """The issuer's `url` is the organisation's website, else its partner page here (never a
    page that does not exist)."""
    from certificates.credentials import issuer_profile_reference

    university_a.website = ""
    university_a.save()
    certificate.issuer.refresh_from_db()
    url = issuer_profile_reference(certificate.issuer)["url"]
    page = university_a.pages.filter(alias_of__isnull=True).first()
    assert url == f"{settings.SITE_URL}{page.get_url_parts()[2]}" and url.rstrip("/") != settings.SITE_URL


@pytest.mark.parametrize(
    ("visibility", "page_for_others", "pdf_for_others"),
    [(V.PUBLIC, True, True), (V.LINK_ONLY, True, False), (V.PRIVATE, False, False)],
)
def test_one_rule_says_who_sees_what(certificate, student, platform_admin, visibility, page_for_others, pdf_for_others):
    """The visibility table of the issue: the holder and staff see the page, the credential and
    the PDF whatever the choice; anyone else (signed in or not) as the choice says."""
    from django.contrib.auth.models import AnonymousUser

    from certificates.selectors import certificate_visible_to

    certificate.visibility = visibility
    for user in (student, platform_admin):
        assert certificate_visible_to(certificate=certificate, user=user)
        assert certificate_visible_to(certificate=certificate, user=user, pdf=True)
    for user in (AnonymousUser(), UserFactory()):
        assert certificate_visible_to(certificate=certificate, user=user) is page_for_others
        assert certificate_visible_to(certificate=certificate, user=user, pdf=True) is pdf_for_others
