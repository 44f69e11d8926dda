"""The certificates section of the Wagtail admin through the real views (issue "Certificates",
points 1 and 2), signed in as university A's staff: certificate templates with drafts,
publishing and revisions; the issuer's signatory and keys; the certificates listing with its
filters, search and bulk actions; a certificate's page with its proofs and status history and
its actions (re-issue, suspend, lift, revoke after a confirmation); issuing for a cohort with a
preview, and the batch's progress page and JSON. The listing's and the preview's query counts do
not grow with their rows. What another organisation's staff cannot see or do is in
tests/test_certificates_admin_isolation.py."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Revision

from certificates.models import Certificate, CertificateBatch, CertificateTemplate, Issuer, SigningKey
from certificates.tests.test_batches import (  # noqa: F401 - fixtures
    admin_a,
    certificates_of,
    course_a,
    learners,
    list_bit,
    rendered,
    run_a,
)

pytestmark = pytest.mark.django_db

S = Certificate.Status


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def refused(response):
    """Wagtail answers a refused admin request by redirecting to the dashboard with a message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def template_form(organisation, **overrides):
    data = {
        "name": "Alpha course certificate", "organisation": str(organisation.pk) if organisation else "", "kind": "course",
        "title_en": "Certificate of Achievement", "title_zh": "结业证书", "statement_en": "has successfully completed",
        "statement_zh": "已顺利完成", "show_grade_band": "on", "accent_colour": "#0f5c5c", "footer_en": "", "footer_zh": "",
    }
    data.update(overrides)
    return data


# --- Templates ----------------------------------------------------------------------------------------


