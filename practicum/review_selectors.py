"""Reads of the KPI dashboards and the grade pages (issue "Practicum II", point 6), each in a
fixed number of queries whatever the number of teams and days played: the run's teams side by
side on their latest KPI snapshot and their snapshots over the days (mentors), one store's
snapshots with the KPI score's breakdown and its grades (the team and the run's mentors), and
the rubric a mentor grades with.

Values stay Decimal (KPI values from the stored canonical snapshots) and money in CNY; the views
format them for the reader's locale. Who may read what is the views' business
(`store_selectors.store_access`, `run_services.user_is_run_mentor`).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from courses.models import Rubric, RubricCriterion

from . import kpis
from .grade_services import GradeCheck, grade_verify, project_kpi_weight, project_targets, project_weights
from .kpi_services import kpi_inputs_from_json
from .project_models import PracticumProject, ProjectKpi
from .review_models import KpiSnapshotRecord, PracticumGrade
from .run_models import PracticumRun, Store

KIND_LABELS = dict(ProjectKpi.Kind.choices)


def kpi_label(kind) -> str:
    return str(KIND_LABELS[str(kind)])


@dataclass(frozen=True)
class KpiColumn:
    kind: kpis.KpiKind
    label: str
    weight_pct: int | None  # None: measured but not weighted in the score


def kpi_columns(weights: dict) -> list[KpiColumn]:
    """Every KPI, the weighted ones first (in `KpiKind` order), then the others."""
    weighted = [KpiColumn(kind, kpi_label(kind), weights[kind]) for kind in kpis.KpiKind if kind in weights]
    others = [KpiColumn(kind, kpi_label(kind), None) for kind in kpis.KpiKind if kind not in weights]
    return weighted + others


def snapshot_values(canonical: dict) -> dict[kpis.KpiKind, Decimal | None]:
    """{kind: value} of a stored canonical snapshot (trusting it: the grade page checks digests)."""
    return {kpis.KpiKind(kind): None if value is None else Decimal(value) for kind, value in canonical["values"].items()}


def score_of(values: dict, weights: dict, targets) -> Decimal | None:
    """The KPI score of `values`, or None when the project's weights cannot score."""
    try:
        return kpis.kpi_score(values, weights, targets)
    except kpis.KpiError:
        return None


# The mentor's dashboard.


@dataclass
class TeamKpis:
    store: Store
    day_number: int | None = None
    day: date | None = None
    values: dict = field(default_factory=dict)
    score: Decimal | None = None
    grade: PracticumGrade | None = None
    series: dict = field(default_factory=dict)  # {kind: [value or None per day of the board]}


@dataclass(frozen=True)
class RunKpiBoard:
    run: PracticumRun
    columns: list[KpiColumn]
    weights: dict
    scorable: bool
    teams: list[TeamKpis]
    days: list[date]


def run_kpi_board(*, run: PracticumRun) -> RunKpiBoard:
    """Every team's latest snapshot, KPI score and current grade, and every snapshot over the
    days, in four queries."""
    project = run.project
    weights = project_weights(project)  # 1
    targets = project_targets(project)
    scorable = _scorable(weights)
    stores = list(Store.objects.filter(run=run).select_related("team").order_by("name", "pk"))  # 2
    teams = {store.pk: TeamKpis(store=store) for store in stores}
    rows = list(KpiSnapshotRecord.objects.filter(store__run=run).order_by("day_number", "store_id")
                .values_list("store_id", "day_number", "day", "snapshot"))  # 3
    days = sorted({(number, day) for _store, number, day, _snapshot in rows})
    position = {number: index for index, (number, _day) in enumerate(days)}
    for team in teams.values():
        team.series = {kind: [None] * len(days) for kind in kpis.KpiKind}
    for store_id, number, day, canonical in rows:
        team = teams.get(store_id)
        if team is None:
            continue
        values = snapshot_values(canonical)
        for kind, value in values.items():
            team.series[kind][position[number]] = value
        if team.day_number is None or number > team.day_number:
            team.day_number, team.day, team.values = number, day, values
    for grade in PracticumGrade.objects.filter(store__run=run, superseded=False):  # 4
        if grade.store_id in teams:
            teams[grade.store_id].grade = grade
    for team in teams.values():
        if team.day_number is not None and scorable:
            team.score = score_of(team.values, weights, targets)
    return RunKpiBoard(run=run, columns=kpi_columns(weights), weights=weights, scorable=scorable,
                       teams=list(teams.values()), days=[day for _number, day in days])


