"""The KPI dashboards and grade pages (issue "Practicum II", point 6): the mentor's teams × KPIs
table with server-drawn charts, the grade page with its rubric form and sign-off, the team's
own KPI page; who may see them, form errors that lose nothing, and query counts that do not
grow with the teams or the days."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy.organisations.models import Membership, Organisation
from courses.factories import rubric_with_criteria
from practicum.factories import home_goods_project, running_run
from practicum.review_models import PracticumGrade, PracticumPass

from .test_grading import GOOD, POOR, levels, snapshot_record
from .test_shipments import store_with

pytestmark = pytest.mark.django_db

DASHBOARD_QUERIES = 9
GRADE_PAGE_QUERIES = 12
STORE_KPIS_QUERIES = 9


@pytest.fixture
def rubric(enterprise, mentor):
    return rubric_with_criteria(organisation=enterprise, by=mentor, title="Store review")


@pytest.fixture
def project(enterprise, mentor, rubric):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=40, rubric=rubric)


@pytest.fixture
def run(project, mentor):
    return running_run(project, mentor, seed="views-1")


@pytest.fixture
def amber(run, mentor):
    return store_with(run, mentor, "Team Amber", [], units=5, student="amber-v")


@pytest.fixture
def birch(run, mentor):
    return store_with(run, mentor, "Team Birch", [], units=5, student="birch-v")


@pytest.fixture
def other_mentor(make_organisation, make_member):
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Export", name_zh="德尔塔出口", slug="delta-export")
    return make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com", display_name="Mentor Delta")


def dashboard_url(run):
    return reverse("practicum_run_kpis", args=[run.pk])


def grade_url(store):
    return reverse("practicum_store_grade", args=[store.run_id, store.pk])


def kpis_url(store):
    return reverse("practicum_store_kpis", args=[store.pk])


def assert_strict_markup(page):
    """No inline style attribute, no inline script, no CDN: the CSP stays strict."""
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "cdn" not in page.lower()


def played(store, days, inputs=GOOD):
    for number in range(1, days + 1):
        snapshot_record(store, number, inputs)


def test_the_dashboard_shows_every_team_with_charts(client, mentor, run, amber, birch):
    """Teams × KPIs on the latest snapshot with the KPI score, bars across the teams and lines
    over the days as inline SVG with a title and a description, a grade link per team."""
    played(amber, 3)
    played(birch, 3, POOR)
    client.force_login(mentor)
    response = client.get(dashboard_url(run))
    assert response.status_code == 200
    page = response.content.decode()
    assert_strict_markup(page)
    assert "Team Amber" in page and "Team Birch" in page
    assert grade_url(amber) in page and grade_url(birch) in page
    assert page.count("<svg") >= 10 and "<title id=\"kpi-chart-score-title\">" in page
    assert "kpi-chart-lines-revenue-desc" in page and "<polyline" in page and "<rect" in page
    assert "100.00" in page  # Amber's KPI score


def test_the_dashboard_query_count_does_not_grow_with_teams_or_days(client, mentor, run, project, amber, birch, django_assert_max_num_queries):
    """Two teams over two days cost as many queries as six teams over six days."""
    played(amber, 2)
    played(birch, 2, POOR)
    client.force_login(mentor)
    client.get(dashboard_url(run))
    with CaptureQueriesContext(connection) as small:
        client.get(dashboard_url(run))
    big = running_run(project, mentor, title="Big cohort", seed="views-2")
    for index in range(6):
        played(store_with(big, mentor, f"Team {index}", [], units=1, student=f"big-v-{index}"), 6, GOOD if index % 2 else POOR)
    client.get(dashboard_url(big))
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(dashboard_url(big))
    assert response.status_code == 200 and "Team 5" in response.content.decode()
    with CaptureQueriesContext(connection) as large:
        client.get(dashboard_url(big))
    assert len(large) == len(small)


def test_a_mentor_grades_a_team_on_its_page(client, mentor, run, amber, rubric, django_assert_max_num_queries):
    """The page shows the latest snapshot's digest, the breakdown against the targets and the
    rubric's levels; signing off saves the grade, which the page then shows recomputing."""
    played(amber, 2)
    client.force_login(mentor)
    client.get(grade_url(amber))
    with django_assert_max_num_queries(GRADE_PAGE_QUERIES):
        response = client.get(grade_url(amber))
    page = response.content.decode()
    assert response.status_code == 200
    assert_strict_markup(page)
    digest = amber.kpi_snapshots.get(day_number=2).digest
    assert digest in page and "Scores 100 at" in page and "Excellent" in page and 'type="radio"' in page
    choices = levels(rubric, "Excellent", "Partly right")
    response = client.post(grade_url(amber), {**{f"level_{key}": value for key, value in choices.items()},
                                              "comment": "Well-kept books."})
    assert response.status_code == 302 and response["Location"] == grade_url(amber)
    grade = PracticumGrade.objects.get(store=amber)
    assert grade.rubric_choices == choices and grade.comment == "Well-kept books." and grade.passed
    assert sorted(PracticumPass.objects.values_list("user_id", flat=True)) == [amber.user.pk]
    page = client.get(grade_url(amber)).content.decode()
    assert "Recomputes to the same value: yes" in page and "Well-kept books." in page and "Re-grade" in page
    response = client.post(grade_url(amber), {**{f"level_{key}": value for key, value in choices.items()}, "comment": ""})
    assert response.status_code == 302
    page = client.get(grade_url(amber)).content.decode()
    assert "Earlier grades (superseded)" in page
    assert PracticumGrade.objects.filter(store=amber).count() == 2


