"""The course grade under an Open edX-shaped grading policy (courses/grading.py). Pure: no database."""

import dataclasses
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings, strategies as st

from courses.grading import (
    AssignmentType,
    CourseGrade,
    GradingPolicy,
    GradingPolicyError,
    ItemScore,
    ScoreError,
    course_grade,
    policy_from_open_edx,
    policy_validate,
)

D = Decimal

POLICY = GradingPolicy(
    types=(
        AssignmentType("Homework", D("0.15"), min_count=3, drop_count=1, short_label="HW"),
        AssignmentType("Quiz", D("0.25"), min_count=2, short_label="Quiz"),
        AssignmentType("Assignment", D("0.20"), min_count=1, short_label="Asg"),
        AssignmentType("Final Exam", D("0.40"), min_count=1, short_label="Final"),
    ),
    cutoffs={"A": D("0.9"), "B": D("0.8"), "Pass": D("0.5")},
)


def _one_type(earned, possible, cutoffs=None):
    """The grade of a single item under a one-type policy worth 100 %."""
    policy = GradingPolicy(
        types=(AssignmentType("Exam", 1, min_count=1),),
        cutoffs=cutoffs or {"A": D("0.9"), "B": D("0.8"), "Pass": D("0.5")},
    )
    return course_grade(policy, [ItemScore("exam", "Exam", earned, possible)])


def _policy(*types, cutoffs=None):
    """A policy of the given types with a single Pass cutoff at 0.5 unless cutoffs are given."""
    return GradingPolicy(types=types, cutoffs={"Pass": D("0.5")} if cutoffs is None else cutoffs)


def _type(grade: CourseGrade, name: str):
    return next(entry for entry in grade.breakdown if entry.type == name)


# Worked examples


def test_worked_example():
    """The grade is the weighted sum of each type's average after dropping the lowest homework.

    Homework (15 %, min 3, drop 1): 8/10, 6/10, 10/10 → drop 0.6 → (0.8 + 1.0) / 2 = 0.9 → 0.135
    Quiz (25 %, min 2): 4/5 = 0.8, 3/4 = 0.75 → 0.775 → 0.19375
    Assignment (20 %): 17/20 = 0.85 → 0.17
    Final Exam (40 %): 45/50 = 0.9 → 0.36
    Sum 0.135 + 0.19375 + 0.17 + 0.36 = 0.85875 → 0.8588 (half-up), at least B's 0.8, below A's 0.9.
    """
    scores = [
        ItemScore("hw1", "Homework", 8, 10),
        ItemScore("hw2", "Homework", 6, 10),
        ItemScore("hw3", "Homework", 10, 10),
        ItemScore("q1", "Quiz", 4, 5),
        ItemScore("q2", "Quiz", D("3"), D("4")),
        ItemScore("a1", "Assignment", 17, 20),
        ItemScore("final", "Final Exam", 45, 50, label="Final exam"),
    ]
    grade = course_grade(POLICY, scores)

    assert grade.percent == D("0.8588")
    assert grade.letter == "B"
    assert grade.passed is True
    assert [entry.type for entry in grade.breakdown] == ["Homework", "Quiz", "Assignment", "Final Exam"]
    assert [(entry.average, entry.weighted) for entry in grade.breakdown] == [
        (D("0.9000"), D("0.1350")),
        (D("0.7750"), D("0.1938")),
        (D("0.8500"), D("0.1700")),
        (D("0.9000"), D("0.3600")),
    ]
    homework = _type(grade, "Homework")
    assert [(item.label, item.fraction, item.dropped) for item in homework.items] == [
        ("HW 1", D("0.8000"), False),
        ("HW 2", D("0.6000"), True),
        ("HW 3", D("1.0000"), False),
    ]
    assert homework.weight == D("0.15")
    assert _type(grade, "Final Exam").items[0].label == "Final exam"
    assert grade.unweighted == ()


