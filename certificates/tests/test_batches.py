"""Certificate batches (issue "Certificates", point 2): staff issue for a cohort, re-issue,
suspend, lift a suspension and revoke in bulk through `certificates.batch_services`, and a
Celery task on the `pdf` queue works through the items.

An issue batch issues exactly one certificate per learner who passed, however often it runs; a
batch redelivered after a crash carries on after the last item done; an item with nothing to
change is skipped, an item the rules refuse is reported and the rest go on; a suspension or
revocation needs a reason and flips the certificate's bit on its issuer's signed status list.
Nothing is queued for a certificate the user may not act on.

The helpers and fixtures here are shared with `test_admin.py` and
`tests/test_certificates_admin_isolation.py`."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from academy.organisations.models import Membership
from academy.people.factories import UserFactory
from certificates import batch_services
from certificates.batch_services import certificate_batch_create, certificate_batch_run
from certificates.factories import issued_certificate
from certificates.models import Certificate, CertificateBatch, CertificateStatusChange, StatusList
from certificates.selectors import CohortState, course_run_cohort
from certificates.status_list import StatusBitstring
from certificates.tasks import certificate_batch_run_pdf
from courses import services as course_services
from courses.factories import course_tree, open_run
from courses.models import CoursePass

pytestmark = pytest.mark.django_db

A = CertificateBatch.Action
S = Certificate.Status


# --- Shared fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def rendered(monkeypatch):
    """Rendering PDFs is beside the point of most tests here: record which certificates would
    have been rendered instead (one test below renders for real)."""
    codes = []
    monkeypatch.setattr(batch_services, "_pdf_render", lambda certificate: codes.append(certificate.code))
    return codes


@pytest.fixture
def course_a(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1, title="Customs for cross-border sellers")


@pytest.fixture
def run_a(course_a, author_a):
    return open_run(course=course_a, by=author_a)


@pytest.fixture
def admin_a(org_admin_a):
    """University A's organisation administrator, who may issue, re-issue, suspend and revoke."""
    return org_admin_a


def learners(run, count, *, passed=True, letter="Distinction", prefix="Learner"):
    """`count` learners enrolled in `run`, each with a recorded pass unless `passed` is false."""
    users = []
    for number in range(count):
        user = UserFactory(display_name=f"{prefix} {number}", name_latin=f"{prefix} {number}")
        enrolment = course_services.enrolment_request(user=user, run=run)
        if passed:
            CoursePass.objects.create(enrolment=enrolment, percent=Decimal("0.9100"), letter=letter, passed_at=timezone.now())
        users.append(user)
    return users


def certificates_of(course, holders, **kwargs):
    return [issued_certificate(holder=holder, course=course, **kwargs) for holder in holders]


def list_bit(certificate, purpose):
    """The certificate's bit on its issuer's signed status list for `purpose`."""
    status_list = StatusList.objects.get(issuer=certificate.issuer, purpose=purpose)
    index = certificate.revocation_index if purpose == "revocation" else certificate.suspension_index
    return StatusBitstring.decode(status_list.encoded_list).get(index)


# --- The cohort and its preview --------------------------------------------------------------------


def test_the_cohort_counts_who_holds_who_gets_and_who_has_not_passed(course_a, run_a, django_assert_max_num_queries):
    """Passed with a certificate, passed without one, not passed: each learner counted once, in
    three queries whatever the cohort's size."""
    holders = learners(run_a, 2, prefix="Holder")
    certificates_of(course_a, holders)
    learners(run_a, 3, prefix="Due")
    learners(run_a, 1, passed=False, prefix="Pending")

    with django_assert_max_num_queries(3):
        cohort = course_run_cohort(run=run_a)

    assert cohort["counts"] == {CohortState.HELD: 2, CohortState.TO_ISSUE: 3, CohortState.NOT_PASSED: 1}
    assert len(cohort["to_issue"]) == 3 and len(cohort["rows"]) == 6
    due = {row["user"].display_name for row in cohort["rows"] if row["state"] == CohortState.TO_ISSUE}
    assert due == {"Due 0", "Due 1", "Due 2"}


