"""Passing a run (courses.grade_services.course_pass_check): recorded once, when the course grade
reaches the pass mark and every required lesson is done, whichever comes last; kept with its
grade and date whatever happens to the grade later; announced once with the
`courses.signals.course_run_passed` signal after the transaction commits."""

import datetime
from decimal import Decimal

import pytest

from courses import services
from courses.factories import course_tree, open_run, quiz_with_questions
from courses.grade_services import enrolment_grade_recompute, grade_override_set
from courses.models import CourseGradeRecord, CoursePass, Enrolment, RunContentItem
from courses.signals import course_run_passed
from courses.tests.assessment_fixtures import lesson_add, questions_build, quiz_block, quiz_take

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(university_a):
    """One plain required lesson; the graded quiz lesson is added by `quiz_lesson`."""
    return course_tree(organisation=university_a, modules=1, lessons=1)


@pytest.fixture
def quiz(university_a, author_a):
    _bank, questions = questions_build(organisation=university_a, by=author_a, count=2)
    return quiz_with_questions(organisation=university_a, questions=questions, by=author_a, attempt_limit=0)


@pytest.fixture
def quiz_lesson(course, quiz):
    return lesson_add(course=course, body=[quiz_block(quiz)], title="Duties quiz")


@pytest.fixture
def run(course, quiz_lesson, author_a):
    return open_run(course=course, by=author_a)


@pytest.fixture
def enrolment(run, student):
    return services.enrolment_request(user=student, run=run)


@pytest.fixture
def plain_item(run, quiz_lesson):
    return run.content_items.filter(kind=RunContentItem.Kind.LESSON).exclude(page=quiz_lesson).get()


@pytest.fixture
def quiz_item(run, quiz_lesson):
    return run.content_items.get(page=quiz_lesson)


@pytest.fixture
def passed_signals():
    """The keyword arguments of every `course_run_passed` sent during the test."""
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    course_run_passed.connect(receiver, dispatch_uid="test-course-pass-receiver")
    yield received
    course_run_passed.disconnect(dispatch_uid="test-course-pass-receiver")


def fresh(enrolment):
    return Enrolment.objects.select_related("run").get(pk=enrolment.pk)


def take(enrolment, item, quiz, student, right):
    return quiz_take(enrolment=enrolment, item=item, quiz=quiz, by=student, right=right)


def test_grade_first_then_lessons(enrolment, quiz_item, plain_item, quiz, student, passed_signals, django_capture_on_commit_callbacks):
    """Full marks on the quiz (grade 100 %) with the plain lesson still to do: not passed. Doing
    the lesson records the pass with the grade, and the signal goes out once, after commit."""
    take(enrolment, quiz_item, quiz, student, right=2)
    assert CourseGradeRecord.objects.get(enrolment=enrolment).passed
    assert not CoursePass.objects.exists() and passed_signals == []

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_complete(enrolment=fresh(enrolment), item=plain_item, by=student)
        assert CoursePass.objects.filter(enrolment=enrolment).exists()
        assert passed_signals == []  # not before the commit

    course_pass = CoursePass.objects.get(enrolment=enrolment)
    assert (course_pass.percent, course_pass.letter) == (Decimal("1"), "Pass")
    assert len(passed_signals) == 1
    assert passed_signals[0]["course_pass"].pk == course_pass.pk and passed_signals[0]["enrolment"].pk == enrolment.pk


def test_lessons_first_then_grade(enrolment, quiz_item, plain_item, quiz, student, passed_signals, django_capture_on_commit_callbacks):
    """Every lesson done with no quiz answer right (grade 0): completed but not passed. A second
    attempt with full marks records the pass, announced once."""
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_complete(enrolment=enrolment, item=plain_item, by=student)
        take(enrolment, quiz_item, quiz, student, right=0)
    assert fresh(enrolment).completed_at is not None
    assert CourseGradeRecord.objects.get(enrolment=enrolment).percent == 0
    assert not CoursePass.objects.exists() and passed_signals == []

    with django_capture_on_commit_callbacks(execute=True):
        take(enrolment, quiz_item, quiz, student, right=1)

    course_pass = CoursePass.objects.get(enrolment=enrolment)
    assert (course_pass.percent, course_pass.letter) == (Decimal("0.5"), "Pass")
    assert len(passed_signals) == 1


