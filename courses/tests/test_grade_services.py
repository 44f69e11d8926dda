"""Learners' persistent course grades (courses.grade_services): the graded items a run's
published lessons hold, the run's grading policy (a default until an instructor sets one), the
scores that count (best quiz attempt, newest reviewed submission, zero for what is not scored),
gradebook overrides with their audit trail, and recomputing whenever any of it changes."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses import grading, services
from courses.assignment_services import review_save, submission_create
from courses.factories import _publish, course_tree, open_run, quiz_with_questions
from courses.grade_services import (
    _equal_percentages,
    enrolment_grade_recompute,
    grade_override_set,
    grading_policy_save,
    overrides_in_force,
    run_graded_items,
    run_policy_rows,
)
from courses.models import (
    CourseGradeRecord,
    CourseOrganisation,
    GradeCutoff,
    GradeEntry,
    GradeOverride,
    GradingType,
    LessonPage,
    QuizDraw,
)
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

QUIZ, ASSIGNMENT, PRACTICE = "quiz:quiz0001", "assignment:asg0001", "quiz:prac0001"


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(organisation=university_a, modules=1, lessons=0, partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)])


@pytest.fixture
def quiz(university_a, author_a):
    _bank, questions = questions_build(organisation=university_a, by=author_a, count=2)
    return quiz_with_questions(organisation=university_a, questions=questions, by=author_a, attempt_limit=0)


@pytest.fixture
def rubric(university_a, author_a):
    return rubric_build(organisation=university_a, by=author_a)


@pytest.fixture
def assignment(university_a, rubric, author_a):
    return assignment_build(organisation=university_a, rubric=rubric, by=author_a, max_submissions=0)


@pytest.fixture
def lessons(course, quiz, assignment):
    """A graded quiz (2 marks), a practice quiz (no grading type) and a graded assignment (6 points)."""
    return (
        lesson_add(course=course, body=[quiz_block(quiz)], title="Duties quiz"),
        lesson_add(course=course, body=[quiz_block(quiz, block_id="prac0001", grading_type="")], title="Practice"),
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


def take(enrolment, items, quiz, student, right, block_id="quiz0001"):
    item = items[1] if block_id == "prac0001" else items[0]
    return quiz_take(enrolment=enrolment, item=item, quiz=quiz, by=student, right=right, block_id=block_id)


def hand_in_and_review(enrolment, items, student, reviewer, rubric, *levels, now=None):
    now = now or enrolment.run.starts_at + datetime.timedelta(days=1)
    submission = submission_create(enrolment=enrolment, item=items[2], block_id="asg0001", text="My sheet.", files=[], by=student, now=now)
    if levels:
        review_save(submission=submission, by=reviewer, choices=rubric_choices(rubric, *levels), now=now + datetime.timedelta(hours=1))
    return submission


def record(enrolment):
    return CourseGradeRecord.objects.get(enrolment=enrolment)


def rows(types, cutoffs):
    """Policy rows from ((type, weight %, min_count, drop_count), ...) and ((letter, minimum %), ...)."""
    return (
        [{"type": t, "short_label": "", "weight": Decimal(w), "min_count": m, "drop_count": d} for t, w, m, d in types],
        [{"letter": letter, "minimum": Decimal(minimum)} for letter, minimum in cutoffs],
    )


# ---------------------------------------------------------------- graded items and the default policy


def test_the_graded_items_follow_the_published_lesson_blocks(run, items, quiz, assignment):
    """The graded quiz and the assignment are graded items, in course order, with their lesson;
    the practice quiz (no grading type) is not."""
    graded = run_graded_items(run=run)

    assert [(g["key"], g["kind"], g["target"], g["type"], g["item_id"], g["lesson"]) for g in graded] == [
        (QUIZ, "quiz", quiz.pk, "Quiz", items[0].pk, "Duties quiz"),
        (ASSIGNMENT, "assignment", assignment.pk, "Assignment", items[2].pk, "Landed cost"),
    ]
    assert "quiz:prac0001" in items[1].activity_keys


def test_the_graded_items_change_only_when_the_run_publishes_content(run, lessons, author_a):
    """Making the graded quiz practice in the page changes nothing until the run's content is
    published again; then it is no longer graded."""
    page = LessonPage.objects.get(pk=lessons[0].pk)
    page.body = [quiz_block(page.body[0].value["quiz"], grading_type="")]
    _publish(page)
    assert [g["key"] for g in run_graded_items(run=run)] == [QUIZ, ASSIGNMENT]

    services.run_content_publish(run=run, by=author_a)

    assert [g["key"] for g in run_graded_items(run=run)] == [ASSIGNMENT]


def test_a_run_without_a_policy_has_the_default_one(run):
    """Each type the lessons use, equally weighted, expecting as many items as there are; a pass
    at 50 %."""
    types, cutoffs, is_default = run_policy_rows(run=run)

    assert is_default
    assert types == [
        {"type": "Quiz", "short_label": "", "weight": Decimal("50.00"), "min_count": 1, "drop_count": 0},
        {"type": "Assignment", "short_label": "", "weight": Decimal("50.00"), "min_count": 1, "drop_count": 0},
    ]
    assert [(c["letter"], c["minimum"]) for c in cutoffs] == [("Pass", Decimal(50))]


def test_three_types_share_100_exactly(course, quiz, run, author_a):
    """With three types the default weights are 33.34, 33.33 and 33.33: exactly 100."""
    lesson_add(course=course, body=[quiz_block(quiz, block_id="proj0001", grading_type="Project")], title="Project")
    services.run_content_publish(run=run, by=author_a)

    types, _cutoffs, _default = run_policy_rows(run=run)

    assert [(t["type"], t["weight"]) for t in types] == [
        ("Quiz", Decimal("33.34")), ("Assignment", Decimal("33.33")), ("Project", Decimal("33.33")),
    ]


@given(st.integers(min_value=1, max_value=60))
def test_default_weights_always_sum_to_exactly_100(count):
    """For any number of types the default weights have two decimals, differ by at most a cent
    and add up to exactly 100."""
    weights = _equal_percentages(count)

    assert len(weights) == count and sum(weights) == 100
    assert max(weights) - min(weights) <= Decimal("0.01")
    assert all(w == w.quantize(Decimal("0.01")) for w in weights)


# ---------------------------------------------------------------- the policy


def test_an_invalid_policy_is_refused_listing_its_problems_and_the_old_one_stays(run, author_a):
    """Weights summing to 90 and a type named twice are both reported; the saved policy is unchanged."""
    types, cutoffs = rows([("Quiz", "40", 1, 0), ("Assignment", "60", 1, 0)], [("Pass", "60")])
    grading_policy_save(run=run, types=types, cutoffs=cutoffs, by=author_a)
    bad_types, bad_cutoffs = rows([("Quiz", "40", 1, 0), ("Quiz", "50", 1, 0)], [("Pass", "60")])

    with pytest.raises(ValidationError) as excinfo:
        grading_policy_save(run=run, types=bad_types, cutoffs=bad_cutoffs, by=author_a)

    problems = excinfo.value.messages
    assert len(problems) == 2
    assert any("more than once" in p for p in problems) and any("sum to" in p for p in problems)
    assert list(GradingType.objects.filter(run=run).values_list("type", "weight")) == [("Quiz", Decimal("40")), ("Assignment", Decimal("60"))]
    assert list(GradeCutoff.objects.filter(run=run).values_list("letter", "minimum")) == [("Pass", Decimal("60"))]


@pytest.mark.parametrize(("types", "cutoffs"), [
    # A letter listed twice: one would silently replace the other.
    ([("Quiz", "50", 1, 0), ("Assignment", "50", 1, 0)], [("Pass", "50"), ("Pass", "70")]),
    # Weights with three decimals that sum to 100 but would be stored rounded to 100.01.
    ([("Quiz", "33.335", 1, 0), ("Assignment", "66.665", 1, 0)], [("Pass", "50")]),
    # A cutoff with more decimals than stored.
    ([("Quiz", "50", 1, 0), ("Assignment", "50", 1, 0)], [("Pass", "50.005")]),
])
def test_a_policy_that_cannot_be_stored_as_given_is_refused(run, enrolment, author_a, types, cutoffs):
    """A policy the database would store differently from what was checked is refused with a
    ValidationError (not a database error), and the run keeps grading with its old policy."""
    policy_types, policy_cutoffs = rows(types, cutoffs)

    with pytest.raises(ValidationError):
        grading_policy_save(run=run, types=policy_types, cutoffs=policy_cutoffs, by=author_a)

    assert not GradingType.objects.filter(run=run).exists() and not GradeCutoff.objects.filter(run=run).exists()
    assert run_policy_rows(run=run)[2] is True


def test_only_the_courses_instructors_save_a_policy(run, mentor, student):
    """A partner enterprise's mentor and a learner cannot change the policy."""
    types, cutoffs = rows([("Quiz", "100", 1, 0)], [("Pass", "50")])

    for outsider in (mentor, student):
        with pytest.raises(PermissionDenied):
            grading_policy_save(run=run, types=types, cutoffs=cutoffs, by=outsider)
    assert not GradingType.objects.exists()


