"""The simulation clock of a run as background work: a mentor's request to advance a run by some
days, and the scheduler's tick for runs in scheduled mode (issue "Practicum I", point 7).

A request is a `SimulationJob` row. It is handed to a Celery worker once the transaction that
created it commits (`practicum.tasks.simulation_job_run`), and the worker plays the days one by
one with `practicum.simulation.run_day_play`, saving `days_done` after each so the mentor's
progress bar moves. The scheduler's tick (`scheduled_runs_advance`, run by Celery beat) makes a
one-day job for every running run in scheduled mode, so both ways of advancing share one record
and one rule: a run has at most one job queued or running at a time.

Tasks may be delivered more than once (`acks_late`), so a worker claims a job with a conditional
UPDATE from queued to running; a second delivery finds it claimed and does nothing. A job whose
worker died is left running; it stops blocking the run after `JOB_ABANDONED_AFTER` and is marked
failed when the next job is asked for. That timeout is wall-clock bookkeeping of the workers,
not simulated time.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .run_models import PracticumRun, SimulationJob
from .run_services import user_is_run_mentor
from .simulation import SimulationError, run_day_play

MAX_ADVANCE_DAYS = 30
JOB_ABANDONED_AFTER = timedelta(minutes=30)
ACTIVE = (SimulationJob.Status.QUEUED, SimulationJob.Status.RUNNING)
ERROR_LENGTH = SimulationJob._meta.get_field("error").max_length


def simulation_job_create(*, run: PracticumRun, days: int, by) -> SimulationJob:
    """A mentor asks for `days` (1 to MAX_ADVANCE_DAYS) more days of a running run. Refused while
    another job of the run is queued or running, or when fewer days are left in the project.
    The job is handed to a worker when the transaction commits."""
    if not user_is_run_mentor(user=by, run=run):
        raise PermissionDenied(_("Only the project's mentors can do this."))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_ADVANCE_DAYS:
        raise ValidationError({"days": _("Advance by 1 to %(most)s days.") % {"most": MAX_ADVANCE_DAYS}})
    return _job_create(run=run, days=days, by=by)


def simulation_job_run(*, job: SimulationJob) -> SimulationJob:
    """Play the job's days one by one (the worker's side). A job that is not queued any more
    (claimed by another delivery of the task, done or failed) is left alone. A day that cannot
    be played stops the job as failed with its message."""
    claimed = SimulationJob.objects.filter(pk=job.pk, status=SimulationJob.Status.QUEUED).update(
        status=SimulationJob.Status.RUNNING)
    job.refresh_from_db()
    if not claimed:
        return job
    run = job.run
    try:
        for done in range(job.days_done + 1, job.days + 1):
            run_day_play(run=run)
            SimulationJob.objects.filter(pk=job.pk).update(days_done=done)
    except SimulationError as error:
        _job_finish(job, SimulationJob.Status.FAILED, " ".join(error.messages))
    except Exception:
        # Not a rule of the simulation but a fault: the job is marked failed so the run is not
        # blocked, and the error goes on to the worker's log.
        _job_finish(job, SimulationJob.Status.FAILED, _("The day could not be played because of an internal error."))
        raise
    else:
        _job_finish(job, SimulationJob.Status.DONE, "")
    job.refresh_from_db()
    return job


def scheduled_runs_advance() -> list[SimulationJob]:
    """The scheduler's tick: a one-day job for each running run in scheduled mode that has days
    left and no job queued or running. Returns the jobs made (each runs after the commit)."""
    candidates = PracticumRun.objects.filter(status=PracticumRun.Status.RUNNING, mode=PracticumRun.Mode.SCHEDULED).select_related("project")
    jobs = []
    for run in candidates.order_by("pk"):
        if run.day >= run.last_day_number:
            continue
        try:
            jobs.append(_job_create(run=run, days=1, by=None))
        except ValidationError:
            continue  # busy, or its state changed since it was read: the next tick tries again
    return jobs


def job_is_active(job: SimulationJob | None) -> bool:
    """Whether the job is queued or running and not abandoned: it blocks another job of its run."""
    return job is not None and job.status in ACTIVE and job.created_at >= timezone.now() - JOB_ABANDONED_AFTER


def jobs_active():
    """The jobs that block their run (queued or running, not abandoned)."""
    return SimulationJob.objects.filter(status__in=ACTIVE, created_at__gte=timezone.now() - JOB_ABANDONED_AFTER)


def _job_create(*, run: PracticumRun, days: int, by) -> SimulationJob:
    with transaction.atomic():
        # The run row is the lock: two requests at once cannot both find the run free.
        run = PracticumRun.objects.select_for_update().select_related("project").get(pk=run.pk)
        if run.status != PracticumRun.Status.RUNNING:
            raise ValidationError(_("Start the run (status “Running”) before advancing its clock."))
        left = run.last_day_number - run.day
        if left <= 0:
            raise ValidationError(_("The project's last day, %(day)s, has been played.") % {"day": run.project.ends_on.isoformat()})
        if days > left:
            raise ValidationError({"days": _("Only %(left)s days are left in the project.") % {"left": left}})
        SimulationJob.objects.filter(
            run=run, status__in=ACTIVE, created_at__lt=timezone.now() - JOB_ABANDONED_AFTER,
        ).update(status=SimulationJob.Status.FAILED, finished_at=timezone.now(),
                 error=_("Abandoned: no worker finished it in time.")[:ERROR_LENGTH])
        busy = SimulationJob.objects.filter(run=run, status__in=ACTIVE).first()
        if busy is not None:
            raise ValidationError(_(
                "The clock is already advancing (%(done)s of %(days)s days played); wait until that finishes."
            ) % {"done": busy.days_done, "days": busy.days})
        job = SimulationJob(run=run, days=days, requested_by=by)
        job.full_clean()
        job.save()
        # robust: a broker that cannot be reached leaves the job queued (and logged) rather than
        # failing the mentor's request after the job was saved.
        transaction.on_commit(lambda: _job_enqueue(job.pk), robust=True)
    return job


def _job_enqueue(job_id: int) -> None:
    from .tasks import simulation_job_run as task

    task.delay(job_id)


def _job_finish(job: SimulationJob, status: str, error: str) -> None:
    SimulationJob.objects.filter(pk=job.pk).update(status=status, error=error[:ERROR_LENGTH], finished_at=timezone.now())


__all__ = ["JOB_ABANDONED_AFTER", "MAX_ADVANCE_DAYS", "job_is_active", "jobs_active", "scheduled_runs_advance", "simulation_job_create",
           "simulation_job_run"]
