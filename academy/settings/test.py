"""Test settings: fast hashers, locmem cache and e-mail, Celery tasks in-process unless a test
starts a real worker (tests marked `worker`)."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
SECRET_KEY = "test-insecure-key"
# A fixed, public Fernet key: test data only.
CERTIFICATES_KEY_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWNlcnRpZmljYXRlLWtleS0wMDAwMDA="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
MFA_REQUIRED_FOR_STAFF = False  # a dedicated test switches it on
ACCOUNT_RATE_LIMITS = False  # a dedicated test switches them back on
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
