"""Reads of grades: the instructors' gradebook (learners × graded items, filtered, sorted and
paged in a constant number of queries), one learner's breakdown with their overrides and audit
trail, and the learner's own progress page, which hides a quiz's marks (and every total they
are part of) until the quiz's review options release them, as Moodle hides totals that contain
hidden items (https://docs.moodle.org/en/Grade_items#Hiding_grade_items).

The figures come computed by `courses.grade_services` (the persistent `CourseGradeRecord` and
its breakdown, `GradeEntry`, the overrides in force); nothing here does grading arithmetic
beyond turning fractions into percentages for display."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .grade_services import overrides_in_force, run_graded_items, run_policy_rows
from .models import CourseGradeRecord, CoursePass, Enrolment, GradeEntry, GradeOverride, Quiz, Submission

GRADEBOOK_PAGE_SIZE = 50
CENT = Decimal("0.01")

# The gradebook's status filter: a partition of the learners (a recorded pass wins, then the
# grade as last computed).
STANDING_PASSED = "passed"
STANDING_PASSING = "passing"
STANDING_BELOW = "below"
STANDING_NONE = "none"
STANDING_CHOICES = [
    (STANDING_PASSED, _("Passed")),
    (STANDING_PASSING, _("Passing grade, not passed yet")),
    (STANDING_BELOW, _("Below the pass mark")),
    (STANDING_NONE, _("No grade yet")),
]
STANDING_FILTERS = {
    STANDING_PASSED: Q(course_pass__isnull=False),
    STANDING_PASSING: Q(course_pass__isnull=True, grade__passed=True),
    STANDING_BELOW: Q(course_pass__isnull=True, grade__passed=False),
    STANDING_NONE: Q(course_pass__isnull=True, grade__isnull=True),
}
SORT_CHOICES = [
    ("name", _("Name")),
    ("-grade", _("Grade, highest first")),
    ("grade", _("Grade, lowest first")),
]


def as_percent(fraction) -> Decimal | None:
    """A fraction (Decimal, or its text in a breakdown) as a percentage to 0.01."""
    if fraction is None or fraction == "":
        return None
    return (Decimal(fraction) * 100).quantize(CENT)


def share_percent(earned, possible) -> Decimal | None:
    """earned / possible as a percentage to 0.01; None when nothing is possible."""
    if earned is None or not possible:
        return None
    return (Decimal(earned) * 100 / Decimal(possible)).quantize(CENT)


def _decimal(value):
    return None if value is None or value == "" else Decimal(value)


def learner_name(user) -> str:
    return user.get_full_name() or user.email


# ---------------------------------------------------------------- the policy


@dataclass
class PolicySummary:
    """The run's policy as rows of percentages, whether it is the default one, its pass mark
    (the lowest cutoff) and its letters, highest first."""

    types: list
    cutoffs: list
    is_default: bool
    pass_mark: Decimal | None
    letters: list


def policy_summary(*, run, graded_items) -> PolicySummary:
    types, cutoffs, is_default = run_policy_rows(run=run, graded_items=graded_items)
    cutoffs = sorted(cutoffs, key=lambda row: Decimal(row["minimum"]), reverse=True)
    return PolicySummary(
        types=types, cutoffs=cutoffs, is_default=is_default,
        pass_mark=Decimal(cutoffs[-1]["minimum"]) if cutoffs else None,
        letters=[row["letter"] for row in cutoffs],
    )


def policy_warnings(*, graded_items, type_names) -> list:
    """What a policy leaves out (warnings, not errors): types the run's items use that the policy
    does not weigh, and policy types no item of the run uses."""
    used = []
    for graded in graded_items:
        if graded["type"] not in used:
            used.append(graded["type"])
    names = [name for name in type_names if name]
    warnings = []
    for name in used:
        if name not in names:
            count = sum(1 for graded in graded_items if graded["type"] == name)
            warnings.append(_("“%(type)s” is used by %(count)s graded items but is not in the policy: those items do not count.") % {"type": name, "count": count})
    for name in names:
        if name not in used:
            warnings.append(_("No graded item of this run is of type “%(type)s”: its weight counts as zero unless items are added.") % {"type": name})
    return warnings


# ---------------------------------------------------------------- the gradebook


@dataclass(frozen=True)
class GradebookColumn:
    """A graded item of the run, as a gradebook column."""

    key: str
    label: str
    lesson: str
    item_id: int
    kind: str
    type: str


@dataclass
class GradebookCell:
    """A learner's score on one item: the override in force if any, else the raw score, else
    nothing yet (`earned` None)."""

    key: str
    earned: Decimal | None = None
    possible: Decimal | None = None
    overridden: bool = False
    raw_earned: Decimal | None = None
    raw_possible: Decimal | None = None

    @property
    def percent(self):
        return share_percent(self.earned, self.possible)


@dataclass
class TypeAverage:
    type: str
    average: Decimal | None


@dataclass
class GradebookRow:
    enrolment: Enrolment
    name: str
    email: str
    cells: list
    averages: list
    percent: Decimal | None
    letter: str
    reaches_pass: bool | None
    passed_at: object
    standing: str


@dataclass
class GradebookFilters:
    """The gradebook's GET parameters, cleaned: unknown values are ignored."""

    q: str = ""
    status: str = ""
    letter: str = ""
    sort: str = "name"

    def as_params(self):
        return {name: value for name, value in (("q", self.q), ("status", self.status), ("letter", self.letter), ("sort", self.sort)) if value and not (name == "sort" and value == "name")}

    @property
    def active(self):
        return bool(self.q or self.status or self.letter)


