"""A learner's course grade under a grading policy: assignment types weighted into one fraction, and
letter-grade cutoffs that turn the fraction into a letter and a pass.

The model is Open edX's grading policy, the ``GRADER`` list and ``GRADE_CUTOFFS`` mapping of a
course's ``grading_policy.json`` (source of the shape: "Grading" in Building and Running an Open edX
Course, https://edx.readthedocs.io/projects/edx-partner-course-staff/en/latest/grading/index.html ,
and ``AssignmentFormatGrader`` in edx-platform's ``xmodule/graders.py``):

- Each assignment type (``AssignmentType``) has a name (``type``), a ``weight``, a ``min_count`` of
  items the course is expected to have and a ``drop_count`` of lowest scores not counted.
- An item's fraction is ``earned / possible``. An item worth nothing (``possible == 0``) is excluded:
  listed in the breakdown but neither averaged nor counted towards ``min_count``. (Open edX counts it
  as 0 %; excluding it avoids both a division by zero and a zero the learner could never raise.)
- A type with fewer counted items than ``min_count`` is padded with "missing" zero items, labelled
  ``f"{short_label} {n}"`` after the real ones, so an item not yet attempted or not yet released
  still counts as zero, as in Open edX.
- The lowest ``drop_count`` fractions among the real and padded items are dropped. Ties are broken as
  Open edX breaks them (a stable sort, dropping from the end): of equal fractions the later item is
  dropped first, and padded items come after the real ones, so a padded zero is dropped before a
  real zero.
- The type's average is the mean of the items left; with no item at all (``min_count == 0`` and
  nothing submitted) it is 0, as in Open edX, so its weight is lost rather than shared out.
- The course grade is the sum of ``weight * average`` over the types, computed exactly and rounded
  once, half-up, to 4 decimal places (0.01 %): ``CourseGrade.percent`` is a fraction in [0, 1] (Open
  edX also calls its fraction "percent"). The breakdown's figures are rounded the same way for
  display, so their sum may differ from ``percent`` in the last digit.
- The letter is the highest cutoff the rounded grade reaches (a grade exactly at a cutoff reaches
  it); the learner passes on reaching the lowest cutoff, as Open edX does.

Items whose type is not in the policy are ignored, and listed in ``CourseGrade.unweighted`` so a page
can say they do not count. A gradebook override (``course_grade(..., overrides={item_id: (earned,
possible)})``) replaces the item's earned and possible points before anything else, as Open edX's
gradebook overrides a subsection's score; the item keeps its type and place and is marked
``overridden``.

Arithmetic is exact: numbers are ``int``, ``decimal.Decimal`` or ``fractions.Fraction`` (a float is
refused, since 0.15 is not 15/100), computed as ``Fraction`` and returned as ``Decimal``.
``policy_from_open_edx`` reads a parsed ``grading_policy.json``, whose JSON floats are read back
through their shortest decimal text. The module is pure: plain values in, plain values out, no
Django models or database.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

PLACES = 4
"""Decimal places of every fraction returned (4 places of a fraction are 0.01 %)."""

Number = int | Decimal | Fraction


class GradingPolicyError(ValueError):
    """A grading policy that cannot grade. ``problems`` lists every problem found, in English."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class ScoreError(ValueError):
    """A score or an override that cannot be graded (negative, above its possible points, a float,
    a duplicate or unknown item id)."""


@dataclass(frozen=True)
class AssignmentType:
    """One entry of Open edX's ``GRADER`` list. ``weight`` is a fraction of the course grade."""

    type: str
    weight: Number
    min_count: int = 0
    drop_count: int = 0
    short_label: str = ""

    @property
    def label(self) -> str:
        """The prefix of the type's item labels: its short label, else its name."""
        return self.short_label or self.type


@dataclass(frozen=True)
class GradingPolicy:
    """Assignment types in display order and letter cutoffs (letter → minimum fraction, as
    ``GRADE_CUTOFFS``). Built without checks so a form can show every problem at once:
    ``policy_validate`` checks it, and ``course_grade`` validates before grading."""

    types: tuple
    cutoffs: Mapping = field(default_factory=dict)

    def __post_init__(self):
        # Freeze the inputs: a frozen policy whose cutoffs dict could still change would not be frozen.
        object.__setattr__(self, "types", tuple(self.types))
        object.__setattr__(self, "cutoffs", MappingProxyType(dict(self.cutoffs)))

    def __hash__(self):
        return hash((self.types, tuple(self.cutoffs.items())))