# --- Issue for a cohort ------------------------------------------------------------------------------


def test_an_issue_batch_issues_one_certificate_per_passed_learner(
    course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks,
):
    """Two passed, one not: two certificates, each rendered, the batch done with its counts."""
    passed = learners(run_a, 2)
    learners(run_a, 1, passed=False, prefix="Pending")

    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_create(action=A.ISSUE, by=admin_a, course_run=run_a)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.failures) == (CertificateBatch.Status.DONE, 2, 2, [])
    assert batch.finished_at is not None and batch.requested_by == admin_a
    issued = Certificate.objects.filter(achievement__course=course_a)
    assert sorted(c.holder_id for c in issued) == sorted(u.pk for u in passed)
    assert sorted(rendered) == sorted(c.code for c in issued)
    assert sorted(r["code"] for r in batch.results) == sorted(rendered)
    assert {r["outcome"] for r in batch.results} == {"done"}


def test_issuing_for_the_cohort_twice_still_gives_one_each(course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks):
    """The same batch run again, its task redelivered, and a second batch for the same run: still
    one certificate per learner, and the second batch is refused as having nothing to do."""
    learners(run_a, 3)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_create(action=A.ISSUE, by=admin_a, course_run=run_a)

    certificate_batch_run(batch=batch)
    assert certificate_batch_run_pdf(batch.pk) == CertificateBatch.Status.DONE
    with pytest.raises(ValidationError, match="already holds a certificate"):
        certificate_batch_create(action=A.ISSUE, by=admin_a, course_run=run_a)

    assert Certificate.objects.filter(achievement__course=course_a).count() == 3
    assert CertificateBatch.objects.count() == 1 and len(rendered) == 3


def test_a_pass_issued_meanwhile_is_skipped_not_issued_twice(course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks):
    """Between the batch's creation and its run, the issuing rule issues one learner's
    certificate: the batch skips that one and issues the other."""
    first, second = learners(run_a, 2)
    batch = certificate_batch_create(action=A.ISSUE, by=admin_a, course_run=run_a)  # not committed: not run yet
    existing = issued_certificate(holder=first, course=course_a)

    certificate_batch_run(batch=batch)

    batch.refresh_from_db()
    outcomes = {r["code"]: r["outcome"] for r in batch.results}
    assert outcomes[existing.code] == "skipped" and list(outcomes.values()).count("done") == 1
    assert Certificate.objects.filter(holder=first).count() == 1 and Certificate.objects.filter(holder=second).count() == 1
    assert rendered == [Certificate.objects.get(holder=second).code]


def test_nothing_to_issue_is_refused_with_a_message(run_a, admin_a):
    """A run nobody has passed yet: no batch, and the message says why."""
    learners(run_a, 2, passed=False)
    with pytest.raises(ValidationError, match="No learner has passed"):
        certificate_batch_create(action=A.ISSUE, by=admin_a, course_run=run_a)
    assert not CertificateBatch.objects.exists()


def test_a_run_of_another_organisation_is_refused(run_a, university_b, make_member):
    """An administrator of university B may not issue for university A's run."""
    admin_b = make_member(university_b, Membership.Role.ORG_ADMIN, email="admin-b@example.com")
    learners(run_a, 1)
    with pytest.raises(PermissionDenied):
        certificate_batch_create(action=A.ISSUE, by=admin_b, course_run=run_a)
    assert not CertificateBatch.objects.exists()


# --- Suspend, lift, revoke, re-issue ------------------------------------------------------------------


def test_suspending_and_revoking_need_a_reason(course_a, run_a, admin_a):
    """A blank reason refuses the batch: nothing is queued."""
    certificate, = certificates_of(course_a, learners(run_a, 1))
    for action in (A.SUSPEND, A.REVOKE):
        with pytest.raises(ValidationError, match="Say why"):
            certificate_batch_create(action=action, by=admin_a, codes=[certificate.code], reason="  ")
    assert not CertificateBatch.objects.exists()


