"""Rubrics and the scoring of a piece of work against one, from plain values: no models and no
database, so the rules are tested alone (the models are `courses.models.rubrics`, the writes
`courses.rubric_services`).

A rubric is a list of criteria, each with levels that carry points; a reviewer chooses one level
per criterion and the work earns the sum of the chosen levels' points out of the sum of each
criterion's best level. This is the analytic rubric of Canvas
(https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-add-a-rubric-in-a-course/ta-p/1023)
and Moodle's rubric grading method (https://docs.moodle.org/en/Rubrics), restricted to what both
share:

- a rubric has at least one criterion, and a criterion at least two levels (one level is not a
  choice);
- levels of a criterion have distinct titles (compared ignoring case and surrounding spaces), so
  a reviewer can tell them apart; two levels may carry the same points, as Canvas allows;
- points are non-negative `Decimal`s (or ints), never floats, so totals are exact;
- keys are unique: criterion keys within the rubric, level keys within their criterion.

`rubric_spec_validate(spec)` raises `RubricSpecError` naming what is wrong;
`rubric_max_points(spec)` and `rubric_score(spec, choices)` assume a valid spec, and the latter
raises `RubricScoringError` naming the criterion whose choice is missing or unknown.
"""

from dataclasses import dataclass, field
from decimal import Decimal


class RubricSpecError(ValueError):
    """The rubric itself is invalid (no criteria, a criterion with one level, ...)."""


class RubricScoringError(ValueError):
    """The choices do not fit the rubric (a criterion without a choice, an unknown level)."""


@dataclass(frozen=True)
class LevelSpec:
    """One level of a criterion, such as “Excellent” for 4 points."""

    key: str
    title: str
    points: Decimal


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion; `competency_code` is the competency it gives evidence for ("" for none)."""

    key: str
    title: str
    competency_code: str = ""
    levels: tuple[LevelSpec, ...] = ()


@dataclass(frozen=True)
class RubricSpec:
    criteria: tuple[CriterionSpec, ...] = ()


@dataclass(frozen=True)
class CriterionScore:
    """What one criterion earned: the level chosen, its points and the criterion's best points."""

    key: str
    title: str
    competency_code: str
    level_key: str
    level_title: str
    earned: Decimal
    possible: Decimal


@dataclass(frozen=True)
class RubricScore:
    earned: Decimal
    possible: Decimal
    per_criterion: tuple[CriterionScore, ...] = field(default=())


def _points(value, *, where: str) -> Decimal:
    # bool is an int; a float would make totals inexact.
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise RubricSpecError(f"{where}: points must be a whole number or a decimal, not {type(value).__name__}.")
    points = Decimal(value)
    if not points.is_finite():
        raise RubricSpecError(f"{where}: points must be a finite number.")
    if points < 0:
        raise RubricSpecError(f"{where}: points cannot be negative ({points}).")
    return points


def rubric_spec_validate(spec: RubricSpec) -> RubricSpec:
    """Return `spec` when it is a valid rubric; raise `RubricSpecError` naming the first fault."""
    if not spec.criteria:
        raise RubricSpecError("A rubric needs at least one criterion.")
    criterion_keys = set()
    for criterion in spec.criteria:
        name = f"Criterion “{criterion.title}”"
        if criterion.key in criterion_keys:
            raise RubricSpecError(f"{name}: the key {criterion.key!r} is used by another criterion.")
        criterion_keys.add(criterion.key)
        if len(criterion.levels) < 2:
            raise RubricSpecError(f"{name} needs at least two levels, found {len(criterion.levels)}.")
        level_keys, level_titles = set(), set()
        for level in criterion.levels:
            where = f"{name}, level “{level.title}”"
            _points(level.points, where=where)
            if level.key in level_keys:
                raise RubricSpecError(f"{where}: the key {level.key!r} is used by another level.")
            level_keys.add(level.key)
            title = level.title.strip().casefold()
            if not title:
                raise RubricSpecError(f"{name}: every level needs a title.")
            if title in level_titles:
                raise RubricSpecError(f"{name} has two levels titled “{level.title.strip()}”; give each level its own title.")
            level_titles.add(title)
    return spec


def criterion_max_points(criterion: CriterionSpec) -> Decimal:
    """The points of the criterion's best level (0 for a criterion without levels)."""
    return max((Decimal(level.points) for level in criterion.levels), default=Decimal(0))


def rubric_max_points(spec: RubricSpec) -> Decimal:
    """The most a piece of work can earn: the sum of each criterion's best level."""
    return sum((criterion_max_points(criterion) for criterion in spec.criteria), Decimal(0))


def rubric_score(spec: RubricSpec, choices: dict[str, str]) -> RubricScore:
    """Score `choices` ({criterion key: level key}, one for every criterion) against `spec`.
    A missing, unknown or extra choice raises `RubricScoringError` naming the criterion."""
    known = {criterion.key for criterion in spec.criteria}
    extra = sorted(str(key) for key in choices if key not in known)
    if extra:
        raise RubricScoringError(f"No criterion has the key {extra[0]!r}.")
    per_criterion = []
    for criterion in spec.criteria:
        if criterion.key not in choices:
            raise RubricScoringError(f"Criterion “{criterion.title}” has no level chosen.")
        level_key = choices[criterion.key]
        level = next((level for level in criterion.levels if level.key == level_key), None)
        if level is None:
            raise RubricScoringError(f"Criterion “{criterion.title}” has no level with the key {level_key!r}.")
        per_criterion.append(CriterionScore(
            key=criterion.key, title=criterion.title, competency_code=criterion.competency_code,
            level_key=level.key, level_title=level.title,
            earned=Decimal(level.points), possible=criterion_max_points(criterion),
        ))
    return RubricScore(
        earned=sum((score.earned for score in per_criterion), Decimal(0)),
        possible=rubric_max_points(spec),
        per_criterion=tuple(per_criterion),
    )
