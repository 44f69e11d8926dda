"""The practicum grade (issue "Practicum II", point 6): a mentor's rubric levels mixed with the KPI
score of the store's latest snapshot, pinned to its digest and recomputing to itself; re-grades
supersede; a passing grade records a pass for every member of the team, announced once after
the commit; who may grade."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from academy.organisations.models import Membership, Organisation
from courses.factories import rubric_with_criteria
from practicum import kpis
from practicum.factories import home_goods_project, running_run, student_user
from practicum.grade_services import grade_sign_off, grade_verify
from practicum.kpi_services import kpi_inputs_json
from practicum.review_models import KpiSnapshotRecord, PracticumGrade, PracticumPass
from practicum.run_services import participant_assign
from practicum.signals import practicum_passed

from .test_shipments import play, store_with

pytestmark = pytest.mark.django_db

GOOD = kpis.KpiInputs(revenue_minor=6_000_000, cost_of_sales_minor=2_000_000, shipping_minor=500_000,
                      platform_fee_minor=300_000, shoppers=100, orders_placed=20, parcels_delivered=10, parcels_on_time=10,
                      declarations=10, declarations_accurate=10, rating=Decimal("4.90"))
POOR = kpis.KpiInputs(revenue_minor=100_000, cost_of_sales_minor=80_000, shoppers=100, orders_placed=2, parcels_delivered=2,
                      parcels_on_time=1, declarations=2, declarations_accurate=1)


@pytest.fixture
def rubric(enterprise, mentor):
    return rubric_with_criteria(organisation=enterprise, by=mentor, title="Store review")


@pytest.fixture
def project(enterprise, mentor, rubric):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=40, rubric=rubric)


@pytest.fixture
def run(project, mentor):
    return running_run(project, mentor, seed="grade-1")


@pytest.fixture
def store(run, mentor):
    store = store_with(run, mentor, "Team Amber", [], units=10, student="amber-1")
    second = student_user("amber-2")
    participant_assign(run=run, user=second, team=store.team, by=mentor)
    store.members = [store.user, second]
    return store


@pytest.fixture
def other_mentor(make_organisation, make_member):
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Export", name_zh="德尔塔出口", slug="delta-export")
    return make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com", display_name="Mentor Delta")


def snapshot_record(store, number, inputs) -> KpiSnapshotRecord:
    """A stored snapshot of `inputs` for the store's day `number`, as the simulation stores one."""
    day = store.run.date_of(number)
    snapshot = kpis.kpi_snapshot(store=store.key, day=day, inputs=inputs)
    return KpiSnapshotRecord.objects.create(store=store, day_number=number, day=day, inputs=kpi_inputs_json(inputs),
                                            snapshot=snapshot.canonical(), digest=snapshot.digest())


def levels(rubric, *titles):
    """{criterion key: level key} choosing the level titled `titles[i]` for the i-th criterion."""
    criteria = list(rubric.criteria.order_by("sort_order"))
    return {str(criterion.pk): str(criterion.levels.get(title=title).pk) for criterion, title in zip(criteria, titles, strict=True)}


@pytest.fixture
def announced():
    received = []

    def receiver(sender, practicum_pass, grade, **kwargs):
        received.append((practicum_pass.user_id, grade.pk))

    practicum_passed.connect(receiver)
    yield received
    practicum_passed.disconnect(receiver)


