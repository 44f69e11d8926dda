"""Competency evidence from assessment (courses.grade_services): a quiz attempt earning at least
half the marks of the questions tagged with a competency gives QUIZ evidence for it, once per
quiz block; a review placing a rubric criterion at half its points or more gives RUBRIC evidence
for the criterion's competency; the learner's competency page (courses.selectors.
learner_competencies) counts both."""

import datetime

import pytest

from courses import services
from courses.assignment_services import review_save, submission_create
from courses.factories import CompetencyFactory, course_tree, open_run, quiz_with_questions
from courses.grade_services import quiz_evidence_record, rubric_evidence_record
from courses.models import CompetencyEvidence, CourseOrganisation
from courses.selectors import learner_competencies
from courses.tests.assessment_fixtures import (
    assignment_block,
    assignment_build,
    lesson_add,
    questions_build,
    quiz_block,
    quiz_take,
    rubric_build,
    rubric_choices,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return CompetencyFactory(code="TEST.CUSTOMS", name_en="Customs (test area)")


@pytest.fixture
def duties(area):
    return CompetencyFactory(code="TEST.CUSTOMS.DUTY", name_en="Working out duties", parent=area)


@pytest.fixture
def paperwork(area):
    return CompetencyFactory(code="TEST.CUSTOMS.DOCS", name_en="Customs paperwork", parent=area)


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(organisation=university_a, modules=1, lessons=0, partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)])


@pytest.fixture
def quiz(university_a, author_a, duties, paperwork):
    """Four one-mark questions in order: two on duties, two on paperwork."""
    bank, on_duties = questions_build(organisation=university_a, by=author_a, count=2, competencies=[duties])
    _bank, on_paperwork = questions_build(organisation=university_a, by=author_a, count=2, bank=bank, competencies=[paperwork])
    return quiz_with_questions(organisation=university_a, questions=on_duties + on_paperwork, by=author_a, attempt_limit=0, shuffle_questions=False)


@pytest.fixture
def rubric(university_a, author_a, duties, paperwork):
    """Landed-cost sheet (4, 2 or 0 points) gives evidence of duties; buyer letter (2 or 0) of paperwork."""
    return rubric_build(organisation=university_a, by=author_a, criteria=(
        ("Landed-cost sheet", (("Excellent", "4"), ("Adequate", "2"), ("Missing", "0")), duties),
        ("Buyer letter", (("Clear", "2"), ("Unclear", "0")), paperwork),
    ))


@pytest.fixture
def assignment(university_a, rubric, author_a):
    return assignment_build(organisation=university_a, rubric=rubric, by=author_a, max_submissions=0)


@pytest.fixture
def lessons(course, quiz, assignment):
    return (
        lesson_add(course=course, body=[quiz_block(quiz)], title="Duties quiz"),
        lesson_add(course=course, body=[assignment_block(assignment)], title="Landed cost"),
    )


@pytest.fixture
def run(course, lessons, author_a):
    return open_run(course=course, by=author_a)


@pytest.fixture
def items(run, lessons):
    return [run.content_items.get(page=lesson) for lesson in lessons]


@pytest.fixture
def enrolment(run, student):
    return services.enrolment_request(user=student, run=run)


def evidence(user, kind):
    return sorted(CompetencyEvidence.objects.filter(user=user, kind=kind).values_list("competency__code", flat=True))


def take(enrolment, items, quiz, student, right):
    return quiz_take(enrolment=enrolment, item=items[0], quiz=quiz, by=student, right=right)


def hand_in_and_review(enrolment, items, student, reviewer, rubric, *levels):
    now = enrolment.run.starts_at + datetime.timedelta(days=1)
    submission = submission_create(enrolment=enrolment, item=items[1], block_id="asg0001", text="My sheet.", files=[], by=student, now=now)
    return review_save(submission=submission, by=reviewer, choices=rubric_choices(rubric, *levels))


# ---------------------------------------------------------------- quizzes


def test_half_the_marks_on_a_competencys_questions_gives_quiz_evidence(items, enrolment, quiz, student):
    """One right of the two duties questions (50 %) gives duties evidence; none right of the
    paperwork questions gives none."""
    take(enrolment, items, quiz, student, right=1)

    assert evidence(student, CompetencyEvidence.Kind.QUIZ) == ["TEST.CUSTOMS.DUTY"]
    piece = CompetencyEvidence.objects.get(user=student, kind=CompetencyEvidence.Kind.QUIZ)
    assert piece.label == quiz.title and piece.source_key == f"quiz:{enrolment.run_id}:quiz0001"


def test_a_second_attempt_adds_no_duplicate(items, enrolment, quiz, student):
    """Attempt 1 earns duties evidence; attempt 2 with everything right adds paperwork only:
    one piece per competency and quiz block."""
    take(enrolment, items, quiz, student, right=1)
    second = take(enrolment, items, quiz, student, right=4)

    assert evidence(student, CompetencyEvidence.Kind.QUIZ) == ["TEST.CUSTOMS.DOCS", "TEST.CUSTOMS.DUTY"]
    assert CompetencyEvidence.objects.filter(user=student).count() == 2
    assert quiz_evidence_record(attempt=second) == 0


