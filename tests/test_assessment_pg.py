"""Concurrent hand-ins and reviews of an assignment, on PostgreSQL with real threads.

A learner's hand-ins are numbered under a row lock on the enrolment, and a review is written
under a row lock on the submission (courses.assignment_services, `select_for_update`). SQLite
serialises writes and ignores the locks, so these tests run on PostgreSQL only (CI's PostgreSQL
stage; locally with DATABASE_URL=postgres://...). Each thread has its own connection and its own
transaction; a barrier releases them together (see tests/test_courses_race.py)."""

import datetime
import threading

import pytest
from django.db import connection

from academy.people.factories import UserFactory
from courses import services
from courses.assignment_services import review_save, submission_create
from courses.factories import course_tree, open_run
from courses.models import CourseGradeRecord, Review, ReviewScore, Submission
from courses.tests.assessment_fixtures import assignment_block, assignment_build, lesson_add, rubric_build, rubric_choices
from tests.concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writes and ignores row locks"),
    # Committed transactions, so the threads see the data; the migrations' rows are put back
    # afterwards for the tests that follow on this database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def rubric(university_a, author_a):
    return rubric_build(organisation=university_a, by=author_a)


@pytest.fixture
def setting(university_a, author_a, rubric, student):
    """A run whose lesson holds an assignment allowing unlimited hand-ins, and an enrolled learner."""
    course = course_tree(organisation=university_a, modules=1, lessons=0)
    assignment = assignment_build(organisation=university_a, rubric=rubric, by=author_a, max_submissions=0)
    lesson = lesson_add(course=course, body=[assignment_block(assignment)])
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    return enrolment, run.content_items.get(page=lesson)


def hand_in(enrolment, item, student, text):
    return submission_create(
        enrolment=enrolment, item=item, block_id="asg0001", text=text, files=[], by=student,
        now=enrolment.run.starts_at + datetime.timedelta(days=1),
    )


def test_two_hand_ins_at_once_are_numbered_1_and_2(setting, student):
    """The same learner's work sent twice at the same moment (two tabs) is stored twice, numbered
    1 and 2: no IntegrityError on the unique number."""
    enrolment, item = setting

    results = race([lambda n=n: hand_in(enrolment, item, student, f"Version {n}.") for n in range(2)])

    assert all(isinstance(result, Submission) for result in results), results
    assert sorted(Submission.objects.filter(enrolment=enrolment).values_list("number", flat=True)) == [1, 2]


def test_four_hand_ins_at_once_are_numbered_without_gaps(setting, student):
    """Four at once: numbers 1 to 4, each once."""
    enrolment, item = setting

    results = race([lambda n=n: hand_in(enrolment, item, student, f"Version {n}.") for n in range(4)])

    assert all(isinstance(result, Submission) for result in results), results
    assert sorted(Submission.objects.filter(enrolment=enrolment).values_list("number", flat=True)) == [1, 2, 3, 4]


def test_two_reviews_by_the_same_reviewer_at_once_leave_one_review(setting, student, author_a, rubric):
    """A reviewer's form sent twice at the same moment leaves one review, with one score per
    criterion (not two sets), and the submission scored by one of them."""
    enrolment, item = setting
    submission = hand_in(enrolment, item, student, "Mine.")
    choices = [rubric_choices(rubric, "Excellent", "Clear"), rubric_choices(rubric, "Adequate", "Unclear")]

    results = race([lambda c=c: review_save(submission=submission, by=author_a, choices=c) for c in choices])

    assert all(isinstance(result, Review) for result in results), results
    review = Review.objects.get(submission=submission)
    assert review.reviewer_id == author_a.pk
    assert ReviewScore.objects.filter(review=review).count() == 2
    submission.refresh_from_db()
    assert submission.earned == review.earned and submission.earned in (6, 2)
    assert CourseGradeRecord.objects.filter(enrolment=enrolment).count() == 1


def test_two_reviewers_at_once_leave_two_reviews(setting, student, author_a, make_member, university_a, rubric):
    """Two instructors reviewing at the same moment each leave their review."""
    from academy.organisations.models import Membership

    other = make_member(university_a, Membership.Role.AUTHOR, user=UserFactory())
    enrolment, item = setting
    submission = hand_in(enrolment, item, student, "Mine.")

    results = race([
        lambda reviewer=reviewer: review_save(submission=submission, by=reviewer, choices=rubric_choices(rubric, "Excellent", "Clear"))
        for reviewer in (author_a, other)
    ])

    assert all(isinstance(result, Review) for result in results), results
    assert Review.objects.filter(submission=submission).count() == 2
    assert ReviewScore.objects.filter(review__submission=submission).count() == 4


def test_a_quiz_submitted_while_a_review_is_saved_both_count_in_the_grade(university_a, author_a, rubric, student, monkeypatch):
    """A learner submits a graded quiz while an instructor saves the review of their assignment.
    Each transaction recomputes the course grade; the grade that stays must count both scores,
    whichever commits last (both read their scores before either writes, if nothing serialises
    them, and the later write loses the other's score)."""
    from courses import grade_services
    from courses.factories import quiz_with_questions
    from courses.models import GradeEntry
    from courses.tests.assessment_fixtures import questions_build, quiz_block

    course = course_tree(organisation=university_a, modules=1, lessons=0)
    _bank, questions = questions_build(organisation=university_a, by=author_a, count=2)
    quiz = quiz_with_questions(organisation=university_a, questions=questions, by=author_a)
    assignment = assignment_build(organisation=university_a, rubric=rubric, by=author_a)
    quiz_lesson = lesson_add(course=course, body=[quiz_block(quiz)], title="Quiz")
    assignment_lesson = lesson_add(course=course, body=[assignment_block(assignment)], title="Assignment")
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    submission = hand_in(enrolment, run.content_items.get(page=assignment_lesson), student, "Mine.")
    from courses.assessment_services import attempt_start, attempt_submit

    attempt = attempt_start(enrolment=enrolment, item=run.content_items.get(page=quiz_lesson), block_id="quiz0001", quiz=quiz, by=student)

    # Hold each transaction after it has read the scores until the other has read them too (or
    # five seconds have passed, when the other waits for a lock instead).
    barrier = threading.Barrier(2)
    original = grade_services._raw_scores

    def raw_scores_then_wait(enrolment):
        scores = original(enrolment)
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        return scores

    monkeypatch.setattr(grade_services, "_raw_scores", raw_scores_then_wait)

    results = race([
        lambda: attempt_submit(attempt=attempt, responses={1: "a", 2: "a"}, by=student),
        lambda: review_save(submission=submission, by=author_a, choices=rubric_choices(rubric, "Excellent", "Clear")),
    ])

    assert not any(isinstance(result, Exception) for result in results), results
    assert sorted(GradeEntry.objects.filter(enrolment=enrolment).values_list("item_key", "earned")) == [
        ("assignment:asg0001", 6), ("quiz:quiz0001", 2),
    ]
    assert CourseGradeRecord.objects.get(enrolment=enrolment).percent == 1