def test_missing_items_are_padded_with_zeros():
    """A type with fewer items than min_count is padded with zero "missing" items labelled after the real ones.

    Homework: 10/10 plus padded HW 2 = 0, HW 3 = 0; drop one zero (the later, HW 3) → (1 + 0) / 2 = 0.5 → 0.075
    Quiz: nothing submitted, two padded zeros → 0.  Assignment: nothing → 0.  Final: 40/50 = 0.8 → 0.32
    Sum 0.395: below Pass's 0.5, so no letter and not passed.
    """
    grade = course_grade(POLICY, [ItemScore("hw1", "Homework", 10, 10), ItemScore("final", "Final Exam", 40, 50)])

    assert grade.percent == D("0.3950")
    assert grade.letter is None
    assert grade.passed is False
    homework = _type(grade, "Homework")
    assert [(item.item_id, item.label, item.missing, item.dropped) for item in homework.items] == [
        ("hw1", "HW 1", False, False),
        (None, "HW 2", True, False),
        (None, "HW 3", True, True),
    ]
    assert homework.average == D("0.5000")
    quiz = _type(grade, "Quiz")
    assert [(item.label, item.fraction, item.missing) for item in quiz.items] == [
        ("Quiz 1", D("0.0000"), True),
        ("Quiz 2", D("0.0000"), True),
    ]
    assert quiz.average == D("0.0000")


def test_padded_zero_is_dropped_before_a_real_zero():
    """Of equal fractions the later item is dropped, and padded items come after real ones."""
    policy = _policy(AssignmentType("Homework", 1, min_count=3, drop_count=1, short_label="HW"))
    grade = course_grade(policy, [ItemScore("hw1", "Homework", 0, 10), ItemScore("hw2", "Homework", 10, 10)])

    items = grade.breakdown[0].items
    assert [(item.label, item.missing, item.dropped) for item in items] == [
        ("HW 1", False, False),
        ("HW 2", False, False),
        ("HW 3", True, True),
    ]
    assert grade.percent == D("0.5000")


def test_ties_among_real_items_drop_the_later_one():
    """Two items with the same lowest fraction: the one listed later is dropped."""
    policy = _policy(AssignmentType("Homework", 1, min_count=3, drop_count=1))
    scores = [
        ItemScore("hw1", "Homework", 5, 10),
        ItemScore("hw2", "Homework", 1, 2),
        ItemScore("hw3", "Homework", 1, 1),
    ]
    items = course_grade(policy, scores).breakdown[0].items

    assert [item.dropped for item in items] == [False, True, False]
    assert [item.label for item in items] == ["Homework 1", "Homework 2", "Homework 3"]  # no short label: the name


def test_more_items_than_min_count_still_drop_only_drop_count():
    """With more items than expected, only the drop_count lowest are dropped and the rest are averaged.

    7/10, 2/10, 9/10, 4/10, 10/10 with drop 2 → drop 0.2 and 0.4 → (0.7 + 0.9 + 1.0) / 3 = 0.8666… → 0.8667.
    """
    policy = _policy(AssignmentType("Homework", 1, min_count=3, drop_count=2))
    scores = [ItemScore(f"hw{n}", "Homework", earned, 10) for n, earned in enumerate([7, 2, 9, 4, 10], start=1)]
    grade = course_grade(policy, scores)

    assert [item.dropped for item in grade.breakdown[0].items] == [False, True, False, True, False]
    assert grade.percent == D("0.8667")
    assert not any(item.missing for item in grade.breakdown[0].items)


def test_zero_possible_item_is_excluded_not_divided_by_zero():
    """An item worth nothing is listed as excluded, is not averaged and does not count towards min_count.

    Quiz (min 2): 4/5 and 0/0 → the 0/0 is excluded, one zero is padded → (0.8 + 0) / 2 = 0.4.
    """
    policy = GradingPolicy(types=(AssignmentType("Quiz", 1, min_count=2),), cutoffs={"Pass": D("0.5")})
    grade = course_grade(policy, [ItemScore("q1", "Quiz", 4, 5), ItemScore("q0", "Quiz", 0, 0)])

    items = grade.breakdown[0].items
    assert [(item.item_id, item.fraction, item.excluded, item.missing) for item in items] == [
        ("q1", D("0.8000"), False, False),
        ("q0", None, True, False),
        (None, D("0.0000"), False, True),
    ]
    assert grade.percent == D("0.4000")


