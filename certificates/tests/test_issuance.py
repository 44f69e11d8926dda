"""Issuance (issue "Certificates", point 2): idempotent whoever calls it and however often; who
signs a course run's and a practicum's certificates; re-issue supersedes; the status transitions;
and the rules: a course run passed or a practicum passed enqueues the issuing task after the
commit, and the certificate appears."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from academy.organisations.transitions import IllegalTransition
from academy.people.factories import UserFactory
from certificates import services
from certificates.factories import course_achievement, issued_certificate
from certificates.models import Achievement, Certificate, CertificateStatusChange, Issuer
from certificates.tasks import RULE_COURSE_RUN, RULE_PRACTICUM, certificate_issue_pdf
from courses import services as course_services
from courses.factories import course_tree, open_run
from courses.models import CourseOrganisation, CoursePass, RunContentItem
from practicum.review_models import PracticumPass

pytestmark = pytest.mark.django_db

S = Certificate.Status


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1)


@pytest.fixture
def run(course, author_a):
    return open_run(course=course, by=author_a)


def course_pass_of(run, user, capture):
    """`user` enrols in `run` and completes its only lesson, which passes a run that grades
    nothing; the on-commit callbacks (the signal, then the task) run."""
    enrolment = course_services.enrolment_request(user=user, run=run)
    item = run.content_items.get(kind=RunContentItem.Kind.LESSON)
    with capture(execute=True):
        course_services.lesson_complete(enrolment=enrolment, item=item, by=user)
    return CoursePass.objects.get(enrolment=enrolment)


# --- Idempotence ---------------------------------------------------------------------------------


def test_issuing_twice_returns_the_one_certificate(course, student):
    """A second call for the same holder and achievement returns the first certificate unchanged,
    with one recorded issue."""
    first = issued_certificate(holder=student, course=course, grade_band="Distinction")
    second = issued_certificate(holder=student, course=course, grade_band="Other")
    assert first == second and second.grade_band == "Distinction"
    assert Certificate.objects.count() == 1 and CertificateStatusChange.objects.count() == 1


def test_the_certificate_snapshots_the_holders_names(course):
    """The names in both scripts are copied at issue: later profile edits do not change them."""
    holder = UserFactory(name_latin="Li Wei", name_native="李伟")
    certificate = issued_certificate(holder=holder, course=course)
    holder.name_latin = "Wei Li"
    holder.save()
    certificate.refresh_from_db()
    assert (certificate.name_latin, certificate.name_native) == ("Li Wei", "李伟")
    assert certificate.visibility == Certificate.Visibility.LINK_ONLY and certificate.status == S.ISSUED


def test_the_task_run_twice_issues_one_certificate(run, student, django_capture_on_commit_callbacks):
    """The course-pass rule's task, delivered twice, leaves one certificate."""
    course_pass = course_pass_of(run, student, django_capture_on_commit_callbacks)
    code = certificate_issue_pdf(RULE_COURSE_RUN, course_pass.pk)
    assert certificate_issue_pdf(RULE_COURSE_RUN, course_pass.pk) == code
    assert Certificate.objects.filter(holder=student).count() == 1


def test_the_task_is_routed_to_the_pdf_queue(settings):
    """The issuing task's name matches the `pdf` queue's route."""
    from academy.celery import app

    route = app.amqp.router.route({}, certificate_issue_pdf.name)
    assert route["queue"].name == "pdf"


# --- Re-issue and transitions --------------------------------------------------------------------


def test_reissue_supersedes_the_old_version(course, student, platform_admin):
    """Re-issuing makes version 2, current, with new status indices; version 1 is superseded and
    kept; issuing again returns version 2; a superseded version cannot be re-issued."""
    first = issued_certificate(holder=student, course=course)
    student.name_latin = "Aru Student"
    student.save()
    second = services.certificate_reissue(certificate=first, by=platform_admin)
    first.refresh_from_db()
    assert first.superseded and not second.superseded and second.supersedes == first
    assert (second.version, second.name_latin) == (2, "Aru Student") and second.code != first.code
    assert issued_certificate(holder=student, course=course) == second
    with pytest.raises(IllegalTransition):
        services.certificate_reissue(certificate=first, by=platform_admin)