def test_saving_the_policy_recomputes_the_grades(run, items, enrolment, quiz, student, author_a):
    """Full marks on the quiz: 50 % under the default policy (passed); 20 % once the quiz weighs
    20 %, and no longer passing."""
    take(enrolment, items, quiz, student, right=2)
    assert (record(enrolment).percent, record(enrolment).passed, record(enrolment).letter) == (Decimal("0.5"), True, "Pass")

    types, cutoffs = rows([("Quiz", "20", 1, 0), ("Assignment", "80", 1, 0)], [("B", "70"), ("C", "50")])
    grading_policy_save(run=run, types=types, cutoffs=cutoffs, by=author_a)

    assert (record(enrolment).percent, record(enrolment).passed, record(enrolment).letter) == (Decimal("0.2"), False, "")
    assert run_policy_rows(run=run)[2] is False


# ---------------------------------------------------------------- which scores count


def test_a_quiz_counts_its_best_submitted_attempt(items, enrolment, quiz, student):
    """Full marks then none: the first (best) attempt counts; an open attempt counts for nothing."""
    from courses.assessment_services import attempt_start

    take(enrolment, items, quiz, student, right=2)
    take(enrolment, items, quiz, student, right=0)
    attempt_start(enrolment=enrolment, item=items[0], block_id="quiz0001", quiz=quiz, by=student)

    entry = GradeEntry.objects.get(enrolment=enrolment, item_key=QUIZ)
    assert (entry.earned, entry.possible) == (Decimal("2"), Decimal("2"))
    assert record(enrolment).percent == Decimal("0.5")