def test_type_with_nothing_counted_and_no_min_count_averages_zero():
    """A type with no counted item and min_count 0 averages 0: its weight is lost, not shared out (as in Open edX)."""
    policy = GradingPolicy(
        types=(AssignmentType("Lab", D("0.5")), AssignmentType("Exam", D("0.5"), min_count=1)),
        cutoffs={"Pass": D("0.5")},
    )
    grade = course_grade(policy, [ItemScore("lab0", "Lab", 0, 0), ItemScore("exam", "Exam", 1, 1)])

    assert _type(grade, "Lab").average == D("0.0000")
    assert grade.percent == D("0.5000")
    assert grade.passed


# Overrides and unweighted items


def test_override_replaces_an_items_score():
    """A gradebook override replaces the item's earned and possible points, keeps its place and is marked.

    Overriding HW 2 from 6/10 to 9/10 in the worked example: homework now drops 0.8 → (0.9 + 1.0) / 2 = 0.95
    → 0.1425, so the sum is 0.1425 + 0.19375 + 0.17 + 0.36 = 0.86625 → 0.8663.
    """
    scores = [
        ItemScore("hw1", "Homework", 8, 10),
        ItemScore("hw2", "Homework", 6, 10),
        ItemScore("hw3", "Homework", 10, 10),
        ItemScore("q1", "Quiz", 4, 5),
        ItemScore("q2", "Quiz", 3, 4),
        ItemScore("a1", "Assignment", 17, 20),
        ItemScore("final", "Final Exam", 45, 50),
    ]
    grade = course_grade(POLICY, scores, overrides={"hw2": (D("9"), D("10"))})

    assert grade.percent == D("0.8663")
    homework = _type(grade, "Homework").items
    assert [(item.item_id, item.earned, item.overridden, item.dropped) for item in homework] == [
        ("hw1", D(8), False, True),
        ("hw2", D(9), True, False),
        ("hw3", D(10), False, False),
    ]


def test_override_can_make_an_excluded_item_count():
    """Overriding a zero-possible item with points makes it count like any other item."""
    policy = GradingPolicy(types=(AssignmentType("Quiz", 1),), cutoffs={"Pass": D("0.5")})
    scores = [ItemScore("q1", "Quiz", 1, 2), ItemScore("q2", "Quiz", 0, 0)]

    assert course_grade(policy, scores).percent == D("0.5000")
    assert course_grade(policy, scores, overrides={"q2": (1, 1)}).percent == D("0.7500")


def test_override_of_an_item_without_a_score_is_refused():
    """An override needs the item's score to know its type; an unknown id raises instead of being ignored."""
    with pytest.raises(ScoreError, match="no score"):
        course_grade(POLICY, [ItemScore("hw1", "Homework", 8, 10)], overrides={"hw9": (1, 1)})


def test_override_must_be_a_valid_pair():
    """An override that is not a valid (earned, possible) pair raises ScoreError."""
    with pytest.raises(ScoreError, match="pair"):
        course_grade(POLICY, [ItemScore("hw1", "Homework", 8, 10)], overrides={"hw1": 5})
    with pytest.raises(ScoreError, match="more than"):
        course_grade(POLICY, [ItemScore("hw1", "Homework", 8, 10)], overrides={"hw1": (11, 10)})


def test_items_of_a_type_not_in_the_policy_are_listed_as_unweighted():
    """Items whose type the policy does not grade change nothing and are listed in unweighted."""
    scores = [ItemScore("final", "Final Exam", 50, 50), ItemScore("lab1", "Lab", 3, 10)]
    grade = course_grade(POLICY, scores)

    assert grade.unweighted == (ItemScore("lab1", "Lab", 3, 10),)
    assert grade.percent == course_grade(POLICY, scores[:1]).percent == D("0.4000")


# Letters and rounding


@pytest.mark.parametrize(
    ("earned", "possible", "letter", "passed"),
    [
        (10, 10, "A", True),
        (9, 10, "A", True),
        (8999, 10000, "B", True),
        (8, 10, "B", True),
        (7999, 10000, "Pass", True),
        (1, 2, "Pass", True),
        (4999, 10000, None, False),
        (0, 10, None, False),
    ],
)
def test_letter_is_the_highest_cutoff_reached(earned, possible, letter, passed):
    """A grade exactly at a cutoff reaches it; the lowest cutoff is the pass mark."""
    grade = _one_type(earned, possible)

    assert (grade.letter, grade.passed) == (letter, passed)


