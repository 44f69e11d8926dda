"""Enrolment in a course run: the enrolment window, capacity and the waitlist, instructor
approval, invitation-only runs, leaving and coming back, and the status history
(courses.services, courses.transitions)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from academy.organisations.transitions import IllegalTransition
from academy.people.factories import UserFactory
from courses import services
from courses.factories import course_tree, open_run
from courses.models import CourseRun, Enrolment, EnrolmentStatusChange
from courses.transitions import ENROLMENT_TRANSITIONS

pytestmark = pytest.mark.django_db

S = Enrolment.Status
Mode = CourseRun.EnrolmentMode


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1)


@pytest.fixture
def make_run(course, author_a):
    def make(**kwargs):
        return open_run(course=course, by=author_a, **kwargs)

    return make


def learners(n):
    return [UserFactory() for _ in range(n)]


def history(enrolment):
    return list(EnrolmentStatusChange.objects.filter(enrolment=enrolment).values_list("from_status", "to_status"))


# --- The window ------------------------------------------------------------------------------


def test_enrolment_before_the_window_opens_is_refused(make_run, student):
    """Nobody enrols in a run whose enrolment has not opened yet."""
    run = make_run(starts_in_days=60)  # enrolment opens 30 days before the start
    assert run.enrolment_opens_at > timezone.now()

    with pytest.raises(ValidationError, match="not opened yet"):
        services.enrolment_request(user=student, run=run)

    assert not Enrolment.objects.exists()


def test_enrolment_after_the_window_closes_is_refused(make_run, student):
    """Nobody enrols in a run whose enrolment has closed."""
    run = make_run()

    with pytest.raises(ValidationError, match="closed"):
        services.enrolment_request(user=student, run=run, now=run.enrolment_closes_at + datetime.timedelta(seconds=1))

    assert not Enrolment.objects.exists()


def test_enrolment_at_the_edges_of_the_window_is_accepted(make_run):
    """The first and the last moment of the window both take enrolments."""
    run = make_run()
    first, last = learners(2)

    assert services.enrolment_request(user=first, run=run, now=run.enrolment_opens_at).status == S.ACTIVE
    assert services.enrolment_request(user=last, run=run, now=run.enrolment_closes_at).status == S.ACTIVE


# --- Capacity and the waitlist ---------------------------------------------------------------


def test_a_full_run_puts_learners_on_the_waitlist(make_run):
    """Seats go first come, first served; once the run is full, learners are waitlisted."""
    run = make_run(capacity=2)
    first, second, third = learners(3)

    statuses = [services.enrolment_request(user=user, run=run).status for user in (first, second, third)]

    assert statuses == [S.ACTIVE, S.ACTIVE, S.WAITLISTED]
    assert Enrolment.objects.get(user=third).queued_at is not None


def test_a_freed_seat_goes_to_the_first_waitlisted_learner_with_an_email(make_run, django_capture_on_commit_callbacks):
    """When an active learner withdraws, the learner who joined the waitlist first gets the
    seat and an e-mail saying so; the others keep waiting."""
    run = make_run(capacity=1)
    holder, first_waiting, second_waiting = learners(3)
    seat = services.enrolment_request(user=holder, run=run)
    services.enrolment_request(user=first_waiting, run=run)
    services.enrolment_request(user=second_waiting, run=run)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=seat, by=holder)

    status = dict(Enrolment.objects.values_list("user__email", "status"))
    assert status == {holder.email: S.WITHDRAWN, first_waiting.email: S.ACTIVE, second_waiting.email: S.WAITLISTED}
    assert [message.to for message in mail.outbox] == [[first_waiting.email]]
    assert run.course.title in mail.outbox[0].subject
    promoted = Enrolment.objects.get(user=first_waiting)
    assert history(promoted) == [("", S.WAITLISTED), (S.WAITLISTED, S.ACTIVE)]
    assert promoted.activated_at is not None


def test_withdrawing_from_the_waitlist_promotes_nobody(make_run):
    """A waitlisted learner who leaves frees no seat: nobody else moves."""
    run = make_run(capacity=1)
    holder, waiting, behind = learners(3)
    for user in (holder, waiting, behind):
        services.enrolment_request(user=user, run=run)

    services.enrolment_withdraw(enrolment=Enrolment.objects.get(user=waiting), by=waiting)

    assert Enrolment.objects.get(user=behind).status == S.WAITLISTED


def test_raising_the_capacity_promotes_the_waitlist(make_run, author_a):
    """An instructor who adds seats fills them from the waitlist in order."""
    run = make_run(capacity=1)
    users = learners(4)
    for user in users:
        services.enrolment_request(user=user, run=run)

    services.run_update(run=run, by=author_a, capacity=3)

    assert [Enrolment.objects.get(user=user).status for user in users] == [S.ACTIVE, S.ACTIVE, S.ACTIVE, S.WAITLISTED]


def test_a_run_without_capacity_never_waitlists(make_run):
    """A run with no capacity takes everyone."""
    run = make_run(capacity=None)

    assert {services.enrolment_request(user=user, run=run).status for user in learners(5)} == {S.ACTIVE}


# --- Approval --------------------------------------------------------------------------------


def test_approval_mode_request_waits_then_is_approved(make_run, student, author_a, django_capture_on_commit_callbacks):
    """In a run an instructor approves, a request waits as pending; approving it enrols the
    learner and e-mails them."""
    run = make_run(enrolment_mode=Mode.APPROVAL, capacity=5)

    enrolment = services.enrolment_request(user=student, run=run)
    assert enrolment.status == S.PENDING and enrolment.source == Enrolment.Source.APPROVAL

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_approve(enrolment=enrolment, by=author_a)

    enrolment.refresh_from_db()
    assert enrolment.status == S.ACTIVE
    assert [message.to for message in mail.outbox] == [[student.email]]
    assert history(enrolment) == [("", S.PENDING), (S.PENDING, S.ACTIVE)]
    assert EnrolmentStatusChange.objects.filter(enrolment=enrolment).last().changed_by == author_a


def test_approving_when_full_waitlists(make_run, author_a):
    """An approved request to a full run joins the waitlist instead of taking a seat."""
    run = make_run(enrolment_mode=Mode.APPROVAL, capacity=1)
    first, second = learners(2)
    one = services.enrolment_request(user=first, run=run)
    two = services.enrolment_request(user=second, run=run)

    services.enrolment_approve(enrolment=one, by=author_a)
    services.enrolment_approve(enrolment=two, by=author_a)

    assert Enrolment.objects.get(pk=one.pk).status == S.ACTIVE
    assert Enrolment.objects.get(pk=two.pk).status == S.WAITLISTED


def test_rejecting_a_request(make_run, student, author_a):
    """A rejected request is recorded with the instructor and the note."""
    run = make_run(enrolment_mode=Mode.APPROVAL)
    enrolment = services.enrolment_request(user=student, run=run)

    services.enrolment_reject(enrolment=enrolment, by=author_a, note="Prerequisites missing")

    enrolment.refresh_from_db()
    assert enrolment.status == S.REJECTED
    change = EnrolmentStatusChange.objects.filter(enrolment=enrolment).last()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (S.PENDING, S.REJECTED, author_a, "Prerequisites missing")


def test_only_the_course_staff_decide_on_requests(make_run, student, author_b, mentor):
    """Staff of an unrelated university, or a mentor, cannot approve or reject a request."""
    run = make_run(enrolment_mode=Mode.APPROVAL)
    enrolment = services.enrolment_request(user=student, run=run)

    for outsider in (author_b, mentor, student):
        with pytest.raises(PermissionDenied):
            services.enrolment_approve(enrolment=enrolment, by=outsider)
        with pytest.raises(PermissionDenied):
            services.enrolment_reject(enrolment=enrolment, by=outsider)

    assert Enrolment.objects.get(pk=enrolment.pk).status == S.PENDING


def test_only_a_pending_request_can_be_approved(make_run, author_a):
    """Approving is for requests awaiting approval: an instructor cannot re-enrol a learner who
    withdrew or was rejected, nor approve someone already enrolled."""
    run = make_run(enrolment_mode=Mode.APPROVAL)
    left, rejected, enrolled = learners(3)
    withdrawn = services.enrolment_request(user=left, run=run)
    services.enrolment_withdraw(enrolment=withdrawn, by=left)
    refused = services.enrolment_request(user=rejected, run=run)
    services.enrolment_reject(enrolment=refused, by=author_a)
    active = services.enrolment_request(user=enrolled, run=run)
    services.enrolment_approve(enrolment=active, by=author_a)

    for enrolment, status in ((withdrawn, S.WITHDRAWN), (refused, S.REJECTED), (active, S.ACTIVE)):
        with pytest.raises(IllegalTransition):
            services.enrolment_approve(enrolment=Enrolment.objects.get(pk=enrolment.pk), by=author_a)
        assert Enrolment.objects.get(pk=enrolment.pk).status == status


# --- Invitation only -------------------------------------------------------------------------


def test_invitation_only_run_refuses_self_service(make_run, student):
    """A run that takes learners by invitation only refuses a self-service request."""
    run = make_run(enrolment_mode=Mode.INVITATION)

    with pytest.raises(ValidationError, match="invitation only"):
        services.enrolment_request(user=student, run=run)

    assert not Enrolment.objects.exists()


# --- Leaving and coming back -----------------------------------------------------------------


def test_a_learner_who_withdrew_can_enrol_again(make_run, student):
    """A learner who left comes back on the same enrolment, with the whole story recorded."""
    run = make_run()
    enrolment = services.enrolment_request(user=student, run=run)
    services.enrolment_withdraw(enrolment=enrolment, by=student)

    again = services.enrolment_request(user=student, run=run)

    assert again.pk == enrolment.pk and again.status == S.ACTIVE
    assert history(again) == [("", S.ACTIVE), (S.ACTIVE, S.WITHDRAWN), (S.WITHDRAWN, S.ACTIVE)]


def test_enrolling_twice_is_refused(make_run, student):
    """A learner already enrolled (or waiting) cannot ask again."""
    run = make_run()
    services.enrolment_request(user=student, run=run)

    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrolment_request(user=student, run=run)

    assert Enrolment.objects.count() == 1


def test_a_learner_withdraws_only_themselves(make_run, student):
    """Another learner cannot withdraw someone else's enrolment."""
    run = make_run()
    enrolment = services.enrolment_request(user=student, run=run)
    (other,) = learners(1)

    with pytest.raises(PermissionDenied):
        services.enrolment_withdraw(enrolment=enrolment, by=other)

    assert Enrolment.objects.get(pk=enrolment.pk).status == S.ACTIVE


