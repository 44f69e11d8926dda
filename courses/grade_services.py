"""Grades: a run's grading policy, each learner's persistent course grade recomputed whenever
something it depends on changes, gradebook overrides with their reason, the record of passing a
run, and the competency evidence of quiz and rubric results.

The arithmetic is `courses.grading` (Open edX's ``GRADER``); this module gathers the scores.
A quiz counts with the learner's best submitted attempt (Moodle's default "highest grade"), an
assignment with its newest reviewed submission; an item not yet scored counts as zero out of
its full marks. Passing is recorded once, when the grade reaches the lowest cutoff and every
required lesson is done, and announced with the `courses.signals.course_run_passed` signal once
the transaction commits, so other apps (certificates) act on it without this app knowing them."""

from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from . import grading
from .models import (
    AttemptAnswer,
    CompetencyEvidence,
    CourseGradeRecord,
    CoursePass,
    Enrolment,
    GradeCutoff,
    GradeEntry,
    GradeOverride,
    GradingType,
    ProgramCompletion,
    ProgramPage,
    Quiz,
    QuizAttempt,
    RunContentItem,
    Submission,
)
from .progress import program_progress
from .selectors import program_requirement_rules
from .signals import course_run_passed, program_completed

HUNDRED = Decimal(100)
DEFAULT_PASS = Decimal(50)
# Stored in grades and passes, so not translated: a letter is data, like the letters a run sets.
DEFAULT_PASS_LETTER = "Pass"


# ---------------------------------------------------------------- graded items and the policy


def run_graded_items(*, run) -> list:
    """The graded quizzes and assignments the run teaches, in course order: the published
    `graded_items` of each lesson, with the lesson's id and title."""
    items, keys = [], set()
    lessons = RunContentItem.objects.filter(
        run=run, kind=RunContentItem.Kind.LESSON, retired=False, revision__isnull=False,
    ).order_by("position").values("pk", "title", "graded_items")
    for lesson in lessons:
        for graded in lesson["graded_items"] or ():
            # A copied lesson keeps its blocks' ids (Wagtail does not renew them), so two lessons
            # may hold the same key. Attempts and submissions are keyed by block id, so both are
            # one item: it counts once, where it first appears, rather than failing every grade.
            if graded["key"] in keys:
                continue
            keys.add(graded["key"])
            items.append({**graded, "item_id": lesson["pk"], "lesson": lesson["title"]})
    return items


def default_policy_rows(graded_items):
    """The policy a run has until someone sets one: every type its lessons use, equally weighted
    and expecting as many items as there are, and a pass at 50 %."""
    counts = {}
    for graded in graded_items:
        counts[graded["type"]] = counts.get(graded["type"], 0) + 1
    types = list(counts)
    weights = _equal_percentages(len(types))
    return (
        [{"type": name, "short_label": "", "weight": weight, "min_count": counts[name], "drop_count": 0} for name, weight in zip(types, weights)],
        [{"letter": DEFAULT_PASS_LETTER, "minimum": DEFAULT_PASS}],
    )


