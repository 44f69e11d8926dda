"""Production settings: Django's deployment checks pass with a realistic environment, a missing
SECRET_KEY stops the process, HTTPS and cookies are locked down, templates are cached, database
connections persist, and every response carries a Content-Security-Policy (widened for the admin
only). Production settings are loaded in subprocesses: importing them here would change the
settings objects this test process shares with them."""

import json
import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

HOST = "academy.example.org"

# Dumps what production configures and how it answers a few requests, as JSON. The health checks
# are replaced so no Redis is needed; no request below touches the (empty) database.
PRODUCTION_PROBE = textwrap.dedent(f"""
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from academy import health

    health.CHECKS.clear()
    health.CHECKS["probe"] = lambda: "ok"
    client = Client(HTTP_HOST="{HOST}")
    https = {{"HTTP_X_FORWARDED_PROTO": "https"}}
    plain_page = client.get("/dashboard/")
    plain_health = client.get("/healthz")
    health_ = client.get("/healthz", **https)
    admin = client.get("/admin/", **https)
    templates = settings.TEMPLATES[0]
    print(json.dumps({{
        "DEBUG": settings.DEBUG,
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
        "LANGUAGE_COOKIE_SECURE": settings.LANGUAGE_COOKIE_SECURE,
        "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
        "APP_DIRS": templates.get("APP_DIRS"),
        "loaders": templates["OPTIONS"].get("loaders"),
        "CONN_MAX_AGE": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "ACADEMY_ALLOW_DEMO_DATA": settings.ACADEMY_ALLOW_DEMO_DATA,
        "cache": settings.CACHES["default"]["BACKEND"],
        "broker": settings.CELERY_BROKER_URL,
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
        "plain_page": [plain_page.status_code, plain_page.get("Location", "")],
        "plain_health": plain_health.status_code,
        "health": [health_.status_code, health_.get("Strict-Transport-Security", ""), health_.get("Content-Security-Policy", "")],
        "admin": [admin.status_code, admin.get("Content-Security-Policy", "")],
    }}))
""")


# Variables the settings read, cleared so the machine running the tests cannot change the outcome.
PRODUCTION_VARIABLES = {
    "SECRET_KEY", "DEBUG", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "DATABASE_CONN_MAX_AGE", "EMAIL_BACKEND",
    "AWS_STORAGE_BUCKET_NAME", "MFA_REQUIRED_FOR_STAFF",
}


def _production_env(tmp_path, **overrides):
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_VARIABLES}
    env.update({
        "DJANGO_SETTINGS_MODULE": "academy.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SITE_URL": f"https://{HOST}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "ACADEMY_VAR_DIR": str(tmp_path / "var"),
    })
    env.update(overrides)
    return env


def _run(args, env):
    return subprocess.run(args, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    result = _run([sys.executable, "-c", PRODUCTION_PROBE], _production_env(tmp_path_factory.mktemp("production")))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_check_passes_without_a_warning(tmp_path):
    """`manage.py check --deploy --fail-level WARNING` with production settings and a realistic
    environment exits 0 and reports no issue at all."""
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path):
    """Without SECRET_KEY in the environment, importing production settings raises ImproperlyConfigured."""
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = _run([sys.executable, "-c", "import academy.settings.production"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_production_forces_https_with_hsts_and_secure_cookies(production):
    """Production redirects HTTP to HTTPS, sends HSTS for a year with subdomains, and marks the
    session, CSRF and language cookies secure; debug and the demo data are off."""
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"] and production["LANGUAGE_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["ACADEMY_ALLOW_DEMO_DATA"] is False
    assert production["plain_page"] == [301, f"https://{HOST}/dashboard/"]
    status, hsts, _csp = production["health"]
    assert status == 200
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


def test_production_health_probe_is_not_redirected_to_https(production):
    """The load balancer's plain-HTTP probe of /healthz is answered, not redirected."""
    assert production["plain_health"] == 200


def test_production_caches_templates_and_keeps_database_connections(production):
    """Templates go through the cached loader, and database connections are kept between requests."""
    assert production["APP_DIRS"] is False
    (loader, inner), = production["loaders"]
    assert loader == "django.template.loaders.cached.Loader"
    assert inner == ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
    assert production["CONN_MAX_AGE"] > 0


def test_production_uses_redis_and_a_real_broker(production):
    """With REDIS_URL set, the cache and the Celery broker use Redis and tasks are not run in-process."""
    assert production["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert production["broker"] == "redis://127.0.0.1:6379/0"
    assert production["eager"] is False
    assert production["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_responses_carry_a_strict_csp_and_the_admin_a_widened_one(production):
    """Production responses have a Content-Security-Policy with default-src 'self' and no inline
    script; the admin's policy adds only what Wagtail's admin needs."""
    public = production["health"][2]
    admin_status, admin = production["admin"]
    assert "default-src 'self'" in public and "object-src 'none'" in public
    assert "unsafe-inline" not in public and "unsafe-eval" not in public
    assert admin_status == 302
    assert "default-src 'self'" in admin
    assert "'unsafe-inline'" in _directive(admin, "script-src") and "'unsafe-eval'" in _directive(admin, "script-src")
    assert "'unsafe-inline'" in _directive(admin, "style-src")


def _directive(policy, name):
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


# --- The same policy in this test process ----------------------------------------------------


def test_public_pages_carry_the_strict_csp(client, home_page):
    """GET / carries a Content-Security-Policy with default-src 'self' and no inline scripts or styles."""
    policy = client.get("/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert _directive(policy, "script-src") == ["'self'"]
    assert _directive(policy, "style-src") == ["'self'"]
    assert _directive(policy, "frame-ancestors") == ["'self'"]


def test_admin_gets_the_widened_csp(client, platform_admin):
    """The Wagtail admin gets inline scripts and styles allowed; nothing else is widened."""
    client.force_login(platform_admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert set(_directive(policy, "script-src")) == {"'self'", "'unsafe-inline'", "'unsafe-eval'"}
    assert set(_directive(policy, "style-src")) == {"'self'", "'unsafe-inline'"}
    assert "default-src 'self'" in policy and _directive(policy, "object-src") == ["'none'"]


def test_a_page_whose_path_merely_contains_admin_is_not_widened(client, home_page):
    """Only paths under /admin/ get the admin's policy, not e.g. /organisations/…/admin-like paths."""
    policy = client.get("/organisations/apply/?next=/admin/")["Content-Security-Policy"]

    assert "unsafe-inline" not in policy