# --- The state machine -----------------------------------------------------------------------


def test_illegal_transitions_raise_and_record_nothing(make_run, student, author_a):
    """A move the transition table does not allow raises and changes nothing: withdrawing
    twice, rejecting an enrolled learner."""
    run = make_run()
    enrolment = services.enrolment_request(user=student, run=run)

    with pytest.raises(IllegalTransition):
        services.enrolment_reject(enrolment=enrolment, by=author_a)
    services.enrolment_withdraw(enrolment=enrolment, by=student)
    with pytest.raises(IllegalTransition):
        services.enrolment_withdraw(enrolment=enrolment, by=student)

    assert history(enrolment) == [("", S.ACTIVE), (S.ACTIVE, S.WITHDRAWN)]


def test_every_recorded_change_is_in_the_transition_table(make_run, author_a):
    """Whatever path enrolments take, every recorded change is one the table allows."""
    run = make_run(enrolment_mode=Mode.APPROVAL, capacity=1)
    a, b, c = learners(3)
    ea, eb, ec = (services.enrolment_request(user=user, run=run) for user in (a, b, c))
    services.enrolment_approve(enrolment=ea, by=author_a)
    services.enrolment_approve(enrolment=eb, by=author_a)
    services.enrolment_reject(enrolment=ec, by=author_a)
    services.enrolment_withdraw(enrolment=ea, by=a)

    changes = list(EnrolmentStatusChange.objects.values_list("from_status", "to_status"))
    assert len(changes) == 8  # three requests, three decisions, a withdrawal, a promotion
    for from_status, to_status in changes:
        assert to_status in ENROLMENT_TRANSITIONS[from_status]
    assert Enrolment.objects.get(pk=eb.pk).status == S.ACTIVE  # promoted when a withdrew
