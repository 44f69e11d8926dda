"""The mentor pages of the practicum: the runs list, starting and editing a run, the board with
every team side by side, the advance button and its progress JSON, applications and teams, and
the trial balance; who may see them, and query counts that do not grow with the run."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy.organisations.models import Membership, Organisation
from practicum.factories import home_goods_project, running_run, student_user
from practicum.project_models import PracticumProject
from practicum.run_models import PracticumRun, RunParticipant, SimulationJob, Team
from practicum.run_services import participant_apply, participant_assign, participant_decide, team_create_by_mentor

from .test_run_clock import trading_team

pytestmark = pytest.mark.django_db

RUNS_QUERIES = 8
BOARD_QUERIES = 15
TRIAL_BALANCE_QUERIES = 10


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=30)


@pytest.fixture
def run(project, mentor):
    return running_run(project, mentor)


@pytest.fixture
def other_mentor(make_organisation, make_member):
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Export", name_zh="德尔塔出口", slug="delta-export")
    return make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com", display_name="Mentor Delta")


def board_url(run):
    return reverse("practicum_run_board", args=[run.pk])


def test_the_runs_page_lists_the_enterprises_runs_and_projects(client, mentor, run, project, other_mentor, django_assert_max_num_queries):
    """A mentor sees their enterprise's runs with day and teams, and its published projects with a start link."""
    home_goods_project(organisation=project.organisation, by=mentor, title="Draft project", status=PracticumProject.Status.DRAFT)
    client.force_login(mentor)
    client.get(reverse("practicum_mentor_runs"))  # the site header's cached lookups are warm from here on
    with django_assert_max_num_queries(RUNS_QUERIES):
        response = client.get(reverse("practicum_mentor_runs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert run.title in page and board_url(run) in page
    assert reverse("practicum_run_new", args=[project.pk]) in page
    assert "Draft project" not in page
    assert f"/ {run.last_day_number}" in page

    client.force_login(other_mentor)
    response = client.get(reverse("practicum_mentor_runs"))
    assert response.status_code == 200
    assert run.title not in response.content.decode()


def test_the_runs_page_query_count_does_not_grow_with_the_runs(client, mentor, project, django_assert_max_num_queries):
    """Ten runs cost the same number of queries as one."""
    running_run(project, mentor, title="Run 0")
    client.force_login(mentor)
    client.get(reverse("practicum_mentor_runs"))  # the site header's cached lookups are warm from here on
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("practicum_mentor_runs"))
    for number in range(1, 10):
        running_run(project, mentor, title=f"Run {number}")
    with CaptureQueriesContext(connection) as ten:
        response = client.get(reverse("practicum_mentor_runs"))
    assert response.content.decode().count("Open the board") == 10
    assert len(ten) == len(one) <= RUNS_QUERIES


def test_the_mentor_pages_are_not_for_students_or_strangers(client, run, student, other_mentor, platform_admin, django_capture_on_commit_callbacks):
    """A student and another enterprise's mentor get 404 for an existing run; anonymous visitors sign in first; admins see all."""
    job = SimulationJob.objects.create(run=run, days=1)
    participant = RunParticipant.objects.create(run=run, user=student)
    gets = [
        board_url(run), reverse("practicum_run_edit", args=[run.pk]), reverse("practicum_trial_balance", args=[run.pk]),
        reverse("practicum_job_progress", args=[run.pk, job.pk]), reverse("practicum_run_new", args=[run.project.pk]),
    ]
    posts = [
        reverse("practicum_run_advance", args=[run.pk]), reverse("practicum_participant_decide", args=[run.pk, participant.pk]),
        reverse("practicum_participant_assign", args=[run.pk]), reverse("practicum_team_new", args=[run.pk]),
    ]
    response = client.get(reverse("practicum_mentor_runs"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for url in gets + posts:
        response = client.get(url) if url in gets else client.post(url, {"days": 1, "decision": "accept", "name": "X"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for outsider in (student, other_mentor):
        client.force_login(outsider)
        if outsider == student:
            assert client.get(reverse("practicum_mentor_runs")).status_code == 404
        for url in gets:
            assert client.get(url).status_code == 404, url
        with django_capture_on_commit_callbacks(execute=True):
            for url in posts:
                assert client.post(url, {"days": 1, "decision": "accept", "participant": participant.pk, "name": "X"}).status_code == 404, url
    assert SimulationJob.objects.count() == 1 and not Team.objects.exists()
    participant.refresh_from_db()
    assert participant.status == RunParticipant.Status.APPLIED
    client.force_login(platform_admin)
    assert client.get(board_url(run)).status_code == 200
    assert client.get(reverse("practicum_mentor_runs")).status_code == 200
    assert client.get(board_url(run) + "999/").status_code == 404
    assert client.get(reverse("practicum_run_board", args=[run.pk + 1000])).status_code == 404


def test_a_mentor_starts_a_run_of_a_published_project(client, mentor, project):
    """The form creates an open run with a random seed when none is given, and goes to its board."""
    client.force_login(mentor)
    url = reverse("practicum_run_new", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Winter cohort", "seed": "", "team_size_min": 2, "team_size_max": 3, "mode": "scheduled"})
    run = PracticumRun.objects.get(title="Winter cohort")
    assert response.status_code == 302 and response["Location"] == board_url(run)
    assert (run.status, run.mode, run.team_size_min, run.team_size_max, run.created_by) == ("open", "scheduled", 2, 3, mentor)
    assert len(run.seed) == 16


def test_bad_input_keeps_the_run_form_with_a_message(client, mentor, project):
    """Smaller largest team than smallest, a malformed seed or no title: the form comes back, typed values kept."""
    client.force_login(mentor)
    url = reverse("practicum_run_new", args=[project.pk])
    response = client.post(url, {"title": "Kept title", "seed": "bad seed!", "team_size_min": 4, "team_size_max": 2, "mode": "manual"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The largest team cannot be smaller than the smallest." in page
    assert "Use 1 to 64 letters" in page
    assert 'value="Kept title"' in page
    assert not PracticumRun.objects.exists()
    draft = home_goods_project(organisation=project.organisation, by=mentor, title="Draft", status=PracticumProject.Status.DRAFT)
    assert client.get(reverse("practicum_run_new", args=[draft.pk])).status_code == 404


def test_a_mentor_edits_a_run_and_the_seed_is_fixed_once_a_day_is_played(client, mentor, run, django_capture_on_commit_callbacks):
    """Title, status, mode and team sizes change; after a played day a posted seed is ignored."""
    client.force_login(mentor)
    url = reverse("practicum_run_edit", args=[run.pk])
    data = {"title": "Renamed", "seed": "new-seed", "status": "running", "mode": "scheduled", "team_size_min": 1, "team_size_max": 5}
    assert client.post(url, data).status_code == 302
    run.refresh_from_db()
    assert (run.title, run.seed, run.mode, run.team_size_max) == ("Renamed", "new-seed", "scheduled", 5)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 1})
    response = client.get(url)
    assert "The seed is fixed" in response.content.decode()
    assert client.post(url, {**data, "seed": "another", "title": "Again"}).status_code == 302
    run.refresh_from_db()
    assert (run.title, run.seed) == ("Again", "new-seed")
    response = client.post(url, {**data, "status": "paused"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_board_shows_every_team_side_by_side(client, mentor, run, django_user_model, django_capture_on_commit_callbacks):
    """Each team's members, money, orders and live listings; the clock; the recent days with their digests."""
    amber = trading_team(run, mentor, student_user("ana"), "Team Amber")
    trading_team(run, mentor, student_user("bo"), "Team Birch")
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 12})
    run.refresh_from_db()
    response = client.get(board_url(run))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Team Amber" in page and "Team Birch" in page and "ana@example.com" in page
    assert f"12<span class=\"stat__of\"> / {run.last_day_number}</span>" in page
    assert reverse("practicum_trial_balance", args=[run.pk]) in page
    played = run.played_days.order_by("-number").first()
    assert played.orders_digest in page
    assert "CN¥" in page or "CNY" in page
    context = response.context
    rows = {team["row"].team.name: team["row"] for team in context["teams"]}
    assert rows["Team Amber"].orders_total == amber.store.orders.count() > 0
    assert rows["Team Amber"].listings_live == 1
    assert rows["Team Amber"].available_minor > 0
    assert not context["job_active"]
    assert "Last advance" in page


def test_the_board_query_count_does_not_grow_with_the_teams(client, mentor, run, django_user_model, django_capture_on_commit_callbacks):
    """Four trading teams with applicants and played days cost the same number of queries as one."""
    trading_team(run, mentor, student_user("s0"), "Team 0")
    participant_apply(run=run, user=student_user("applicant0"), motivation="I like tea.")
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 2})
    client.get(board_url(run))  # the site header's cached lookups are warm from here on
    with CaptureQueriesContext(connection) as one:
        assert client.get(board_url(run)).status_code == 200
    for number in range(1, 4):
        trading_team(run, mentor, student_user(f"s{number}"), f"Team {number}")
        participant_apply(run=run, user=student_user(f"applicant{number}"))
    accepted = student_user("waiting")
    participant_assign(run=run, user=accepted, team=None, by=mentor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 2})
    with CaptureQueriesContext(connection) as four:
        response = client.get(board_url(run))
    assert len(response.context["teams"]) == 4
    assert len(four) == len(one) <= BOARD_QUERIES, [q["sql"] for q in four.captured_queries]


def test_the_advance_button_plays_the_days_and_the_progress_json_reports_done(client, mentor, run, django_capture_on_commit_callbacks):
    """In eager mode the days are played before the redirect; the job's JSON says done with the run's day and date."""
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 3})
    assert response.status_code == 302 and response["Location"] == board_url(run)
    job = SimulationJob.objects.get(run=run)
    response = client.get(reverse("practicum_job_progress", args=[run.pk, job.pk]))
    assert response.status_code == 200
    data = response.json()
    run.refresh_from_db()
    assert {k: data[k] for k in ("status", "days", "days_done", "error", "day", "date")} == {
        "status": "done", "days": 3, "days_done": 3, "error": "", "day": 3, "date": run.current_date.isoformat()}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    page = client.get(board_url(run)).content.decode()
    assert "3 days played." in page


def test_a_running_job_shows_a_progress_bar_that_polls_its_json(client, mentor, run, django_capture_on_commit_callbacks):
    """While a job waits or runs the board shows its bar and the script; a second advance is refused with a message."""
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 5})
    assert response.status_code == 302
    job = SimulationJob.objects.get(run=run)
    SimulationJob.objects.filter(pk=job.pk).update(status=SimulationJob.Status.RUNNING, days_done=2)
    page = client.get(board_url(run)).content.decode()
    assert reverse("practicum_job_progress", args=[run.pk, job.pk]) in page
    assert '<progress id="job-progress" class="mentor-job__bar" max="5" value="2">' in page
    assert "progress-poll.js" in page and 'http-equiv="refresh"' in page
    assert "2 of 5 days played." in page
    data = client.get(reverse("practicum_job_progress", args=[run.pk, job.pk])).json()
    assert (data["status"], data["days_done"], data["label"]) == ("running", 2, "2 of 5 days played.")
    assert (data["value"], data["max"], data["text"], data["finished"]) == (2, 5, "2 of 5 days played.", False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 1})
    assert response.status_code == 400
    assert "The clock is already advancing (2 of 5 days played)" in response.content.decode()
    assert SimulationJob.objects.filter(run=run).count() == 1


