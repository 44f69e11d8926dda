"""Fixed-question quizzes in lessons: starting pins question versions, the attempt limit and
time limit hold on the server, submitting is recorded once and completes the lesson, and the
review options decide what a learner sees (courses.assessment_services, courses.review)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.assessment_services import attempt_start, attempt_submit, question_bank_create, question_version_record
from courses.factories import course_tree, open_run, question_with_version, quiz_lesson, quiz_with_questions
from courses.models import LessonCompletion, Question, QuizAttempt, RunContentItem
from courses.question_authoring import question_content_from_spec
from courses.review import review_visibility

pytestmark = pytest.mark.django_db

SPEC = {"prompt": "Who pays the import duty under DDP?", "options": [
    {"id": "a", "text": "The seller", "correct": True},
    {"id": "b", "text": "The buyer", "correct": False},
]}


@pytest.fixture
def question(university_a, author_a):
    bank = question_bank_create(organisation=university_a, title="Customs basics", by=author_a)
    return question_with_version(bank=bank, kind="single_choice", spec=SPEC, by=author_a)


@pytest.fixture
def quiz(university_a, author_a, question):
    return quiz_with_questions(organisation=university_a, questions=[question], by=author_a, attempt_limit=2)


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1)


@pytest.fixture
def lesson(course, quiz):
    return quiz_lesson(course=course, quiz=quiz)


@pytest.fixture
def run(course, lesson, author_a):
    return open_run(course=course, by=author_a)


@pytest.fixture
def item(run, lesson):
    return run.content_items.get(page=lesson)


@pytest.fixture
def enrolment(run, student):
    return services.enrolment_request(user=student, run=run)


def start(enrolment, item, quiz, student, **kwargs):
    return attempt_start(enrolment=enrolment, item=item, block_id="quiz0001", quiz=quiz, by=student, **kwargs)


def test_the_quiz_block_is_an_activity_of_the_lesson(item):
    """Publishing content to the run pins the quiz block's activity key."""
    assert item.activity_keys == ["quiz:quiz0001"]


def test_an_attempt_scores_against_the_version_it_started_with(enrolment, item, quiz, question, student, author_a):
    """Editing the question after an attempt starts records version 2; the attempt still shows
    and scores version 1."""
    attempt = start(enrolment, item, quiz, student)
    edited = {**SPEC, "options": [{**SPEC["options"][0], "correct": False}, {**SPEC["options"][1], "correct": True}]}
    question.content = question_content_from_spec("single_choice", edited)
    question.save()
    assert question_version_record(question=question, by=author_a).number == 2

    attempt = attempt_submit(attempt=attempt, responses={1: "a"}, by=student)

    answer = attempt.answers.get()
    assert answer.version.number == 1
    assert answer.fraction == 1 and attempt.earned == Decimal("1.00") and attempt.possible == Decimal("1.00")


def test_the_attempt_limit_holds(enrolment, item, quiz, student):
    """With a limit of two, a third attempt is refused; an open attempt is continued, not doubled."""
    first = start(enrolment, item, quiz, student)
    assert start(enrolment, item, quiz, student).pk == first.pk
    attempt_submit(attempt=first, responses={}, by=student)
    second = start(enrolment, item, quiz, student)
    attempt_submit(attempt=second, responses={}, by=student)

    with pytest.raises(ValidationError):
        start(enrolment, item, quiz, student)
    assert [a.number for a in QuizAttempt.objects.order_by("number")] == [1, 2]


def test_the_time_limit_is_enforced_on_the_server(enrolment, item, quiz, student):
    """Answers posted after the deadline and its grace are ignored: the attempt is submitted with
    what was saved before."""
    quiz.time_limit_minutes = 10
    quiz.save()
    started = timezone.now()
    attempt = start(enrolment, item, quiz, student, now=started)
    assert attempt.deadline_at == started + datetime.timedelta(minutes=10)

    late = started + datetime.timedelta(minutes=11)
    attempt = attempt_submit(attempt=attempt, responses={1: "a"}, by=student, now=late)

    answer = attempt.answers.get()
    assert attempt.submitted_at == late
    assert answer.response is None and answer.fraction == 0 and attempt.earned == 0


def test_a_submission_within_the_grace_counts(enrolment, item, quiz, student):
    """Twenty seconds past the deadline is network latency: the answers count."""
    quiz.time_limit_minutes = 10
    quiz.save()
    started = timezone.now()
    attempt = start(enrolment, item, quiz, student, now=started)

    attempt = attempt_submit(attempt=attempt, responses={1: "a"}, by=student, now=started + datetime.timedelta(minutes=10, seconds=20))

    assert attempt.earned == 1


def test_a_double_submit_is_recorded_once(enrolment, item, quiz, student):
    """Submitting again returns the first submission unchanged."""
    attempt = start(enrolment, item, quiz, student)
    first = attempt_submit(attempt=attempt, responses={1: "a"}, by=student)
    second = attempt_submit(attempt=attempt, responses={1: "b"}, by=student)

    assert second.submitted_at == first.submitted_at and second.earned == 1
    assert attempt.answers.get().response == "a"