@dataclass(frozen=True)
class ItemScore:
    """A learner's score on one graded item (an Open edX graded subsection). ``type`` names an
    ``AssignmentType``; items are graded in the order given, which should be course order."""

    item_id: object
    type: str
    earned: Number
    possible: Number
    label: str = ""


@dataclass(frozen=True)
class GradedItem:
    """An item as graded within its type. ``fraction`` is None for an excluded item (nothing
    possible); a ``missing`` item is a zero padded up to ``min_count`` and has no ``item_id``."""

    item_id: object
    label: str
    earned: Decimal
    possible: Decimal
    fraction: Decimal | None
    dropped: bool = False
    missing: bool = False
    excluded: bool = False
    overridden: bool = False


@dataclass(frozen=True)
class TypeBreakdown:
    """One assignment type's share of the grade: ``weighted`` is ``average * weight``."""

    type: str
    short_label: str
    weight: Decimal
    items: tuple
    average: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class CourseGrade:
    """The grade: ``percent`` is a fraction in [0, 1] to 4 places; ``letter`` is None below every
    cutoff; ``breakdown`` follows the policy's type order; ``unweighted`` holds the items whose type
    is not in the policy."""

    percent: Decimal
    letter: str | None
    passed: bool
    breakdown: tuple
    unweighted: tuple = ()


# Policy


def policy_validate(policy: GradingPolicy) -> None:
    """Raise ``GradingPolicyError`` listing every problem of ``policy``; return None when it can grade.

    The rules: at least one type; type names are non-empty and distinct; weights are non-negative and
    sum to exactly 1 (100 %); ``min_count`` and ``drop_count`` are non-negative integers; a type that
    drops scores must expect more items than it drops (``drop_count < min_count``), so at least one
    score always counts. Open edX Studio allows ``drop_count == min_count``, but then a learner who
    does exactly the expected items scores zero for the type whatever they earn. Cutoffs: at least
    one, letters non-empty, each fraction in (0, 1], no two letters at the same fraction.
    """
    problems = []
    if not policy.types:
        problems.append("The policy has no assignment types.")
    seen = set()
    total = Fraction(0)
    for position, kind in enumerate(policy.types, start=1):
        if not isinstance(kind, AssignmentType):
            problems.append(f"Assignment type {position} is not an AssignmentType.")
            continue
        name = kind.type
        if not isinstance(name, str) or not name.strip():
            problems.append(f"Assignment type {position} has no name.")
            name = f"#{position}"
        elif name in seen:
            problems.append(f"Assignment type “{name}” is defined more than once.")
        seen.add(name)
        weight = _policy_number(kind.weight, f"The weight of “{name}”", problems)
        if weight is not None:
            if weight < 0:
                problems.append(f"The weight of “{name}” is negative ({kind.weight}).")
            total += weight
        counts_ok = True
        for attribute in ("min_count", "drop_count"):
            value = getattr(kind, attribute)
            if not _is_int(value):
                problems.append(f"The {attribute} of “{name}” must be a whole number, not {value!r}.")
                counts_ok = False
            elif value < 0:
                problems.append(f"The {attribute} of “{name}” is negative ({value}).")
                counts_ok = False
        if counts_ok and kind.drop_count > 0 and kind.drop_count >= kind.min_count:
            problems.append(
                f"“{name}” drops {kind.drop_count} of {kind.min_count} expected items; drop_count must be less "
                "than min_count so that at least one score counts."
            )
    if policy.types and total != 1:
        hint = " (give weights as fractions: 0.15, not 15)" if total == 100 else ""
        problems.append(f"The weights sum to {_plain(total)}, not exactly 1 (100 %){hint}.")

    if not policy.cutoffs:
        problems.append("The policy has no grade cutoffs; a passing grade needs at least one.")
    letters_at = {}
    for letter, value in policy.cutoffs.items():
        if not isinstance(letter, str) or not letter.strip():
            problems.append(f"A grade cutoff has no letter ({letter!r}).")
        cutoff = _policy_number(value, f"The cutoff of “{letter}”", problems)
        if cutoff is None:
            continue
        if not 0 < cutoff <= 1:
            problems.append(f"The cutoff of “{letter}” is {value}; a cutoff must be above 0 and at most 1.")
        letters_at.setdefault(cutoff, []).append(str(letter))
    for cutoff, letters in letters_at.items():
        if len(letters) > 1:
            problems.append(f"Grades {', '.join(f'“{x}”' for x in letters)} share the cutoff {_plain(cutoff)}.")
    if problems:
        raise GradingPolicyError(problems)