def test_a_superseded_version_is_revoked_on_the_status_list(course, student, platform_admin):
    """A verifier holding version 1's credential learns from the signed revocation list that it is
    no longer current once version 2 replaces it; version 2's bit stays clear."""
    from certificates.models import StatusList
    from certificates.status_list import StatusBitstring

    first = issued_certificate(holder=student, course=course)
    second = services.certificate_reissue(certificate=first, by=platform_admin)
    revocation = StatusList.objects.get(issuer=first.issuer, purpose="revocation")
    bits = StatusBitstring.decode(revocation.encoded_list)
    assert bits.get(first.revocation_index) and not bits.get(second.revocation_index)
    assert revocation.credential["credentialSubject"]["encodedList"] == revocation.encoded_list


def test_suspend_unsuspend_and_revoke_follow_the_table(course, student, platform_admin):
    """Issued → suspended → issued → revoked, each recorded with who and why; a revoked
    certificate cannot be suspended, lifted, revoked again or re-issued."""
    certificate = issued_certificate(holder=student, course=course)
    suspended = services.certificate_suspend(certificate=certificate, reason="Under review", by=platform_admin)
    assert (suspended.status, suspended.status_reason) == (S.SUSPENDED, "Under review") and suspended.status_changed_at
    with pytest.raises(IllegalTransition):
        services.certificate_suspend(certificate=certificate, reason="again", by=platform_admin)
    assert services.certificate_unsuspend(certificate=certificate, by=platform_admin).status == S.ISSUED
    with pytest.raises(IllegalTransition):
        services.certificate_unsuspend(certificate=certificate, by=platform_admin)
    revoked = services.certificate_revoke(certificate=certificate, reason="Plagiarism found", by=platform_admin)
    assert (revoked.status, revoked.status_reason) == (S.REVOKED, "Plagiarism found")
    for move in (
        lambda: services.certificate_suspend(certificate=certificate, reason="x", by=platform_admin),
        lambda: services.certificate_unsuspend(certificate=certificate, by=platform_admin),
        lambda: services.certificate_revoke(certificate=certificate, reason="x", by=platform_admin),
        lambda: services.certificate_reissue(certificate=certificate, by=platform_admin),
    ):
        with pytest.raises(IllegalTransition):
            move()
    changes = list(certificate.status_changes.order_by("pk").values_list("from_status", "to_status", "changed_by"))
    assert changes == [
        ("", S.ISSUED, None), (S.ISSUED, S.SUSPENDED, platform_admin.pk),
        (S.SUSPENDED, S.ISSUED, platform_admin.pk), (S.ISSUED, S.REVOKED, platform_admin.pk),
    ]


def test_suspending_or_revoking_needs_a_reason(course, student, platform_admin):
    """A blank reason is refused and the status stays."""
    certificate = issued_certificate(holder=student, course=course)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, reason="  ", by=platform_admin)
    certificate.refresh_from_db()
    assert certificate.status == S.ISSUED


# --- Who signs -----------------------------------------------------------------------------------


def test_a_course_with_a_certifier_enterprise_is_co_signed(university_a, enterprise, author_a):
    """The lead university issues; the enterprise linked as certifier co-signs."""
    course = course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])
    issuer, co_issuer = services.issuers_for_course_run(run=open_run(course=course, by=author_a))
    assert (issuer.organisation, co_issuer.organisation) == (university_a, enterprise)
    assert issuer.slug == university_a.slug


def test_a_practicum_partner_co_signs_when_there_is_no_certifier(university_a, university_b, enterprise, author_a):
    """Without a certifier the practicum partner co-signs; a co-author university does not."""
    course = course_tree(organisation=university_a, modules=1, lessons=1, partners=[
        (university_b, CourseOrganisation.Role.CO_AUTHOR), (enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER),
    ])
    issuer, co_issuer = services.issuers_for_course_run(run=open_run(course=course, by=author_a))
    assert (issuer.organisation, co_issuer.organisation) == (university_a, enterprise)


def test_a_course_without_an_enterprise_partner_has_one_issuer(run, university_a):
    """With no certifier or practicum partner there is a single issuer."""
    issuer, co_issuer = services.issuers_for_course_run(run=run)
    assert issuer.organisation == university_a and co_issuer is None


