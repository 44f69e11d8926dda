"""The question bank: authoring content becomes the spec of courses.questions, and every real
change of a question records a new immutable version."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from courses.assessment_services import question_bank_create, question_version_record
from courses.blocks import QuestionContentBlock
from courses.models import Question, QuestionBank, QuestionVersion
from courses.question_authoring import question_content_from_spec, question_spec_from_content
from courses.questions import QUESTION_KINDS, question_from_spec, question_to_spec, score

pytestmark = pytest.mark.django_db

# One spec per kind, with a correct and a wrong response for each.
SPECS = {
    "single_choice": (
        {"prompt": "Who pays the import duty under DDP?", "options": [
            {"id": "a", "text": "The seller", "correct": True, "feedback": "Yes: duty paid."},
            {"id": "b", "text": "The buyer", "correct": False, "feedback": "That is DAP."},
        ], "feedback_correct": "Well done."},
        "a", "b",
    ),
    "multiple_choice": (
        {"prompt": "Which are Incoterms?", "options": [
            {"id": "a", "text": "DDP", "correct": True},
            {"id": "b", "text": "DAP", "correct": True},
            {"id": "c", "text": "VAT", "correct": False},
        ], "scoring": "all_or_nothing"},
        ["a", "b"], ["a", "c"],
    ),
    "true_false": (
        {"prompt": "An HS code has at least six digits.", "answer": True, "feedback_false": "Six digits are shared worldwide."},
        True, False,
    ),
    "numeric": (
        {"prompt": "Duty at 10 % on a declared value of 120 EUR?", "answer": "12", "tolerance": "0.5", "tolerance_kind": "absolute"},
        "12,4", "13",
    ),
    "short_text": (
        {"prompt": "The Incoterm where the seller pays duty?", "accepted": ["DDP", "Delivered Duty Paid"], "case_sensitive": False, "whitespace": "collapse"},
        "  delivered   duty paid ", "DAP",
    ),
    "matching": (
        {"prompt": "Match the channel to its typical transit time.", "pairs": [
            {"prompt_id": "p1", "prompt": "Express", "answer_id": "x7", "answer": "3–5 days"},
            {"prompt_id": "p2", "prompt": "Sea freight", "answer_id": "k2", "answer": "30–45 days"},
        ], "distractors": [{"answer_id": "q9", "answer": "1 year"}], "scoring": "partial"},
        {"p1": "x7", "p2": "k2"}, {"p1": "k2", "p2": "x7"},
    ),
    "ordering": (
        {"prompt": "Order the steps of an export.", "items": [
            {"id": "i1", "text": "Declare"}, {"id": "i2", "text": "Ship"}, {"id": "i3", "text": "Deliver"},
        ], "scoring": "partial"},
        ["i1", "i2", "i3"], ["i3", "i2", "i1"],
    ),
}


@pytest.fixture
def bank(university_a, author_a):
    return question_bank_create(organisation=university_a, title="Customs basics", by=author_a)


def make_question(bank, kind, spec, title="A question"):
    return Question.objects.create(bank=bank, title=title, content=question_content_from_spec(kind, spec))


def test_every_kind_of_the_scoring_module_has_an_authoring_block_and_a_label():
    """The authoring blocks and the version kinds cover exactly the kinds courses.questions scores."""
    assert list(QuestionContentBlock().child_blocks) == list(QUESTION_KINDS)
    assert list(QuestionVersion.Kind.values) == list(QUESTION_KINDS)
    assert set(SPECS) == set(QUESTION_KINDS)


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_every_kind_round_trips_from_authoring_content_to_spec_and_scores(kind, bank, author_a):
    """Content built from a spec gives that spec back (every field spelled out), its first version
    stores it, and the stored spec scores a right response 1 and a wrong one below 1."""
    spec, right, wrong = SPECS[kind]
    question = make_question(bank, kind, spec)
    canonical = question_to_spec(question_from_spec(kind, spec))

    read_kind, read_spec = question_spec_from_content(Question.objects.get(pk=question.pk).content)
    assert read_kind == kind
    assert question_to_spec(question_from_spec(kind, read_spec)) == canonical

    version = question_version_record(question=question, by=author_a)
    assert (version.number, version.kind, version.spec) == (1, kind, canonical)
    assert Question.objects.get(pk=question.pk).current_version == version
    assert question.kind == kind

    stored = question_from_spec(version.kind, QuestionVersion.objects.get(pk=version.pk).spec)
    assert score(stored, right).correct
    assert not score(stored, wrong).correct


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_authoring_blocks_validate_and_keep_typed_ids(kind):
    """The block's own validation accepts a valid question and keeps the ids as typed, so an
    unchanged save gives an unchanged spec."""
    spec, _right, _wrong = SPECS[kind]
    block = QuestionContentBlock()
    value = block.to_python(question_content_from_spec(kind, spec))
    cleaned = block.clean(value)
    assert question_spec_from_content(cleaned) == question_spec_from_content(value)


def test_blank_ids_are_generated_by_the_block_and_differ():
    """An option left without an id gets a random one when the form is cleaned."""
    spec = {"prompt": "Pick one", "options": [
        {"id": "", "text": "Yes", "correct": True}, {"id": "", "text": "No", "correct": False},
    ]}
    block = QuestionContentBlock()
    cleaned = block.clean(block.to_python(question_content_from_spec("single_choice", spec)))
    _kind, read = question_spec_from_content(cleaned)
    ids = [option["id"] for option in read["options"]]
    assert all(ids) and len(set(ids)) == 2


def test_saving_without_a_change_records_no_new_version(bank, author_a):
    """Recording again after a save that changed nothing returns the current version."""
    spec, *_ = SPECS["single_choice"]
    question = make_question(bank, "single_choice", spec)
    first = question_version_record(question=question, by=author_a)
    question = Question.objects.get(pk=question.pk)
    question.title = "Renamed only"  # the title is not part of the question a learner sees
    question.save()
    assert question_version_record(question=question, by=author_a) == first
    assert question.versions.count() == 1


def test_an_edit_records_version_two_and_leaves_version_one_untouched(bank, author_a):
    """A changed prompt records version 2; version 1 keeps the spec an attempt may have pinned."""
    spec, *_ = SPECS["single_choice"]
    question = make_question(bank, "single_choice", spec)
    first = question_version_record(question=question, by=author_a)
    first_spec = dict(first.spec)

    question.content = question_content_from_spec("single_choice", {**spec, "prompt": "Under DDP, who pays duty?"})
    question.save()
    second = question_version_record(question=question, by=author_a)

    assert second.number == 2
    assert second.spec["prompt"] == "Under DDP, who pays duty?"
    assert QuestionVersion.objects.get(pk=first.pk).spec == first_spec
    assert Question.objects.get(pk=question.pk).current_version == second
    assert list(question.versions.values_list("number", flat=True)) == [1, 2]


def test_changing_the_kind_records_a_new_version(bank, author_a):
    """Turning a question into another kind is a change too."""
    question = make_question(bank, "true_false", SPECS["true_false"][0])
    question_version_record(question=question, by=author_a)
    question.content = question_content_from_spec("short_text", SPECS["short_text"][0])
    question.save()
    version = question_version_record(question=question, by=author_a)
    assert (version.number, version.kind) == (2, "short_text")


def test_an_invalid_spec_is_a_validation_error_naming_the_problem(bank, author_a):
    """Two correct options in a single-choice question: a ValidationError on `content` with the
    scoring module's message, and no version."""
    spec, *_ = SPECS["single_choice"]
    bad = {**spec, "options": [{**option, "correct": True} for option in spec["options"]]}
    question = make_question(bank, "single_choice", bad)
    with pytest.raises(ValidationError) as raised:
        question_version_record(question=question, by=author_a)
    assert "content" in raised.value.message_dict
    assert "needs exactly one correct option, found 2" in raised.value.message_dict["content"][0]
    assert not question.versions.exists()


