"""The graduate's wallet and the dashboard card (issue "Certificates", point 7; URL contract in
PRODUCT.md): the signed-in holder's current certificates only, newest first, in the visitor's
language, each with its downloads, verification link, LinkedIn link and visibility switch; the
earlier versions of a re-issued one collapsed under it; a fixed number of queries; the visibility
switch only for the holder (anyone else gets the 404 of an unknown code, and nothing changes)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from academy.people.factories import UserFactory
from certificates import services
from certificates.factories import issued_certificate
from certificates.linkedin import certificate_linkedin_url, linkedin_add_to_profile_url
from certificates.links import verification_url
from certificates.models import Certificate
from courses.factories import course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

V = Certificate.Visibility
WALLET_QUERIES = 2  # the user; every version of their certificates with achievements, issuers, organisations


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(
        organisation=university_a, modules=0, title="Cross-border Payments",
        partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)],
    )


@pytest.fixture
def certificate(course, student, enterprise):
    certificate = issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise, issued_on=dt.date(2026, 3, 14))
    certificate.achievement.name_zh = "跨境支付"
    certificate.achievement.save(update_fields=["name_zh"])
    return certificate


def wallet(client, language="en"):
    with translation.override(language):
        url = reverse("certificate_wallet")
    return client.get(url)


def certificates_for(holder, university, count, start=0):
    """`count` certificates of `holder`, each for a course of its own, issued on different days."""
    return [
        issued_certificate(
            holder=holder, course=course_tree(organisation=university, modules=0, title=f"Course {n}"),
            issued_on=dt.date(2026, 1, 1) + dt.timedelta(days=n),
        )
        for n in range(start, start + count)
    ]


# --- LinkedIn -------------------------------------------------------------------------------------


def test_the_linkedin_link_prefills_a_certification_url_encoded():
    """The "Add to profile" link asks LinkedIn for a certification with every detail, each value
    URL-encoded, and the expiry only when there is one."""
    url = linkedin_add_to_profile_url(
        name="Customs & Duties: EAEU", organisation_name="Alpha University of Commerce", issued_on=dt.date(2026, 3, 14),
        cert_url="https://academy.example/certificates/verify/abc_-123/", cert_id="abc_-123",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    assert "name=Customs+%26+Duties%3A+EAEU&" in parts.query
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"], "name": ["Customs & Duties: EAEU"], "organizationName": ["Alpha University of Commerce"],
        "issueYear": ["2026"], "issueMonth": ["3"], "certUrl": ["https://academy.example/certificates/verify/abc_-123/"],
        "certId": ["abc_-123"],
    }
    expiring = parse_qs(urlsplit(linkedin_add_to_profile_url(
        name="N", organisation_name="O", issued_on=dt.date(2026, 11, 30), cert_url="https://x.example/", cert_id="c",
        expires_on=dt.date(2028, 1, 5),
    )).query)
    assert expiring["expirationYear"] == ["2028"] and expiring["expirationMonth"] == ["1"]


def test_a_certificates_linkedin_link_names_it_in_english(certificate):
    """A certificate goes to LinkedIn with its achievement's and lead issuer's English names, the
    verification page and its code, and its expiry when the achievement expires."""
    certificate.achievement.valid_for_days = 365
    with translation.override("zh-hans"):
        query = parse_qs(urlsplit(certificate_linkedin_url(certificate)).query)
    assert query["name"] == ["Cross-border Payments"]
    assert query["organizationName"] == ["Alpha University of Commerce"]
    assert query["certUrl"] == [f"{settings.SITE_URL}/certificates/verify/{certificate.code}/"]
    assert query["certId"] == [certificate.code]
    assert (query["issueYear"], query["issueMonth"]) == (["2026"], ["3"])
    assert (query["expirationYear"], query["expirationMonth"]) == (["2027"], ["3"])


# --- The wallet -----------------------------------------------------------------------------------


def test_signing_in_is_required(client):
    """An anonymous visitor is sent to sign in, in either language."""
    for language in ("en", "zh-hans"):
        response = wallet(client, language)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_wallet_shows_each_certificate_with_its_actions(client, certificate, student):
    """The holder sees the achievement, both issuers, the date, status and version, and every
    action: the PDF, the credential as a download, the verification link (absolute, from
    SITE_URL) with a copy button, the verification page, LinkedIn in a new tab and the switch."""
    client.force_login(student)
    response = wallet(client)
    assert response.status_code == 200
    html = response.content.decode()
    code = certificate.code
    assert "Cross-border Payments" in html and "Alpha University of Commerce" in html and "Gamma Trading" in html
    assert f'href="/certificates/{code}/certificate.pdf"' in html
    assert f'href="/certificates/{code}/credential.json" download="cross-border-payments-{code}.json"' in html
    assert f'value="{verification_url(code)}" readonly' in html and f'data-copy-link="certificate-{code}-link"' in html
    assert f'href="/certificates/verify/{code}/"' in html
    assert 'href="https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name=Cross-border+Payments' in html
    assert 'target="_blank" rel="noopener"' in html
    assert f'action="/certificates/{code}/visibility/"' in html and 'name="csrfmiddlewaretoken"' in html
    assert f'id="visibility-{code}-link_only" aria-describedby="visibility-{code}-link_only-help" checked' in html
    assert "certificates/copy-link.js" in html


def test_the_wallet_speaks_chinese(client, certificate, student):
    """Under /zh-hans/ the achievement and the issuers carry their Chinese names, and the
    verification page link stays in Chinese; the shared link is the language-neutral one."""
    client.force_login(student)
    response = wallet(client, "zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "跨境支付" in html and "阿尔法商贸大学" in html and "伽马贸易" in html
    assert f'href="/zh-hans/certificates/verify/{certificate.code}/"' in html
    assert f'value="{settings.SITE_URL}/certificates/verify/{certificate.code}/"' in html
    assert f'action="/zh-hans/certificates/{certificate.code}/visibility/"' in html


def test_the_wallet_lists_only_the_holders_certificates(client, certificate, course, student):
    """Another person's certificate never appears in someone's wallet."""
    other = UserFactory()
    theirs = issued_certificate(holder=other, course=course)
    client.force_login(other)
    html = wallet(client).content.decode()
    assert theirs.code in html and certificate.code not in html
    client.force_login(student)
    html = wallet(client).content.decode()
    assert certificate.code in html and theirs.code not in html


def test_revoked_and_suspended_certificates_say_why_and_offer_no_linkedin(client, university_a, student, platform_admin):
    """A revoked or suspended certificate shows its status and reason, and no LinkedIn link."""
    revoked, suspended, valid = certificates_for(student, university_a, 3)
    services.certificate_revoke(certificate=revoked, reason="Issued in error.", by=platform_admin)
    services.certificate_suspend(certificate=suspended, reason="Under review by the issuer.", by=platform_admin)
    client.force_login(student)
    html = wallet(client).content.decode()
    assert html.count("linkedin.com/profile/add") == 1 and f"certId={valid.code}" in html
    assert "Issued in error." in html and "Under review by the issuer." in html
    assert '<span class="badge badge--error">Revoked</span>' in html
    assert '<span class="badge badge--warning">Suspended</span>' in html


def test_a_private_certificate_explains_why_linkedin_is_missing(client, certificate, student):
    """A private certificate offers no LinkedIn link and says how to get one."""
    Certificate.objects.filter(pk=certificate.pk).update(visibility=V.PRIVATE)
    client.force_login(student)
    html = wallet(client).content.decode()
    assert "linkedin.com/profile/add" not in html
    assert "To add it to LinkedIn, make it visible" in html


def test_earlier_versions_are_collapsed_under_the_current_one(client, certificate, student, platform_admin):
    """After a re-issue the wallet shows one card, the new version, with the earlier one under
    "Earlier versions"."""
    new = services.certificate_reissue(certificate=certificate, by=platform_admin)
    client.force_login(student)
    html = wallet(client).content.decode()
    assert html.count('class="card wallet-card') == 1
    assert f'id="certificate-{new.code}"' in html and f'id="certificate-{certificate.code}"' not in html
    assert "Earlier version (1)" in html and f'href="/certificates/{certificate.code}/certificate.pdf"' in html


def test_the_newest_certificate_comes_first(client, university_a, student):
    """Certificates are listed newest first."""
    older, newer = certificates_for(student, university_a, 2)
    client.force_login(student)
    html = wallet(client).content.decode()
    assert html.index(f'id="certificate-{newer.code}"') < html.index(f'id="certificate-{older.code}"')


def test_an_empty_wallet_says_how_certificates_are_earned(client, student):
    """Without certificates the wallet explains the three ways to earn one and links onwards."""
    client.force_login(student)
    html = wallet(client).content.decode()
    assert "No certificates yet" in html
    assert "Pass a course run" in html and "Complete a program" in html and "Pass a practicum project" in html
    assert f'href="{reverse("dashboard")}"' in html


@pytest.mark.parametrize("count", [1, 5])
def test_the_wallet_query_count_does_not_grow(client, university_a, student, platform_admin, count, django_assert_max_num_queries):
    """One certificate or five (one of them re-issued), the wallet takes the same few queries."""
    certificates = certificates_for(student, university_a, count)
    services.certificate_reissue(certificate=certificates[0], by=platform_admin)
    client.force_login(student)
    wallet(client)  # warm the site-wide caches the header reads (the catalogue's address)
    with django_assert_max_num_queries(WALLET_QUERIES):
        response = wallet(client)
    assert response.content.decode().count('class="card wallet-card') == count


# --- Choosing who sees a certificate --------------------------------------------------------------


def visibility_url(code, language="en"):
    with translation.override(language):
        return reverse("certificate_visibility", args=[code])


def test_the_holder_makes_a_certificate_public(client, certificate, student):
    """The holder's choice is saved, and the wallet comes back scrolled to the certificate, whose
    card says what changed."""
    client.force_login(student)
    response = client.post(visibility_url(certificate.code), {"visibility": V.PUBLIC})
    assert response.status_code == 302 and response["Location"] == f"/certificates/#certificate-{certificate.code}"
    certificate.refresh_from_db()
    assert certificate.visibility == V.PUBLIC
    html = client.get(response["Location"]).content.decode()
    card = html[html.index(f'id="certificate-{certificate.code}"'):]
    assert card.split("</h2>")[0].count('<p class="alert alert--success" role="status">“Cross-border Payments” is now public') == 1


def test_the_switch_returns_to_the_chinese_wallet(client, certificate, student):
    """A choice made on the Chinese wallet returns to it."""
    client.force_login(student)
    response = client.post(visibility_url(certificate.code, "zh-hans"), {"visibility": V.PRIVATE})
    assert response["Location"] == f"/zh-hans/certificates/#certificate-{certificate.code}"
    certificate.refresh_from_db()
    assert certificate.visibility == V.PRIVATE


@pytest.mark.parametrize("value", ["", "everyone", "PUBLIC"])
def test_a_bad_choice_changes_nothing_and_says_so(client, certificate, student, value):
    """An unknown or missing choice leaves the certificate as it was, with a clear message."""
    client.force_login(student)
    response = client.post(visibility_url(certificate.code), {"visibility": value}, follow=True)
    certificate.refresh_from_db()
    assert certificate.visibility == V.LINK_ONLY
    assert '<p class="alert alert--error" role="status">Choose public, anyone with the link, or private.' in response.content.decode()


def test_nobody_else_changes_who_sees_a_certificate(client, certificate, platform_admin):
    """Another person, staff included, gets the 404 of an unknown code, and nothing changes; an
    anonymous visitor is sent to sign in."""
    response = client.post(visibility_url(certificate.code), {"visibility": V.PUBLIC})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (UserFactory(), platform_admin):
        client.force_login(user)
        unknown = client.post(visibility_url("A" * 22), {"visibility": V.PUBLIC})
        theirs = client.post(visibility_url(certificate.code), {"visibility": V.PUBLIC})
        assert unknown.status_code == theirs.status_code == 404 and unknown.content == theirs.content
    certificate.refresh_from_db()
    assert certificate.visibility == V.LINK_ONLY


def test_the_switch_takes_only_posts(client, certificate, student):
    """Reading the switch's address changes nothing."""
    client.force_login(student)
    assert client.get(visibility_url(certificate.code)).status_code == 405


# --- The dashboard card ---------------------------------------------------------------------------


def test_the_dashboard_card_lists_the_holders_certificates(client, certificate, student):
    """A holder's dashboard has a "Your certificates" card with each certificate, its status,
    its verification page and the wallet; someone without certificates has no such card."""
    client.force_login(student)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="wallet-heading"' in html and "Cross-border Payments" in html
    assert f'href="/certificates/verify/{certificate.code}/"' in html and f'href="/certificates/#certificate-{certificate.code}"' in html
    client.force_login(UserFactory())
    assert 'id="wallet-heading"' not in client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_query_count_does_not_grow_with_certificates(client, university_a, student):
    """The dashboard takes as many queries with five certificates as with one."""
    client.force_login(student)
    certificates_for(student, university_a, 1)
    client.get(reverse("dashboard"))  # warm the site-wide caches that publishing a course clears
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    certificates_for(student, university_a, 4, start=1)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse("dashboard")).content.decode()
    assert html.count('class="dashboard-certificate"') == 5
    assert len(five) == len(one)