def test_a_practicum_is_issued_by_the_enterprise_and_co_signed_by_the_lead_university(enterprise, mentor, run, university_a):
    """The enterprise that posted the project issues; the lead university of its linked course run
    co-signs; without a linked run the enterprise signs alone."""
    from practicum.factories import home_goods_project

    project = home_goods_project(organisation=enterprise, by=mentor, course_run=run)
    issuer, co_issuer = services.issuers_for_practicum(project=project)
    assert (issuer.organisation, co_issuer.organisation) == (enterprise, university_a)
    alone = home_goods_project(organisation=enterprise, by=mentor, title="Solo project")
    assert services.issuers_for_practicum(project=alone) == (issuer, None)


# --- Rules: signal → task → certificate --------------------------------------------------------------


def test_passing_a_course_run_issues_a_certificate(university_a, enterprise, author_a, student, django_capture_on_commit_callbacks):
    """Passing a run sends `course_run_passed` after commit; the handler enqueues the task (run
    in-process in tests), which issues the course's certificate, co-signed by the certifier."""
    course = course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])
    run = open_run(course=course, by=author_a)
    course_pass = course_pass_of(run, student, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=student)
    assert certificate.achievement == course_achievement(course=course)
    assert certificate.achievement.kind == Achievement.Kind.COURSE and certificate.achievement.name_en == course.title
    assert (certificate.issuer.organisation, certificate.co_issuer.organisation) == (university_a, enterprise)
    assert certificate.issued_on == course_pass.passed_at.date()
    assert Issuer.objects.count() == 2


def test_nothing_is_enqueued_before_the_commit(run, student, django_capture_on_commit_callbacks):
    """Inside the passing transaction no certificate exists yet; it appears once it commits."""
    enrolment = course_services.enrolment_request(user=student, run=run)
    item = run.content_items.get(kind=RunContentItem.Kind.LESSON)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        course_services.lesson_complete(enrolment=enrolment, item=item, by=student)
    assert callbacks and not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert Certificate.objects.filter(holder=student).count() == 1


def test_passing_a_practicum_issues_a_certificate_with_evidence(enterprise, mentor, django_capture_on_commit_callbacks):
    """A passing practicum grade records passes for the team; each pass's signal issues a
    practicum certificate by the enterprise, with the graded snapshot's digest as evidence."""
    from courses.factories import rubric_with_criteria
    from practicum.factories import home_goods_project, running_run, trading_store
    from practicum.grade_services import grade_sign_off
    from practicum.tests.test_grading import GOOD, levels, snapshot_record

    rubric = rubric_with_criteria(organisation=enterprise, by=mentor, title="Store review")
    project = home_goods_project(organisation=enterprise, by=mentor, market_size=40, rubric=rubric)
    store = trading_store(running_run(project, mentor, seed="cert-1"), mentor, "Team Amber", [], units=10, student="amber-1")
    snapshot_record(store, 1, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        grade = grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Excellent"), comment="", by=mentor)
    practicum_pass = PracticumPass.objects.get()
    certificate = Certificate.objects.get(holder=practicum_pass.user)
    assert certificate.achievement.kind == Achievement.Kind.PRACTICUM and certificate.achievement.practicum_project == project
    assert certificate.issuer.organisation == enterprise and certificate.co_issuer is None
    assert f"sha256:{grade.snapshot_digest}" in [item["digest"] for item in certificate.evidence]
    assert certificate_issue_pdf(RULE_PRACTICUM, practicum_pass.pk) == certificate.code
    assert Certificate.objects.count() == 1


# --- Concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writes")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_workers_issuing_at_once_yield_one_certificate(university_a):
    """Eight threads issue the same certificate at the same moment: every one returns the same
    certificate and exactly one exists."""
    from tests.concurrency import race

    course = course_tree(organisation=university_a, modules=1, lessons=1)
    holder = UserFactory()
    achievement = course_achievement(course=course)
    issuer = services.issuer_for_organisation(organisation=university_a)

    results = race([
        lambda: services.certificate_issue(holder=holder, achievement=achievement, issuer=issuer) for _ in range(8)
    ])

    assert all(isinstance(result, Certificate) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Certificate.objects.filter(holder=holder).count() == 1
    assert CertificateStatusChange.objects.filter(certificate__holder=holder).count() == 1

