"""Health checks of the parts a request depends on: database, cache and the Celery broker."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def database_check():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def cache_check():
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    return "ok"


def broker_check():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from academy.celery import app, broker_prepare_folders

    broker_prepare_folders()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": database_check, "cache": cache_check, "broker": broker_check}


def health_report():
    """Each part's state; a part that fails reports `error: <reason>`."""
    report, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # a health check reports every failure, whatever its kind
            report[name] = f"error: {type(exc).__name__}: {exc}"[:200]
            healthy = False
    return report, healthy
