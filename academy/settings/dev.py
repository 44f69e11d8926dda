"""The `make run` demo: SQLite, console e-mail, a Celery worker on kombu's filesystem broker."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)
# The demo server has no TLS; allauth's MFA needs to know that.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# DEV ONLY: a fixed, public key-encryption key so `make run`'s worker can sign the demo's
# certificates without setup. Never reuse it: production reads CERTIFICATES_KEY_ENCRYPTION_KEYS
# from the environment only (see .env.example).
CERTIFICATES_KEY_ENCRYPTION_KEYS = CERTIFICATES_KEY_ENCRYPTION_KEYS or ["9C-mLWx24hi3uCJ4lR0LHH9hM44AfRKZ_9vE7YXh3mc="]  # noqa: F405

# Web server, worker and beat are separate processes: a file cache lets them share the
# scheduler heartbeat and allauth's rate-limit counters without a Redis service.
if not REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),  # noqa: F405
        }
    }