def test_bad_advance_input_keeps_the_board_with_a_message(client, mentor, run, project):
    """Zero, too many or non-numeric days, or a run not yet running: the board comes back with why."""
    client.force_login(mentor)
    url = reverse("practicum_run_advance", args=[run.pk])
    for days, message in (("0", "greater than or equal to 1"), ("31", "less than or equal to 30"), ("many", "Enter a whole number")):
        response = client.post(url, {"days": days})
        assert response.status_code == 400
        assert message in response.content.decode()
    opened = running_run(project, run.created_by, title="Spring", status=PracticumRun.Status.OPEN)
    response = client.post(reverse("practicum_run_advance", args=[opened.pk]), {"days": 1})
    assert response.status_code == 400 and "Start the run" in response.content.decode()
    assert client.get(url).status_code == 405
    assert not SimulationJob.objects.exists()


def test_a_failed_job_is_shown_with_its_message(client, mentor, run):
    """The board tells the mentor why the last advance stopped."""
    SimulationJob.objects.create(run=run, days=4, days_done=1, status=SimulationJob.Status.FAILED,
                                 error="No FX rate row for currency PLN is in force on 2026-09-02.", requested_by=mentor)
    client.force_login(mentor)
    page = client.get(board_url(run)).content.decode()
    assert "The last advance stopped." in page
    assert "Stopped after 1 of 4 days." in page and "No FX rate row for currency PLN" in page