@pytest.mark.parametrize(
    ("earned", "possible", "percent", "letter"),
    [
        (17999, 20000, D("0.9000"), "A"),  # 0.89995 rounds up to the A cutoff
        (17997, 20000, D("0.8999"), "B"),  # 0.89985 → 0.8999 half-up (half-even would give 0.8998)
        (D("17998.9"), 20000, D("0.8999"), "B"),  # 0.899945 is below the half
        (1, 3, D("0.3333"), None),
        (2, 3, D("0.6667"), "Pass"),
    ],
)
def test_percent_is_rounded_half_up_to_four_places_before_the_cutoffs(earned, possible, percent, letter):
    """The exact grade is rounded half-up to 0.01 % once, and the letter is read from the rounded grade."""
    grade = _one_type(earned, possible)

    assert grade.percent == percent
    assert grade.percent.as_tuple().exponent == -4
    assert grade.letter == letter


def test_a_cutoff_of_one_needs_full_marks():
    """A cutoff of exactly 1 (100 %) is allowed and reached only with full marks."""
    cutoffs = {"Distinction": 1, "Pass": D("0.6")}

    assert _one_type(10, 10, cutoffs).letter == "Distinction"
    assert _one_type(D("9.99"), 10, cutoffs).letter == "Pass"


# Policy validation


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (_policy(AssignmentType("HW", D("0.5")), AssignmentType("Exam", D("0.4"))), "sum to 0.9, not exactly 1"),
        (_policy(AssignmentType("HW", 15), AssignmentType("Exam", 85)), "0.15, not 15"),
        (_policy(AssignmentType("HW", D("-0.5")), AssignmentType("Exam", D("1.5"))), "weight of “HW” is negative"),
        (_policy(AssignmentType("HW", D("0.5")), AssignmentType("HW", D("0.5"))), "“HW” is defined more than once"),
        (_policy(AssignmentType("", 1)), "has no name"),
        (_policy(AssignmentType("HW", 0.15), AssignmentType("Exam", D("0.85"))), "not a float"),
        (_policy(AssignmentType("HW", 1, min_count=-1)), "min_count of “HW” is negative"),
        (_policy(AssignmentType("HW", 1, min_count=2, drop_count=-1)), "drop_count of “HW” is negative"),
        (_policy(AssignmentType("HW", 1, min_count=D("2"))), "must be a whole number"),
        (_policy(AssignmentType("HW", 1, min_count=3, drop_count=3)), "drop_count must be less than min_count"),
        (_policy(AssignmentType("HW", 1, drop_count=1)), "drops 1 of 0 expected items"),
        (_policy(), "no assignment types"),
        (_policy(AssignmentType("HW", 1), cutoffs={}), "no grade cutoffs"),
        (_policy(AssignmentType("HW", 1), cutoffs={"Pass": 0}), "above 0 and at most 1"),
        (_policy(AssignmentType("HW", 1), cutoffs={"A": D("1.5"), "Pass": D("0.5")}), "above 0 and at most 1"),
        (_policy(AssignmentType("HW", 1), cutoffs={"A": D("-0.1")}), "above 0 and at most 1"),
        (_policy(AssignmentType("HW", 1), cutoffs={"A": D("0.8"), "B": D("0.80")}), "share the cutoff 0.8"),
        (_policy(AssignmentType("HW", 1), cutoffs={"A": 0.9}), "not a float"),
        (_policy(AssignmentType("HW", 1), cutoffs={"": D("0.5")}), "has no letter"),
    ],
)
def test_invalid_policies_are_refused_with_a_clear_message(policy, message):
    """policy_validate raises GradingPolicyError naming the problem; course_grade refuses to grade with it."""
    with pytest.raises(GradingPolicyError, match=message):
        policy_validate(policy)
    with pytest.raises(GradingPolicyError):
        course_grade(policy, [])


def test_validation_lists_every_problem_at_once():
    """Every problem is reported together, so a policy form can show them all."""
    policy = _policy(
        AssignmentType("HW", D("0.5"), min_count=1, drop_count=1),
        AssignmentType("HW", D("0.2")),
        cutoffs={"A": D("2")},
    )
    with pytest.raises(GradingPolicyError) as caught:
        policy_validate(policy)

    assert len(caught.value.problems) == 4  # drop_count, duplicate name, weights sum, cutoff range
    assert isinstance(caught.value, ValueError)