def policy_from_open_edx(config: Mapping) -> GradingPolicy:
    """A policy from a parsed Open edX ``grading_policy.json`` (``{"GRADER": [...], "GRADE_CUTOFFS":
    {...}}``), validated. JSON numbers arrive as floats and are read through their shortest text
    (``0.15`` → ``Decimal("0.15")``), which is exact for any number written with up to 15 digits."""
    try:
        grader, cutoffs = config["GRADER"], config["GRADE_CUTOFFS"]
        types = tuple(
            AssignmentType(
                type=entry["type"],
                weight=_from_json(entry["weight"]),
                min_count=entry.get("min_count", 0),
                drop_count=entry.get("drop_count", 0),
                short_label=entry.get("short_label", "") or "",
            )
            for entry in grader
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise GradingPolicyError([f"Not an Open edX grading policy: missing or malformed {error}."]) from None
    policy = GradingPolicy(types=types, cutoffs={letter: _from_json(value) for letter, value in cutoffs.items()})
    policy_validate(policy)
    return policy


# Grade


def course_grade(
    policy: GradingPolicy,
    scores: Iterable[ItemScore],
    *,
    overrides: Mapping | None = None,
) -> CourseGrade:
    """The course grade of one learner's ``scores`` under ``policy`` (see the module docstring).

    ``overrides`` maps an item id to ``(earned, possible)`` that replace that item's score, as a
    gradebook override does; an override of an item not in ``scores`` raises ``ScoreError``, since
    its type would be unknown. Raises ``GradingPolicyError`` for an invalid policy and
    ``ScoreError`` for an invalid score.
    """
    policy_validate(policy)
    overrides = dict(overrides or {})
    scores = tuple(scores)
    ids = set()
    for score in scores:
        if score.item_id in ids:
            raise ScoreError(f"Item {score.item_id!r} is scored more than once.")
        ids.add(score.item_id)
    unknown = [item_id for item_id in overrides if item_id not in ids]
    if unknown:
        raise ScoreError(f"Overrides for items with no score: {', '.join(map(repr, unknown))}.")

    by_type = {kind.type: [] for kind in policy.types}
    unweighted = []
    for score in scores:
        if score.item_id in overrides:
            try:
                earned, possible = overrides[score.item_id]
            except (TypeError, ValueError):
                raise ScoreError(f"Override of item {score.item_id!r} is not an (earned, possible) pair.") from None
            entry = (score, _score_pair(score.item_id, earned, possible), True)
        else:
            entry = (score, _score_pair(score.item_id, score.earned, score.possible), False)
        if score.type in by_type:
            by_type[score.type].append(entry)
        else:
            unweighted.append(score if not entry[2] else _replaced(score, *entry[1]))

    total = Fraction(0)
    breakdown = []
    for kind in policy.types:
        type_breakdown, weighted = _type_grade(kind, by_type[kind.type])
        breakdown.append(type_breakdown)
        total += weighted

    percent = _rounded(total)
    letter = None
    for candidate, cutoff in sorted(policy.cutoffs.items(), key=lambda pair: Fraction(pair[1]), reverse=True):
        if Fraction(percent) >= Fraction(cutoff):
            letter = candidate
            break
    return CourseGrade(
        percent=percent,
        letter=letter,
        passed=letter is not None,
        breakdown=tuple(breakdown),
        unweighted=tuple(unweighted),
    )


def _type_grade(kind: AssignmentType, entries: list) -> tuple[TypeBreakdown, Fraction]:
    """One type's breakdown and its exact weighted share."""
    items = []  # (item_id, label, earned, possible, exact fraction or None when excluded, overridden)
    for number, (score, (earned, possible), overridden) in enumerate(entries, start=1):
        exact = earned / possible if possible else None
        items.append((score.item_id, score.label or f"{kind.label} {number}", earned, possible, exact, overridden))
    counted = [index for index, item in enumerate(items) if item[4] is not None]
    for number in range(len(items) + 1, len(items) + 1 + max(0, kind.min_count - len(counted))):
        counted.append(len(items))
        items.append((None, f"{kind.label} {number}", Fraction(0), Fraction(0), Fraction(0), False))

    # Open edX's rule: a stable sort by fraction, highest first, dropping from the end, so of equal
    # fractions the later item (and a padded zero after every real item) goes first.
    ranked = sorted(counted, key=lambda index: items[index][4], reverse=True)
    dropped = set(ranked[len(ranked) - kind.drop_count:]) if kind.drop_count else set()
    kept = [items[index][4] for index in counted if index not in dropped]
    average = sum(kept, Fraction(0)) / len(kept) if kept else Fraction(0)
    weight = Fraction(kind.weight)
    weighted = average * weight

    first_padded = len(entries)
    graded = tuple(
        GradedItem(
            item_id=item_id,
            label=label,
            earned=_decimal(earned),
            possible=_decimal(possible),
            fraction=None if exact is None else _rounded(exact),
            dropped=index in dropped,
            missing=index >= first_padded,
            excluded=exact is None,
            overridden=overridden,
        )
        for index, (item_id, label, earned, possible, exact, overridden) in enumerate(items)
    )
    breakdown = TypeBreakdown(
        type=kind.type,
        short_label=kind.label,
        weight=_decimal(weight),
        items=graded,
        average=_rounded(average),
        weighted=_rounded(weighted),
    )
    return breakdown, weighted


# Numbers


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _exact(value) -> Fraction | None:
    """``value`` as a Fraction, or None when it is not an exact finite number (floats included)."""
    if _is_int(value) or isinstance(value, Fraction):
        return Fraction(value)
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    return None


def _policy_number(value, what: str, problems: list) -> Fraction | None:
    exact = _exact(value)
    if exact is None:
        kind = "a float" if isinstance(value, float) else repr(value)
        problems.append(f"{what} must be an exact number (int or Decimal), not {kind}.")
    return exact


def _score_pair(item_id, earned, possible) -> tuple[Fraction, Fraction]:
    exact_earned, exact_possible = _exact(earned), _exact(possible)
    if exact_earned is None or exact_possible is None:
        raise ScoreError(
            f"Item {item_id!r}: scores must be exact numbers (int or Decimal), not {earned!r}/{possible!r}."
        )
    if exact_earned < 0 or exact_possible < 0:
        raise ScoreError(f"Item {item_id!r}: a score cannot be negative ({earned}/{possible}).")
    if exact_earned > exact_possible:
        raise ScoreError(f"Item {item_id!r}: earned {earned} is more than the {possible} possible.")
    return exact_earned, exact_possible


def _replaced(score: ItemScore, earned: Fraction, possible: Fraction) -> ItemScore:
    return ItemScore(score.item_id, score.type, _decimal(earned), _decimal(possible), score.label)


def _rounded(value: Fraction) -> Decimal:
    """``value`` rounded half-up to ``PLACES`` decimal places (values here are never negative)."""
    scaled = value * 10**PLACES
    units = math.floor(scaled + Fraction(1, 2))
    return Decimal(units).scaleb(-PLACES)


def _decimal(value: Fraction) -> Decimal:
    """An exact Decimal when ``value`` has a finite decimal expansion, else rounded to ``PLACES``."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return _rounded(value)
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    return Decimal(int(value * 10**digits)).scaleb(-digits)


def _from_json(value):
    """A JSON number as an exact number: floats through their shortest text, other values as they are."""
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else value
    return value


def _plain(value: Fraction) -> str:
    """A number for a message: 100, 0.95, 0.3333."""
    return format(_decimal(value).normalize(), "f")