def test_the_progress_json_is_only_for_its_run(client, mentor, run, project):
    """A job id of another run gives 404."""
    other = running_run(project, mentor, title="Other")
    job = SimulationJob.objects.create(run=other, days=1)
    client.force_login(mentor)
    assert client.get(reverse("practicum_job_progress", args=[run.pk, job.pk])).status_code == 404
    assert client.get(reverse("practicum_job_progress", args=[other.pk, job.pk])).status_code == 200


def test_a_mentor_accepts_and_declines_applications(client, mentor, run, django_user_model):
    """Accept and decline buttons decide applications; a declined student can be accepted after all."""
    ana = participant_apply(run=run, user=student_user("ana"), motivation="Tea is my thing.")
    bo = participant_apply(run=run, user=student_user("bo"))
    client.force_login(mentor)
    page = client.get(board_url(run)).content.decode()
    assert "2 applications to decide" in page and "Tea is my thing." in page
    response = client.post(reverse("practicum_participant_decide", args=[run.pk, ana.pk]), {"decision": "accept"})
    assert response.status_code == 302
    client.post(reverse("practicum_participant_decide", args=[run.pk, bo.pk]), {"decision": "decline"})
    ana.refresh_from_db()
    bo.refresh_from_db()
    assert (ana.status, ana.decided_by, bo.status) == ("accepted", mentor, "declined")
    page = client.get(board_url(run)).content.decode()
    assert "1 accepted student without a team" in page and "1 declined application" in page
    response = client.post(reverse("practicum_participant_decide", args=[run.pk, bo.pk]), {"decision": "maybe"})
    assert response.status_code == 302
    bo.refresh_from_db()
    assert bo.status == "declined"