def test_an_editor_drafts_publishes_and_revises_a_template_of_their_organisation(university_a, author_a):
    """Created as a draft for A (the only organisation offered, and required), published, edited
    into a new draft: three revisions, the live version unchanged until published again."""
    client = client_for(author_a)
    add_url = reverse("wagtailsnippets_certificates_certificatetemplate:add")
    form = client.get(add_url)
    assert form.status_code == 200 and "Alpha University of Commerce" in form.content.decode()

    assert client.post(add_url, template_form(None)).status_code == 200  # no organisation: refused
    assert not CertificateTemplate.objects.exists()
    response = client.post(add_url, template_form(university_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    template = CertificateTemplate.objects.get()
    assert template.organisation == university_a and not template.live

    edit_url = reverse("wagtailsnippets_certificates_certificatetemplate:edit", args=[template.pk])
    assert client.post(edit_url, {**template_form(university_a), "action-publish": "action-publish"}).status_code == 302
    assert client.post(edit_url, template_form(university_a, title_en="Certificate of Completion")).status_code == 302

    template.refresh_from_db()
    assert template.live and template.has_unpublished_changes and template.title_en == "Certificate of Achievement"
    assert Revision.objects.for_instance(template).count() == 3
    history = client.get(reverse("wagtailsnippets_certificates_certificatetemplate:history", args=[template.pk]))
    assert history.status_code == 200
    listing = client.get(reverse("wagtailsnippets_certificates_certificatetemplate:list"))
    assert "Alpha course certificate" in listing.content.decode()


def test_a_platform_administrator_may_make_the_platform_template(platform_admin):
    """Without an organisation: the platform's default, for superusers only."""
    response = client_for(platform_admin).post(
        reverse("wagtailsnippets_certificates_certificatetemplate:add"), template_form(None, name="Platform 2027"),
    )
    assert response.status_code == 302
    assert CertificateTemplate.objects.get().organisation is None


# --- Issuers ---------------------------------------------------------------------------------------------


@pytest.fixture
def issuer_a(course_a, run_a):
    """University A as an issuer that has signed one certificate (so its slug is fixed)."""
    certificates_of(course_a, learners(run_a, 1))
    return Issuer.objects.get(organisation__slug="alpha-university")


def test_the_organisation_admin_edits_the_signatory_but_not_a_signed_slug(issuer_a, admin_a):
    """Name and titles saved; the slug posted is ignored once credentials carry it."""
    url = reverse("certificate_issuers:edit", args=[issuer_a.pk])
    client = client_for(admin_a)
    assert client.get(url).status_code == 200

    response = client.post(url, {
        "slug": "renamed", "signatory_name": "Prof. Zhou Min", "signatory_title_en": "Dean", "signatory_title_zh": "院长",
        "signature": "",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    issuer_a.refresh_from_db()
    assert (issuer_a.slug, issuer_a.signatory_name, issuer_a.signatory_title_zh) == ("alpha-university", "Prof. Zhou Min", "院长")


def test_an_author_sees_the_issuer_and_its_keys_but_cannot_edit_it(issuer_a, author_a):
    """Inspect shows the keys; the edit view is refused to a non-administrator."""
    client = client_for(author_a)
    page = client.get(reverse("certificate_issuers:inspect", args=[issuer_a.pk]))
    assert page.status_code == 200 and "key-1" in page.content.decode()
    edit_url = reverse("certificate_issuers:edit", args=[issuer_a.pk])
    assert "Rotate the signing key" not in page.content.decode() and edit_url not in page.content.decode()
    assert edit_url not in client.get(reverse("certificate_issuers:index")).content.decode()
    assert refused(client.get(edit_url))
    assert refused(client.post(edit_url, {"slug": "alpha-university", "signatory_name": "Author Alpha", "signature": ""}))
    issuer_a.refresh_from_db()
    assert issuer_a.signatory_name == ""


def test_only_a_superuser_rotates_a_key_after_confirming(issuer_a, admin_a, platform_admin):
    """The organisation's administrator is refused; the superuser sees the confirmation, then
    key-1 is retired (still listed) and key-2 signs."""
    url = reverse("certificate_issuers:rotate_key", args=[issuer_a.pk])
    assert refused(client_for(admin_a).post(url))
    client = client_for(platform_admin)
    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "stay on the issuer" in confirmation.content.decode()

    assert client.post(url).status_code == 302

    keys = {key.key_id: key.status for key in SigningKey.objects.filter(issuer=issuer_a)}
    assert keys == {"key-1": SigningKey.Status.RETIRED, "key-2": SigningKey.Status.ACTIVE}


# --- Certificates: listing and page ----------------------------------------------------------------------


def test_the_listing_filters_and_searches_and_costs_the_same_queries_for_one_or_ten(
    course_a, run_a, author_a, django_assert_max_num_queries,
):
    """Status filter and search by e-mail narrow the rows; ten rows cost no more queries than one."""
    client = client_for(author_a)
    url = reverse("certificates:index")
    first, = certificates_of(course_a, learners(run_a, 1, prefix="First"))
    client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    more = certificates_of(course_a, learners(run_a, 9, prefix="More"))
    Certificate.objects.filter(pk=more[0].pk).update(status=S.SUSPENDED, status_changed_at=more[0].created_at)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)

    page = response.content.decode()
    assert all(f"More {n}" in page for n in range(9)) and "First 0" in page
    suspended = client.get(url, {"status": "suspended"}).content.decode()
    assert "More 0" in suspended and "First 0" not in suspended
    found = client.get(url, {"q": first.holder.email}).content.decode()
    assert "First 0" in found and "More 1" not in found


def test_a_certificates_page_shows_proofs_history_and_links(course_a, run_a, author_a):
    """Who signed with which key, the issue in the history, the verification and PDF links; no
    edit or delete for anyone."""
    certificate, = certificates_of(course_a, learners(run_a, 1))
    client = client_for(author_a)
    page = client.get(reverse("certificates:inspect", args=[certificate.pk])).content.decode()
    assert "Alpha University of Commerce" in page and "key-1" in page and "eddsa-rdfc-2022" in page
    assert f"/certificates/verify/{certificate.code}/" in page and reverse("certificates:pdf", args=[certificate.pk]) in page
    assert "Issued" in page and "Revoke" in page
    assert refused(client.get(reverse("certificates:edit", args=[certificate.pk])))
    assert refused(client.post(reverse("certificates:delete", args=[certificate.pk])))
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_staff_download_a_private_certificates_pdf(course_a, run_a, author_a, rendered, monkeypatch):
    """The PDF of a certificate its holder made private, for the staff of its issuer."""
    from certificates import pdf_services

    certificate, = certificates_of(course_a, learners(run_a, 1))
    Certificate.objects.filter(pk=certificate.pk).update(visibility=Certificate.Visibility.PRIVATE)

    def fake_render(*, certificate):
        from django.core.files.base import ContentFile

        certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        certificate.pdf_sha256 = "0" * 64
        certificate.save(update_fields=["pdf", "pdf_sha256"])
        return certificate

    monkeypatch.setattr(pdf_services, "certificate_pdf_ensure", fake_render)
    response = client_for(author_a).get(reverse("certificates:pdf", args=[certificate.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


# --- Certificates: actions on one -----------------------------------------------------------------------


def test_suspend_needs_a_reason_then_suspends_and_lifting_restores(course_a, run_a, admin_a):
    """No reason: the form again (400) and nothing changes; with one, suspended and the list
    bit set; lifting the suspension makes it valid again."""
    certificate, = certificates_of(course_a, learners(run_a, 1))
    client = client_for(admin_a)
    url = reverse("certificates:suspend", args=[certificate.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    certificate.refresh_from_db()
    assert certificate.status == S.ISSUED

    assert client.post(url, {"reason": "Grades under review."}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == S.SUSPENDED and list_bit(certificate, "suspension")

    assert client.post(reverse("certificates:unsuspend", args=[certificate.pk]), {"reason": ""}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == S.ISSUED and not list_bit(certificate, "suspension")


def test_revoking_is_confirmed_on_a_page_that_says_it_is_for_good(course_a, run_a, admin_a):
    """The confirmation says it is for good and what verifiers will see; then it is revoked with
    the reason, and the page offers no more actions."""
    certificate, = certificates_of(course_a, learners(run_a, 1))
    client = client_for(admin_a)
    url = reverse("certificates:revoke", args=[certificate.pk])
    page = client.get(url).content.decode()
    assert "Revoking is for good" in page and "Revoked on [date] because [your reason]" in page

    assert client.post(url, {"reason": "Issued in error."}).status_code == 302

    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (S.REVOKED, "Issued in error.")
    assert list_bit(certificate, "revocation")
    inspect = client.get(reverse("certificates:inspect", args=[certificate.pk])).content.decode()
    assert reverse("certificates:reissue", args=[certificate.pk]) not in inspect
    assert client.post(url, {"reason": "Again."}).status_code == 302  # refused with a message
    assert certificate.status_changes.filter(to_status=S.REVOKED).count() == 1


def test_reissuing_one_certificate_goes_through_a_batch(course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks):
    """Confirmed, a one-item batch makes version 2 and the progress page links to it."""
    old, = certificates_of(course_a, learners(run_a, 1))
    client = client_for(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:reissue", args=[old.pk]))

    batch = CertificateBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("certificates:batch", args=[batch.pk])
    new = Certificate.objects.get(supersedes=old)
    assert new.version == 2 and rendered == [new.code]
    summary = client.get(response["Location"]).content.decode()
    assert reverse("certificates:inspect", args=[new.pk]) in summary


def test_an_author_without_change_permission_cannot_act(course_a, run_a, author_a):
    """Model permissions still decide: without "change certificate" the actions are refused."""
    from django.contrib.auth.models import Permission

    certificate, = certificates_of(course_a, learners(run_a, 1))
    group = author_a.groups.get()
    group.permissions.remove(Permission.objects.get(codename="change_certificate"))
    client = client_for(author_a)
    assert refused(client.post(reverse("certificates:revoke", args=[certificate.pk]), {"reason": "x"}))
    assert "Revoke" not in client.get(reverse("certificates:inspect", args=[certificate.pk])).content.decode()


# --- Bulk actions ----------------------------------------------------------------------------------------


def bulk_url(action, *certificates):
    ids = "&".join(f"id={c.pk}" for c in certificates)
    return reverse("wagtail_bulk_action", args=["certificates", "certificate", action]) + f"?{ids}&next=/admin/certificates/"


def test_the_bulk_suspend_lists_the_chosen_asks_why_and_queues_a_batch(
    course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks,
):
    """The confirmation lists the chosen certificates; without a reason nothing is queued; with
    one, the batch runs and the progress page follows."""
    chosen = certificates_of(course_a, learners(run_a, 2))
    client = client_for(admin_a)
    url = bulk_url("suspend", *chosen)
    page = client.get(url)
    assert page.status_code == 200 and all(c.name_latin in page.content.decode() for c in chosen)
    assert client.post(url, {"reason": ""}).status_code == 200 and not CertificateBatch.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Exam under review."})

    batch = CertificateBatch.objects.get()
    assert response["Location"] == reverse("certificates:batch", args=[batch.pk])
    assert set(Certificate.objects.values_list("status", flat=True)) == {S.SUSPENDED}
    assert batch.reason == "Exam under review." and batch.done == 2


def test_the_listing_offers_the_bulk_actions(course_a, run_a, admin_a):
    """Checkboxes on the rows and the four actions in the footer."""
    certificates_of(course_a, learners(run_a, 1))
    page = client_for(admin_a).get(reverse("certificates:index")).content.decode()
    assert "data-bulk-action-checkbox" in page
    for action in ("reissue", "suspend", "unsuspend", "revoke"):
        assert reverse("wagtail_bulk_action", args=["certificates", "certificate", action]) in page


# --- Issue for a cohort ----------------------------------------------------------------------------------


def test_issue_for_a_cohort_previews_then_issues_and_shows_progress(
    course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks,
):
    """Choose the run, see the counts, confirm: certificates issued, progress JSON done, the
    summary links to them."""
    passed = learners(run_a, 2)
    learners(run_a, 1, passed=False, prefix="Pending")
    client = client_for(admin_a)
    choose = client.get(reverse("certificates:issue_cohort"))
    assert choose.status_code == 200 and str(run_a.title) in choose.content.decode()
    picked = client.get(reverse("certificates:issue_cohort"), {"run": run_a.pk})
    preview_url = reverse("certificates:issue_cohort_preview", args=[run_a.pk])
    assert picked["Location"] == preview_url
    preview = client.get(preview_url).content.decode()
    assert "Issue 2 certificates" in preview and "Pending 0" in preview

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url)

    batch = CertificateBatch.objects.get()
    assert response["Location"] == reverse("certificates:batch", args=[batch.pk])
    progress = client.get(reverse("certificates:batch_progress", args=[batch.pk])).json()
    assert progress == {
        "status": "done", "status_label": "Done", "done": 2, "total": 2, "failures": 0, "finished": True,
        "label": "2 of 2 done", "error": "", "value": 2, "max": 2, "text": "2 of 2 done · Done",
    }
    summary = client.get(response["Location"]).content.decode()
    for certificate in Certificate.objects.filter(holder__in=passed):
        assert reverse("certificates:inspect", args=[certificate.pk]) in summary
    again = client.get(preview_url).content.decode()
    assert "there is nothing to issue" in again


def test_the_progress_page_has_a_bar_polled_from_its_json_while_the_batch_runs(course_a, run_a, admin_a, rendered):
    """A queued batch: the <progress> bar, its JSON address for the script, and a refresh link."""
    learners(run_a, 3)
    from certificates.batch_services import certificate_batch_create

    batch = certificate_batch_create(action=CertificateBatch.Action.ISSUE, by=admin_a, course_run=run_a)
    client = client_for(admin_a)
    page = client.get(reverse("certificates:batch", args=[batch.pk])).content.decode()
    assert '<progress id="batch-progress" max="3" value="0"' in page
    assert f'data-url="{reverse("certificates:batch_progress", args=[batch.pk])}"' in page
    assert "academy/js/progress-poll.js" in page and "Refresh" in page
    data = client.get(reverse("certificates:batch_progress", args=[batch.pk])).json()
    assert (data["status"], data["done"], data["total"], data["finished"]) == ("queued", 0, 3, False)


def test_the_preview_costs_the_same_queries_for_a_small_or_large_cohort(course_a, run_a, admin_a, django_assert_max_num_queries):
    """Two learners or twelve: the same number of queries."""
    client = client_for(admin_a)
    url = reverse("certificates:issue_cohort_preview", args=[run_a.pk])
    certificates_of(course_a, learners(run_a, 1, prefix="Held"))
    learners(run_a, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    certificates_of(course_a, learners(run_a, 5, prefix="Held more"))
    learners(run_a, 5, prefix="Due more")

    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert "Issue 6 certificates" in page


# --- No admin for learners --------------------------------------------------------------------------------


def test_a_learner_gets_no_admin_access(course_a, run_a):
    """A graduate holding a certificate: every certificates admin page sends them away."""
    certificate, = certificates_of(course_a, learners(run_a, 1))
    client = client_for(certificate.holder)
    for url in (
        reverse("certificates:index"), reverse("certificates:inspect", args=[certificate.pk]),
        reverse("certificates:issue_cohort"), reverse("certificate_issuers:index"),
        reverse("wagtailsnippets_certificates_certificatetemplate:list"), bulk_url("revoke", certificate),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(f"{reverse('account_login')}?next="), url
    response = client.post(reverse("certificates:revoke", args=[certificate.pk]), {"reason": "x"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == S.ISSUED