def test_a_suspend_batch_flips_the_status_and_the_signed_list_bit_and_lifting_flips_it_back(
    course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks,
):
    """Suspended with the reason, recorded, the suspension bit set; an already suspended one is
    skipped; lifting clears the bit again."""
    one, two = certificates_of(course_a, learners(run_a, 2))
    with django_capture_on_commit_callbacks(execute=True):
        certificate_batch_create(action=A.SUSPEND, by=admin_a, codes=[one.code], reason="Grades under review.")
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_create(action=A.SUSPEND, by=admin_a, codes=[one.code, two.code], reason="Grades under review.")

    batch.refresh_from_db()
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == (S.SUSPENDED, S.SUSPENDED)
    assert one.status_reason == "Grades under review."
    assert {r["code"]: r["outcome"] for r in batch.results} == {one.code: "skipped", two.code: "done"}
    assert batch.failures == [] and list_bit(one, "suspension") and list_bit(two, "suspension")
    assert CertificateStatusChange.objects.filter(certificate=one, to_status=S.SUSPENDED).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        certificate_batch_create(action=A.UNSUSPEND, by=admin_a, codes=[one.code])
    one.refresh_from_db()
    assert one.status == S.ISSUED and not list_bit(one, "suspension")
    assert rendered == []


def test_a_revoke_batch_sets_the_revocation_bit_and_a_revoked_one_cannot_be_reissued(
    course_a, run_a, admin_a, rendered, django_capture_on_commit_callbacks,
):
    """Revoked for good with the reason and the bit set; a re-issue batch then reports the revoked
    one as a problem and still re-issues the other."""
    revoked, kept = certificates_of(course_a, learners(run_a, 2))
    with django_capture_on_commit_callbacks(execute=True):
        certificate_batch_create(action=A.REVOKE, by=admin_a, codes=[revoked.code], reason="Issued in error.")
    revoked.refresh_from_db()
    assert revoked.status == S.REVOKED and list_bit(revoked, "revocation") and not list_bit(revoked, "suspension")

    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_create(action=A.REISSUE, by=admin_a, codes=[revoked.code, kept.code])

    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.DONE and batch.done == 2
    assert [failure["item"] for failure in batch.failures] == [revoked.code]
    assert "status does not allow" in batch.failures[0]["reason"]
    assert not Certificate.objects.filter(supersedes=revoked).exists()
    assert Certificate.objects.get(supersedes=kept).version == 2


def test_a_reissue_batch_makes_version_2_supersedes_version_1_and_renders_its_pdf(
    course_a, run_a, admin_a, django_capture_on_commit_callbacks,
):
    """With the real renderer: the new version has a stored PDF and its hash, the old one is
    superseded; the batch run again changes nothing."""
    old, = certificates_of(course_a, learners(run_a, 1))
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_create(action=A.REISSUE, by=admin_a, codes=[old.code])

    old.refresh_from_db()
    new = Certificate.objects.get(supersedes=old)
    assert old.superseded and not new.superseded and new.version == 2
    assert new.pdf and len(new.pdf_sha256) == 64 and new.template_revision_id is not None
    assert new.pdf.open("rb").read(5) == b"%PDF-"
    batch.refresh_from_db()
    assert batch.results == [{"item": old.code, "code": new.code, "outcome": "done"}]

    certificate_batch_run(batch=batch)
    assert Certificate.objects.filter(holder=old.holder).count() == 2


def test_a_redelivered_batch_carries_on_after_the_last_item_done(course_a, run_a, admin_a, rendered):
    """A worker that died after the first item: the redelivered task re-issues the other two
    only, so every certificate has exactly one version 2."""
    certificates = certificates_of(course_a, learners(run_a, 3))
    batch = certificate_batch_create(action=A.REISSUE, by=admin_a, codes=[c.code for c in certificates])
    CertificateBatch.objects.filter(pk=batch.pk).update(status=CertificateBatch.Status.RUNNING)
    assert batch_services._item_run(batch.pk)  # the first item, then the "crash"

    certificate_batch_run_pdf(batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.done) == (CertificateBatch.Status.DONE, 3)
    for certificate in certificates:
        assert Certificate.objects.filter(holder=certificate.holder).count() == 2
    assert len(rendered) == 3


