"""The learner's own grade page (courses.grade_views.progress): the course grade, the pass mark,
whether they passed and what passing still needs, and the breakdown by type. A quiz's marks
stay hidden until its review options release them, and so do the totals they are part of
(Moodle's "hide totals containing hidden items"); assignments show their marks once reviewed.
Nobody but the enrolled learner sees the page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from courses import services
from courses.factories import course_tree, open_run
from courses.models import CourseRun
from courses.tests.test_gradebook import ASSIGNMENT_KEY, QUIZ_KEY, enrol, graded_run, hand_in, learner, review, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(university_a, author_a):
    return graded_run(organisation=university_a, author=author_a)


def items_of(response):
    return {item.key: item for section in response.context["grades"].sections for item in section.items if item.key}


def test_the_learner_sees_their_grade_and_breakdown(client, graded, student):
    """Quiz 1/2 with marks shown at once: the item, the type average, the course grade (25 %),
    the pass mark and what passing still needs (the lessons left and a higher grade)."""
    enrolment = enrol(student, graded.run)
    take_quiz(graded, enrolment, right=1)
    client.force_login(student)

    response = client.get(reverse("courses:progress", args=[graded.run.pk]))

    assert response.status_code == 200
    grades = response.context["grades"]
    assert not grades.totals_hidden and grades.percent == Decimal("25.00") and grades.policy.pass_mark == Decimal("50")
    quiz = items_of(response)[QUIZ_KEY]
    assert (quiz.earned, quiz.possible, quiz.hidden) == (Decimal("1.00"), Decimal("2.00"), False)
    html = response.content.decode()
    assert "25 %" in html and "1 / 2" in html and "your average 50 %" in html
    assert "A course grade of at least 50 %: yours is below it." in html
    assert "2 required lessons are not done yet" in html
    assert reverse("courses:lesson", args=[graded.run.pk, graded.item.pk]) in html


def test_quiz_marks_and_the_totals_are_hidden_until_the_due_date(client, university_a, author_a, student):
    """show_marks “after the due date”, due in 23 days: the quiz says when its marks come, and the
    type average, course grade and letter are withheld. Once the due date has passed, all show."""
    graded = graded_run(organisation=university_a, author=author_a, show_marks="after_due", quiz_due_after_days=30)
    enrolment = enrol(student, graded.run)
    take_quiz(graded, enrolment, right=2)
    client.force_login(student)
    url = reverse("courses:progress", args=[graded.run.pk])

    before = client.get(url)

    grades = before.context["grades"]
    assert grades.totals_hidden
    quiz = items_of(before)[QUIZ_KEY]
    assert quiz.hidden and quiz.marks_release_at == graded.run.starts_at + datetime.timedelta(days=30)
    html = before.content.decode()
    assert "Marks shown after the due date" in html
    assert "2 / 2" not in html and "your average 100 %" not in html and ">course grade<" not in html and ">letter<" not in html
    assert "course grade: shown when all marks are released" in html and "average shown when all marks are released" in html

    # Move the run back so the quiz fell due yesterday.
    starts = graded.run.starts_at - datetime.timedelta(days=31)
    CourseRun.objects.filter(pk=graded.run.pk).update(starts_at=starts, enrolment_opens_at=starts - datetime.timedelta(days=1))
    after = client.get(url)

    assert not after.context["grades"].totals_hidden and not items_of(after)[QUIZ_KEY].hidden
    html = after.content.decode()
    assert "2 / 2" in html and "your average 100 %" in html and "Marks shown after the due date" not in html
    assert 'stat__value">50 %</span><span class="stat__label">course grade<' in html


def test_quiz_marks_never_shown_say_so(client, university_a, author_a, student):
    """show_marks “never”: the marks are not shown at all, and neither is the course grade."""
    graded = graded_run(organisation=university_a, author=author_a, show_marks="never")
    enrolment = enrol(student, graded.run)
    take_quiz(graded, enrolment, right=2)
    client.force_login(student)

    response = client.get(reverse("courses:progress", args=[graded.run.pk]))

    assert items_of(response)[QUIZ_KEY].hidden and response.context["grades"].totals_hidden
    assert "Marks not shown" in response.content.decode()


def test_an_unattempted_hidden_quiz_does_not_hide_the_totals(client, university_a, author_a, student):
    """Nothing submitted means no marks to withhold: the grade shows (0 %)."""
    graded = graded_run(organisation=university_a, author=author_a, show_marks="never")
    enrolment = enrol(student, graded.run)
    review(graded, hand_in(graded, enrolment), author_a, "Partly right", "Missing")
    client.force_login(student)

    response = client.get(reverse("courses:progress", args=[graded.run.pk]))

    assert not response.context["grades"].totals_hidden
    assert items_of(response)[QUIZ_KEY].state == "not_attempted"
    assert "Not attempted yet" in response.content.decode()


def test_assignments_show_not_handed_in_then_awaiting_review_then_the_marks(client, graded, student, author_a):
    """Before handing in: “Not handed in”; handed in: “awaiting review”; reviewed: 6 / 8."""
    enrolment = enrol(student, graded.run)
    client.force_login(student)
    url = reverse("courses:progress", args=[graded.run.pk])

    assert items_of(client.get(url))[ASSIGNMENT_KEY].state == "not_handed_in"
    assert "Not handed in" in client.get(url).content.decode()

    submission = hand_in(graded, enrolment)
    waiting = client.get(url)
    assert items_of(waiting)[ASSIGNMENT_KEY].state == "awaiting_review"
    assert "Handed in, awaiting review" in waiting.content.decode()

    review(graded, submission, author_a, "Excellent", "Partly right")
    reviewed = client.get(url)
    assignment = items_of(reviewed)[ASSIGNMENT_KEY]
    assert assignment.state == "reviewed" and (assignment.earned, assignment.possible) == (Decimal("6.00"), Decimal("8.00"))
    assert "6 / 8" in reviewed.content.decode()


def test_a_passed_learner_sees_the_date(client, graded, student, author_a):
    """Every lesson done and the grade over the pass mark: “You passed this course on …”."""
    enrolment = enrol(student, graded.run)
    take_quiz(graded, enrolment, right=2)
    review(graded, hand_in(graded, enrolment), author_a, "Excellent", "Excellent")
    services.lesson_complete(enrolment=enrolment, item=graded.plain_lesson, by=student)
    client.force_login(student)

    response = client.get(reverse("courses:progress", args=[graded.run.pk]))

    grades = response.context["grades"]
    assert grades.course_pass is not None and grades.percent == Decimal("100.00")
    html = response.content.decode()
    assert "You passed this course on" in html and "What passing still needs" not in html


def test_only_the_enrolled_learner_sees_the_page(client, graded, university_a, author_a, student):
    """A learner of another run, an unenrolled person and a withdrawn learner get 404; an
    anonymous visitor is sent to sign in."""
    enrolment = enrol(student, graded.run)
    take_quiz(graded, enrolment, right=2)
    other = graded_run(organisation=university_a, author=author_a, title="Another course")
    elsewhere = learner("b@example.com", "Learner B")
    enrol(elsewhere, other.run)
    url = reverse("courses:progress", args=[graded.run.pk])

    for person in (elsewhere, learner("nobody@example.com", "Nobody")):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    services.enrolment_withdraw(enrolment=enrolment, by=student)
    client.force_login(student)
    assert client.get(url).status_code == 404


PROGRESS_QUERIES = 13


def test_the_progress_page_query_count_is_constant(client, graded, student, author_a, django_assert_max_num_queries):
    """The page reads a fixed number of rows whatever the learner has done."""
    enrolment = enrol(student, graded.run)
    client.force_login(student)
    url = reverse("courses:progress", args=[graded.run.pk])
    client.get(url)

    with django_assert_max_num_queries(PROGRESS_QUERIES):
        client.get(url)
    take_quiz(graded, enrolment, right=1)
    take_quiz(graded, enrolment, right=2)
    review(graded, hand_in(graded, enrolment), author_a, "Excellent", "Missing")
    with django_assert_max_num_queries(PROGRESS_QUERIES):
        client.get(url)



def test_a_run_that_grades_nothing_says_how_to_pass(client, university_a, author_a, student):
    """No graded item: no grade or pass mark, only the lessons left."""
    course = course_tree(organisation=university_a, modules=1, lessons=2, title="Reading only")
    run = open_run(course=course, by=author_a)
    enrol(student, run)
    client.force_login(student)

    response = client.get(reverse("courses:progress", args=[run.pk]))

    assert response.status_code == 200 and not response.context["grades"].graded
    html = response.content.decode()
    assert "you pass by completing the required lessons" in html and "2 required lessons are not done yet" in html
    assert "needed to pass" not in html
