"""The answer-leak scan: nothing a learner can fetch holds the right answers of a quiz whose
review options are "never".

Every kind of question carries a distinctive sentinel in each place that must stay on the
server: accepted answers, numeric answers and tolerances, option feedback, true/false feedback,
general feedback and the internal title. The correct options' texts are neutral (an option's
text is shown by design; its correctness must not be). A learner enrolled in the run starts an
attempt, submits nothing, and every page and endpoint they can reach is searched for the
sentinels, before and after submission."""

import re

import pytest
from django.urls import reverse

from courses import services
from courses.assessment_services import question_bank_create
from courses.factories import course_tree, open_run, question_with_version, quiz_lesson, quiz_with_questions
from courses.models import CatalogPage, Quiz, QuizAttempt

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-7Q3X"
NUMERIC_ANSWER = "73915.25"  # a distinctive number: the sentinel of the numeric answer
NUMERIC_TOLERANCE = "0.0137"


def general(kind):
    return {
        "feedback_correct": f"{SENTINEL}-{kind}-general-correct",
        "feedback_partial": f"{SENTINEL}-{kind}-general-partial",
        "feedback_incorrect": f"{SENTINEL}-{kind}-general-incorrect",
    }


def choice_options(kind, correct_ids):
    return [
        {"id": option_id, "text": f"Option {option_id}", "correct": option_id in correct_ids, "feedback": f"{SENTINEL}-{kind}-option-{option_id}"}
        for option_id in ("m", "n", "o")
    ]


SPECS = {
    "single_choice": {"prompt": "Pick one.", "options": choice_options("single_choice", {"n"}), **general("single_choice")},
    "multiple_choice": {
        "prompt": "Pick some.", "options": choice_options("multiple_choice", {"m", "o"}), "scoring": "partial", **general("multiple_choice"),
    },
    "true_false": {
        "prompt": "True or false?", "answer": False,
        "feedback_true": f"{SENTINEL}-true_false-feedback-true", "feedback_false": f"{SENTINEL}-true_false-feedback-false",
        **general("true_false"),
    },
    "numeric": {
        "prompt": "How much?", "answer": NUMERIC_ANSWER, "tolerance": NUMERIC_TOLERANCE, "tolerance_kind": "absolute", **general("numeric"),
    },
    "short_text": {
        "prompt": "Which term?", "accepted": [f"{SENTINEL}-short_text-accepted", f"{SENTINEL}-short_text-accepted-too"],
        "case_sensitive": False, "whitespace": "collapse", **general("short_text"),
    },
    "matching": {
        "prompt": "Match them.", "pairs": [
            {"prompt_id": "r1", "prompt": "First prompt", "answer_id": "z4", "answer": "Choice one"},
            {"prompt_id": "r2", "prompt": "Second prompt", "answer_id": "w8", "answer": "Choice two"},
        ], "distractors": [{"answer_id": "v3", "answer": "Choice three"}], "scoring": "partial", **general("matching"),
    },
    "ordering": {
        "prompt": "Order them.", "items": [
            {"id": "t5", "text": "Step one"}, {"id": "y2", "text": "Step two"}, {"id": "u9", "text": "Step three"},
        ], "scoring": "partial", **general("ordering"),
    },
}

DATA_CORRECT = re.compile(r"data-[\w-]*correct|data-[\w-]*=\"[^\"]*correct", re.IGNORECASE)


@pytest.fixture
def world(home_page, university_a, author_a, student):
    catalog = CatalogPage(title="Courses", slug="courses", intro="Courses co-run by universities and enterprises.")
    home_page.add_child(instance=catalog)
    catalog.save_revision().publish()
    bank = question_bank_create(organisation=university_a, title="Sentinels", by=author_a)
    questions = [
        question_with_version(bank=bank, kind=kind, spec=spec, by=author_a, title=f"{SENTINEL}-{kind}-title")
        for kind, spec in SPECS.items()
    ]
    quiz = quiz_with_questions(
        organisation=university_a, questions=questions, by=author_a, title="Leak check", instructions="Answer what you can.",
        show_correctness=Quiz.Review.NEVER, show_marks=Quiz.Review.NEVER, show_answers=Quiz.Review.NEVER,
    )
    course = course_tree(organisation=university_a, modules=1, lessons=1)
    lesson = quiz_lesson(course=course, quiz=quiz)
    run = open_run(course=course, by=author_a)
    services.enrolment_request(user=student, run=run)
    return {"catalog": catalog, "quiz": quiz, "questions": questions, "course": course, "run": run, "item": run.content_items.get(page=lesson)}


def learner_urls(world):
    run, item, quiz = world["run"], world["item"], world["quiz"]
    urls = [
        reverse("courses:lesson", args=[run.pk, item.pk]),
        reverse("courses:run", args=[run.pk]),
        reverse("dashboard"),
        world["course"].url,
        world["catalog"].url,
        reverse("courses:competencies"),
        reverse("courses:progress", args=[run.pk]),
        reverse("courses:review_queue"),
        reverse("courses:gradebook", args=[run.pk]),
        reverse("courses:gradebook_export", args=[run.pk, "csv"]),
        "/api/",
        "/api/v2/pages/",
        reverse("wagtailadmin_home"),
        reverse("quizzes:index"),
        reverse("quizzes:edit", args=[quiz.pk]),
        reverse("quizzes:inspect", args=[quiz.pk]),
        reverse("questions:index"),
        reverse("quiz_chooser:choose"),
        reverse("quiz_chooser:chosen", args=[quiz.pk]),
    ]
    for question in world["questions"]:
        urls += [reverse("questions:edit", args=[question.pk]), reverse("questions:inspect", args=[question.pk])]
    urls += [attempt_url for attempt_url in (
        reverse("courses:attempt", args=[run.pk, attempt.pk]) for attempt in QuizAttempt.objects.all()
    )]
    return urls


def assert_no_leak(client, urls):
    for url in urls:
        # Not followed: the admin sends a learner round its login redirect.
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), f"{url} answered {response.status_code}"
        body = response.content.decode()
        assert SENTINEL not in body, f"{url} leaks an answer sentinel"
        assert NUMERIC_ANSWER not in body and NUMERIC_TOLERANCE not in body, f"{url} leaks the numeric answer"
        assert not DATA_CORRECT.search(body), f"{url} marks options as correct in a data attribute"
    return True


def test_no_page_a_learner_can_fetch_holds_an_answer(client, world, student):
    """Before and after submitting an empty attempt, no response to the learner holds a sentinel
    (HTML, JSON or attributes), and the admin URLs of the quiz and questions refuse them."""
    client.force_login(student)
    run, item = world["run"], world["item"]
    lesson = client.get(reverse("courses:lesson", args=[run.pk, item.pk]))
    assert b"Leak check" in lesson.content and b"Answer what you can." in lesson.content
    assert_no_leak(client, learner_urls(world))

    start = client.post(reverse("courses:quiz_start", args=[run.pk, item.pk, "quiz0001"]))
    attempt = QuizAttempt.objects.get()
    attempt_url = reverse("courses:attempt", args=[run.pk, attempt.pk])
    assert start["Location"] == attempt_url
    before = client.get(attempt_url)
    assert before.status_code == 200 and b"Pick one." in before.content and b"Option n" in before.content
    assert_no_leak(client, learner_urls(world))

    submitted = client.post(attempt_url, {"action": "submit"}, follow=True)
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert SENTINEL not in submitted.content.decode()
    assert_no_leak(client, learner_urls(world))

    for url in (reverse("quizzes:edit", args=[world["quiz"].pk]), reverse("questions:inspect", args=[world["questions"][0].pk])):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