def test_a_missing_level_keeps_the_other_choices_and_the_comment(client, mentor, amber, rubric):
    """A criterion left without a level is marked; the level chosen and the comment come back."""
    played(amber, 1)
    client.force_login(mentor)
    first, second = list(levels(rubric, "Excellent", "Partly right").items())
    response = client.post(grade_url(amber), {f"level_{first[0]}": first[1], "comment": "Keep this comment."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The grade is not signed off yet." in page and "Choose a level for" in page
    assert re.search(rf'value="{first[1]}"\s+checked', page)
    assert not re.search(rf'value="{second[1]}"\s+checked', page)
    assert "Keep this comment." in page
    assert not PracticumGrade.objects.exists()


def test_grading_before_any_snapshot_says_why(client, mentor, amber, rubric):
    """With no day played the page says so and a sign-off is refused with the reason."""
    client.force_login(mentor)
    assert "Play at least one day" in client.get(grade_url(amber)).content.decode()
    choices = levels(rubric, "Excellent", "Excellent")
    response = client.post(grade_url(amber), {f"level_{key}": value for key, value in choices.items()})
    assert response.status_code == 400 and "Play at least one day" in response.content.decode()
    assert not PracticumGrade.objects.exists()


def test_the_mentor_pages_are_for_the_runs_mentors_only(client, run, amber, birch, student, other_mentor, rubric):
    """Team members, other students and another enterprise's mentors get 404 on the dashboard and
    the grade page, and cannot sign off; anonymous visitors sign in first."""
    played(amber, 1)
    choices = {f"level_{key}": value for key, value in levels(rubric, "Excellent", "Excellent").items()}
    response = client.get(dashboard_url(run))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for outsider in (amber.user, student, other_mentor):
        client.force_login(outsider)
        assert client.get(dashboard_url(run)).status_code == 404
        assert client.get(grade_url(amber)).status_code == 404
        assert client.post(grade_url(amber), choices).status_code == 404
    assert not PracticumGrade.objects.exists()


def test_a_grade_page_of_another_runs_store_is_404(client, mentor, project, amber):
    """A store is graded under its own run only."""
    other = running_run(project, mentor, title="Other cohort", seed="views-3")
    client.force_login(mentor)
    assert client.get(reverse("practicum_store_grade", args=[other.pk, amber.pk])).status_code == 404


def test_the_team_reads_its_kpis_and_its_signed_off_grade(client, mentor, amber, rubric, django_assert_max_num_queries):
    """The team's page shows its KPIs over the days, the score's breakdown, and the grade with the
    rubric levels and the mentor's comment."""
    played(amber, 3)
    client.force_login(amber.user)
    page = client.get(kpis_url(amber)).content.decode()
    assert "A mentor signs off your grade" in page and "<svg" in page
    client.force_login(mentor)
    choices = levels(rubric, "Excellent", "Partly right")
    client.post(grade_url(amber), {**{f"level_{key}": value for key, value in choices.items()}, "comment": "Lovely margins."})
    client.force_login(amber.user)
    with django_assert_max_num_queries(STORE_KPIS_QUERIES):
        response = client.get(kpis_url(amber))
    assert response.status_code == 200
    page = response.content.decode()
    assert_strict_markup(page)
    assert "Lovely margins." in page and "Duty and VAT worked out" in page and "Partly right" in page
    assert "Passed" in page and "The figures of every day" in page and "Scores 0 at" in page
    grade = PracticumGrade.objects.get(store=amber)
    assert grade.grade == Decimal("87.50") and "87.50" in page


def test_the_kpi_page_query_count_does_not_grow_with_the_days(client, amber):
    """Three days or twenty cost the same queries."""
    played(amber, 3)
    client.force_login(amber.user)
    client.get(kpis_url(amber))
    with CaptureQueriesContext(connection) as few:
        client.get(kpis_url(amber))
    for number in range(4, 21):
        snapshot_record(amber, number, GOOD)
    with CaptureQueriesContext(connection) as many:
        response = client.get(kpis_url(amber))
    assert response.status_code == 200 and len(many) == len(few) <= STORE_KPIS_QUERIES


def test_another_team_or_enterprise_cannot_read_a_teams_kpis(client, mentor, amber, birch, other_mentor):
    """Team B and another enterprise's mentor get 404 for team A's KPI page; the run's mentor reads it."""
    played(amber, 1)
    for outsider in (birch.user, other_mentor):
        client.force_login(outsider)
        assert client.get(kpis_url(amber)).status_code == 404
    client.force_login(birch.user)
    assert client.get(kpis_url(birch)).status_code == 200
    client.force_login(mentor)
    assert client.get(kpis_url(amber)).status_code == 200


def test_the_board_and_the_store_link_to_the_kpi_pages(client, mentor, run, amber):
    """The mentor board links to the KPI dashboard and each team's grade page; the store's
    dashboard links to its KPI page."""
    client.force_login(mentor)
    page = client.get(reverse("practicum_run_board", args=[run.pk])).content.decode()
    assert dashboard_url(run) in page and grade_url(amber) in page
    client.force_login(amber.user)
    assert kpis_url(amber) in client.get(reverse("practicum_store", args=[amber.pk])).content.decode()


# The chart geometry (pure).


def test_bars_start_at_zero_and_a_loss_draws_to_the_left():
    """Bars grow from zero on a nice axis; a negative value ends left of zero; None draws no bar."""
    from practicum.charts import bar_chart, nice_ticks

    assert [int(tick) for tick in nice_ticks(Decimal("-120"), Decimal("4100"))] == [-2000, 0, 2000, 4000, 6000]
    chart = bar_chart([("A", Decimal("30")), ("B", None), ("C", Decimal("-10"))], domain=None)
    first, missing, loss = chart.bars
    assert first.x == chart.zero_x and Decimal(first.width) > 0 and not first.negative
    assert missing.missing and missing.value_text == "—"
    assert loss.negative and Decimal(loss.x) + Decimal(loss.width) == Decimal(chart.zero_x)
    assert (chart.ticks[0].anchor, chart.ticks[-1].anchor) == ("start", "end")


def test_a_line_breaks_where_a_value_is_missing():
    """A None splits a series into runs; each run of two or more points is a polyline."""
    from practicum.charts import line_chart

    chart = line_chart(["d1", "d2", "d3", "d4", "d5"], [("A", [Decimal(1), Decimal(2), None, Decimal(3), Decimal(4)])],
                       domain=(0, 5))
    (line,) = chart.lines
    assert len(line.segments) == 2 and len(line.dots) == 4 and line.last_text == "4"
    assert chart.y_ticks[0].label == "0" and chart.x_ticks[0].label == "d1" and chart.x_ticks[-1].label == "d5"