def _equal_percentages(count):
    """`count` percentages with two decimals adding up to exactly 100 (the first take the cents left)."""
    if not count:
        return []
    base = (HUNDRED / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    rest = int((HUNDRED - base * count) * 100)
    return [base + (Decimal("0.01") if index < rest else 0) for index in range(count)]


def run_policy_rows(*, run, graded_items=None):
    """The run's policy as rows (type dicts and cutoff dicts) and whether it is the default."""
    types = list(GradingType.objects.filter(run=run).order_by("position", "pk").values("type", "short_label", "weight", "min_count", "drop_count"))
    cutoffs = list(GradeCutoff.objects.filter(run=run).order_by("-minimum").values("letter", "minimum"))
    if types or cutoffs:
        return types, cutoffs, False
    types, cutoffs = default_policy_rows(run_graded_items(run=run) if graded_items is None else graded_items)
    return types, cutoffs, True


def policy_from_rows(types, cutoffs) -> grading.GradingPolicy:
    """The `courses.grading` policy of rows whose weights and minimums are percentages."""
    return grading.GradingPolicy(
        types=tuple(
            grading.AssignmentType(
                type=row["type"], weight=Fraction(Decimal(row["weight"])) / 100, min_count=row["min_count"],
                drop_count=row["drop_count"], short_label=row.get("short_label") or "",
            )
            for row in types
        ),
        cutoffs={row["letter"]: Fraction(Decimal(row["minimum"])) / 100 for row in cutoffs},
    )


@transaction.atomic
def grading_policy_save(*, run, types, cutoffs, by) -> None:
    """Replace the run's policy (rows as `run_policy_rows` gives them, percentages) after checking
    it with `courses.grading.policy_validate`, then recompute every learner's grade. A
    `ValidationError` lists every problem and nothing changes."""
    from .services import _manage_check

    _manage_check(by, run.course)
    problems = []
    try:
        grading.policy_validate(policy_from_rows(types, cutoffs))
    except grading.GradingPolicyError as error:
        problems.extend(error.problems)
    # The policy is checked as a dict of letters, so a letter listed twice would lose one row
    # there and break the unique constraint here.
    letters = [row["letter"] for row in cutoffs]
    for letter in sorted({letter for letter in letters if letters.count(letter) > 1}):
        problems.append(_("The grade “%(letter)s” is listed more than once.") % {"letter": letter})
    type_rows = [
        GradingType(run=run, position=position, **{key: row[key] for key in ("type", "short_label", "weight", "min_count", "drop_count")})
        for position, row in enumerate(types)
    ]
    cutoff_rows = [GradeCutoff(run=run, letter=row["letter"], minimum=row["minimum"]) for row in cutoffs]
    # What was checked must be what is stored: a weight with three decimals would be rounded by
    # the database into a policy that no longer sums to 100, a name cut to its column's length.
    for row in type_rows + cutoff_rows:
        try:
            row.full_clean(exclude=["run"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.extend(f"{row}: {message}" for message in error.messages)
    if problems:
        raise ValidationError(problems)
    GradingType.objects.filter(run=run).delete()
    GradeCutoff.objects.filter(run=run).delete()
    GradingType.objects.bulk_create(type_rows)
    GradeCutoff.objects.bulk_create(cutoff_rows)
    run_grades_recompute(run=run)


# ---------------------------------------------------------------- scores and grades


def _item_possible(graded, cache):
    """The full marks of a graded item: a quiz's marks, an assignment's rubric maximum."""
    key = (graded["kind"], graded["target"])
    if key not in cache:
        if graded["kind"] == "quiz":
            quiz = Quiz.objects.filter(pk=graded["target"]).prefetch_related("slots", "draws").first()
            cache[key] = (
                sum((slot.marks for slot in quiz.slots.all()), Decimal(0)) + sum((draw.marks * draw.count for draw in quiz.draws.all()), Decimal(0))
                if quiz else Decimal(0)
            )
        else:
            from .models import Assignment
            from .rubric_services import rubric_spec_of
            from .rubrics import rubric_max_points

            assignment = Assignment.objects.filter(pk=graded["target"]).select_related("rubric").first()
            cache[key] = rubric_max_points(rubric_spec_of(rubric=assignment.rubric)) if assignment else Decimal(0)
    return cache[key]


def _raw_scores(enrolment):
    """{item key: (earned, possible)} of the learner's scored items: best quiz attempt, newest
    reviewed submission."""
    scores = {}
    for attempt in QuizAttempt.objects.filter(enrolment=enrolment, submitted_at__isnull=False).values("block_id", "earned", "possible"):
        key = f"quiz:{attempt['block_id']}"
        current = scores.get(key)
        pair = (attempt["earned"], attempt["possible"])
        if current is None or _fraction(pair) > _fraction(current):
            scores[key] = pair
    for submission in Submission.objects.filter(enrolment=enrolment, reviewed_at__isnull=False).order_by("number").values("block_id", "earned", "possible"):
        scores[f"assignment:{submission['block_id']}"] = (submission["earned"], submission["possible"])
    return scores


def _fraction(pair):
    earned, possible = pair
    return Fraction(earned) / Fraction(possible) if possible else Fraction(-1)


def overrides_in_force(*, enrolments) -> dict:
    """{(enrolment id, item key): GradeOverride} of the newest override row per item that sets
    points (a clearing row removes the override)."""
    newest = {}
    for row in GradeOverride.objects.filter(enrolment__in=enrolments).order_by("changed_at", "pk"):
        newest[(row.enrolment_id, row.item_key)] = row
    return {key: row for key, row in newest.items() if not row.clears}


@transaction.atomic
def enrolment_grade_recompute(*, enrolment, graded_items=None, policy_rows=None, possible_cache=None) -> CourseGradeRecord | None:
    """Refresh the learner's raw scores and course grade (None when the run grades nothing), then
    record a pass if it is due."""
    run = enrolment.run
    graded_items = run_graded_items(run=run) if graded_items is None else graded_items
    types, cutoffs, _default = policy_rows or run_policy_rows(run=run, graded_items=graded_items)
    if not types:
        # The run grades nothing: no grade, and passing is completing the required lessons.
        CourseGradeRecord.objects.filter(enrolment=enrolment).delete()
        course_pass_check(enrolment=enrolment, graded=False)
        return None
    possible_cache = {} if possible_cache is None else possible_cache
    # Recomputes of one learner take turns on the grade row: a quiz submitted while a review is
    # saved would otherwise each read the scores without the other's, and the later write would
    # lose one. Read after the lock, the scores include what the other transaction committed.
    # The grade row, not the enrolment: callers already hold an attempt's or a submission's row,
    # and a learner's own writes lock the enrolment first and those rows second.
    CourseGradeRecord.objects.get_or_create(enrolment=enrolment, defaults={"percent": 0, "computed_at": timezone.now()})
    CourseGradeRecord.objects.select_for_update().filter(enrolment=enrolment).first()
    raw = _raw_scores(enrolment)
    GradeEntry.objects.filter(enrolment=enrolment).exclude(item_key__in=list(raw)).delete()
    for key, (earned, possible) in raw.items():
        GradeEntry.objects.update_or_create(enrolment=enrolment, item_key=key, defaults={"earned": earned, "possible": possible})
    overrides = overrides_in_force(enrolments=[enrolment])
    scores, override_pairs = [], {}
    for graded in graded_items:
        key = graded["key"]
        earned, possible = raw.get(key) or (Decimal(0), _item_possible(graded, possible_cache))
        scores.append(grading.ItemScore(item_id=key, type=graded["type"], earned=Decimal(earned), possible=Decimal(possible), label=graded["label"]))
        override = overrides.get((enrolment.pk, key))
        if override is not None:
            override_pairs[key] = (override.earned, override.possible)
    result = grading.course_grade(policy_from_rows(types, cutoffs), scores, overrides=override_pairs)
    record, _created = CourseGradeRecord.objects.update_or_create(
        enrolment=enrolment,
        defaults={
            "percent": result.percent, "letter": result.letter or "", "passed": result.passed,
            "breakdown": breakdown_json(result), "computed_at": timezone.now(),
        },
    )
    course_pass_check(enrolment=enrolment, record=record)
    return record


def breakdown_json(result: grading.CourseGrade) -> list:
    """The grade's breakdown as JSON (decimals as strings), for the progress page and gradebook."""

    def plain(value):
        return None if value is None else str(value)

    return [
        {
            "type": part.type, "short_label": part.short_label, "weight": plain(part.weight), "average": plain(part.average),
            "weighted": plain(part.weighted),
            "items": [
                {
                    **{name: plain(getattr(item, name)) for name in ("earned", "possible", "fraction")},
                    "key": item.item_id, "label": item.label,
                    **{name: getattr(item, name) for name in ("dropped", "missing", "excluded", "overridden")},
                }
                for item in part.items
            ],
        }
        for part in result.breakdown
    ]


def run_grades_recompute(*, run) -> int:
    """Recompute the grade of every enrolled learner of the run; returns how many."""
    graded_items = run_graded_items(run=run)
    policy_rows = run_policy_rows(run=run, graded_items=graded_items)
    cache = {}
    # In primary key order, so two recomputes of the run lock the learners' grades in one order.
    enrolments = list(Enrolment.objects.filter(run=run, status=Enrolment.Status.ACTIVE).select_related("run").order_by("pk"))
    for enrolment in enrolments:
        enrolment_grade_recompute(enrolment=enrolment, graded_items=graded_items, policy_rows=policy_rows, possible_cache=cache)
    return len(enrolments)


# ---------------------------------------------------------------- overrides


@transaction.atomic
def grade_override_set(*, enrolment, item_key, earned, possible, reason, by, now=None) -> GradeOverride:
    """Override one learner's score on one graded item, with a reason; `earned=None` clears the
    override. Every change is a new row (the audit trail); the grade is recomputed."""
    from .services import _manage_check

    _manage_check(by, enrolment.run.course)
    reason = (reason or "").strip()
    errors = {}
    graded = {item["key"]: item for item in run_graded_items(run=enrolment.run)}
    if item_key not in graded:
        raise ValidationError(_("That item is not graded in this run."))
    if not reason:
        errors["reason"] = [_("Say why the score changes; the learner's record keeps it.")]
    if earned is not None:
        possible = _item_possible(graded[item_key], {}) if possible is None else possible
        if earned < 0 or possible <= 0 or earned > possible:
            errors["earned"] = [_("Give points from 0 to %(possible)s.") % {"possible": possible}]
    else:
        possible = None
    if errors:
        raise ValidationError(errors)
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    previous = overrides_in_force(enrolments=[enrolment]).get((enrolment.pk, item_key))
    if previous is None:
        entry = GradeEntry.objects.filter(enrolment=enrolment, item_key=item_key).first()
        before = (entry.earned, entry.possible) if entry else (None, None)
        if earned is None:
            raise ValidationError(_("This score has no override to remove."))
    else:
        before = (previous.earned, previous.possible)
    row = GradeOverride.objects.create(
        enrolment=enrolment, item_key=item_key, earned=earned, possible=possible, previous_earned=before[0],
        previous_possible=before[1], reason=reason, changed_by=by, changed_at=now or timezone.now(),
    )
    enrolment_grade_recompute(enrolment=enrolment)
    return row


# ---------------------------------------------------------------- passing


def course_pass_check(*, enrolment, record=None, graded=None) -> CoursePass | None:
    """Record that the learner passed the run, once: when every required lesson is done and the
    course grade reaches the pass mark (a run that grades nothing is passed by its lessons, with
    no grade). Announced with `course_run_passed` after commit."""
    existing = CoursePass.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if enrolment.completed_at is None or enrolment.status != Enrolment.Status.ACTIVE:
        return None
    if graded is None:
        graded = bool(run_policy_rows(run=enrolment.run)[0])
    if graded:
        record = record or CourseGradeRecord.objects.filter(enrolment=enrolment).first()
        if record is None or not record.passed:
            return None
        grade = {"percent": record.percent, "letter": record.letter}
    else:
        grade = {"percent": None, "letter": ""}
    course_pass, created = CoursePass.objects.get_or_create(enrolment=enrolment, defaults={**grade, "passed_at": timezone.now()})
    if created:
        transaction.on_commit(lambda: course_run_passed.send(sender=CoursePass, course_pass=course_pass, enrolment=enrolment))
        program_completions_record(user=enrolment.user, now=course_pass.passed_at)
    return course_pass


def program_completions_record(*, user, now=None) -> list[ProgramCompletion]:
    """Record, once each, the programs the learner has now completed: every requirement met by
    courses they passed (a course passed in any language counts, by its translation key). Each
    new completion is announced with `program_completed` after commit. Returns the new ones."""
    passed_keys = set(
        CoursePass.objects.filter(enrolment__user=user).values_list("enrolment__run__course__translation_key", flat=True)
    )
    if not passed_keys:
        return []
    done = set(ProgramCompletion.objects.filter(user=user).values_list("program_id", flat=True))
    # One program per translation: the program in its source language (its first locale row).
    programs = (
        ProgramPage.objects.live().filter(requirements__courses__translation_key__in=passed_keys).exclude(pk__in=done)
        .distinct().order_by("translation_key", "pk").prefetch_related("requirements__courses")
    )
    seen_keys, created = set(), []
    for program in programs:
        if program.translation_key in seen_keys:
            continue
        seen_keys.add(program.translation_key)
        requirements = program_requirement_rules(program.requirements.all())
        if not program_progress(requirements=requirements, completed_course_keys=passed_keys).complete:
            continue
        if ProgramCompletion.objects.filter(user=user, program__translation_key=program.translation_key).exists():
            continue
        completion = ProgramCompletion.objects.create(user=user, program=program, completed_at=now or timezone.now())
        transaction.on_commit(lambda c=completion: program_completed.send(sender=ProgramCompletion, program_completion=c))
        created.append(completion)
    return created


# ---------------------------------------------------------------- competency evidence


def quiz_evidence_record(*, attempt) -> int:
    """Evidence for each competency of the attempt's questions when the learner earned at least
    half of those questions' marks. Returns how many pieces were added."""
    answers = AttemptAnswer.objects.filter(attempt=attempt).select_related("version__question").prefetch_related(
        Prefetch("version__question__competencies"),
    )
    totals = {}
    for answer in answers:
        for competency in answer.version.question.competencies.all():
            earned, possible = totals.get(competency.pk, (Decimal(0), Decimal(0)))
            totals[competency.pk] = (earned + answer.marks * (answer.fraction or 0), possible + answer.marks)
    enrolment = attempt.enrolment
    rows = [
        CompetencyEvidence(
            user_id=enrolment.user_id, competency_id=competency_id, kind=CompetencyEvidence.Kind.QUIZ,
            source_key=f"quiz:{enrolment.run_id}:{attempt.block_id}"[:80], label=attempt.quiz.title[:255],
        )
        for competency_id, (earned, possible) in totals.items()
        if possible and earned * 2 >= possible
    ]
    return _evidence_add(rows)


def rubric_evidence_record(*, submission, review) -> int:
    """Evidence for the competency of each criterion the review placed at half its points or more."""
    rows = [
        CompetencyEvidence(
            user_id=submission.enrolment.user_id, competency_id=score.competency_id, kind=CompetencyEvidence.Kind.RUBRIC,
            source_key=f"rubric:{submission.enrolment.run_id}:{submission.block_id}:{score.criterion_id}"[:80],
            label=f"{submission.assignment.title} — {score.criterion_title}"[:255],
        )
        for score in review.scores.all()
        if score.competency_id and score.max_points and score.points * 2 >= score.max_points
    ]
    return _evidence_add(rows)


def _evidence_add(rows) -> int:
    """Store the pieces of evidence not stored yet and say how many that was: `bulk_create`
    with `ignore_conflicts` returns every row given, stored or not."""
    if not rows:
        return 0
    existing = set(CompetencyEvidence.objects.filter(
        user_id__in={row.user_id for row in rows}, source_key__in={row.source_key for row in rows},
    ).values_list("user_id", "competency_id", "source_key"))
    new = [row for row in rows if (row.user_id, row.competency_id, row.source_key) not in existing]
    # ignore_conflicts still: a concurrent attempt may store the same piece in between.
    CompetencyEvidence.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