def test_a_better_later_attempt_replaces_a_worse_one(items, enrolment, quiz, student):
    """None right, then one, then two: the grade follows the best so far."""
    percents = []
    for right in (0, 1, 2):
        take(enrolment, items, quiz, student, right=right)
        percents.append(record(enrolment).percent)

    assert percents == [Decimal("0"), Decimal("0.25"), Decimal("0.5")]


def test_a_practice_quiz_does_not_count(items, enrolment, quiz, student):
    """Full marks on the practice quiz leave the grade at zero."""
    take(enrolment, items, quiz, student, right=2, block_id="prac0001")

    assert record(enrolment).percent == 0
    assert [part["type"] for part in record(enrolment).breakdown] == ["Quiz", "Assignment"]
    assert PRACTICE not in {item["key"] for part in record(enrolment).breakdown for item in part["items"]}


def test_an_assignment_counts_its_newest_reviewed_submission(items, enrolment, student, author_a, rubric):
    """First hand-in reviewed 6/6, second reviewed 2/6: 2 counts. A third, not yet reviewed,
    leaves the second's score in force."""
    hand_in_and_review(enrolment, items, student, author_a, rubric, "Excellent", "Clear")
    assert record(enrolment).percent == Decimal("0.5")
    hand_in_and_review(enrolment, items, student, author_a, rubric, "Adequate", "Unclear")
    assert record(enrolment).percent == Decimal("0.1667")

    hand_in_and_review(enrolment, items, student, author_a, rubric)

    entry = GradeEntry.objects.get(enrolment=enrolment, item_key=ASSIGNMENT)
    assert (entry.earned, entry.possible) == (Decimal("2"), Decimal("6"))
    assert record(enrolment).percent == Decimal("0.1667")


