"""Object-level checks of the learner and instructor views (courses.views): a learner reaches
only the runs they are actively enrolled in, an instructor only the runs of courses their
organisation leads or co-authors. Anything else is a 404, so the views do not even confirm
that the object exists; each denial is checked on the database as well."""

import pytest
from django.urls import reverse

from academy.organisations.models import Membership
from academy.people.factories import UserFactory
from courses import services
from courses.factories import course_tree, open_run
from courses.models import CourseOrganisation, CourseRun, Enrolment, LessonCompletion, RunContentItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(university_a, university_b, enterprise):
    """Led by A, co-authored by B, with Gamma as practicum partner."""
    return course_tree(
        organisation=university_a, modules=1, lessons=2,
        partners=[(university_b, CourseOrganisation.Role.CO_AUTHOR), (enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)],
    )


@pytest.fixture
def spring(course, author_a):
    return open_run(course=course, by=author_a, title="Spring", enrolment_mode=CourseRun.EnrolmentMode.APPROVAL)


@pytest.fixture
def autumn(course, author_a):
    return open_run(course=course, by=author_a, title="Autumn")


@pytest.fixture
def outsider(make_organisation, make_member):
    """An author of a university that has nothing to do with the course."""
    university = make_organisation(name_en="Delta Institute of Trade", slug="delta-institute")
    return make_member(university, Membership.Role.AUTHOR, email="author-d@example.com")


def first_lesson(run):
    return run.content_items.filter(kind=RunContentItem.Kind.LESSON).order_by("position").first()


def enrol(user, run, author):
    enrolment = services.enrolment_request(user=user, run=run)
    if enrolment.status == Enrolment.Status.PENDING:
        services.enrolment_approve(enrolment=enrolment, by=author)
    return Enrolment.objects.get(pk=enrolment.pk)


# --- Learners --------------------------------------------------------------------------------


def test_enrolled_learner_reads_and_completes_a_lesson_of_their_run(client, autumn, student):
    """The positive side: an active learner opens a lesson of their run and completes it."""
    enrolment = enrol(student, autumn, None)
    item = first_lesson(autumn)
    client.force_login(student)

    assert client.get(reverse("courses:lesson", args=[autumn.pk, item.pk])).status_code == 200
    response = client.post(reverse("courses:lesson_complete", args=[autumn.pk, item.pk]))

    assert response.status_code == 302
    assert LessonCompletion.objects.filter(enrolment=enrolment, item=item).exists()


def test_learner_cannot_open_or_complete_a_lesson_of_a_run_they_are_not_in(client, spring, autumn, student):
    """A learner of the autumn run gets 404 for the spring run's lessons, whether asked under
    the spring run or smuggled in under their own run's address."""
    enrol(student, autumn, None)
    theirs, other = first_lesson(autumn), first_lesson(spring)
    client.force_login(student)

    for run_id, item_id in ((spring.pk, other.pk), (autumn.pk, other.pk), (spring.pk, theirs.pk)):
        assert client.get(reverse("courses:lesson", args=[run_id, item_id])).status_code == 404
        assert client.post(reverse("courses:lesson_complete", args=[run_id, item_id])).status_code == 404
        assert client.post(reverse("courses:activity_submit", args=[run_id, item_id, "reflection:x"]), {"text": "Hi"}).status_code == 404

    assert not LessonCompletion.objects.exists()
    assert Enrolment.objects.get(user=student).last_item_id is None