def test_valid_policies_pass_validation():
    """The example policy, zero-weight types and percentages as exact decimals are valid."""
    policy_validate(POLICY)
    policy_validate(_policy(AssignmentType("Practice", 0), AssignmentType("Exam", 1, min_count=2, drop_count=1)))
    policy_validate(_policy(*(AssignmentType(f"T{n}", Fraction(1, 3)) for n in range(3))))


def test_policy_is_frozen():
    """A policy cannot be changed after it is built, its cutoffs included."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        POLICY.types = ()
    with pytest.raises(TypeError):
        POLICY.cutoffs["A"] = D("0.1")
    assert hash(POLICY) == hash(dataclasses.replace(POLICY))


# Scores


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (ItemScore("hw1", "Homework", 11, 10), "more than the 10 possible"),
        (ItemScore("hw1", "Homework", -1, 10), "cannot be negative"),
        (ItemScore("hw1", "Homework", 0, -1), "cannot be negative"),
        (ItemScore("hw1", "Homework", 1, 0), "more than the 0 possible"),
        (ItemScore("hw1", "Homework", 0.5, 1), "exact numbers"),
        (ItemScore("hw1", "Homework", D("NaN"), 1), "exact numbers"),
    ],
)
def test_invalid_scores_are_refused(score, message):
    """A score must be exact, non-negative and at most its possible points."""
    with pytest.raises(ScoreError, match=message):
        course_grade(POLICY, [score])


def test_an_item_scored_twice_is_refused():
    """Item ids are unique: overrides are keyed by them."""
    with pytest.raises(ScoreError, match="more than once"):
        course_grade(POLICY, [ItemScore("hw1", "Homework", 1, 2), ItemScore("hw1", "Homework", 2, 2)])


# Open edX policy files


def test_policy_from_open_edx_reads_grading_policy_json():
    """A grading_policy.json's float weights and cutoffs are read as the exact decimals they were written as."""
    config = json.loads(
        """{
        "GRADER": [
            {"type": "Homework", "min_count": 3, "drop_count": 1, "short_label": "HW", "weight": 0.15},
            {"type": "Quiz", "min_count": 2, "drop_count": 0, "short_label": "Quiz", "weight": 0.25},
            {"type": "Assignment", "min_count": 1, "drop_count": 0, "short_label": "Asg", "weight": 0.2},
            {"type": "Final Exam", "min_count": 1, "drop_count": 0, "short_label": "Final", "weight": 0.4}
        ],
        "GRADE_CUTOFFS": {"A": 0.9, "B": 0.8, "Pass": 0.5}
        }"""
    )
    policy = policy_from_open_edx(config)

    assert policy == POLICY
    assert policy.types[0].weight == D("0.15")


def test_policy_from_open_edx_validates():
    """A policy file whose weights do not sum to 1, or that lacks GRADER, raises GradingPolicyError."""
    with pytest.raises(GradingPolicyError, match="sum to 0.5"):
        policy_from_open_edx({"GRADER": [{"type": "HW", "weight": 0.5}], "GRADE_CUTOFFS": {"Pass": 0.5}})
    with pytest.raises(GradingPolicyError, match="GRADER"):
        policy_from_open_edx({"GRADE_CUTOFFS": {"Pass": 0.5}})


# Properties


@st.composite
def policies(draw):
    """1 to 4 types whose weights, in hundredths, sum to exactly 1; min_count 0..4 with a legal drop_count."""
    count = draw(st.integers(min_value=1, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=count - 1, max_size=count - 1)))
    weights = [high - low for low, high in zip([0, *cuts], [*cuts, 100])]
    types = []
    for number, hundredths in enumerate(weights):
        min_count = draw(st.integers(min_value=0, max_value=4))
        drop_count = draw(st.integers(min_value=0, max_value=min_count - 1)) if min_count else 0
        types.append(AssignmentType(f"T{number}", D(hundredths).scaleb(-2), min_count, drop_count, f"T{number}"))
    values = draw(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=3, unique=True))
    cutoffs = {f"L{n}": D(value).scaleb(-2) for n, value in enumerate(sorted(values, reverse=True))}
    return GradingPolicy(types=tuple(types), cutoffs=cutoffs)