def gradebook_filters(params, *, letters) -> GradebookFilters:
    status = params.get("status", "")
    letter = params.get("letter", "")
    sort = params.get("sort", "name")
    return GradebookFilters(
        q=(params.get("q") or "").strip()[:100],
        status=status if status in STANDING_FILTERS else "",
        letter=letter if letter in letters else "",
        sort=sort if sort in dict(SORT_CHOICES) else "name",
    )


@dataclass
class Gradebook:
    run: object
    columns: list
    policy: PolicySummary
    types: list
    filters: GradebookFilters
    rows: list
    total: int
    page: object = None
    enrolled: int = 0


def _gradebook_enrolments(*, run, filters):
    enrolments = (
        Enrolment.objects.filter(run=run, status=Enrolment.Status.ACTIVE)
        .select_related("user", "grade", "course_pass")
        .annotate(sort_name=Lower(Coalesce(
            NullIf("user__display_name", Value("")), NullIf("user__name_latin", Value("")), "user__email", output_field=CharField(),
        )))
    )
    if filters.q:
        words = Q()
        for name in ("display_name", "name_latin", "name_native", "first_name", "last_name", "email"):
            words |= Q(**{f"user__{name}__icontains": filters.q})
        enrolments = enrolments.filter(words)
    if filters.status:
        enrolments = enrolments.filter(STANDING_FILTERS[filters.status])
    if filters.letter:
        enrolments = enrolments.filter(grade__letter=filters.letter)
    if filters.sort == "-grade":
        order = [F("grade__percent").desc(nulls_last=True), "sort_name", "pk"]
    elif filters.sort == "grade":
        order = [F("grade__percent").asc(nulls_last=True), "sort_name", "pk"]
    else:
        order = ["sort_name", "pk"]
    return enrolments.order_by(*order)


def _record(enrolment):
    try:
        return enrolment.grade
    except CourseGradeRecord.DoesNotExist:
        return None


def _course_pass(enrolment):
    try:
        return enrolment.course_pass
    except CoursePass.DoesNotExist:
        return None


def _standing(record, course_pass):
    if course_pass is not None:
        return STANDING_PASSED
    if record is None:
        return STANDING_NONE
    return STANDING_PASSING if record.passed else STANDING_BELOW