def test_pending_and_withdrawn_learners_cannot_open_lessons(client, spring, autumn, student, author_a):
    """A request awaiting approval, or an enrolment the learner left, opens no lesson."""
    services.enrolment_request(user=student, run=spring)  # pending
    left = enrol(UserFactory(), autumn, author_a)
    services.enrolment_withdraw(enrolment=left, by=left.user)

    for user, run in ((student, spring), (left.user, autumn)):
        client.force_login(user)
        item = first_lesson(run)
        assert client.get(reverse("courses:lesson", args=[run.pk, item.pk])).status_code == 404
        assert client.post(reverse("courses:lesson_complete", args=[run.pk, item.pk])).status_code == 404
    assert not LessonCompletion.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, autumn):
    """Run and lesson pages need an account."""
    item = first_lesson(autumn)

    for url in (reverse("courses:run", args=[autumn.pk]), reverse("courses:lesson", args=[autumn.pk, item.pk]), reverse("courses:run_manage", args=[autumn.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- Instructors -----------------------------------------------------------------------------


def instructor_requests(run, enrolment):
    """Every instructor view of the run, as (method, url)."""
    return [
        ("get", reverse("courses:run_manage", args=[run.pk])),
        ("get", reverse("courses:run_edit", args=[run.pk])),
        ("post", reverse("courses:run_publish", args=[run.pk])),
        ("get", reverse("courses:run_create", args=[run.course_id])),
        ("post", reverse("courses:enrolment_decide", args=[enrolment.pk, "approve"])),
        ("post", reverse("courses:enrolment_decide", args=[enrolment.pk, "reject"])),
    ]


@pytest.mark.parametrize("who", ["student", "enrolled_learner", "outsider", "mentor"])
def test_people_who_do_not_teach_the_course_get_404_from_instructor_views(client, request, spring, who):
    """A student, a learner of the run itself, an author of an unrelated university and a
    mentor of the practicum partner all get 404 from every instructor view, and nothing
    changes: no approval, no new content publication."""
    pending = services.enrolment_request(user=UserFactory(), run=spring)
    if who == "enrolled_learner":
        user = UserFactory()
        enrol(user, spring, request.getfixturevalue("author_a"))
    else:
        user = request.getfixturevalue(who)
    spring.refresh_from_db()
    published_at = spring.content_published_at
    client.force_login(user)

    for method, url in instructor_requests(spring, pending):
        assert getattr(client, method)(url).status_code == 404, url

    assert Enrolment.objects.get(pk=pending.pk).status == Enrolment.Status.PENDING
    assert CourseRun.objects.get(pk=spring.pk).content_published_at == published_at


def test_co_author_staff_manage_the_run(client, spring, author_b):
    """An author of the co-author university opens the run's page, publishes content to it and
    approves a request."""
    pending = services.enrolment_request(user=UserFactory(), run=spring)
    spring.refresh_from_db()
    client.force_login(author_b)

    assert client.get(reverse("courses:run_manage", args=[spring.pk])).status_code == 200
    response = client.post(reverse("courses:run_publish", args=[spring.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("courses:run_manage", args=[spring.pk])
    assert CourseRun.objects.get(pk=spring.pk).content_published_by == author_b
    client.post(reverse("courses:enrolment_decide", args=[pending.pk, "approve"]))
    assert Enrolment.objects.get(pk=pending.pk).status == Enrolment.Status.ACTIVE


def test_lead_staff_decide_on_requests_and_unknown_actions_are_404(client, spring, author_a):
    """The lead's author rejects a request; an action that does not exist is a 404."""
    pending = services.enrolment_request(user=UserFactory(), run=spring)
    client.force_login(author_a)

    assert client.post(reverse("courses:enrolment_decide", args=[pending.pk, "delete"])).status_code == 404
    client.post(reverse("courses:enrolment_decide", args=[pending.pk, "reject"]))

    assert Enrolment.objects.get(pk=pending.pk).status == Enrolment.Status.REJECTED


def test_co_author_who_is_removed_loses_the_run(client, course, spring, author_a, author_b, university_b):
    """Once the course is published without the co-author, its staff get 404 from the run."""
    CourseOrganisation.objects.filter(course=course, organisation=university_b).delete()
    course.save_revision(user=author_a).publish(user=author_a)
    client.force_login(author_b)

    assert client.get(reverse("courses:run_manage", args=[spring.pk])).status_code == 404
