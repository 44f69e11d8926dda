"""Certificates in headless Chromium against the live server (issue "Certificates", point 10): a
graduate opens the wallet, downloads the PDF, copies the verification link; a verifier with no
account opens that link, sees a genuine certificate and checks the downloaded PDF in the upload
box; once the issuer revokes the certificate, the verifier's next look says so with the reason.

The certificate is issued the way the course-pass rule issues it (the task, eager in the test
settings: issue, both proofs, the PDF/A-3b) before the browser starts; the revocation goes
through the service between two page loads.
"""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REASON = "The final assessment was found to have been taken by someone else."


@pytest.fixture
def graduate_certificate(university_a, enterprise, author_a):
    """A co-signed course certificate of a graduate named in two scripts, with its PDF."""
    from academy.people.factories import UserFactory
    from certificates.models import Certificate
    from certificates.tasks import RULE_COURSE_RUN, certificate_issue_pdf
    from courses.factories import course_tree, open_run
    from courses.models import CourseOrganisation, CoursePass, Enrolment
    from django.utils import timezone

    graduate = UserFactory(email="chen.hao@example.com", display_name="Chen Hao", name_latin="Chen Hao", name_native="陈浩")
    course = course_tree(
        organisation=university_a, modules=1, lessons=1, title="Customs and tax for cross-border sellers",
        partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)],
    )
    run = open_run(course=course, by=author_a)
    now = timezone.now()
    enrolment = Enrolment.objects.create(run=run, user=graduate, status=Enrolment.Status.ACTIVE, activated_at=now, completed_at=now)
    course_pass = CoursePass.objects.create(enrolment=enrolment, percent="0.9200", letter="Distinction", passed_at=now)
    code = certificate_issue_pdf(RULE_COURSE_RUN, course_pass.pk)
    return Certificate.objects.get(code=code)


def test_a_graduate_shares_a_certificate_that_a_verifier_checks_until_it_is_revoked(
        page, browser, live_server, graduate_certificate, platform_admin, password):
    from certificates.services import certificate_revoke

    certificate = graduate_certificate
    assert certificate.pdf_sha256 and len(certificate.credential["proof"]) == 2

    # 1. The graduate finds the certificate in the wallet and downloads its PDF.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, email=certificate.holder.email, password=password)
    page.get_by_role("link", name="Certificates", exact=True).click()
    expect(page).to_have_url(re.compile(r"/certificates/$"))
    card = page.locator(f"#certificate-{certificate.code}")
    expect(card.get_by_role("heading", name="Customs and tax for cross-border sellers")).to_be_visible()
    expect(card).to_contain_text("co-signed by Gamma Trading")
    with page.expect_download() as download_info:
        card.get_by_role("link", name=re.compile("^Download PDF")).click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256

    # 2. The graduate copies the verification link (the field shows it for copying by hand too).
    link = card.get_by_label("Verification link").input_value()
    assert link.endswith(f"/certificates/verify/{certificate.code}/")
    card.get_by_role("button", name="Copy link").click()
    expect(card.get_by_role("status")).to_contain_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link

    # 3. A verifier with no account opens the link: genuine and valid, the holder's names, both
    # issuers, and no e-mail address.
    verifier = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    path = "/" + link.split("/", 3)[3]
    verifier.goto(path)
    expect(verifier.locator(".verify-badge").first).to_have_text("Genuine and valid")
    expect(verifier.locator(".verify-facts")).to_contain_text("陈浩")
    expect(verifier.locator(".verify-facts")).to_contain_text("Alpha University of Commerce")
    expect(verifier.locator(".verify-facts")).to_contain_text("Gamma Trading")
    assert certificate.holder.email not in verifier.content()

    # 4. The verifier checks the PDF the graduate sent: it is the one issued, and its attached
    # credential verifies.
    verifier.get_by_label("Credential or certificate PDF").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    verifier.get_by_role("button", name="Check the file").click()
    report = verifier.locator("#report")
    expect(report).to_contain_text("This file is the certificate on this page.")
    expect(report.locator(".verify-badge")).to_have_text("Genuine and valid")

    # 5. The issuer revokes it; the verifier's next look says revoked, when and why.
    certificate_revoke(certificate=certificate, reason=REASON, by=platform_admin)
    verifier.goto(path)
    expect(verifier.locator(".verify-badge").first).to_have_text("Revoked")
    expect(verifier.locator(".verify-banner")).to_contain_text(REASON)
    verifier.context.close()