@st.composite
def graded(draw):
    """A policy and scores for it: any types (one not in the policy), possible 0..10, earned 0..possible."""
    policy = draw(policies())
    names = [kind.type for kind in policy.types] + ["Ungraded"]
    scores = []
    for number in range(draw(st.integers(min_value=0, max_value=12))):
        possible = draw(st.integers(min_value=0, max_value=10))
        earned = draw(st.integers(min_value=0, max_value=possible))
        scores.append(ItemScore(f"i{number}", draw(st.sampled_from(names)), earned, possible))
    return policy, scores


PROPERTY = settings(max_examples=60)


@PROPERTY
@given(graded())
def test_grade_is_always_between_zero_and_one(case):
    """Whatever the policy and scores, the grade is a fraction in [0, 1] to exactly 4 places."""
    policy, scores = case
    grade = course_grade(policy, scores)

    assert D(0) <= grade.percent <= D(1)
    assert grade.percent.as_tuple().exponent == -4
    assert grade.passed == (grade.percent >= min(policy.cutoffs.values()))


@PROPERTY
@given(graded(), st.data())
def test_raising_one_score_never_lowers_the_grade(case, data):
    """Earning more on any one item never lowers the grade, dropping and padding included."""
    policy, scores = case
    raisable = [index for index, score in enumerate(scores) if score.earned < score.possible]
    assume(raisable)
    index = data.draw(st.sampled_from(raisable))
    earned = data.draw(st.integers(min_value=scores[index].earned + 1, max_value=scores[index].possible))
    raised = [*scores[:index], dataclasses.replace(scores[index], earned=earned), *scores[index + 1:]]

    assert course_grade(policy, raised).percent >= course_grade(policy, scores).percent


@PROPERTY
@given(graded())
def test_dropping_never_lowers_the_grade(case):
    """Dropping the lowest scores gives at least the grade of counting them all."""
    policy, scores = case
    no_drops = dataclasses.replace(
        policy, types=tuple(dataclasses.replace(kind, drop_count=0) for kind in policy.types)
    )

    assert course_grade(policy, scores).percent >= course_grade(no_drops, scores).percent


@PROPERTY
@given(graded(), st.data())
def test_item_order_does_not_change_the_grade(case, data):
    """Listing the items in another order changes neither the grade nor any type's average."""
    policy, scores = case
    shuffled = data.draw(st.permutations(scores))
    grade, again = course_grade(policy, scores), course_grade(policy, shuffled)

    assert (again.percent, again.letter) == (grade.percent, grade.letter)
    assert [entry.average for entry in again.breakdown] == [entry.average for entry in grade.breakdown]


@PROPERTY
@given(policies(), st.data())
def test_full_marks_everywhere_is_exactly_one(policy, data):
    """Full marks on at least min_count (and at least one) items of every type gives exactly 1."""
    scores = []
    for kind in policy.types:
        for _ in range(data.draw(st.integers(min_value=max(kind.min_count, 1), max_value=kind.min_count + 3))):
            possible = data.draw(st.integers(min_value=1, max_value=10))
            scores.append(ItemScore(f"i{len(scores)}", kind.type, possible, possible))
        if data.draw(st.booleans()):
            scores.append(ItemScore(f"i{len(scores)}", kind.type, 0, 0))  # excluded: changes nothing
    scores = data.draw(st.permutations(scores))
    grade = course_grade(policy, scores)

    assert grade.percent == D(1)
    assert grade.letter == max(policy.cutoffs, key=policy.cutoffs.get)


@PROPERTY
@given(graded())
def test_the_letter_is_the_highest_cutoff_the_grade_reaches(case):
    """The letter's cutoff is at most the grade, and no higher cutoff is also reached; below every
    cutoff there is no letter."""
    policy, scores = case
    grade = course_grade(policy, scores)
    reached = {letter: cutoff for letter, cutoff in policy.cutoffs.items() if grade.percent >= cutoff}

    if not reached:
        assert grade.letter is None and not grade.passed
    else:
        assert grade.letter in reached and policy.cutoffs[grade.letter] == max(reached.values())