def test_a_grade_mixes_the_rubric_with_the_latest_snapshot_and_recomputes(store, rubric, mentor, project):
    """The grade is (50 × KPI score + 50 × rubric score) / 100 on the latest snapshot, pinned to its
    digest, with the levels and comment kept; it recomputes to the same value."""
    snapshot_record(store, 1, POOR)
    latest = snapshot_record(store, 2, GOOD)
    grade = grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Partly right"), comment="  Strong books. ",
                           by=mentor)
    weights = {kpis.KpiKind(row.kind): row.weight_pct for row in project.kpis.all()}
    values = kpis.KpiSnapshot.from_canonical(latest.snapshot).values
    expected_kpi = kpis.kpi_score(values, weights, kpis.default_targets(starting_capital_minor=project.starting_capital_minor))
    assert grade.snapshot == latest and grade.snapshot_digest == latest.digest
    assert (grade.kpi_score, grade.rubric_score_pct) == (expected_kpi, Decimal("75.00"))
    assert (grade.rubric_earned, grade.rubric_possible) == (Decimal(6), Decimal(8))
    assert grade.grade == kpis.practicum_grade(kpi_score=expected_kpi, rubric_score_pct=Decimal(75), kpi_weight_pct=50)
    assert grade.comment == "Strong books." and grade.signed_off_by == mentor and not grade.superseded
    assert grade.rubric_choices == levels(rubric, "Excellent", "Partly right")
    assert grade.pass_grade_pct == 60 and grade.passed == (grade.grade >= 60)
    record = kpis.GradeRecord.from_dict(grade.record)
    record.verify(kpis.KpiSnapshot.from_canonical(latest.snapshot))
    assert record.grade == grade.grade and record.snapshot_digest == latest.digest
    assert grade_verify(PracticumGrade.objects.select_related("snapshot").get(pk=grade.pk)).ok


@pytest.mark.parametrize("tamper", ["snapshot value", "snapshot digest", "inputs", "record grade", "grade column", "passed"])
def test_tampering_with_a_stored_grade_is_detected(store, rubric, mentor, tamper):
    """Changing the stored snapshot, its digest, its figures, the grade record or the grade's own
    columns makes the grade fail to recompute to itself."""
    record = snapshot_record(store, 1, GOOD)
    grade = grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Excellent"), comment="", by=mentor)
    if tamper == "snapshot value":
        record.snapshot["values"]["net_profit"] = "99999.00"
        record.save()
    elif tamper == "snapshot digest":
        record.digest = "0" * 64
        record.save()
    elif tamper == "inputs":
        record.inputs["orders_placed"] = 19
        record.save()
    elif tamper == "record grade":
        grade.record["grade"] = "99.00"
        grade.save()
    elif tamper == "grade column":
        grade.grade = Decimal("12.00")
        grade.save()
    else:
        grade.passed = False
        grade.save()
    check = grade_verify(PracticumGrade.objects.select_related("snapshot").get(pk=grade.pk))
    assert not check.ok and check.problem


def test_a_re_grade_supersedes_the_current_grade(store, rubric, mentor):
    """Signing off again makes the new grade current and keeps the earlier one, superseded."""
    snapshot_record(store, 1, POOR)
    first = grade_sign_off(store=store, choices=levels(rubric, "Missing", "Missing"), comment="First look.", by=mentor)
    snapshot_record(store, 2, GOOD)
    second = grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Excellent"), comment="Better.", by=mentor)
    first.refresh_from_db()
    assert first.superseded and not second.superseded
    assert list(PracticumGrade.objects.filter(store=store, superseded=False)) == [second]
    assert second.snapshot.day_number == 2 and first.snapshot.day_number == 1
    assert all(grade_verify(grade).ok for grade in PracticumGrade.objects.select_related("snapshot"))


