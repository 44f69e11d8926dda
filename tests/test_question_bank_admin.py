"""The question bank in the Wagtail admin, through the real views: authors of an organisation
create banks and questions and edit them into new versions, and everything of another
organisation is invisible to them (404 on its URLs, absent from lists and form choices).
Platform administrators see every organisation's.

The organisations' editors groups get the question bank permissions the way new organisations
will once `GROUP_PERMISSIONS` of academy.organisations.services lists them (the fixture below
extends it before the organisations are approved)."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from academy.organisations import services as organisation_services
from courses.assessment_services import QUESTION_BANK_GROUP_PERMISSIONS, question_bank_create, question_version_record
from courses.models import Question, QuestionBank, QuestionVersion
from courses.question_authoring import question_content_from_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def question_bank_group_permissions(monkeypatch):
    """Approval gives editors groups the question bank permissions (the GROUP_PERMISSIONS line)."""
    monkeypatch.setattr(
        organisation_services, "GROUP_PERMISSIONS", organisation_services.GROUP_PERMISSIONS + QUESTION_BANK_GROUP_PERMISSIONS,
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def options_data(options):
    return {
        "count": str(len(options)),
        **{
            str(i): {
                "value": {"id": o["id"], "text": o["text"], "correct": "on" if o["correct"] else "", "feedback": o.get("feedback", "")},
                "deleted": "", "order": str(i), "id": f"item-{i}",
            }
            for i, o in enumerate(options)
        },
    }


def single_choice_form(bank, *, title="DDP duty", prompt="Who pays the import duty under DDP?", options=None, tags="customs, incoterms"):
    options = options or [
        {"id": "a", "text": "The seller", "correct": True, "feedback": "Yes."},
        {"id": "b", "text": "The buyer", "correct": False, "feedback": "That is DAP."},
    ]
    return nested_form_data({
        "bank": str(bank.pk),
        "title": title,
        "tags": tags,
        "content": streamfield([("single_choice", {
            "prompt": prompt,
            "options": options_data(options),
            "feedback_correct": "", "feedback_partial": "", "feedback_incorrect": "Look up DDP again.",
        })]),
    })


@pytest.fixture
def bank_a(university_a, author_a):
    return question_bank_create(organisation=university_a, title="Alpha customs bank", by=author_a)


@pytest.fixture
def bank_b(university_b, author_b):
    return question_bank_create(organisation=university_b, title="Beta logistics bank", by=author_b)


@pytest.fixture
def question_a(bank_a, author_a):
    question = Question.objects.create(
        bank=bank_a, title="Alpha secret question",
        content=question_content_from_spec("true_false", {"prompt": "Alpha's statement.", "answer": True}),
    )
    question_version_record(question=question, by=author_a)
    return question


def test_author_creates_a_bank_and_a_question_and_an_edit_makes_version_two(university_a, author_a):
    """An author of A creates a bank and a single-choice question through the admin; saving it
    unchanged records nothing, and changing the prompt records version 2 beside version 1."""
    client = client_for(author_a)
    response = client.post(reverse("question_banks:add"), {"organisation": university_a.pk, "title": "Incoterms", "description": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    bank = QuestionBank.objects.get(title="Incoterms")
    assert bank.organisation == university_a

    response = client.post(reverse("questions:add"), single_choice_form(bank))
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(title="DDP duty")
    assert question.kind == "single_choice"
    assert question.created_by == author_a
    assert sorted(question.tags.names()) == ["customs", "incoterms"]
    first = question.current_version
    assert (first.number, first.kind) == (1, "single_choice")
    assert [o["id"] for o in first.spec["options"]] == ["a", "b"]

    edit_url = reverse("questions:edit", args=[question.pk])
    assert client.get(edit_url).status_code == 200
    assert client.post(edit_url, single_choice_form(bank)).status_code == 302
    assert question.versions.count() == 1

    assert client.post(edit_url, single_choice_form(bank, prompt="Under DDP, who pays duty?")).status_code == 302
    question.refresh_from_db()
    assert question.current_version.number == 2
    assert question.current_version.spec["prompt"] == "Under DDP, who pays duty?"
    assert QuestionVersion.objects.get(pk=first.pk).spec["prompt"] == "Who pays the import duty under DDP?"

    listing = client.get(reverse("questions:index")).content.decode()
    assert "DDP duty" in listing and "Single choice" in listing and "Incoterms" in listing


def test_an_invalid_question_shows_the_error_and_keeps_what_was_typed(bank_a, author_a):
    """Two correct options: the form comes back with the scoring module's message and the typed
    prompt, and nothing is saved."""
    client = client_for(author_a)
    options = [{"id": "a", "text": "The seller", "correct": True}, {"id": "b", "text": "The buyer", "correct": True}]
    response = client.post(reverse("questions:add"), single_choice_form(bank_a, prompt="A prompt typed with care", options=options))
    assert response.status_code == 200
    content = response.content.decode()
    assert "needs exactly one correct option, found 2" in content
    assert "A prompt typed with care" in content
    assert not Question.objects.exists()


def test_a_spec_refused_after_the_form_validated_is_shown_and_nothing_is_saved(bank_a, author_a, monkeypatch):
    """Should the service refuse a spec the blocks accepted, the form comes back with its message
    and the typed prompt, and the question's save is rolled back."""
    from django.core.exceptions import ValidationError

    from courses import assessment_services

    def refuse(*, question, by):
        raise ValidationError({"content": ["single_choice: 'options' is refused for this test."]})

    monkeypatch.setattr(assessment_services, "question_version_record", refuse)
    response = client_for(author_a).post(reverse("questions:add"), single_choice_form(bank_a, prompt="Typed before the refusal"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "is refused for this test" in content
    assert "Typed before the refusal" in content
    assert not Question.objects.exists()


def test_another_organisations_question_gives_404_on_every_url(question_a, author_a, author_b):
    """An author of B gets 404 on A's question's edit, delete, inspect, history and usage URLs
    (which A's author opens), and cannot delete or change it by posting."""
    own = client_for(author_a)
    for name in ("edit", "delete", "inspect", "history", "usage"):
        assert own.get(reverse(f"questions:{name}", args=[question_a.pk])).status_code == 200, name
    client = client_for(author_b)
    for name in ("edit", "delete", "inspect", "history", "usage"):
        assert client.get(reverse(f"questions:{name}", args=[question_a.pk])).status_code == 404, name
    assert client.post(reverse("questions:delete", args=[question_a.pk])).status_code == 404
    assert client.post(reverse("questions:edit", args=[question_a.pk]), single_choice_form(question_a.bank)).status_code == 404
    assert Question.objects.filter(pk=question_a.pk, current_version__number=1).exists()


def test_another_organisations_bank_gives_404_and_is_not_listed(bank_a, bank_b, question_a, author_b):
    """B's author sees B's bank only: A's bank is not listed and its URLs give 404; A's question
    is not listed either, nor offered anywhere in B's question form."""
    client = client_for(author_b)
    banks = client.get(reverse("question_banks:index")).content.decode()
    assert "Beta logistics bank" in banks and "Alpha customs bank" not in banks
    for name in ("edit", "delete", "inspect", "history", "usage"):
        assert client.get(reverse(f"question_banks:{name}", args=[bank_a.pk])).status_code == 404, name
    assert "Alpha secret question" not in client.get(reverse("questions:index")).content.decode()
    assert "Alpha secret question" not in client.get(reverse("questions:index_results")).content.decode()
    form = client.get(reverse("questions:add")).content.decode()
    assert "Beta logistics bank" in form and "Alpha customs bank" not in form


def test_an_author_cannot_create_a_question_in_another_organisations_bank(bank_a, author_b, university_a):
    """Posting A's bank id from B's account is refused by the form's choices; nothing is created,
    and B cannot create a bank for A either."""
    client = client_for(author_b)
    response = client.post(reverse("questions:add"), single_choice_form(bank_a))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()

    response = client.post(reverse("question_banks:add"), {"organisation": university_a.pk, "title": "Planted", "description": ""})
    assert response.status_code == 200
    assert not QuestionBank.objects.filter(title="Planted").exists()


def test_an_author_edit_cannot_move_a_question_into_another_organisations_bank(question_a, bank_b, author_a):
    """Editing A's question with B's bank id is refused: the question stays in A's bank."""
    client = client_for(author_a)
    response = client.post(reverse("questions:edit", args=[question_a.pk]), single_choice_form(bank_b))
    assert response.status_code == 200
    question_a.refresh_from_db()
    assert question_a.bank.title == "Alpha customs bank"


def test_a_platform_admin_sees_both_organisations(bank_a, bank_b, question_a, platform_admin):
    """A platform administrator lists and opens every organisation's banks and questions."""
    client = client_for(platform_admin)
    banks = client.get(reverse("question_banks:index")).content.decode()
    assert "Alpha customs bank" in banks and "Beta logistics bank" in banks
    assert "Alpha secret question" in client.get(reverse("questions:index")).content.decode()
    assert client.get(reverse("questions:edit", args=[question_a.pk])).status_code == 200
    assert client.get(reverse("questions:inspect", args=[question_a.pk])).status_code == 200
    assert client.get(reverse("question_banks:edit", args=[bank_b.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(question_a):
    """Every question bank URL redirects a visitor who is not signed in to the login page."""
    client = Client()
    for url in (
        reverse("question_banks:index"), reverse("questions:index"), reverse("questions:add"),
        reverse("questions:edit", args=[question_a.pk]), reverse("questions:delete", args=[question_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login")), url


def test_question_list_query_count_does_not_grow_with_questions(bank_a, author_a, django_assert_max_num_queries):
    """The question listing's queries stay the same with one question or ten."""
    client = client_for(author_a)

    def make(n):
        for i in range(n):
            question = Question.objects.create(
                bank=bank_a, title=f"Q{Question.objects.count()}-{i}",
                content=question_content_from_spec("true_false", {"prompt": f"Statement {i}.", "answer": True}),
            )
            question.tags.add("customs", f"tag{i}")
            question_version_record(question=question, by=author_a)

    make(1)
    client.get(reverse("questions:index"))  # warm caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("questions:index")).status_code == 200
    make(9)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("questions:index")).status_code == 200


def test_a_bank_that_holds_questions_is_not_deleted(question_a, author_a):
    """Deleting a bank with questions is refused (the questions protect it), and an empty bank
    of one's own organisation is deleted."""
    client = client_for(author_a)
    bank = question_a.bank
    url = reverse("question_banks:delete", args=[bank.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code in (302, 403)
    assert QuestionBank.objects.filter(pk=bank.pk).exists()

    empty = question_bank_create(organisation=bank.organisation, title="Empty bank", by=author_a)
    assert client.post(reverse("question_banks:delete", args=[empty.pk])).status_code == 302
    assert not QuestionBank.objects.filter(pk=empty.pk).exists()
