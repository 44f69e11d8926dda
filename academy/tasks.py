"""Site-wide Celery tasks: outgoing e-mail, the bridge for Wagtail's django-tasks, housekeeping."""

import logging

from celery import shared_task
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SCHEDULER_HEARTBEAT_KEY = "academy:scheduler-heartbeat"


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(self, *, subject, body, from_email, to, html=None, headers=None):
    """Send one rendered e-mail. Retried on connection errors; the message is rendered in the
    request that caused it, so a retry sends the same text."""
    message = mail.EmailMultiAlternatives(subject, body, from_email, to, headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task
def django_task_run(*, module_path, args, kwargs):
    """Run a django-tasks task (Wagtail's background work) inside a Celery worker."""
    task = import_string(module_path)
    return task.call(*args, **kwargs)


@shared_task
def scheduler_heartbeat():
    """Record that beat and a worker are alive; the admin dashboard shows the last beat."""
    now = timezone.now()
    cache.set(SCHEDULER_HEARTBEAT_KEY, now.isoformat(), timeout=None)
    return now.isoformat()


@shared_task
def sessions_clear():
    """Delete expired sessions (idempotent)."""
    call_command("clearsessions")
