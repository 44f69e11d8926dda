"""Celery tasks of the courses app."""

from celery import shared_task


@shared_task
def submission_files_sweep():
    """Daily: remove submitted files whose hand-in was rolled back (see the service)."""
    from .assignment_services import submission_files_sweep as sweep

    return sweep()
