"""The simulation clock as background work: a mentor's advance job played day by day by a Celery
task (eager in the tests), one job at a time per run, idempotent delivery, failures recorded on
the job, and the scheduler's tick for runs in scheduled mode."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practicum import tasks
from practicum.factories import home_goods_project, running_run
from practicum.run_clock import MAX_ADVANCE_DAYS, scheduled_runs_advance, simulation_job_create, simulation_job_run
from practicum.run_models import Listing, PracticumRun, SimulationDay, SimulationJob
from practicum.run_services import listing_save, participant_assign, stock_buy, team_create
from practicum.simulation import SimulationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=30)


def trading_team(run, mentor, user, name):
    """A team whose store bought stock and lists one product live in Poland."""
    participant_assign(run=run, user=user, team=None, by=mentor)
    team = team_create(run=run, user=user, name=name)
    products = {p.sku: p for p in run.project.products.all()}
    stock_buy(store=team.store, product=products["BOWL-PLA"], quantity=30, by=user)
    listing_save(store=team.store, by=user, product=products["BOWL-PLA"], market="PL", price_minor=4500, incoterm="DDP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    return team


def test_an_advance_job_plays_its_days_one_by_one_after_the_commit(project, mentor, django_capture_on_commit_callbacks):
    """The job is handed to the worker when the transaction commits; it plays every day and ends done."""
    run = running_run(project, mentor, seed="clock-1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = simulation_job_create(run=run, days=3, by=mentor)
        assert SimulationJob.objects.get(pk=job.pk).status == SimulationJob.Status.QUEUED
    assert len(callbacks) == 1
    job.refresh_from_db()
    run.refresh_from_db()
    assert (job.status, job.days_done, job.error) == (SimulationJob.Status.DONE, 3, "")
    assert job.finished_at is not None and job.requested_by == mentor
    assert run.day == 3
    assert list(SimulationDay.objects.filter(run=run).values_list("number", flat=True)) == [1, 2, 3]


def test_a_second_job_is_refused_while_one_is_queued_or_running(project, mentor, django_capture_on_commit_callbacks):
    """One job at a time per run: the second request is refused with a message saying why."""
    run = running_run(project, mentor, seed="clock-1")
    with django_capture_on_commit_callbacks(execute=False):
        first = simulation_job_create(run=run, days=5, by=mentor)
    with pytest.raises(ValidationError, match="already advancing"):
        simulation_job_create(run=run, days=1, by=mentor)
    SimulationJob.objects.filter(pk=first.pk).update(status=SimulationJob.Status.RUNNING, days_done=2)
    with pytest.raises(ValidationError, match=r"2 of 5 days"):
        simulation_job_create(run=run, days=1, by=mentor)
    SimulationJob.objects.filter(pk=first.pk).update(status=SimulationJob.Status.DONE)
    with django_capture_on_commit_callbacks(execute=False):
        assert simulation_job_create(run=run, days=1, by=mentor).status == SimulationJob.Status.QUEUED


def test_a_job_delivered_twice_plays_its_days_once(project, mentor, django_capture_on_commit_callbacks):
    """The worker claims the job with a conditional update: a second delivery finds it taken and does nothing."""
    run = running_run(project, mentor, seed="clock-1")
    with django_capture_on_commit_callbacks(execute=False):
        job = simulation_job_create(run=run, days=2, by=mentor)
    assert tasks.simulation_job_run.delay(job.pk).get() == SimulationJob.Status.DONE
    assert tasks.simulation_job_run.delay(job.pk).get() == SimulationJob.Status.DONE
    run.refresh_from_db()
    assert run.day == 2
    # A job another worker is running is left alone too.
    with django_capture_on_commit_callbacks(execute=False):
        other = simulation_job_create(run=run, days=1, by=mentor)
    SimulationJob.objects.filter(pk=other.pk).update(status=SimulationJob.Status.RUNNING)
    simulation_job_run(job=other)
    run.refresh_from_db()
    assert run.day == 2
    assert tasks.simulation_job_run(job_id=999_999) is None


def test_a_day_that_cannot_be_played_stops_the_job_as_failed_with_the_message(project, mentor, monkeypatch, django_capture_on_commit_callbacks):
    """A SimulationError ends the job failed, with the days played so far and the error for the mentor."""
    run = running_run(project, mentor, seed="clock-1")
    from practicum import run_clock

    real = run_clock.run_day_play
    played = []

    def second_day_fails(*, run):
        if played:
            raise SimulationError("No FX rate row for currency PLN is in force on 2026-09-02.")
        played.append(real(run=run))
        return played[-1]

    monkeypatch.setattr(run_clock, "run_day_play", second_day_fails)
    with django_capture_on_commit_callbacks(execute=True):
        job = simulation_job_create(run=run, days=4, by=mentor)
    job.refresh_from_db()
    assert (job.status, job.days_done) == (SimulationJob.Status.FAILED, 1)
    assert job.error == "No FX rate row for currency PLN is in force on 2026-09-02."
    assert job.finished_at is not None
    # The run is free again for the next request.
    monkeypatch.setattr(run_clock, "run_day_play", real)
    with django_capture_on_commit_callbacks(execute=True):
        simulation_job_create(run=run, days=1, by=mentor)
    run.refresh_from_db()
    assert run.day == 2


def test_a_run_stopped_while_its_job_waits_fails_the_job(project, mentor, django_capture_on_commit_callbacks):
    """The run's own rule (only a running run plays days) reaches the mentor as the job's error."""
    run = running_run(project, mentor, seed="clock-1")
    with django_capture_on_commit_callbacks(execute=False):
        job = simulation_job_create(run=run, days=2, by=mentor)
    PracticumRun.objects.filter(pk=run.pk).update(status=PracticumRun.Status.FINISHED)
    simulation_job_run(job=job)
    job.refresh_from_db()
    assert job.status == SimulationJob.Status.FAILED
    assert "Start the run" in job.error


def test_an_internal_error_marks_the_job_failed_and_is_raised(project, mentor, monkeypatch, django_capture_on_commit_callbacks):
    """A fault that is not a simulation rule does not leave the run blocked by a running job."""
    run = running_run(project, mentor, seed="clock-1")
    from practicum import run_clock

    def broken(*, run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(run_clock, "run_day_play", broken)
    with django_capture_on_commit_callbacks(execute=False):
        job = simulation_job_create(run=run, days=1, by=mentor)
    with pytest.raises(RuntimeError):
        simulation_job_run(job=job)
    job.refresh_from_db()
    assert job.status == SimulationJob.Status.FAILED
    assert job.error == "The day could not be played because of an internal error."


def test_an_advance_is_refused_with_a_reason(project, mentor, student, django_capture_on_commit_callbacks):
    """Days out of 1–30, more days than the project has left, a run not running, or a non-mentor are refused."""
    run = running_run(project, mentor, seed="clock-1")
    for days in (0, MAX_ADVANCE_DAYS + 1, -1, "3", True):
        with pytest.raises(ValidationError) as refused:
            simulation_job_create(run=run, days=days, by=mentor)
        assert "days" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        simulation_job_create(run=run, days=1, by=student)
    PracticumRun.objects.filter(pk=run.pk).update(day=run.last_day_number - 2)
    run.refresh_from_db()
    with pytest.raises(ValidationError, match="Only 2 days are left"):
        simulation_job_create(run=run, days=3, by=mentor)
    PracticumRun.objects.filter(pk=run.pk).update(day=run.last_day_number)
    run.refresh_from_db()
    with pytest.raises(ValidationError, match="last day"):
        simulation_job_create(run=run, days=1, by=mentor)
    opened = running_run(project, mentor, title="Spring", status=PracticumRun.Status.OPEN)
    with pytest.raises(ValidationError, match="Start the run"):
        simulation_job_create(run=opened, days=1, by=mentor)
    assert not SimulationJob.objects.exists()


def test_an_abandoned_job_stops_blocking_its_run(project, mentor, django_capture_on_commit_callbacks):
    """A job whose worker died is failed as abandoned when the next job is asked for after the timeout."""
    run = running_run(project, mentor, seed="clock-1")
    stale = SimulationJob.objects.create(run=run, days=3, days_done=1, status=SimulationJob.Status.RUNNING, requested_by=mentor)
    SimulationJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False):
        fresh = simulation_job_create(run=run, days=1, by=mentor)
    stale.refresh_from_db()
    assert stale.status == SimulationJob.Status.FAILED and "Abandoned" in stale.error
    assert fresh.status == SimulationJob.Status.QUEUED


def test_the_scheduler_plays_one_day_of_each_running_scheduled_run_only(project, mentor, django_user_model, django_capture_on_commit_callbacks):
    """Beat's tick advances running runs in scheduled mode with days left and no job waiting; nothing else."""
    scheduled = running_run(project, mentor, title="Scheduled", mode=PracticumRun.Mode.SCHEDULED)
    trading_team(scheduled, mentor, django_user_model.objects.create_user(email="ana@example.com", password="x"), "Amber")
    manual = running_run(project, mentor, title="Manual")
    opened = running_run(project, mentor, title="Open", mode=PracticumRun.Mode.SCHEDULED, status=PracticumRun.Status.OPEN)
    ended = running_run(project, mentor, title="Ended", mode=PracticumRun.Mode.SCHEDULED)
    PracticumRun.objects.filter(pk=ended.pk).update(day=ended.last_day_number)
    busy = running_run(project, mentor, title="Busy", mode=PracticumRun.Mode.SCHEDULED)
    waiting = SimulationJob.objects.create(run=busy, days=2, requested_by=mentor)

    with django_capture_on_commit_callbacks(execute=True):
        made = tasks.scheduled_runs_advance.delay().get()
    days = dict(PracticumRun.objects.values_list("title", "day"))
    assert days == {"Scheduled": 1, "Manual": 0, "Open": 0, "Ended": ended.last_day_number, "Busy": 0}
    job = SimulationJob.objects.get(pk__in=made)
    assert (job.run_id, job.days, job.status, job.requested_by) == (scheduled.pk, 1, SimulationJob.Status.DONE, None)
    assert SimulationDay.objects.get(run=scheduled).orders >= 0
    waiting.refresh_from_db()
    assert waiting.status == SimulationJob.Status.QUEUED
    assert manual.jobs.count() == 0 and opened.jobs.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        scheduled_runs_advance()
    scheduled.refresh_from_db()
    assert scheduled.day == 2


def test_the_tick_is_on_the_beat_schedule_at_the_configured_interval(settings):
    """Beat runs the scheduler's tick every PRACTICUM_CLOCK_TICK_SECONDS (an hour unless set)."""
    entry = settings.CELERY_BEAT_SCHEDULE["practicum-clock-tick"]
    assert entry["task"] == "practicum.tasks.scheduled_runs_advance"
    assert entry["schedule"] == float(settings.PRACTICUM_CLOCK_TICK_SECONDS)
