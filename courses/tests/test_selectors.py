"""Reads of the learning side (courses.selectors): who teaches a course, the learner's runs
with their progress, and the runs an instructor manages."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from academy.people.factories import UserFactory
from courses import selectors, services
from courses.factories import course_tree, open_run
from courses.models import CourseOrganisation, Enrolment, RunContentItem

pytestmark = pytest.mark.django_db

Role = CourseOrganisation.Role


@pytest.fixture
def course(university_a, university_b, enterprise):
    return course_tree(
        organisation=university_a, modules=1, lessons=2, title="Cross-border logistics",
        partners=[(university_b, Role.CO_AUTHOR), (enterprise, Role.PRACTICUM_PARTNER)],
    )


def test_who_manages_a_course(course, author_a, author_b, mentor, student, platform_admin, make_organisation, make_member):
    """Staff of the lead and co-author organisations and platform admins manage a course; a
    practicum partner's mentor, an unrelated author, a student and an anonymous visitor do not."""
    unrelated = make_member(make_organisation(name_en="Delta Institute", slug="delta"), "author")

    assert [selectors.user_can_manage_course(user=user, course=course) for user in (author_a, author_b, platform_admin)] == [True] * 3
    assert [selectors.user_can_manage_course(user=user, course=course) for user in (mentor, unrelated, student, AnonymousUser())] == [False] * 4


def test_a_removed_co_author_no_longer_manages(course, author_b, university_b):
    """Once the course is published without the co-author, its staff manage it no more."""
    CourseOrganisation.objects.filter(course=course, organisation=university_b).delete()
    course.save_revision().publish()

    assert not selectors.user_can_manage_course(user=author_b, course=course)
    assert selectors.courses_managed_by(user=author_b) == []


def test_partners_list_the_lead_university_first(course, university_a):
    """The lead university comes first, then the others in their order."""
    links = selectors.course_partners(course=course)

    assert [(link.organisation.slug, link.role) for link in links] == [
        ("alpha-university", Role.LEAD_UNIVERSITY), ("beta-university", Role.CO_AUTHOR), ("gamma-trading", Role.PRACTICUM_PARTNER),
    ]


def test_runs_managed_by_lead_and_co_author_staff_with_counts(course, author_a, author_b, mentor):
    """Lead and co-author staff see the run with its active, pending and waitlist counts; the
    practicum partner's mentor does not see it."""
    run = open_run(course=course, by=author_a, capacity=1)
    for _ in range(3):
        services.enrolment_request(user=UserFactory(), run=run)

    for user in (author_a, author_b):
        (row,) = selectors.runs_managed_by(user=user)
        assert row.pk == run.pk and (row.active_count, row.pending_count, row.waitlist_count) == (1, 0, 2)
    assert selectors.runs_managed_by(user=mentor) == []


def test_learner_runs_show_the_last_visited_run_first_with_progress(course, university_a, author_a, student):
    """The run visited last comes first, runs never visited follow by start date; active runs
    carry progress and the lesson to continue with, a waitlisted run none, a run left is gone."""
    other = course_tree(organisation=university_a, modules=1, lessons=1, title="Customs for sellers")
    first = open_run(course=course, by=author_a, title="Logistics spring", starts_in_days=-10)
    second = open_run(course=other, by=author_a, title="Customs spring", starts_in_days=-5)
    third = open_run(course=other, by=author_a, title="Customs full", capacity=0)
    left = open_run(course=course, by=author_a, title="Logistics autumn")
    enrolments = {run.pk: services.enrolment_request(user=student, run=run) for run in (first, second, third, left)}
    services.enrolment_withdraw(enrolment=enrolments[left.pk], by=student)
    lessons = list(second.content_items.filter(kind=RunContentItem.Kind.LESSON))
    services.lesson_visit(enrolment=enrolments[second.pk], item=lessons[0])
    done = first.content_items.filter(kind=RunContentItem.Kind.LESSON).order_by("position")
    services.lesson_complete(enrolment=enrolments[first.pk], item=done[0], by=student)

    rows = selectors.learner_runs(user=student)

    assert [row.enrolment.run.title for row in rows] == ["Customs spring", "Logistics spring", "Customs full"]
    customs, logistics, full = rows
    assert (logistics.progress.done, logistics.progress.total) == (1, 2)
    assert logistics.next_url == reverse("courses:lesson", args=[first.pk, done[1].pk])
    assert customs.next_url == reverse("courses:lesson", args=[second.pk, lessons[0].pk])
    assert full.enrolment.status == Enrolment.Status.WAITLISTED and full.progress is None and full.next_url is None


def test_upcoming_dates_of_the_learners_runs(course, author_a, student):
    """Dates still to come of the runs the learner is in or waiting for, soonest first."""
    run = open_run(course=course, by=author_a, starts_in_days=10, enrolment_opens_at=timezone.now() - datetime.timedelta(days=1))
    services.enrolment_request(user=student, run=run)

    events = selectors.upcoming_dates(user=student)

    assert [(label, event_run.pk) for _when, label, event_run in events] == [("starts", run.pk), ("ends", run.pk)]
