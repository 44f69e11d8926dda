"""The `make run` demo: SQLite, console e-mail, a Celery worker on kombu's filesystem broker."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)
# The demo server has no TLS; allauth's MFA needs to know that.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# Web server, worker and beat are separate processes: a file cache lets them share the
# scheduler heartbeat and allauth's rate-limit counters without a Redis service.
if not REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),  # noqa: F405
        }
    }
