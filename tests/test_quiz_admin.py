"""Quizzes in the Wagtail admin, through the real views: an author of an organisation builds a
quiz from its own questions (an inline panel of slots), a quiz without questions or with
another organisation's question is refused, and another organisation's quizzes are invisible in
the listing, the edit views and the lesson editor's quiz chooser. Random draws come from the
organisation's own banks only."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses.assessment_services import question_bank_create
from courses.factories import question_with_version, quiz_with_questions
from courses.models import Quiz

pytestmark = pytest.mark.django_db

SPEC = {"prompt": "Who pays the duty under DDP?", "options": [
    {"id": "a", "text": "The seller", "correct": True}, {"id": "b", "text": "The buyer", "correct": False},
]}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def question_a(university_a, author_a):
    bank = question_bank_create(organisation=university_a, title="Alpha bank", by=author_a)
    return question_with_version(bank=bank, kind="single_choice", spec=SPEC, by=author_a, title="Alpha DDP question")


@pytest.fixture
def question_b(university_b, author_b):
    bank = question_bank_create(organisation=university_b, title="Beta bank", by=author_b)
    return question_with_version(bank=bank, kind="single_choice", spec=SPEC, by=author_b, title="Beta secret question")


@pytest.fixture
def quiz_b(university_b, author_b, question_b):
    return quiz_with_questions(organisation=university_b, questions=[question_b], by=author_b, title="Beta secret quiz")


def quiz_form(organisation, questions, title="Alpha quiz", draws=()):
    return nested_form_data({
        "organisation": str(organisation.pk), "title": title, "instructions": "", "attempt_limit": "1", "time_limit_minutes": "",
        "shuffle_options": "on", "show_correctness": "immediately", "show_marks": "immediately", "show_answers": "after_due",
        "slots": inline_formset([{"question": str(q.pk), "marks": "2"} for q in questions]),
        "draws": inline_formset([{"bank": str(bank.pk), "count": str(count), "marks": "1"} for bank, count in draws]),
    })


def test_author_builds_a_quiz_from_own_questions(university_a, author_a, question_a, question_b):
    """The add form offers only the organisation's questions; the quiz is saved with its slot."""
    client = client_for(author_a)
    form = client.get(reverse("quizzes:add")).content.decode()
    assert "Alpha DDP question" in form and "Beta secret question" not in form

    response = client.post(reverse("quizzes:add"), quiz_form(university_a, [question_a]))

    assert response.status_code == 302, response.content.decode()[:2000]
    quiz = Quiz.objects.get(title="Alpha quiz")
    assert quiz.created_by == author_a and [s.question for s in quiz.slots.all()] == [question_a]
    assert client.get(reverse("quizzes:edit", args=[quiz.pk])).status_code == 200


def test_a_quiz_without_questions_or_with_a_foreign_question_is_refused(university_a, author_a, question_b):
    """No slot, or a slot with another organisation's question posted anyway: nothing is saved."""
    client = client_for(author_a)

    empty = client.post(reverse("quizzes:add"), quiz_form(university_a, []))
    foreign = client.post(reverse("quizzes:add"), quiz_form(university_a, [question_b]))

    assert empty.status_code == 200 and foreign.status_code == 200
    assert not Quiz.objects.filter(title="Alpha quiz").exists()


def test_another_organisations_quiz_is_invisible(author_a, quiz_b, question_a):
    """Listing, edit, inspect and the chooser: B's quiz is absent or 404 for A's author."""
    client = client_for(author_a)

    assert "Beta secret quiz" not in client.get(reverse("quizzes:index")).content.decode()
    assert client.get(reverse("quizzes:edit", args=[quiz_b.pk])).status_code == 404
    assert client.get(reverse("quizzes:inspect", args=[quiz_b.pk])).status_code == 404
    assert "Beta secret quiz" not in client.get(reverse("quiz_chooser:choose")).content.decode()
    assert "Beta secret quiz" not in client.get(reverse("quiz_chooser:choose_results")).content.decode()
    assert client.get(reverse("quiz_chooser:chosen", args=[quiz_b.pk])).status_code == 404


def test_choosing_several_quizzes_leaves_out_another_organisations(university_a, author_a, quiz_b, question_a):
    """The chooser's "chosen multiple" answer names only A's quizzes, whatever ids are asked for."""
    own = quiz_with_questions(organisation=university_a, questions=[question_a], by=author_a, title="Alpha chosen quiz")
    response = client_for(author_a).get(reverse("quiz_chooser:chosen_multiple"), {"id": [own.pk, quiz_b.pk]})
    assert response.status_code == 200
    assert "Alpha chosen quiz" in response.content.decode() and "Beta secret quiz" not in response.content.decode()


def test_the_chooser_lists_own_quizzes(university_a, author_a, question_a):
    """A's author finds A's quiz in the lesson editor's chooser."""
    quiz = quiz_with_questions(organisation=university_a, questions=[question_a], by=author_a, title="Alpha listed quiz")
    client = client_for(author_a)

    assert "Alpha listed quiz" in client.get(reverse("quiz_chooser:choose")).content.decode()
    assert client.get(reverse("quiz_chooser:chosen", args=[quiz.pk])).status_code == 200


def test_the_lesson_editor_shows_the_chosen_quiz(university_a, author_a, question_a):
    """A lesson with a quiz block opens in the page editor with the quiz chosen."""
    from courses.factories import course_tree, quiz_lesson

    quiz = quiz_with_questions(organisation=university_a, questions=[question_a], by=author_a, title="Alpha chosen quiz")
    lesson = quiz_lesson(course=course_tree(organisation=university_a, modules=1, lessons=0), quiz=quiz)

    response = client_for(author_a).get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))

    assert response.status_code == 200 and "Alpha chosen quiz" in response.content.decode()


def test_the_quiz_listing_costs_the_same_queries_for_one_or_ten(university_a, author_a, question_a, django_assert_max_num_queries):
    """The listing's query count does not grow with the number of quizzes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(author_a)
    quiz_with_questions(organisation=university_a, questions=[question_a], by=author_a, title="Quiz 0")
    client.get(reverse("quizzes:index"))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("quizzes:index")).status_code == 200
    for i in range(1, 10):
        quiz_with_questions(organisation=university_a, questions=[question_a], by=author_a, title=f"Quiz {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("quizzes:index"))
    assert response.content.decode().count("Quiz ") >= 10


def test_author_adds_a_random_draw_from_an_own_bank_only(university_a, author_a, question_a, question_b):
    """The draw's bank choices are the organisation's; a draw from another organisation's bank,
    or of more questions than the bank has, is refused; a quiz of draws only is saved."""
    client = client_for(author_a)
    form = client.get(reverse("quizzes:add")).content.decode()
    assert "Alpha bank" in form and "Beta bank" not in form

    foreign = client.post(reverse("quizzes:add"), quiz_form(university_a, [], draws=[(question_b.bank, 1)]))
    too_many = client.post(reverse("quizzes:add"), quiz_form(university_a, [], draws=[(question_a.bank, 2)]))
    assert foreign.status_code == 200 and too_many.status_code == 200
    assert not Quiz.objects.exists()

    response = client.post(reverse("quizzes:add"), quiz_form(university_a, [], draws=[(question_a.bank, 1)]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Quiz.objects.get().draws.get().bank == question_a.bank
