"""The practicum grade (issue "Practicum II", point 6): a mentor of the run scores the team's
work with the project's rubric, comments and signs off; the grade mixes the rubric score with
the KPI score of the store's latest snapshot (`practicum.kpis.grade_record`) and is pinned to
that snapshot's digest, so that it recomputes to the same value (`grade_verify`).

- The KPI weights are the project's `ProjectKpi` rows, the targets `kpis.default_targets` of the
  project's starting capital, the KPI share `kpi_weight_pct` (100 when the project has no
  rubric: it grades on KPIs alone).
- A re-grade supersedes the store's current grade in the same transaction: one grade per store
  is current, the earlier ones stay as its history.
- A grade at or above the project's pass mark records a `PracticumPass` for every accepted member
  of the team, once per person and run, announced with `practicum.signals.practicum_passed`
  after the transaction commits (`courses.grade_services.course_pass_check`'s pattern). A pass
  once recorded stands: a later re-grade below the pass mark does not withdraw it, as a
  `CoursePass` is never withdrawn (a certificate may already have been issued on it); the
  grade page shows the current grade and its history.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.rubric_services import rubric_spec_of
from courses.rubrics import RubricScoringError, RubricSpecError, rubric_score, rubric_spec_validate

from . import kpis
from .kpi_services import kpi_inputs_from_json, kpi_snapshot_of
from .project_models import PracticumProject
from .review_models import KpiSnapshotRecord, PracticumGrade, PracticumPass
from .run_models import RunParticipant, Store
from .run_services import user_is_run_mentor
from .signals import practicum_passed


def project_weights(project: PracticumProject) -> dict[kpis.KpiKind, int]:
    """{KPI kind: weight %} of the project's KPIs (uses a prefetched `kpis` when there is one)."""
    return {kpis.KpiKind(row.kind): row.weight_pct for row in project.kpis.all()}


def project_targets(project: PracticumProject):
    """The KPI targets of the project: the defaults for its starting capital."""
    return kpis.default_targets(starting_capital_minor=project.starting_capital_minor)


def project_kpi_weight(project: PracticumProject) -> int:
    """The KPI score's share of the grade: the project's, or 100 without a rubric."""
    return project.kpi_weight_pct if project.rubric_id else kpis.WEIGHTS_TOTAL


def latest_snapshot(*, store: Store) -> KpiSnapshotRecord | None:
    return KpiSnapshotRecord.objects.filter(store=store).order_by("-day_number").first()


@transaction.atomic
def grade_sign_off(*, store: Store, choices: dict, comment: str, by) -> PracticumGrade:
    """A mentor of the run signs off the store's grade: `choices` ({criterion key: level key},
    keys as `courses.rubric_services.rubric_spec_from` gives them) scored with the project's
    rubric, mixed with the KPI score of the store's latest snapshot. Supersedes the current grade;
    records and announces the members' passes when it passes. PermissionDenied for anyone but a
    mentor of the run; ValidationError (nothing saved) with no snapshot yet, choices that do not
    fit the rubric or KPI settings that cannot grade."""
    store = (Store.objects.select_for_update(of=("self",)).select_related("team", "run__project__organisation")
             .get(pk=store.pk))
    run, project = store.run, store.run.project
    if not user_is_run_mentor(user=by, run=run):
        raise PermissionDenied(_("Only the project's mentors can grade its teams."))
    record = latest_snapshot(store=store)
    if record is None:
        raise ValidationError(_("Play at least one day before grading: the grade is computed from the store's KPI snapshot."))
    snapshot = kpi_snapshot_of(record)
    if snapshot.digest() != record.digest:
        raise ValidationError(_("The store's latest KPI snapshot does not match its digest; it cannot be graded on."))
    rubric_earned = rubric_possible = rubric_pct = None
    choices = {str(key): str(value) for key, value in (choices or {}).items()}
    if project.rubric_id:
        try:
            spec = rubric_spec_validate(rubric_spec_of(rubric=project.rubric))
            score = rubric_score(spec, choices)
        except RubricSpecError as error:
            raise ValidationError(_("The project's rubric cannot score: %(error)s") % {"error": error}) from None
        except RubricScoringError as error:
            raise ValidationError(str(error)) from None
        rubric_earned, rubric_possible = score.earned, score.possible
        try:
            rubric_pct = kpis.rubric_pct(score.earned, score.possible)
        except kpis.KpiError as error:
            raise ValidationError(str(error)) from None
    elif choices:
        raise ValidationError(_("The project has no rubric: it is graded on its KPIs alone."))
    try:
        result = kpis.grade_record(snapshot, weights=project_weights(project), targets=project_targets(project),
                                   kpi_weight_pct=project_kpi_weight(project), rubric_score_pct=rubric_pct)
    except kpis.KpiError as error:
        raise ValidationError(_("The project's KPI settings cannot grade: %(error)s") % {"error": error}) from None
    now = timezone.now()
    PracticumGrade.objects.filter(store=store, superseded=False).update(superseded=True)
    grade = PracticumGrade(
        store=store, snapshot=record, snapshot_digest=record.digest, rubric_choices=choices,
        rubric_earned=rubric_earned, rubric_possible=rubric_possible, record=result.as_dict(),
        kpi_score=result.kpi_score, rubric_score_pct=result.rubric_score_pct, grade=result.grade,
        pass_grade_pct=project.pass_grade_pct, passed=result.grade >= project.pass_grade_pct,
        comment=(comment or "").strip(), signed_off_by=by, signed_off_at=now,
    )
    grade.full_clean()
    grade.save()
    if grade.passed:
        practicum_passes_record(grade=grade)
    return grade


