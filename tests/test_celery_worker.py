"""A real Celery worker against the configured broker (Redis in CI's PostgreSQL stage).

Everywhere else tasks run eagerly, in the caller; these tests prove that the routing, the
serialisation and the worker's consumption of the queues work too. The worker is Celery's
embedded test worker: a thread of this process with the "solo" pool, so what a task does to the
process (Django's locmem mail outbox, the locmem cache) is visible to the test. Tasks ignore
their results (`CELERY_TASK_IGNORE_RESULT`), so each test polls the task's side effect instead.
"""

import json
import os
import time
import uuid

import pytest
from celery.result import EagerResult
from django.core import mail
from django.core.cache import cache

from academy.celery import app
from academy.tasks import SCHEDULER_HEARTBEAT_KEY, email_send, scheduler_heartbeat

SIDE_EFFECT_TIMEOUT = 20  # seconds; a task on an idle local worker takes milliseconds


def _broker_is_in_memory():
    return (app.conf.broker_url or "").startswith("memory://")


pytestmark = [
    pytest.mark.worker,
    # A string condition is evaluated when each test is set up, before its database: a skipped
    # worker test costs no test database and flushes none.
    pytest.mark.skipif(
        "_broker_is_in_memory()",
        reason="the broker is memory://; set CELERY_BROKER_URL=redis://... to run a real worker",
    ),
    pytest.mark.django_db(transaction=True),
]


def _broker_unreachable_reason():
    """Why the configured broker cannot be used, or "" when it can."""
    url = app.conf.broker_url
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any failure to connect means the same thing here
        return f"the broker at {url} is unreachable ({type(exc).__name__}: {exc})"
    return ""


@pytest.fixture
def worker(settings):
    """A worker thread consuming every queue of the app, with eager execution switched off for
    the test (in Celery's configuration and in Django's settings, which the health check reads)."""
    reason = _broker_unreachable_reason()
    if reason:
        # CI's PostgreSQL stage points CELERY_BROKER_URL at Redis: there a missing worker is a
        # failure, never a quiet skip.
        if os.environ.get("CI") and os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
            pytest.fail(f"CI must run the worker tests, but {reason}")
        pytest.skip(reason)

    from celery.contrib.testing.worker import start_worker

    settings.CELERY_TASK_ALWAYS_EAGER = False
    eager_before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30) as started:
            yield started
    finally:
        app.conf.task_always_eager = eager_before


def _wait_for(condition, *, what):
    deadline = time.monotonic() + SIDE_EFFECT_TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"no worker did this within {SIDE_EFFECT_TIMEOUT} s: {what}")


def test_email_send_is_delivered_by_the_worker(worker):
    """An e-mail queued with .delay() goes through the broker's `email` queue and is sent by
    the worker, not by the caller."""
    subject = f"Worker check {uuid.uuid4().hex}"

    email_send.delay(
        subject=subject, body="Sent from the worker.", from_email="no-reply@example.com", to=["learner@example.com"]
    )

    def sent():
        return [message for message in mail.outbox if message.subject == subject]

    [message] = _wait_for(sent, what=f"send the e-mail {subject!r}")
    assert message.to == ["learner@example.com"]
    assert message.body == "Sent from the worker."


def test_scheduler_heartbeat_runs_on_the_worker_and_healthz_sees_the_broker(worker, client):
    """The beat task, queued rather than run in-process, records its heartbeat; with eager mode
    off the health check connects to the real broker and reports it healthy."""
    assert cache.get(SCHEDULER_HEARTBEAT_KEY) is None

    result = scheduler_heartbeat.delay()

    heartbeat = _wait_for(lambda: cache.get(SCHEDULER_HEARTBEAT_KEY), what="record the scheduler heartbeat")
    assert not isinstance(result, EagerResult), "the task ran in the caller, not on the worker"
    assert heartbeat[:4].isdigit()

    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"database": "ok", "cache": "ok", "broker": "ok"}
