"""The rubric scoring module from plain values, without a database: validation of a rubric, its
maximum and the exact scoring of a reviewer's choices."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.rubrics import (
    CriterionSpec,
    LevelSpec,
    RubricScoringError,
    RubricSpec,
    RubricSpecError,
    rubric_max_points,
    rubric_score,
    rubric_spec_validate,
)


def level(key, points, title=None):
    return LevelSpec(key=key, title=title or key.capitalize(), points=Decimal(points))


STORE_REVIEW = RubricSpec(criteria=(
    CriterionSpec(key="listing", title="Listing quality", competency_code="MKT.LIST", levels=(
        level("excellent", "4"), level("good", "2.5"), level("poor", "0"),
    )),
    CriterionSpec(key="pricing", title="Landed-cost pricing", competency_code="FIN.PRICE", levels=(
        level("excellent", "3.25"), level("good", "2"), level("poor", "0.5"),
    )),
))


def test_max_points_is_the_sum_of_each_criterions_best_level():
    """4 + 3.25: the best level of each criterion, whatever the order of the levels."""
    assert rubric_max_points(STORE_REVIEW) == Decimal("7.25")
    reordered = RubricSpec(criteria=(CriterionSpec(key="c", title="C", levels=(level("a", "1"), level("b", "5"), level("d", "2"))),))
    assert rubric_max_points(reordered) == Decimal("5")


def test_score_adds_the_chosen_levels_exactly():
    """Good listing (2.5) and excellent pricing (3.25) earn exactly 5.75 of 7.25, with the
    per-criterion detail carrying the competency codes."""
    score = rubric_score(STORE_REVIEW, {"listing": "good", "pricing": "excellent"})
    assert (score.earned, score.possible) == (Decimal("5.75"), Decimal("7.25"))
    first, second = score.per_criterion
    assert (first.key, first.level_title, first.earned, first.possible, first.competency_code) == (
        "listing", "Good", Decimal("2.5"), Decimal("4"), "MKT.LIST",
    )
    assert (second.level_key, second.earned) == ("excellent", Decimal("3.25"))


def test_a_missing_choice_names_the_criterion():
    """Leaving a criterion unchosen raises, naming it."""
    with pytest.raises(RubricScoringError, match="Landed-cost pricing"):
        rubric_score(STORE_REVIEW, {"listing": "good"})


def test_an_unknown_level_names_the_criterion():
    """A level key the criterion does not have raises, naming the criterion and the key."""
    with pytest.raises(RubricScoringError, match="Listing quality.*'superb'"):
        rubric_score(STORE_REVIEW, {"listing": "superb", "pricing": "good"})


def test_a_choice_for_an_unknown_criterion_is_refused():
    """A choice for a criterion the rubric does not have raises rather than being ignored."""
    with pytest.raises(RubricScoringError, match="'shipping'"):
        rubric_score(STORE_REVIEW, {"listing": "good", "pricing": "good", "shipping": "good"})


def test_a_valid_rubric_passes_validation():
    """The store review rubric is valid and returned as it is."""
    assert rubric_spec_validate(STORE_REVIEW) is STORE_REVIEW


def test_a_rubric_without_criteria_is_refused():
    """A rubric needs at least one criterion."""
    with pytest.raises(RubricSpecError, match="at least one criterion"):
        rubric_spec_validate(RubricSpec(criteria=()))


def test_a_criterion_with_one_level_is_refused():
    """One level is no choice: the criterion is named with the number of levels found."""
    spec = RubricSpec(criteria=(CriterionSpec(key="c", title="Customs paperwork", levels=(level("done", "1"),)),))
    with pytest.raises(RubricSpecError, match="Customs paperwork” needs at least two levels, found 1"):
        rubric_spec_validate(spec)


def test_negative_points_are_refused():
    """Points cannot be negative."""
    spec = RubricSpec(criteria=(CriterionSpec(key="c", title="C", levels=(level("a", "1"), level("b", "-1"))),))
    with pytest.raises(RubricSpecError, match="cannot be negative"):
        rubric_spec_validate(spec)


def test_float_points_are_refused():
    """A float would make totals inexact, so it is refused; ints are accepted."""
    spec = RubricSpec(criteria=(CriterionSpec(key="c", title="C", levels=(
        LevelSpec(key="a", title="A", points=0.1), LevelSpec(key="b", title="B", points=1),
    )),))
    with pytest.raises(RubricSpecError, match="not float"):
        rubric_spec_validate(spec)


def test_equal_points_are_allowed_but_level_titles_must_differ():
    """Two levels may earn the same points (as in Canvas), but not share a title, ignoring case
    and surrounding spaces."""
    same_points = RubricSpec(criteria=(CriterionSpec(key="c", title="C", levels=(level("a", "2", "Good"), level("b", "2", "Fine"))),))
    assert rubric_spec_validate(same_points)
    same_title = RubricSpec(criteria=(CriterionSpec(key="c", title="C", levels=(level("a", "2", "Good"), level("b", "1", " good "))),))
    with pytest.raises(RubricSpecError, match="two levels titled “good”"):
        rubric_spec_validate(same_title)


def test_duplicate_keys_are_refused():
    """Criterion keys are unique in the rubric, level keys in their criterion."""
    criterion = CriterionSpec(key="c", title="C", levels=(level("a", "1"), level("b", "0")))
    with pytest.raises(RubricSpecError, match="used by another criterion"):
        rubric_spec_validate(RubricSpec(criteria=(criterion, criterion)))
    with pytest.raises(RubricSpecError, match="used by another level"):
        rubric_spec_validate(RubricSpec(criteria=(CriterionSpec(key="c", title="C", levels=(level("a", "1"), level("a", "0", "Other"))),)))


points = st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def rubrics_and_choices(draw):
    criteria = []
    choices = {}
    for c in range(draw(st.integers(min_value=1, max_value=6))):
        level_points = draw(st.lists(points, min_size=2, max_size=5))
        levels = tuple(LevelSpec(key=f"l{i}", title=f"Level {i}", points=p) for i, p in enumerate(level_points))
        criteria.append(CriterionSpec(key=f"c{c}", title=f"Criterion {c}", levels=levels))
        choices[f"c{c}"] = draw(st.sampled_from(levels)).key
    return RubricSpec(criteria=tuple(criteria)), choices


@given(rubrics_and_choices())
def test_any_choice_earns_at_most_the_maximum_and_the_best_levels_earn_it(spec_and_choices):
    """For any valid rubric, any choices earn between 0 and the maximum, and choosing every
    criterion's best level earns exactly the maximum."""
    spec, choices = spec_and_choices
    rubric_spec_validate(spec)
    score = rubric_score(spec, choices)
    assert 0 <= score.earned <= score.possible == rubric_max_points(spec)
    best = {c.key: max(c.levels, key=lambda level: level.points).key for c in spec.criteria}
    assert rubric_score(spec, best).earned == score.possible