def test_a_pass_is_recorded_for_every_member_and_announced_once_after_the_commit(
        store, rubric, mentor, announced, django_capture_on_commit_callbacks):
    """A passing grade records a pass for each accepted member, announced once the transaction
    commits; a re-grade that passes again records and announces nothing more."""
    snapshot_record(store, 1, GOOD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grade = grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Excellent"), comment="", by=mentor)
    assert grade.passed and grade.grade == Decimal("100.00")
    assert announced == [] and len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert sorted(announced) == sorted((member.pk, grade.pk) for member in store.members)
    passes = PracticumPass.objects.filter(run=store.run)
    assert sorted(passes.values_list("user_id", flat=True)) == sorted(member.pk for member in store.members)
    assert {p.grade_id for p in passes} == {grade.pk} and all(p.passed_at == grade.signed_off_at for p in passes)
    with django_capture_on_commit_callbacks(execute=True) as again:
        grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Partly right"), comment="", by=mentor)
    assert again == [] and len(announced) == 2 and passes.count() == 2


def test_a_failing_grade_records_no_pass_and_a_failing_re_grade_keeps_an_earlier_pass(
        store, rubric, mentor, announced, django_capture_on_commit_callbacks):
    """Below the pass mark no pass is recorded; a pass once recorded stands when a re-grade fails
    (as a course pass is never withdrawn)."""
    snapshot_record(store, 1, POOR)
    with django_capture_on_commit_callbacks(execute=True):
        failing = grade_sign_off(store=store, choices=levels(rubric, "Partly right", "Missing"), comment="", by=mentor)
    assert not failing.passed and failing.grade < 60
    assert not PracticumPass.objects.exists() and announced == []
    snapshot_record(store, 2, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        passing = grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Excellent"), comment="", by=mentor)
    with django_capture_on_commit_callbacks(execute=True):
        again = grade_sign_off(store=store, choices=levels(rubric, "Missing", "Missing"), comment="", by=mentor)
    assert passing.passed and not again.passed
    assert PracticumPass.objects.filter(run=store.run).count() == 2 and len(announced) == 2
    assert set(PracticumPass.objects.values_list("grade_id", flat=True)) == {passing.pk}


def test_a_project_without_a_rubric_grades_on_kpis_alone(enterprise, mentor):
    """Without a rubric the grade is the KPI score (the KPIs weigh 100 %) and no level is asked for."""
    project = home_goods_project(organisation=enterprise, by=mentor, title="No rubric", market_size=40)
    run = running_run(project, mentor, seed="grade-2")
    store = store_with(run, mentor, "Team Birch", [], units=10, student="birch-1")
    snapshot_record(store, 1, POOR)
    with pytest.raises(ValidationError, match="no rubric"):
        grade_sign_off(store=store, choices={"1": "2"}, comment="", by=mentor)
    grade = grade_sign_off(store=store, choices={}, comment="KPIs only.", by=mentor)
    assert grade.rubric_score_pct is None and grade.rubric_choices == {}
    assert grade.grade == grade.kpi_score and grade.record["kpi_weight_pct"] == 100
    assert grade_verify(grade).ok


def test_only_the_runs_mentors_may_grade(store, rubric, mentor, student, other_mentor, platform_admin):
    """A member of the team, a student and another enterprise's mentor are refused; a platform admin may grade."""
    snapshot_record(store, 1, GOOD)
    choices = levels(rubric, "Excellent", "Excellent")
    for outsider in (store.user, student, other_mentor):
        with pytest.raises(PermissionDenied):
            grade_sign_off(store=store, choices=choices, comment="", by=outsider)
    assert not PracticumGrade.objects.exists()
    assert grade_sign_off(store=store, choices=choices, comment="", by=platform_admin).signed_off_by == platform_admin


def test_a_grade_needs_a_snapshot_and_a_level_for_every_criterion(store, rubric, mentor):
    """Before any played day, or with a criterion left out or an unknown level, nothing is saved."""
    with pytest.raises(ValidationError, match="Play at least one day"):
        grade_sign_off(store=store, choices=levels(rubric, "Excellent", "Excellent"), comment="", by=mentor)
    snapshot_record(store, 1, GOOD)
    choices = levels(rubric, "Excellent", "Excellent")
    missing = dict(list(choices.items())[:1])
    with pytest.raises(ValidationError, match="no level chosen"):
        grade_sign_off(store=store, choices=missing, comment="", by=mentor)
    with pytest.raises(ValidationError, match="no level with the key"):
        grade_sign_off(store=store, choices={key: "0" for key in choices}, comment="", by=mentor)
    assert not PracticumGrade.objects.exists()


def test_a_played_run_is_graded_on_its_latest_snapshot(run, rubric, mentor):
    """After days played through the simulation, the grade is computed from the last day's
    snapshot and recomputes to itself."""
    store = store_with(run, mentor, "Team Cedar", [("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE")], student="cedar-1")
    play(run, 4)
    grade = grade_sign_off(store=store, choices=levels(rubric, "Partly right", "Excellent"), comment="", by=mentor)
    assert grade.snapshot.day_number == 4 and grade.snapshot.day == run.date_of(4)
    assert grade_verify(grade).ok