def _scorable(weights) -> bool:
    try:
        kpis.weights_check(weights)
    except kpis.KpiError:
        return False
    return True


# One store.


@dataclass(frozen=True)
class SnapshotPoint:
    day_number: int
    day: date
    values: dict
    inputs: dict
    digest: str


@dataclass(frozen=True)
class StoreKpis:
    store: Store
    project: PracticumProject
    columns: list[KpiColumn]
    weights: dict
    scorable: bool
    points: list[SnapshotPoint]
    latest: KpiSnapshotRecord | None
    breakdown: tuple  # kpis.KpiLine of the latest snapshot
    score: Decimal | None
    kpi_weight_pct: int
    grade: PracticumGrade | None
    history: list[PracticumGrade]

    @property
    def latest_inputs(self):
        return kpi_inputs_from_json(self.latest.inputs) if self.latest else None


def store_kpis(*, store: Store) -> StoreKpis:
    """The store's snapshots over the days, the breakdown of its latest KPI score against the
    targets, and its grades (the current one first), in three queries."""
    project = store.run.project
    weights = project_weights(project)  # 1
    targets = project_targets(project)
    scorable = _scorable(weights)
    records = list(KpiSnapshotRecord.objects.filter(store=store).order_by("day_number"))  # 2
    points = [SnapshotPoint(record.day_number, record.day, snapshot_values(record.snapshot), record.inputs, record.digest)
              for record in records]
    latest = records[-1] if records else None
    breakdown, score = (), None
    if latest is not None and scorable:
        breakdown = kpis.kpi_breakdown(points[-1].values, weights, targets)
        score = score_of(points[-1].values, weights, targets)
    grades = list(PracticumGrade.objects.filter(store=store).select_related("snapshot", "signed_off_by")
                  .order_by("superseded", "-signed_off_at", "-pk"))  # 3
    current = next((grade for grade in grades if not grade.superseded), None)
    return StoreKpis(store=store, project=project, columns=kpi_columns(weights), weights=weights, scorable=scorable,
                     points=points, latest=latest, breakdown=breakdown, score=score,
                     kpi_weight_pct=project_kpi_weight(project), grade=current, history=grades)


def grades_checked(grades) -> list[tuple[PracticumGrade, GradeCheck]]:
    """Each grade with whether it recomputes to itself (no query: snapshots are loaded)."""
    return [(grade, grade_verify(grade)) for grade in grades]


# The rubric.


def project_rubric(*, project: PracticumProject) -> Rubric | None:
    """The project's rubric with its criteria and levels loaded (three queries), or None."""
    if not project.rubric_id:
        return None
    return Rubric.objects.prefetch_related(
        Prefetch("criteria", queryset=RubricCriterion.objects.select_related("competency")), "criteria__levels",
    ).get(pk=project.rubric_id)


@dataclass(frozen=True)
class ChosenLevel:
    criterion: str
    level: str
    points: Decimal | None
    possible: Decimal | None
    description: str


def chosen_levels(*, rubric: Rubric | None, choices: dict) -> list[ChosenLevel]:
    """The levels a grade chose, criterion by criterion in the rubric's order; a criterion or
    level since removed from the rubric is shown by its key."""
    if rubric is None:
        return []
    rows, seen = [], set()
    for criterion in rubric.criteria.all():
        key = str(criterion.pk)
        if key not in choices:
            continue
        seen.add(key)
        levels = list(criterion.levels.all())
        level = next((level for level in levels if str(level.pk) == str(choices[key])), None)
        possible = max((lvl.points for lvl in levels), default=None)
        rows.append(ChosenLevel(criterion.title, level.title if level else str(choices[key]),
                                level.points if level else None, possible, level.description if level else ""))
    for key in sorted(set(choices) - seen):
        rows.append(ChosenLevel(key, str(choices[key]), None, None, ""))
    return rows


__all__ = [
    "ChosenLevel", "KpiColumn", "RunKpiBoard", "SnapshotPoint", "StoreKpis", "TeamKpis", "chosen_levels", "grades_checked",
    "kpi_columns", "kpi_label", "project_rubric", "run_kpi_board", "snapshot_values", "store_kpis",
]