def _gradebook_rows(enrolments, columns, types):
    """Rows of the given enrolments (user, grade and pass loaded): two queries, raw scores and
    overrides, whatever the number of learners."""
    entries = {
        (row["enrolment_id"], row["item_key"]): (row["earned"], row["possible"])
        for row in GradeEntry.objects.filter(enrolment__in=[e.pk for e in enrolments]).values("enrolment_id", "item_key", "earned", "possible")
    } if enrolments else {}
    overrides = overrides_in_force(enrolments=[e.pk for e in enrolments]) if enrolments else {}
    rows = []
    for enrolment in enrolments:
        record, course_pass = _record(enrolment), _course_pass(enrolment)
        cells = []
        for column in columns:
            raw = entries.get((enrolment.pk, column.key))
            cell = GradebookCell(key=column.key)
            if raw is not None:
                cell.raw_earned, cell.raw_possible = raw
                cell.earned, cell.possible = raw
            override = overrides.get((enrolment.pk, column.key))
            if override is not None:
                cell.earned, cell.possible, cell.overridden = override.earned, override.possible, True
            cells.append(cell)
        averages_by_type = {part["type"]: as_percent(part.get("average")) for part in (record.breakdown if record else ())}
        rows.append(GradebookRow(
            enrolment=enrolment, name=learner_name(enrolment.user), email=enrolment.user.email, cells=cells,
            averages=[TypeAverage(type=row["type"], average=averages_by_type.get(row["type"])) for row in types],
            percent=as_percent(record.percent) if record else None, letter=record.letter if record else "",
            reaches_pass=record.passed if record else None, passed_at=course_pass.passed_at if course_pass else None,
            standing=_standing(record, course_pass),
        ))
    return rows


def gradebook(*, run, params, page_number=None, per_page=GRADEBOOK_PAGE_SIZE) -> Gradebook:
    """The run's gradebook as the GET `params` filter and sort it: every active learner with
    their score on each graded item (an override marked), type averages, course grade, letter
    and standing. With `page_number` one page of `per_page` learners, else every learner (the
    exports). A constant number of queries."""
    graded_items = run_graded_items(run=run)
    policy = policy_summary(run=run, graded_items=graded_items)
    columns = [
        GradebookColumn(key=g["key"], label=g["label"], lesson=g["lesson"], item_id=g["item_id"], kind=g["kind"], type=g["type"])
        for g in graded_items
    ]
    filters = gradebook_filters(params, letters=policy.letters)
    enrolments = _gradebook_enrolments(run=run, filters=filters)
    page = None
    if page_number is not None:
        page = Paginator(enrolments, per_page).get_page(page_number)
        selected, total = list(page.object_list), page.paginator.count
    else:
        selected = list(enrolments)
        total = len(selected)
    enrolled = total if not filters.active else Enrolment.objects.filter(run=run, status=Enrolment.Status.ACTIVE).count()
    return Gradebook(
        run=run, columns=columns, policy=policy, types=policy.types, filters=filters,
        rows=_gradebook_rows(selected, columns, policy.types), total=total, page=page, enrolled=enrolled,
    )


# ---------------------------------------------------------------- one learner's breakdown


@dataclass
class BreakdownItem:
    """One item of a learner's breakdown. A `missing` item is a zero padded up to the type's
    expected count (no key, no lesson)."""

    key: str | None
    label: str
    lesson: str = ""
    item_id: int | None = None
    kind: str = ""
    target: int | None = None
    due_after_days: int | None = None
    earned: Decimal | None = None
    possible: Decimal | None = None
    dropped: bool = False
    missing: bool = False
    excluded: bool = False
    overridden: bool = False
    raw: tuple | None = None
    override: GradeOverride | None = None
    # The learner's view: whether the marks are withheld, and the state of the work.
    hidden: bool = False
    marks_release_at: object = None
    state: str = ""
    due_at: object = None
    newer_awaiting_review: bool = False
    # The gradebook's forms for this item (set by the view).
    override_form: object = None
    clear_form: object = None
    form_open: bool = False

    @property
    def percent(self):
        return share_percent(self.earned, self.possible)

    @property
    def scored(self):
        return self.raw is not None or self.override is not None

    @property
    def full_marks(self):
        """The points to prefill an override with: the raw score's possible points, else those the
        breakdown counted, else the override's."""
        if self.raw is not None:
            return self.raw[1]
        if self.override is None and self.possible is not None:
            return self.possible
        return self.override.possible if self.override is not None else None