def test_a_mentor_forms_teams_and_assigns_students(client, mentor, run, django_user_model):
    """A mentor forms a team, puts accepted students in it up to the size limit and takes them out again."""
    run.team_size_max = 1
    run.save()
    ana = participant_apply(run=run, user=student_user("ana"))
    bo = participant_apply(run=run, user=student_user("bo"))
    for participant in (ana, bo):
        participant_decide(participant=participant, by=mentor, accept=True)
    client.force_login(mentor)
    response = client.post(reverse("practicum_team_new", args=[run.pk]), {"name": "  Team   Cedar "})
    assert response.status_code == 302
    team = Team.objects.get(run=run)
    assert team.name == "Team Cedar" and team.store.key == "team-cedar"

    response = client.post(reverse("practicum_participant_assign", args=[run.pk]), {"participant": ana.pk, "team": team.pk})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.team == team
    response = client.post(reverse("practicum_participant_assign", args=[run.pk]), {"participant": bo.pk, "team": team.pk})
    assert response.status_code == 400
    assert "Team Cedar is full (1 members at most)." in response.content.decode()
    response = client.post(reverse("practicum_participant_assign", args=[run.pk]), {"participant": ana.pk, "team": ""})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.team is None


def test_bad_team_input_keeps_the_board_with_a_message(client, mentor, run, project, django_user_model):
    """A duplicate or empty team name, or a team or student of another run, come back with a message."""
    team_create_by_mentor(run=run, by=mentor, name="Team Cedar")
    other = running_run(project, mentor, title="Other")
    foreign_team = team_create_by_mentor(run=other, by=mentor, name="Foreign")
    foreign = participant_apply(run=other, user=student_user("zed"))
    client.force_login(mentor)
    response = client.post(reverse("practicum_team_new", args=[run.pk]), {"name": "team cedar"})
    assert response.status_code == 400 and "A team of this run already has that name." in response.content.decode()
    response = client.post(reverse("practicum_team_new", args=[run.pk]), {"name": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    mine = participant_apply(run=run, user=student_user("amy"))
    response = client.post(reverse("practicum_participant_assign", args=[run.pk]), {"participant": mine.pk, "team": foreign_team.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = client.post(reverse("practicum_participant_assign", args=[run.pk]), {"participant": foreign.pk, "team": ""})
    assert response.status_code == 400
    assert Team.objects.filter(run=run).count() == 1
    assert client.post(reverse("practicum_participant_decide", args=[run.pk, foreign.pk]), {"decision": "accept"}).status_code == 404


def test_the_trial_balance_is_balanced_per_currency_and_per_store(client, mentor, run, django_user_model, django_capture_on_commit_callbacks):
    """The run's books, or one store's, per currency with totals and the balanced check, accounts by kind."""
    trading_team(run, mentor, student_user("ana"), "Team Amber")
    client.force_login(mentor)
    url = reverse("practicum_trial_balance", args=[run.pk])
    empty = client.get(url)
    assert empty.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 20})
    client.get(url)  # the site header's cached lookups are warm from here on
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    page = response.content.decode()
    assert response.context["balanced"]
    currencies = [section["currency"] for section in response.context["sections"]]
    assert "CNY" in currencies and "PLN" in currencies
    assert "Debits equal credits in every currency." in page
    assert "Assets" in page and "Equity" in page and "Capital" in page
    trading_team(run, mentor, student_user("bo"), "Team Birch")
    with CaptureQueriesContext(connection) as two:
        response = client.get(url, {"store": "team-birch"})
    assert len(two) == len(one) <= TRIAL_BALANCE_QUERIES
    assert response.context["chosen"].name == "Team Birch"
    (cny,) = response.context["sections"]
    assert cny["currency"] == "CNY" and cny["balanced"] and cny["debit"] == cny["credit"]
    response = client.get(url, {"store": "nobody"})
    assert response.status_code == 200 and response.context["unknown_store"] and response.context["chosen"] is None
