"""Celery tasks of the practicum: the simulation clock (`practicum.run_clock` has the rules)."""

from celery import shared_task


@shared_task
def simulation_job_run(job_id):
    """Play a mentor's or the scheduler's job day by day. Idempotent: a job already claimed,
    done or failed is not run again, so a second delivery of the task does nothing."""
    from .run_clock import simulation_job_run as job_run
    from .run_models import SimulationJob

    job = SimulationJob.objects.filter(pk=job_id).select_related("run__project").first()
    if job is None:
        return None
    job = job_run(job=job)
    return job.status


@shared_task
def scheduled_runs_advance():
    """Beat: one simulated day for each running run in scheduled mode (one job per run)."""
    from .run_clock import scheduled_runs_advance as advance

    return [job.pk for job in advance()]
