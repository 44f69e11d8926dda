"""The Celery beat schedule of the settings."""


def test_every_scheduled_task_is_a_registered_celery_task():
    """Celery beat names each task by its dotted path; each must be one the workers know (a typo
    would only show up as an error in the beat log)."""
    from django.conf import settings

    from academy.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
