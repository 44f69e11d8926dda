"""System checks for deployment: what `check --deploy` should flag beyond Django's own."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """allauth's rate limits count in the cache: a per-process cache lets an attacker multiply
    the limits by the number of processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PROCESS_LOCAL_CACHES:
        return [Warning(
            "The default cache is local to each process, so login and sign-up rate limits are not shared.",
            hint="Set REDIS_URL so the cache is shared by every web process.",
            id="academy.W001",
        )]
    return []


@register(Tags.security, deploy=True)
def celery_broker_check(app_configs, **kwargs):
    """The filesystem broker is for the single-machine demo only."""
    if settings.CELERY_BROKER_URL.startswith(("filesystem://", "memory://")) and not settings.CELERY_TASK_ALWAYS_EAGER:
        return [Warning(
            "Celery uses a single-machine broker.",
            hint="Set REDIS_URL or CELERY_BROKER_URL to a Redis server.",
            id="academy.W002",
        )]
    return []
