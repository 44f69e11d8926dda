"""The Celery application: Redis broker in production, kombu's filesystem transport for the
service-free demo, in-process (eager) in most tests.

Tasks are written to be run more than once (``acks_late`` redelivers a task whose worker died),
so every task is idempotent; workers are recycled after ``max_tasks_per_child`` tasks.
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings.dev")

app = Celery("academy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("pdf"), Queue("email"))
app.autodiscover_tasks()


def broker_prepare_folders():
    """Create the folders of the filesystem broker (the demo's) before a worker or producer uses them."""
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


@app.on_after_configure.connect
def _broker_folders_on_configure(sender, **kwargs):
    broker_prepare_folders()
