"""`MFA_REQUIRED_FOR_STAFF`: staff, Wagtail editors and organisation admins without a TOTP
authenticator are sent to the TOTP set-up page before anything else
(`academy.people.middleware.StaffMFARequiredMiddleware`); students never are; with the setting
off nobody is. Also: TOTP set up through allauth's real view, and a second factor that
password-only sign-in cannot skip."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse

from academy.people.middleware import ALLOWED_URL_NAMES
from tests.test_accounts import _login_view_urls

pytestmark = pytest.mark.django_db

GATED_URLS = ("/dashboard/", "/admin/", "/partners/")
STAFF = ("author_a", "platform_admin", "org_admin_a")


def totp_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def assert_sent_to_totp_setup(response):
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("mfa_activate_totp"), response["Location"]


def open_totp_setup(client, password):
    """Open the TOTP set-up page. allauth asks for the password again before an authenticator
    is added (a fresh sign-in does not count), so confirm it on the way; the re-authentication
    page must itself be reachable."""
    url = reverse("mfa_activate_totp")
    response = client.get(url)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate")), response["Location"]
        assert client.get(response["Location"]).status_code == 200
        response = client.post(response["Location"], {"password": password})
        assert response.status_code == 302 and response["Location"] == url, response
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture(params=STAFF)
def staff_user(request):
    """Each kind of person the platform asks for a second factor: a Wagtail editor, a platform
    admin (superuser) and an organisation admin."""
    return request.getfixturevalue(request.param)


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_staff_without_totp_are_sent_to_totp_setup(staff_user, password, partner_index):
    """An editor, a platform admin or an organisation admin without TOTP is sent from the
    dashboard, the admin and the public site to the TOTP set-up page, which opens; signing out
    still works."""
    client = client_for(staff_user)
    for url in GATED_URLS:
        assert_sent_to_totp_setup(client.get(url))
    open_totp_setup(client, password)
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_students_are_not_sent_to_totp_setup(student, partner_index):
    """A student is never asked to set up TOTP."""
    client = client_for(student)
    for url in ("/dashboard/", "/partners/"):
        assert client.get(url).status_code == 200, url


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_staff_with_totp_are_let_through(staff_user, partner_index):
    """Once a TOTP authenticator exists for the person, they reach the dashboard, the admin and
    the public site."""
    TOTP.activate(staff_user, generate_totp_secret())
    client = client_for(staff_user)
    for url in GATED_URLS:
        assert client.get(url).status_code == 200, url


@override_settings(MFA_REQUIRED_FOR_STAFF=False)
def test_with_the_setting_off_nobody_is_sent_to_totp_setup(author_a, platform_admin, org_admin_a, student, partner_index):
    """With MFA_REQUIRED_FOR_STAFF off, staff without TOTP use the site and the admin freely."""
    for user in (author_a, platform_admin, org_admin_a):
        client = client_for(user)
        for url in GATED_URLS:
            assert client.get(url).status_code == 200, (user.email, url)
    assert client_for(student).get("/dashboard/").status_code == 200


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_totp_set_up_through_the_real_view(author_a, password, partner_index):
    """An editor signs in with their password, is sent to TOTP set-up, scans the secret, posts
    the current code, and from then on reaches the admin; a wrong code adds nothing."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": author_a.email, "password": password}, follow=True)
    assert [url for url, _ in response.redirect_chain][:2] == [reverse("dashboard"), reverse("mfa_activate_totp")]
    response = open_totp_setup(client, password)
    secret = client.session[SECRET_SESSION_KEY]
    assert response.context["form"].secret == secret
    assert secret in response.context["totp_url"]

    url = reverse("mfa_activate_totp")
    wrong = format_hotp_value((int(totp_code(secret)) + 1) % 10 ** mfa_settings.TOTP_DIGITS)
    response = client.post(url, {"code": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Authenticator.objects.filter(user=author_a).exists()

    response = client.post(url, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=author_a, type=Authenticator.Type.TOTP).count() == 1
    for url in GATED_URLS:
        assert client.get(url).status_code == 200, url


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_totp_user_signing_in_with_a_password_is_asked_for_the_code(author_a, password, partner_index):
    """Once TOTP is set up, allauth's sign-in with the right password alone does not sign in; it
    asks for the code, and the code completes the sign-in."""
    secret = generate_totp_secret()
    TOTP.activate(author_a, secret)
    client = Client()
    response = client.post(reverse("account_login"), {"login": author_a.email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith(reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(author_a.pk)
    assert client.get("/admin/").status_code == 200


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_no_login_view_skips_the_second_factor(author_a, password, partner_index):
    """A person with TOTP cannot reach the admin with only their password through any login view
    in the project (Wagtail's admin and front-end login views included)."""
    TOTP.activate(author_a, generate_totp_secret())
    urls = _login_view_urls(lambda route: True)
    assert {"/admin/login/", "/_util/login/"} <= set(urls)
    for url in urls:
        client = Client()
        client.post(url, {"username": author_a.email, "password": password})
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), (
            f"{url} opened the admin without the second factor"
        )


def test_only_set_up_and_sign_out_urls_skip_the_requirement():
    """The URL names the middleware lets through belong only to allauth (2FA set-up, sign-out,
    re-authentication), Django's language switch and the health check: no admin or site view
    shares one of those names."""
    allowed_modules = ("allauth.", "django.views.i18n", "academy.views")
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name in ALLOWED_URL_NAMES:
                found.add(pattern.name)
                assert pattern.callback.__module__.startswith(allowed_modules), (pattern.name, pattern.callback.__module__)

    walk(get_resolver().url_patterns)
    assert {"mfa_activate_totp", "account_logout", "set_language"} <= found