def test_unscored_items_count_zero_of_their_full_marks(course, university_a, author_a, rubric, student):
    """Nothing done yet: the quiz counts 0 of its marks, fixed and drawn (2 × 1 + 2 × 1.5 = 5),
    the assignment 0 of its rubric's maximum (6)."""
    bank, fixed = questions_build(organisation=university_a, by=author_a, count=2, title="Drawn bank")
    questions_build(organisation=university_a, by=author_a, count=2, bank=bank)
    quiz = quiz_with_questions(organisation=university_a, questions=fixed, by=author_a, title="With draws")
    QuizDraw.objects.create(quiz=quiz, bank=bank, count=2, marks=Decimal("1.5"))
    assignment = assignment_build(organisation=university_a, rubric=rubric, by=author_a)
    lesson_add(course=course, body=[quiz_block(quiz, block_id="draw0001"), assignment_block(assignment, block_id="asg0002")])
    run = open_run(course=course, by=author_a)

    enrolment = services.enrolment_request(user=student, run=run)
    enrolment_grade_recompute(enrolment=enrolment)

    items = {item["key"]: item for part in record(enrolment).breakdown for item in part["items"]}
    assert (items["quiz:draw0001"]["earned"], items["quiz:draw0001"]["possible"]) == ("0", "5")
    assert (items["assignment:asg0002"]["earned"], items["assignment:asg0002"]["possible"]) == ("0", "6")
    assert record(enrolment).percent == 0 and not GradeEntry.objects.filter(enrolment=enrolment).exists()


# ---------------------------------------------------------------- overrides


def test_an_override_changes_the_grade_and_the_raw_score_stays(items, enrolment, quiz, student, author_a):
    """One right (1/2) overridden to 2/2: the grade rises to 50 %, the GradeEntry keeps 1/2 and
    the breakdown marks the item overridden."""
    take(enrolment, items, quiz, student, right=1)

    row = grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=Decimal(2), possible=None, reason="Question 2 was ambiguous.", by=author_a)

    assert (row.earned, row.possible, row.previous_earned, row.previous_possible) == (2, 2, Decimal("1"), Decimal("2"))
    entry = GradeEntry.objects.get(enrolment=enrolment, item_key=QUIZ)
    assert (entry.earned, entry.possible) == (Decimal("1"), Decimal("2"))
    assert record(enrolment).percent == Decimal("0.5")
    quiz_item = next(item for part in record(enrolment).breakdown for item in part["items"] if item["key"] == QUIZ)
    assert quiz_item["overridden"] is True


def test_an_override_needs_a_reason(items, enrolment, author_a):
    """A blank reason is refused on `reason`; nothing is recorded."""
    with pytest.raises(ValidationError) as excinfo:
        grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=Decimal(1), possible=None, reason="  ", by=author_a)

    assert list(excinfo.value.message_dict) == ["reason"]
    assert not GradeOverride.objects.exists()


@pytest.mark.parametrize(("earned", "possible"), [(Decimal(3), None), (Decimal("2.5"), Decimal(2)), (Decimal(-1), None), (Decimal(1), Decimal(0))])
def test_an_override_outside_the_possible_points_is_refused(items, enrolment, author_a, earned, possible):
    """More than possible (the item's full marks when not given), a negative score or nothing
    possible is refused on `earned`."""
    with pytest.raises(ValidationError) as excinfo:
        grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=earned, possible=possible, reason="Regrade.", by=author_a)

    assert list(excinfo.value.message_dict) == ["earned"]
    assert not GradeOverride.objects.exists()