def test_below_the_pass_mark_with_every_lesson_done_is_not_a_pass(enrolment, quiz_item, plain_item, quiz, student, passed_signals, django_capture_on_commit_callbacks):
    """All lessons done, grade 0 %: no pass and no signal."""
    with django_capture_on_commit_callbacks(execute=True):
        take(enrolment, quiz_item, quiz, student, right=0)
        services.lesson_complete(enrolment=fresh(enrolment), item=plain_item, by=student)
        enrolment_grade_recompute(enrolment=fresh(enrolment))

    assert not CoursePass.objects.exists() and passed_signals == []


def test_the_pass_is_kept_when_the_grade_falls(enrolment, quiz_item, plain_item, quiz, student, author_a, passed_signals, django_capture_on_commit_callbacks):
    """After passing at 100 %, an override down to 0 drops the grade below the pass mark; the
    pass keeps its grade and date, no second row is made and no signal is sent again."""
    with django_capture_on_commit_callbacks(execute=True):
        take(enrolment, quiz_item, quiz, student, right=2)
        services.lesson_complete(enrolment=fresh(enrolment), item=plain_item, by=student)
    before = CoursePass.objects.get(enrolment=enrolment)

    with django_capture_on_commit_callbacks(execute=True):
        grade_override_set(enrolment=fresh(enrolment), item_key="quiz:quiz0001", earned=Decimal(0), possible=None, reason="Copied.", by=author_a)
        grade_override_set(enrolment=fresh(enrolment), item_key="quiz:quiz0001", earned=Decimal(2), possible=None, reason="Not copied.", by=author_a)
        grade_override_set(enrolment=fresh(enrolment), item_key="quiz:quiz0001", earned=Decimal(0), possible=None, reason="Copied after all.", by=author_a)

    grade = CourseGradeRecord.objects.get(enrolment=enrolment)
    assert (grade.percent, grade.passed) == (0, False)
    after = CoursePass.objects.get(enrolment=enrolment)
    assert (after.pk, after.percent, after.letter, after.passed_at) == (before.pk, Decimal("1"), "Pass", before.passed_at)
    assert CoursePass.objects.count() == 1 and len(passed_signals) == 1


def test_a_rolled_back_pass_sends_no_signal(enrolment, quiz_item, plain_item, quiz, student, passed_signals, django_capture_on_commit_callbacks):
    """A pass recorded in a transaction that rolls back is not stored and not announced."""
    from django.db import transaction

    take(enrolment, quiz_item, quiz, student, right=2)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.lesson_complete(enrolment=fresh(enrolment), item=plain_item, by=student)
            raise RuntimeError("rolled back")

    assert callbacks == [] and passed_signals == []
    assert not CoursePass.objects.exists()


def test_a_withdrawn_learner_does_not_pass(enrolment, quiz_item, plain_item, quiz, student, author_a):
    """A learner who did every lesson and unenrolled is not recorded as passing when an override
    later lifts their grade above the pass mark."""
    take(enrolment, quiz_item, quiz, student, right=0)
    services.lesson_complete(enrolment=fresh(enrolment), item=plain_item, by=student)
    services.enrolment_withdraw(enrolment=fresh(enrolment), by=student)

    grade_override_set(enrolment=fresh(enrolment), item_key="quiz:quiz0001", earned=Decimal(2), possible=None, reason="Regraded.", by=author_a)

    assert CourseGradeRecord.objects.get(enrolment=enrolment).passed
    assert not CoursePass.objects.exists()


def test_a_run_that_grades_nothing_is_passed_by_its_lessons(university_a, author_a, student, passed_signals, django_capture_on_commit_callbacks):
    """Two plain lessons, no graded item: doing both records a pass without a grade (percent
    None), announced once; doing one is not enough."""
    course = course_tree(organisation=university_a, modules=1, lessons=2, title="Reading only")
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    first, second = run.content_items.filter(kind=RunContentItem.Kind.LESSON).order_by("position")

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_complete(enrolment=enrolment, item=first, by=student)
    assert not CoursePass.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_complete(enrolment=enrolment, item=second, by=student)

    course_pass = CoursePass.objects.get(enrolment=enrolment)
    assert (course_pass.percent, course_pass.letter) == (None, "")
    assert not CourseGradeRecord.objects.filter(enrolment=enrolment).exists()
    assert len(passed_signals) == 1
    assert course_pass.passed_at <= datetime.datetime.now(datetime.UTC)