def test_content_with_no_question_block_is_a_validation_error(bank, author_a):
    """Content must hold exactly one question block."""
    question = Question.objects.create(bank=bank, title="Empty", content=[])
    with pytest.raises(ValidationError, match="exactly one question block"):
        question_version_record(question=question, by=author_a)


def test_only_the_organisations_staff_create_its_banks(university_a, author_a, author_b, platform_admin):
    """An author of B cannot create a bank for A; A's author and a platform admin can."""
    with pytest.raises(PermissionDenied):
        question_bank_create(organisation=university_a, title="Not yours", by=author_b)
    question_bank_create(organisation=university_a, title="Ours", by=author_a)
    question_bank_create(organisation=university_a, title="Admin's", by=platform_admin)
    assert set(QuestionBank.objects.values_list("title", flat=True)) == {"Ours", "Admin's"}


def test_bank_titles_are_unique_per_organisation(university_a, university_b, author_a, author_b):
    """Two banks of one organisation cannot share a title; another organisation may use it."""
    question_bank_create(organisation=university_a, title="Logistics", by=author_a)
    question_bank_create(organisation=university_b, title="Logistics", by=author_b)
    with pytest.raises(ValidationError):
        question_bank_create(organisation=university_a, title="Logistics", by=author_a)


def test_only_the_organisations_staff_record_versions(bank, author_b):
    """Recording a version of A's question is refused to B's author."""
    question = make_question(bank, "true_false", SPECS["true_false"][0])
    with pytest.raises(PermissionDenied):
        question_version_record(question=question, by=author_b)