def test_clearing_an_override_restores_the_grade(items, enrolment, quiz, student, author_a):
    """Cleared, the raw score counts again."""
    take(enrolment, items, quiz, student, right=1)
    grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=Decimal(0), possible=None, reason="Copied answers.", by=author_a)
    assert record(enrolment).percent == 0

    grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=None, possible=None, reason="Not copied after all.", by=author_a)

    assert record(enrolment).percent == Decimal("0.25")
    assert overrides_in_force(enrolments=[enrolment]) == {}


def test_clearing_without_an_override_is_refused(items, enrolment, author_a):
    """There is nothing to clear: refused, no row."""
    with pytest.raises(ValidationError):
        grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=None, possible=None, reason="Clear.", by=author_a)
    assert not GradeOverride.objects.exists()


def test_every_override_change_is_a_new_row_with_the_previous_values(items, enrolment, quiz, student, author_a):
    """Set, change, clear: three rows in order, each with the values in force before it and who
    changed it; none is edited or removed."""
    take(enrolment, items, quiz, student, right=1)
    start = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)
    for minutes, earned, reason in ((0, Decimal("1.5"), "Partly right."), (1, Decimal(2), "Fully right."), (2, None, "Back to raw.")):
        grade_override_set(
            enrolment=enrolment, item_key=QUIZ, earned=earned, possible=None, reason=reason, by=author_a,
            now=start + datetime.timedelta(minutes=minutes),
        )

    history = list(GradeOverride.objects.filter(enrolment=enrolment).order_by("changed_at").values_list(
        "earned", "possible", "previous_earned", "previous_possible", "reason", "changed_by",
    ))
    assert history == [
        (Decimal("1.5"), Decimal("2"), Decimal("1"), Decimal("2"), "Partly right.", author_a.pk),
        (Decimal("2"), Decimal("2"), Decimal("1.5"), Decimal("2"), "Fully right.", author_a.pk),
        (None, None, Decimal("2"), Decimal("2"), "Back to raw.", author_a.pk),
    ]


def test_an_override_of_an_unscored_item_records_no_previous_score(items, enrolment, author_a):
    """Overriding an item the learner has not done records empty previous values."""
    row = grade_override_set(enrolment=enrolment, item_key=ASSIGNMENT, earned=Decimal(3), possible=None, reason="Handed in on paper.", by=author_a)

    assert (row.earned, row.possible, row.previous_earned, row.previous_possible) == (Decimal(3), Decimal(6), None, None)
    assert record(enrolment).percent == Decimal("0.25")


@pytest.mark.parametrize("key", [PRACTICE, "quiz:nope", "assignment:quiz0001"])
def test_an_override_of_an_item_not_graded_in_the_run_is_refused(items, enrolment, author_a, key):
    """The practice quiz, an unknown block and a key of the wrong kind are not graded: refused."""
    with pytest.raises(ValidationError):
        grade_override_set(enrolment=enrolment, item_key=key, earned=Decimal(1), possible=Decimal(1), reason="Because.", by=author_a)
    assert not GradeOverride.objects.exists()


def test_only_instructors_override(items, enrolment, mentor, student, author_b):
    """A partner enterprise's mentor, the learner and another university's author cannot override."""
    for outsider in (mentor, student, author_b):
        with pytest.raises(PermissionDenied):
            grade_override_set(enrolment=enrolment, item_key=QUIZ, earned=Decimal(2), possible=None, reason="Please.", by=outsider)
    assert not GradeOverride.objects.exists()


# ---------------------------------------------------------------- recomputing


