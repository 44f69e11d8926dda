"""A django-tasks backend that runs Wagtail's background tasks (reference index, search index,
file deletion) on Celery.

Wagtail 8 enqueues that work through django-tasks. Running it on the Celery workers gives it
the same queues, retries and monitoring as the platform's own tasks, instead of a second worker
process and table. Tasks are handed over after the surrounding transaction commits so the worker
sees the rows; with ``CELERY_TASK_ALWAYS_EAGER`` they run in-process (tests, management commands).
"""

from django.db import transaction
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id, normalize_json


class CeleryTaskBackend(BaseTaskBackend):
    supports_defer = False
    supports_async_task = False
    supports_get_result = False
    supports_priority = False

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        args, kwargs = normalize_json(args), normalize_json(kwargs)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        from academy.tasks import django_task_run

        transaction.on_commit(
            lambda: django_task_run.apply_async(
                kwargs={"module_path": task.module_path, "args": list(args), "kwargs": kwargs},
                queue=task.queue_name if task.queue_name != "default" else None,
            )
        )
        return result