def test_under_half_the_marks_gives_no_quiz_evidence(university_a, author_a, course, duties, student):
    """One right of three duties questions (33 %) gives no evidence."""
    _bank, questions = questions_build(organisation=university_a, by=author_a, count=3, competencies=[duties], title="Three")
    quiz = quiz_with_questions(organisation=university_a, questions=questions, by=author_a, title="Three questions")
    lesson = lesson_add(course=course, body=[quiz_block(quiz, block_id="three001")], title="Three")
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)

    quiz_take(enrolment=enrolment, item=run.content_items.get(page=lesson), quiz=quiz, by=student, right=1, block_id="three001")

    assert not CompetencyEvidence.objects.filter(user=student).exists()


# ---------------------------------------------------------------- rubric reviews


def test_a_criterion_at_half_its_points_gives_rubric_evidence(items, enrolment, student, author_a, rubric):
    """Landed-cost sheet at 2 of 4 gives duties evidence; buyer letter at 0 of 2 gives none."""
    hand_in_and_review(enrolment, items, student, author_a, rubric, "Adequate", "Unclear")

    assert evidence(student, CompetencyEvidence.Kind.RUBRIC) == ["TEST.CUSTOMS.DUTY"]
    piece = CompetencyEvidence.objects.get(user=student, kind=CompetencyEvidence.Kind.RUBRIC)
    assert "Landed-cost sheet" in piece.label


def test_criteria_below_half_give_no_rubric_evidence(items, enrolment, student, author_a, rubric):
    """Both criteria at 0: no evidence."""
    hand_in_and_review(enrolment, items, student, author_a, rubric, "Missing", "Unclear")

    assert not CompetencyEvidence.objects.filter(user=student).exists()


def test_a_criterion_without_a_competency_gives_no_evidence(university_a, author_a, course, student):
    """Full points on a criterion linked to no competency add nothing."""
    rubric = rubric_build(organisation=university_a, by=author_a, title="Untagged")
    assignment = assignment_build(organisation=university_a, rubric=rubric, by=author_a, title="Untagged work")
    lesson = lesson_add(course=course, body=[assignment_block(assignment, block_id="untag001")], title="Untagged")
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    submission = submission_create(
        enrolment=enrolment, item=run.content_items.get(page=lesson), block_id="untag001", text="Done.", files=[], by=student,
        now=run.starts_at + datetime.timedelta(days=1),
    )

    review_save(submission=submission, by=author_a, choices=rubric_choices(rubric, "Excellent", "Clear"))

    assert not CompetencyEvidence.objects.filter(user=student).exists()


def test_reviews_by_two_reviewers_give_one_piece_per_criterion(items, enrolment, student, author_a, mentor, rubric):
    """The instructor and the mentor both place the sheet at 4 of 4: one piece of evidence."""
    submission = submission_create(
        enrolment=enrolment, item=items[1], block_id="asg0001", text="Mine.", files=[], by=student,
        now=enrolment.run.starts_at + datetime.timedelta(days=1),
    )
    reviews = [
        review_save(submission=submission, by=reviewer, choices=rubric_choices(rubric, "Excellent", "Unclear"))
        for reviewer in (author_a, mentor)
    ]

    assert evidence(student, CompetencyEvidence.Kind.RUBRIC) == ["TEST.CUSTOMS.DUTY"]
    assert rubric_evidence_record(submission=submission, review=reviews[1]) == 0


# ---------------------------------------------------------------- the learner's view


def test_the_learners_competency_view_shows_quiz_and_rubric_evidence(items, enrolment, quiz, student, author_a, rubric, area, duties, paperwork):
    """Quiz evidence of duties and rubric evidence of paperwork appear among the recent pieces,
    counted on each skill and rolled up to their area."""
    take(enrolment, items, quiz, student, right=1)
    hand_in_and_review(enrolment, items, student, author_a, rubric, "Missing", "Clear")

    view = learner_competencies(user=student)

    assert sorted((piece.competency.code, piece.kind) for piece in view["recent"]) == [
        ("TEST.CUSTOMS.DOCS", CompetencyEvidence.Kind.RUBRIC), ("TEST.CUSTOMS.DUTY", CompetencyEvidence.Kind.QUIZ),
    ]
    assert view["total"] == 2
    root = next(node for node in view["roots"] if node.pk == area.pk)
    assert root.evidence_count == 2
    assert {child.code: child.evidence_count for child in root.child_nodes} == {"TEST.CUSTOMS.DUTY": 1, "TEST.CUSTOMS.DOCS": 1}


def test_another_learners_evidence_is_not_shown(items, enrolment, quiz, student, run):
    """A second learner of the run sees none of the first learner's evidence."""
    from academy.people.factories import UserFactory

    take(enrolment, items, quiz, student, right=4)
    other = UserFactory()

    view = learner_competencies(user=other)

    assert view["total"] == 0 and view["recent"] == []