def test_publishing_new_content_recomputes_the_grades(course, run, items, enrolment, quiz, student, author_a):
    """A second graded quiz published to the run halves the quiz average: 50 % becomes 25 %."""
    take(enrolment, items, quiz, student, right=2)
    lesson_add(course=course, body=[quiz_block(quiz, block_id="quiz0002")], title="Second quiz")
    assert record(enrolment).percent == Decimal("0.5")

    services.run_content_publish(run=run, by=author_a)

    assert record(enrolment).percent == Decimal("0.25")
    assert [len(part["items"]) for part in record(enrolment).breakdown] == [2, 1]


# ---------------------------------------------------------------- the stored grade is the computed one


scores = st.tuples(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=200)).map(
    lambda pair: (Decimal(min(pair)) / 4, Decimal(pair[1]) / 4),
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    quiz_weight=st.integers(min_value=0, max_value=10000).map(lambda n: Decimal(n) / 100),
    quiz_min=st.integers(min_value=0, max_value=2),
    pass_mark=st.integers(min_value=1, max_value=10000).map(lambda n: Decimal(n) / 100),
    quiz_score=st.one_of(st.none(), scores),
    assignment_score=st.one_of(st.none(), scores),
)
def test_the_stored_grade_is_the_grading_modules_grade(
    run, items, enrolment, quiz, student, author_a, quiz_weight, quiz_min, pass_mark, quiz_score, assignment_score,
):
    """For any weights, pass mark and scores (overrides of the quiz's raw 1/2 and of the
    unscored assignment's 0/6), the CourseGradeRecord holds exactly what courses.grading
    computes from the same inputs."""
    if not GradeEntry.objects.filter(enrolment=enrolment).exists():
        take(enrolment, items, quiz, student, right=1)
    types, cutoffs = rows([("Quiz", quiz_weight, quiz_min, 0), ("Assignment", 100 - quiz_weight, 1, 0)], [("Pass", pass_mark)])
    grading_policy_save(run=run, types=types, cutoffs=cutoffs, by=author_a)
    overrides = {}
    for key, score in ((QUIZ, quiz_score), (ASSIGNMENT, assignment_score)):
        in_force = overrides_in_force(enrolments=[enrolment]).get((enrolment.pk, key))
        if score is not None:
            grade_override_set(enrolment=enrolment, item_key=key, earned=score[0], possible=score[1], reason="Property.", by=author_a)
            overrides[key] = score
        elif in_force is not None:
            grade_override_set(enrolment=enrolment, item_key=key, earned=None, possible=None, reason="Property.", by=author_a)

    expected = grading.course_grade(
        grading.GradingPolicy(
            types=(
                grading.AssignmentType("Quiz", Fraction(quiz_weight) / 100, quiz_min, 0),
                grading.AssignmentType("Assignment", Fraction(100 - quiz_weight) / 100, 1, 0),
            ),
            cutoffs={"Pass": Fraction(pass_mark) / 100},
        ),
        [
            grading.ItemScore(QUIZ, "Quiz", Decimal(1), Decimal(2)),
            grading.ItemScore(ASSIGNMENT, "Assignment", Decimal(0), Decimal(6)),
        ],
        overrides=overrides,
    )
    stored = record(enrolment)
    assert (stored.percent, stored.passed, stored.letter) == (expected.percent, expected.passed, expected.letter or "")


def test_a_copied_lesson_with_the_same_block_id_does_not_break_grading(course, run, items, enrolment, quiz, student, author_a):
    """Wagtail keeps StreamField block ids when a page is copied, so a copied quiz lesson holds a
    block with the same id as the original. Publishing it to the run still grades: the item
    counts once, in its first lesson (attempts are keyed by block id, so they are one item)."""
    take(enrolment, items, quiz, student, right=2)
    lesson_add(course=course, body=[quiz_block(quiz)], title="Duties quiz (copy)")

    services.run_content_publish(run=run, by=author_a)

    assert [(g["key"], g["lesson"]) for g in run_graded_items(run=run)] == [(QUIZ, "Duties quiz"), (ASSIGNMENT, "Landed cost")]
    assert record(enrolment).percent == Decimal("0.5")