def practicum_passes_record(*, grade: PracticumGrade) -> list[PracticumPass]:
    """A pass for every accepted member of the graded team who has none for the run yet, each
    announced with `practicum_passed` once the transaction commits; returns the new ones."""
    store = grade.store
    members = (RunParticipant.objects.filter(team_id=store.team_id, status=RunParticipant.Status.ACCEPTED)
               .select_related("user").order_by("pk"))
    created = []
    for member in members:
        practicum_pass, new = PracticumPass.objects.get_or_create(
            user=member.user, run_id=store.run_id, defaults={"grade": grade, "passed_at": grade.signed_off_at})
        if new:
            created.append(practicum_pass)
            transaction.on_commit(lambda p=practicum_pass: practicum_passed.send(sender=PracticumPass, practicum_pass=p, grade=grade))
    return created


# Verification.


@dataclass(frozen=True)
class GradeCheck:
    """Whether a stored grade recomputes to itself, and why not."""

    ok: bool
    problem: str = ""

    def __bool__(self):
        return self.ok


def grade_verify(grade: PracticumGrade) -> GradeCheck:
    """Recompute `grade` from its stored snapshot (select_related `snapshot` to save a query):
    the snapshot's figures give its values, its canonical form gives its digest (the one the
    record and the grade name), the `GradeRecord` recomputes from it to itself, and the grade's
    columns and pass are the record's."""
    record = grade.snapshot
    try:
        snapshot = kpi_snapshot_of(record)
        if snapshot.digest() != record.digest:
            return GradeCheck(False, _("The KPI snapshot does not match its digest."))
        if record.digest != grade.snapshot_digest:
            return GradeCheck(False, _("The grade names another snapshot digest."))
        inputs = kpi_inputs_from_json(record.inputs)
        if kpis.kpi_snapshot(store=snapshot.store, day=snapshot.day, inputs=inputs) != snapshot:
            return GradeCheck(False, _("The snapshot's figures do not give its KPI values."))
        stored = kpis.GradeRecord.from_dict(grade.record)
        stored.verify(snapshot)
    except kpis.KpiError as error:
        return GradeCheck(False, str(error))
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        return GradeCheck(False, f"{type(error).__name__}: {error}")
    rubric = None if grade.rubric_score_pct is None else Decimal(grade.rubric_score_pct)
    if (Decimal(grade.grade), Decimal(grade.kpi_score), rubric) != (stored.grade, stored.kpi_score, stored.rubric_score_pct):
        return GradeCheck(False, _("The grade's figures are not those of its record."))
    if grade.passed != (stored.grade >= grade.pass_grade_pct):
        return GradeCheck(False, _("The pass does not follow from the grade and the pass mark."))
    return GradeCheck(True)


__all__ = [
    "GradeCheck", "grade_sign_off", "grade_verify", "latest_snapshot", "practicum_passes_record", "project_kpi_weight",
    "project_targets", "project_weights",
]
