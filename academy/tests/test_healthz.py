"""/healthz: each part a request depends on (database, cache, Celery broker) reports its state,
and any failing part makes the whole answer 503 with that part named."""

import pytest
from django.db import DatabaseError

from academy import health

pytestmark = pytest.mark.django_db

URL = "/healthz"


def test_healthz_reports_every_part_healthy(client):
    """In tests the database and cache answer and Celery runs eagerly: 200 with exactly those three parts."""
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "eager"}


def test_healthz_is_never_cached(client):
    """Load balancers and proxies must not cache the health answer."""
    response = client.get(URL)

    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_healthz_answers_without_a_language_prefix_or_a_trailing_slash(client):
    """The probe URL is exactly /healthz, answered directly rather than redirected."""
    from django.urls import reverse

    assert reverse("healthz") == "/healthz"
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


class _BrokenCursor:
    def __enter__(self):
        raise DatabaseError("connection to server was lost")

    def __exit__(self, *exc):
        return False


class _BrokenConnection:
    def cursor(self):
        return _BrokenCursor()


def test_healthz_names_a_failing_database(client, monkeypatch):
    """When the database check raises, the answer is 503 and "database" carries the error while
    the other parts still report."""
    monkeypatch.setattr(health, "connection", _BrokenConnection())

    response = client.get(URL)

    assert response.status_code == 503
    report = response.json()
    assert report["database"] == "error: DatabaseError: connection to server was lost"
    assert (report["cache"], report["broker"]) == ("ok", "eager")


class _ForgetfulCache:
    def set(self, *args, **kwargs):
        pass

    def get(self, *args, **kwargs):
        return None

    def delete(self, *args, **kwargs):
        pass


def test_healthz_names_a_cache_that_loses_values(client, monkeypatch):
    """A cache that does not give back what was stored is an error on "cache": 503."""
    monkeypatch.setattr(health, "cache", _ForgetfulCache())

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {
        "database": "ok", "cache": "error: RuntimeError: cache did not return what was stored", "broker": "eager"}


@pytest.mark.parametrize("part", ["database", "cache", "broker"])
def test_healthz_answers_503_when_any_check_raises(client, monkeypatch, part):
    """Whatever part raises, whatever the exception, the answer is 503 with that part's error."""
    def boom():
        raise ConnectionRefusedError(f"{part} refused the connection")

    monkeypatch.setitem(health.CHECKS, part, boom)

    response = client.get(URL)

    assert response.status_code == 503
    report = response.json()
    assert report[part] == f"error: ConnectionRefusedError: {part} refused the connection"
    assert set(report) == {"database", "cache", "broker"}
    assert sum(value.startswith("error:") for value in report.values()) == 1


def test_healthz_keeps_a_long_error_short(client, monkeypatch):
    """An error message is cut to 200 characters so the answer stays small."""
    def boom():
        raise RuntimeError("x" * 5000)

    monkeypatch.setitem(health.CHECKS, "database", boom)

    assert len(client.get(URL).json()["database"]) == 200


def test_healthz_checks_a_real_broker_when_tasks_are_not_eager(client, settings):
    """With tasks going to a broker (kombu's in-memory one here), the broker is connected to and reported "ok"."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_names_an_unreachable_broker(client, settings, monkeypatch):
    """When tasks are not eager and the broker cannot be reached, "broker" carries the error: 503."""
    from academy.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False

    def unreachable(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(app, "connection_for_write", unreachable)

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["broker"] == "error: OSError: Connection refused"