def test_submitting_completes_the_lesson(enrolment, item, quiz, student):
    """The lesson's only activity is the quiz: a submitted attempt completes it, right or wrong."""
    attempt = start(enrolment, item, quiz, student)
    assert not LessonCompletion.objects.exists()

    attempt_submit(attempt=attempt, responses={1: "b"}, by=student)

    completion = LessonCompletion.objects.get(enrolment=enrolment, item=item)
    assert completion.how == LessonCompletion.How.ACTIVITIES


def test_a_lesson_with_a_quiz_and_a_reflection_waits_for_both(course, quiz, author_a, student):
    """The lesson completes only when the quiz is submitted and the reflection is written."""
    lesson = quiz_lesson(course=course, quiz=quiz, title="Both", reflection=True)
    run = open_run(course=course, by=author_a, title="Autumn 2027")
    enrolment = services.enrolment_request(user=student, run=run)
    item = run.content_items.get(page=lesson)
    reflection_key = next(k for k in item.activity_keys if k.startswith("reflection:"))

    attempt_submit(attempt=start(enrolment, item, quiz, student), responses={}, by=student)
    assert not LessonCompletion.objects.filter(item=item).exists()
    services.activity_response_submit(enrolment=enrolment, item=item, activity_key=reflection_key, text="Sea freight.", by=student)

    assert LessonCompletion.objects.filter(item=item).exists()


def test_only_the_enrolled_learner_starts_and_a_block_not_in_the_lesson_is_refused(enrolment, item, quiz, student, author_a, run):
    """Someone else cannot start on the learner's enrolment; an unknown block id is refused."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start(enrolment, item, quiz, author_a)
    with pytest.raises(ValidationError):
        attempt_start(enrolment=enrolment, item=item, block_id="nope", quiz=quiz, by=student)


def test_a_quiz_needs_questions_of_its_own_organisation(university_a, university_b, author_a, author_b, question):
    """A quiz without questions, or with another organisation's question, is refused."""
    from courses.assessment_services import quiz_check
    from courses.models import Quiz, QuizQuestion

    empty = Quiz.objects.create(organisation=university_a, title="Empty")
    with pytest.raises(ValidationError):
        quiz_check(quiz=empty, by=author_a)
    foreign = Quiz.objects.create(organisation=university_b, title="Borrowed")
    QuizQuestion.objects.create(quiz=foreign, question=question)
    with pytest.raises(ValidationError):
        quiz_check(quiz=foreign, by=author_b)


# --- The pages ------------------------------------------------------------------------------------


