"""Learners racing for the last seat of a run, on PostgreSQL with real threads.

Seats are counted under a row lock on the run (courses.services, `select_for_update`). SQLite
serialises writes and ignores the lock, so these tests run on PostgreSQL only (CI's PostgreSQL
stage; locally with DATABASE_URL=postgres://...). Each thread has its own connection and its own
transaction; a barrier releases them together."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from academy.people.factories import UserFactory
from courses import services
from courses.factories import course_tree, open_run
from courses.models import Enrolment, EnrolmentStatusChange
from tests.concurrency import race

pytestmark = [
    pytest.mark.postgres,
    # The vendor is known from the settings without connecting; the skip happens before the
    # test's database is set up, so on SQLite the tests cost no database and flush none.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writes and ignores row locks"),
    # Committed transactions, so the threads see the run; the migrations' rows (site, home page,
    # competencies) are put back afterwards for the tests that follow on this database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1)


def test_learners_racing_for_the_last_seat_get_exactly_one(course, author_a):
    """Six learners enrol in a one-seat run at the same moment: exactly one gets the seat, the
    other five are waitlisted, and each has one recorded change."""
    run = open_run(course=course, by=author_a, capacity=1)
    users = [UserFactory() for _ in range(6)]

    results = race([lambda user=user: services.enrolment_request(user=user, run=run) for user in users])

    assert all(isinstance(result, Enrolment) for result in results), results
    statuses = sorted(Enrolment.objects.filter(run=run).values_list("status", flat=True))
    assert statuses == [Enrolment.Status.ACTIVE] + [Enrolment.Status.WAITLISTED] * 5
    assert EnrolmentStatusChange.objects.filter(enrolment__run=run).count() == 6


def test_the_last_seat_freed_twice_at_once_goes_to_two_waitlisted_learners(course, author_a):
    """Two active learners of a full two-seat run leave at the same moment: the first two on
    the waitlist get the seats, never more than the capacity, and the third keeps waiting."""
    run = open_run(course=course, by=author_a, capacity=2)
    holders = [services.enrolment_request(user=UserFactory(), run=run) for _ in range(2)]
    waiting = [services.enrolment_request(user=UserFactory(), run=run) for _ in range(3)]

    results = race([lambda e=e: services.enrolment_withdraw(enrolment=e, by=e.user) for e in holders])

    assert all(isinstance(result, Enrolment) for result in results), results
    status = dict(Enrolment.objects.filter(run=run).values_list("pk", "status"))
    assert [status[e.pk] for e in waiting] == [Enrolment.Status.ACTIVE, Enrolment.Status.ACTIVE, Enrolment.Status.WAITLISTED]


def test_a_double_submitted_enrolment_is_stored_once(course, author_a, student):
    """The same learner's enrolment sent twice at once (a double click) makes one enrolment;
    the other request is told they are already enrolled."""
    run = open_run(course=course, by=author_a, capacity=5)

    results = race([lambda: services.enrolment_request(user=student, run=run)] * 2)

    assert sorted(type(result).__name__ for result in results) == ["Enrolment", "ValidationError"], results
    assert "already enrolled" in str(next(r for r in results if isinstance(r, ValidationError)))
    assert Enrolment.objects.filter(run=run, user=student).count() == 1