def test_a_pdf_that_fails_to_render_does_not_undo_the_issue(course_a, run_a, admin_a, monkeypatch):
    """The renderer failing: the certificate stands, and the item is reported so staff know its
    PDF is rendered later."""
    learners(run_a, 1)

    def broken(certificate):
        raise OSError("font missing")

    monkeypatch.setattr(batch_services, "_pdf_render", broken)
    batch = certificate_batch_create(action=A.ISSUE, by=admin_a, course_run=run_a)
    certificate_batch_run(batch=batch)

    batch.refresh_from_db()
    certificate = Certificate.objects.get(achievement__course=course_a)
    assert batch.status == CertificateBatch.Status.DONE and batch.results[0]["code"] == certificate.code
    assert batch.failures[0]["code"] == certificate.code and "PDF" in batch.failures[0]["reason"]


# --- Who may --------------------------------------------------------------------------------------------


def test_a_code_the_user_may_not_act_on_refuses_the_whole_batch(course_a, run_a, admin_a, university_b, make_member):
    """University B's administrator lists one of A's codes among B's: nothing is queued, and the
    refusal reads like an unknown code's."""
    admin_b = make_member(university_b, Membership.Role.ORG_ADMIN, email="admin-b@example.com")
    course_b = course_tree(organisation=university_b, modules=1, lessons=1, title="Logistics")
    theirs, = certificates_of(course_b, [UserFactory()])
    ours, = certificates_of(course_a, learners(run_a, 1))

    for codes in ([theirs.code, ours.code], [theirs.code, "no-such-code"]):
        with pytest.raises(ValidationError, match="cannot be found") as refused:
            certificate_batch_create(action=A.REVOKE, by=admin_b, codes=codes, reason="Because.")
        assert "Nothing was changed" in str(refused.value)
    assert not CertificateBatch.objects.exists()
    ours.refresh_from_db()
    assert ours.status == S.ISSUED


def test_without_the_model_permission_no_batch(course_a, run_a, student):
    """A learner (no admin permissions) cannot start any batch."""
    certificate, = certificates_of(course_a, learners(run_a, 1))
    for action, kwargs in ((A.ISSUE, {"course_run": run_a}), (A.REVOKE, {"codes": [certificate.code], "reason": "x"})):
        with pytest.raises(PermissionDenied):
            certificate_batch_create(action=action, by=student, **kwargs)
    assert not CertificateBatch.objects.exists()


def test_the_batch_task_is_routed_to_the_pdf_queue(settings):
    """Its name contains "pdf", which CELERY_TASK_ROUTES sends to the `pdf` queue, and it is
    acknowledged only after it ran."""
    from academy.celery import app

    route = app.amqp.router.route({}, certificate_batch_run_pdf.name)
    assert route["queue"].name == "pdf"
    assert certificate_batch_run_pdf.acks_late


# --- Two workers at once (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writes and ignores row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_the_same_batch_process_each_item_once(course_a, run_a, admin_a, rendered):
    """The task delivered twice and run by two workers at the same moment: the batch row lock
    hands each item to one of them, so every certificate has exactly one version 2."""
    from tests.concurrency import race

    certificates = certificates_of(course_a, learners(run_a, 4))
    batch = certificate_batch_create(action=A.REISSUE, by=admin_a, codes=[c.code for c in certificates])

    results = race([lambda: certificate_batch_run_pdf(batch.pk), lambda: certificate_batch_run_pdf(batch.pk)])

    assert all(result == CertificateBatch.Status.DONE for result in results), results
    batch.refresh_from_db()
    assert (batch.done, batch.total, batch.failures) == (4, 4, [])
    assert sorted(r["item"] for r in batch.results) == sorted(c.code for c in certificates)
    for certificate in certificates:
        assert Certificate.objects.filter(holder=certificate.holder).count() == 2
    assert len(rendered) == 4