def test_a_learner_takes_the_quiz_through_the_pages(client, run, item, enrolment, student):
    """Start from the lesson, answer on the attempt page, submit: the result shows as allowed and
    the lesson is done."""
    client.force_login(student)
    lesson_page = client.get(reverse("courses:lesson", args=[run.pk, item.pk]))
    assert b"Start the quiz" in lesson_page.content

    response = client.post(reverse("courses:quiz_start", args=[run.pk, item.pk, "quiz0001"]))
    attempt = QuizAttempt.objects.get()
    assert response["Location"] == reverse("courses:attempt", args=[run.pk, attempt.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Who pays the import duty under DDP?" in page.content

    client.post(response["Location"], {"q1": "a", "action": "submit"})

    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.earned == 1
    result = client.get(response["Location"])
    assert b"1 of 1 marks" in result.content and b"Right" in result.content
    assert LessonCompletion.objects.filter(item=item).exists()


def test_another_learner_cannot_open_or_submit_the_attempt(client, run, item, enrolment, quiz, student, make_member, university_b):
    """Learner B, enrolled in the same run, gets 404 on learner A's attempt, and posting to it
    changes nothing."""
    from django.contrib.auth import get_user_model

    attempt = start(enrolment, item, quiz, student)
    other = get_user_model().objects.create_user(email="b-learner@example.com", password="x-Secret-1234")
    services.enrolment_request(user=other, run=run)
    client.force_login(other)
    url = reverse("courses:attempt", args=[run.pk, attempt.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"q1": "a", "action": "submit"}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.answers.get().response is None


# --- Review visibility (pure) ---------------------------------------------------------------------

NOW = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)
BEFORE_DUE, AFTER_DUE = NOW + datetime.timedelta(days=1), NOW - datetime.timedelta(days=1)


@pytest.mark.parametrize(("option", "submitted", "due_at", "shown"), [
    ("immediately", False, BEFORE_DUE, False),
    ("immediately", True, BEFORE_DUE, True),
    ("immediately", True, None, True),
    ("after_due", True, BEFORE_DUE, False),
    ("after_due", True, AFTER_DUE, True),
    ("after_due", True, NOW, True),
    ("after_due", False, AFTER_DUE, False),
    ("after_due", True, None, False),
    ("never", True, AFTER_DUE, False),
    ("never", False, AFTER_DUE, False),
    ("bogus", True, AFTER_DUE, False),
])
def test_review_visibility_matrix(option, submitted, due_at, shown):
    """Each aspect is shown per its option: never before submission, "after_due" only once the
    due date is reached (never without one), "never" never."""
    options = {"correctness": option, "marks": "never", "answers": "immediately"}

    visibility = review_visibility(options, now=NOW, due_at=due_at, submitted=submitted)

    assert visibility == {"correctness": shown, "marks": False, "answers": submitted}


def test_after_the_deadline_the_saved_answers_count(enrolment, item, quiz, student):
    """Answers saved in time count; the ones posted with a late submit do not."""
    from courses.assessment_services import attempt_save

    quiz.time_limit_minutes = 10
    quiz.save()
    started = timezone.now()
    attempt = start(enrolment, item, quiz, student, now=started)
    attempt_save(attempt=attempt, responses={1: "a"}, by=student, now=started + datetime.timedelta(minutes=5))

    attempt = attempt_submit(attempt=attempt, responses={1: "b"}, by=student, now=started + datetime.timedelta(minutes=11))

    assert attempt.answers.get().response == "a" and attempt.earned == 1


def test_starting_again_after_the_time_is_up_closes_the_expired_attempt(enrolment, item, quiz, student):
    """An attempt left open past its deadline is submitted with what it saved when the learner
    starts again, and the next attempt starts."""
    quiz.time_limit_minutes = 10
    quiz.save()
    started = timezone.now()
    first = start(enrolment, item, quiz, student, now=started)

    second = start(enrolment, item, quiz, student, now=started + datetime.timedelta(minutes=20))

    first.refresh_from_db()
    assert first.submitted_at is not None and second.number == 2


def test_an_expired_last_attempt_is_closed_not_refused(enrolment, item, quiz, student):
    """With one attempt allowed and it expired, starting again submits it and returns it."""
    quiz.time_limit_minutes, quiz.attempt_limit = 10, 1
    quiz.save()
    started = timezone.now()
    first = start(enrolment, item, quiz, student, now=started)

    again = start(enrolment, item, quiz, student, now=started + datetime.timedelta(minutes=20))

    assert again.pk == first.pk and again.submitted_at is not None
    assert QuizAttempt.objects.count() == 1 and LessonCompletion.objects.filter(item=item).exists()


def test_the_lesson_shows_the_quiz_as_it_is_now(client, run, item, enrolment, quiz, student):
    """The pinned lesson is cached, but a changed attempt limit shows at once and holds."""
    client.force_login(student)
    url = reverse("courses:lesson", args=[run.pk, item.pk])
    assert b"Attempts: 0 of 2" in client.get(url).content
    quiz.attempt_limit = 5
    quiz.save()

    assert b"Attempts: 0 of 5" in client.get(url).content


def test_opening_an_expired_attempt_submits_it(client, run, item, enrolment, quiz, student):
    """The attempt page of an attempt whose time ran out records it with what was saved."""
    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = start(enrolment, item, quiz, student, now=timezone.now() - datetime.timedelta(minutes=30))
    client.force_login(student)

    response = client.get(reverse("courses:attempt", args=[run.pk, attempt.pk]))

    attempt.refresh_from_db()
    assert response.status_code == 200 and attempt.submitted_at is not None



def test_random_draws_are_fixed_per_attempt_and_never_repeat_a_question(university_a, author_a, course, question, student):
    """A quiz asking one fixed question and drawing two more from a bank of five: each attempt
    draws two others than the fixed one, distinct, and the same attempt number of the same
    learner always draws the same ones."""
    from courses.models import QuestionBank, QuizDraw

    bank = QuestionBank.objects.get()
    others = [
        question_with_version(bank=bank, kind="single_choice", spec={**SPEC, "prompt": f"Question {i}?"}, by=author_a, title=f"Q{i}")
        for i in range(4)
    ]
    quiz = quiz_with_questions(organisation=university_a, questions=[question], by=author_a, title="Drawn", attempt_limit=0)
    QuizDraw.objects.create(quiz=quiz, bank=bank, count=2, marks=Decimal("2"))
    lesson = quiz_lesson(course=course, quiz=quiz, block_id="drawn01", title="Drawn questions")
    run = open_run(course=course, by=author_a, title="Drawn run")
    enrolment = services.enrolment_request(user=student, run=run)
    item = run.content_items.get(page=lesson)

    attempt = attempt_start(enrolment=enrolment, item=item, block_id="drawn01", quiz=quiz, by=student)
    questions = [a.version.question_id for a in attempt.answers.select_related("version")]

    assert len(questions) == 3 and len(set(questions)) == 3 and questions[0] == question.pk
    assert set(questions[1:]) <= {q.pk for q in others}
    assert [a.marks for a in attempt.answers.all()] == [Decimal("1.00"), Decimal("2.00"), Decimal("2.00")]
    attempt.delete()
    again = attempt_start(enrolment=enrolment, item=item, block_id="drawn01", quiz=quiz, by=student)
    assert [a.version.question_id for a in again.answers.select_related("version")] == questions