@dataclass
class BreakdownType:
    type: str
    short_label: str = ""
    weight: Decimal | None = None
    average: Decimal | None = None
    weighted: Decimal | None = None
    items: list = field(default_factory=list)
    counted: bool = True
    hidden: bool = False


def enrolment_breakdown(*, graded_items, policy_types, record, entries, overrides, enrolment_id) -> list:
    """The learner's grade by type (the record's breakdown, with each item's lesson, raw score and
    override), then the items whose type the policy does not weigh. Without a record (nothing
    computed yet) the items are grouped by the policy's types with their scores so far."""
    by_key = {graded["key"]: graded for graded in graded_items}

    def item_of(key, label, **values):
        graded = by_key.get(key, {})
        override = overrides.get((enrolment_id, key))
        item = BreakdownItem(
            key=key, label=label or graded.get("label", ""), lesson=graded.get("lesson", ""), item_id=graded.get("item_id"),
            kind=graded.get("kind", ""), target=graded.get("target"), due_after_days=graded.get("due_after_days"),
            raw=entries.get(key), override=override, **values,
        )
        if "earned" not in values:
            pair = (override.earned, override.possible) if override is not None else entries.get(key)
            if pair is not None:
                item.earned, item.possible = pair
            item.overridden = override is not None
        return item

    sections, placed = [], set()
    if record is not None and record.breakdown:
        for part in record.breakdown:
            section = BreakdownType(
                type=part["type"], short_label=part.get("short_label") or "", weight=as_percent(part.get("weight")),
                average=as_percent(part.get("average")), weighted=as_percent(part.get("weighted")),
            )
            for entry in part["items"]:
                flags = {name: bool(entry.get(name)) for name in ("dropped", "missing", "excluded", "overridden")}
                values = {"earned": _decimal(entry.get("earned")), "possible": _decimal(entry.get("possible")), **flags}
                if entry.get("key") is None:
                    section.items.append(BreakdownItem(key=None, label=entry.get("label", ""), **values))
                else:
                    placed.add(entry["key"])
                    section.items.append(item_of(entry["key"], entry.get("label", ""), **values))
            sections.append(section)
    else:
        for row in policy_types:
            section = BreakdownType(type=row["type"], short_label=row.get("short_label") or "", weight=Decimal(row["weight"]).quantize(CENT))
            for graded in graded_items:
                if graded["type"] == row["type"]:
                    placed.add(graded["key"])
                    section.items.append(item_of(graded["key"], graded["label"]))
            sections.append(section)
    unweighted = {}
    for graded in graded_items:
        if graded["key"] not in placed:
            unweighted.setdefault(graded["type"], BreakdownType(type=graded["type"], counted=False)).items.append(item_of(graded["key"], graded["label"]))
    return sections + list(unweighted.values())


@dataclass
class LearnerGrades:
    """What the gradebook shows of one learner."""

    enrolment: Enrolment
    record: CourseGradeRecord | None
    course_pass: CoursePass | None
    policy: PolicySummary
    sections: list
    items: dict
    audit: list

    @property
    def percent(self):
        return as_percent(self.record.percent) if self.record else None


def _enrolment_grades(enrolment):
    """The run's graded items and policy, and the learner's grade record, pass and breakdown."""
    run = enrolment.run
    graded_items = run_graded_items(run=run)
    policy = policy_summary(run=run, graded_items=graded_items)
    record = CourseGradeRecord.objects.filter(enrolment=enrolment).first()
    course_pass = CoursePass.objects.filter(enrolment=enrolment).first()
    entries = {row["item_key"]: (row["earned"], row["possible"]) for row in GradeEntry.objects.filter(enrolment=enrolment).values("item_key", "earned", "possible")}
    overrides = overrides_in_force(enrolments=[enrolment.pk])
    sections = enrolment_breakdown(
        graded_items=graded_items, policy_types=policy.types, record=record, entries=entries, overrides=overrides, enrolment_id=enrolment.pk,
    )
    return graded_items, policy, record, course_pass, sections


def learner_grades(*, enrolment) -> LearnerGrades:
    """One learner's breakdown for the gradebook, with every override row of theirs (the audit
    trail, newest first)."""
    graded_items, policy, record, course_pass, sections = _enrolment_grades(enrolment)
    labels = {graded["key"]: graded["label"] for graded in graded_items}
    audit = list(GradeOverride.objects.filter(enrolment=enrolment).select_related("changed_by").order_by("-changed_at", "-pk"))
    for row in audit:
        row.item_label = labels.get(row.item_key, row.item_key)
    items = {item.key: item for section in sections for item in section.items if item.key}
    return LearnerGrades(enrolment=enrolment, record=record, course_pass=course_pass, policy=policy, sections=sections, items=items, audit=audit)


# ---------------------------------------------------------------- the learner's own page


QUIZ_SCORED, QUIZ_NOT_ATTEMPTED = "scored", "not_attempted"
WORK_REVIEWED, WORK_AWAITING_REVIEW, WORK_NOT_HANDED_IN = "reviewed", "awaiting_review", "not_handed_in"


@dataclass
class LearnerProgress:
    """The learner's own grade page: the breakdown with withheld marks hidden, and what passing
    still needs."""

    record: CourseGradeRecord | None
    course_pass: CoursePass | None
    policy: PolicySummary
    sections: list
    totals_hidden: bool
    lessons_left: list
    graded: bool

    @property
    def percent(self):
        return as_percent(self.record.percent) if self.record else None

    @property
    def below_pass_mark(self):
        return self.record is not None and not self.record.passed


def learner_progress(*, enrolment, progress, now=None) -> LearnerProgress:
    """The learner's grades as they may see them now. A quiz's marks show only when its review
    options allow marks (`courses.review`), judged against the quiz block's due date in the run;
    while any mark is withheld, the type average it is part of, the course grade and the letter
    are withheld too. An assignment shows its marks once reviewed, else whether it awaits review
    or was not handed in. `progress` is the learner's `courses.progress.RunProgress`."""
    from .blocks import quiz_due_at
    from .review import AFTER_DUE, review_visibility

    now = now or timezone.now()
    run = enrolment.run
    graded_items, policy, record, course_pass, sections = _enrolment_grades(enrolment)
    quizzes = Quiz.objects.in_bulk([graded["target"] for graded in graded_items if graded["kind"] == "quiz"])
    newest = {}
    if any(graded["kind"] == "assignment" for graded in graded_items):
        for submission in Submission.objects.filter(enrolment=enrolment).order_by("number").values("block_id", "reviewed_at"):
            newest[f"assignment:{submission['block_id']}"] = submission
    totals_hidden = False
    for section in sections:
        for item in section.items:
            if item.key is None:
                continue
            item.due_at = quiz_due_at(run=run, value={"due_after_days": item.due_after_days})
            if item.kind == "quiz":
                item.state = QUIZ_SCORED if item.scored else QUIZ_NOT_ATTEMPTED
                quiz = quizzes.get(item.target)
                options = quiz.review_options if quiz is not None else {}
                if item.scored and not review_visibility(options, now=now, due_at=item.due_at, submitted=True)["marks"]:
                    item.hidden = True
                    if options.get("marks") == AFTER_DUE:
                        item.marks_release_at = item.due_at
            elif item.kind == "assignment":
                submission = newest.get(item.key)
                if item.scored:
                    item.state = WORK_REVIEWED
                    item.newer_awaiting_review = submission is not None and submission["reviewed_at"] is None
                else:
                    item.state = WORK_AWAITING_REVIEW if submission is not None else WORK_NOT_HANDED_IN
            if item.hidden:
                section.hidden = True
        if section.hidden and section.counted:
            totals_hidden = True
    lessons_left = [
        lesson for row in progress.modules for lesson in row.lessons
        if lesson.required and lesson.item_id not in progress.completed_ids
    ]
    return LearnerProgress(
        record=record, course_pass=course_pass, policy=policy, sections=sections, totals_hidden=totals_hidden,
        lessons_left=lessons_left, graded=bool(policy.types),
    )
