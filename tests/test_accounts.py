"""Accounts: sign-up with e-mail verification, sign-in, password reset and change, sign-out, the
profile, and the guarantee that the Wagtail admin is entered only through allauth's sign-in
(which carries e-mail verification, rate limits and the second factor).

The flows are driven through the real views; e-mails go out through `academy.tasks.email_send`
(Celery runs eagerly in the test settings) into Django's locmem outbox."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core import mail
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from academy.people.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Caravan-Route-2026!"
SESSION_USER_KEY = "_auth_user_id"


def signed_in(client):
    return SESSION_USER_KEY in client.session


def link_in(message):
    """The site link in an e-mail, as a path the test client can open."""
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.fixture
def sent_through_task(monkeypatch):
    """Every e-mail the site sends, as handed to the `email_send` Celery task."""
    from academy.tasks import email_send

    calls = []
    original = email_send.delay

    def delay(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(email_send, "delay", delay)
    return calls


# --- Sign-up and e-mail verification --------------------------------------------------------


def test_sign_up_verify_email_then_sign_in(client, sent_through_task):
    """A new person signs up with e-mail, password, display name and language; they cannot sign
    in until they open the link from the verification e-mail and confirm it (POST); then
    signing in works and lands on the dashboard with the site in their language."""
    email = "new-learner@example.com"
    response = client.post(reverse("account_signup"), {
        "email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "display_name": "New Learner", "preferred_language": "zh-hans",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=email)
    assert (user.display_name, user.preferred_language) == ("New Learner", "zh-hans")
    assert user.check_password(NEW_PASSWORD)
    assert not EmailAddress.objects.get(user=user, email=email).verified
    assert not signed_in(client)

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    assert mail.outbox[0].subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert [call["to"] for call in sent_through_task] == [[email]]
    confirm_path = link_in(mail.outbox[0])

    # Signing in before verification is refused (and sends the link again).
    response = login(client, email, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert not signed_in(client)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("account_login"))

    # Opening the link only shows the confirmation form; the POST verifies.
    assert client.get(confirm_path).status_code == 200
    assert not EmailAddress.objects.get(user=user, email=email).verified
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user, email=email).verified
    assert not signed_in(client)  # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off

    response = login(client, email, NEW_PASSWORD)
    # The person chose Chinese at sign-up, so signing in lands on the Chinese dashboard.
    assert response.status_code == 302 and response["Location"] == "/zh-hans/dashboard/"
    assert client.session[SESSION_USER_KEY] == str(user.pk)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_sign_up_with_a_weak_password_or_taken_email_creates_nobody(client, student, password):
    """Sign-up with a too-short password or mismatched passwords is refused with a form error;
    sign-up with an address already in use looks the same as a new one from outside (no account
    enumeration) but creates no account and only tells the owner by e-mail."""
    users_before = User.objects.count()
    for data in (
        {"email": "short@example.com", "password1": "short", "password2": "short"},
        {"email": "mismatch@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    ):
        response = client.post(reverse("account_signup"), data)
        assert response.status_code == 200 and response.context["form"].errors, data
    assert not mail.outbox

    response = client.post(reverse("account_signup"), {"email": student.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert not signed_in(client)
    assert [m.to for m in mail.outbox] == [[student.email]]
    assert "/confirm-email/" not in mail.outbox[0].body
    assert User.objects.count() == users_before
    student.refresh_from_db()
    assert student.check_password(password)


def test_sign_in_sets_the_language_cookie_to_the_preferred_language(client, student, password):
    """Signing in sets the language cookie to the person's preferred language and lands on the
    dashboard in that language; without a preference nothing changes."""
    response = login(client, student.email, password)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies

    client.post(reverse("account_logout"))
    User.objects.filter(pk=student.pk).update(preferred_language="zh-hans")
    response = login(client, student.email, password)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert response["Location"] == "/zh-hans/dashboard/", "sign-in lands on the dashboard in the preferred language"


def test_wrong_password_does_not_sign_in(client, student):
    """A wrong password is refused with a form error and no session."""
    response = login(client, student.email, "not-the-password-1")
    assert response.status_code == 200 and response.context["form"].errors
    assert not signed_in(client)


# --- Passwords and sign-out ----------------------------------------------------------------


def test_password_reset_by_email_link(client, student, password):
    """A password reset e-mail carries a link; setting a new password there replaces the old one
    and the new one signs in."""
    response = client.post(reverse("account_reset_password"), {"email": student.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [student.email]
    reset_path = link_in(mail.outbox[0])

    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(reset_path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD) and not student.check_password(password)

    # The link works once.
    client.get(reset_path, follow=True)
    client.post(form_path, {"password1": "Another-Route-2027!", "password2": "Another-Route-2027!"})
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)

    assert not signed_in(client)
    assert login(client, student.email, password).status_code == 200
    response = login(client, student.email, NEW_PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_password_reset_for_an_unknown_address_changes_nothing(client, student, password):
    """A reset request for an address nobody has sends no reset link and changes no password."""
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert not any(re.search(r"/password/reset/key/", m.body) for m in mail.outbox)
    student.refresh_from_db()
    assert student.check_password(password)


def test_password_change_needs_the_current_password(client, student, password):
    """A signed-in person changes their password only by giving the current one."""
    client.force_login(student)
    url = reverse("account_change_password")
    response = client.post(url, {"oldpassword": "wrong-password-1", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 200 and response.context["form"].errors
    student.refresh_from_db()
    assert student.check_password(password)

    response = client.post(url, {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert signed_in(client)  # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off


def test_sign_out_is_a_post(client, student):
    """Opening the sign-out page only asks for confirmation; the POST signs out."""
    client.force_login(student)
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert signed_in(client)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not signed_in(client)


# --- The Wagtail admin is entered through allauth only -------------------------------------


def test_admin_sends_anonymous_visitors_to_allauth_login(client):
    """Anonymous visitors of /admin/ and of Wagtail's own login page are sent to allauth's
    sign-in, keeping where they wanted to go."""
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/"
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/pages/"


def test_posting_credentials_to_wagtails_login_signs_nobody_in(client, platform_admin, password):
    """POSTing correct credentials to /admin/login/ does not sign in; /admin/ still redirects to
    allauth's sign-in."""
    response = client.post("/admin/login/", {"username": platform_admin.email, "password": password})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_admin_password_reset_is_allauths(client, platform_admin, password):
    """/admin/password_reset/ redirects to allauth's reset; Wagtail's reset views (form, confirm
    link, done pages) send no e-mail and change no password."""
    response = client.get("/admin/password_reset/")
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password")
    client.post("/admin/password_reset/", {"email": platform_admin.email})
    assert not mail.outbox

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid, token = urlsafe_base64_encode(force_bytes(platform_admin.pk)), default_token_generator.make_token(platform_admin)
    for url in (
        f"/admin/password_reset/confirm/{uid}/{token}/",
        f"/admin/password_reset/confirm/{uid}/set-password/",
        "/admin/password_reset/done/",
        "/admin/password_reset/complete/",
    ):
        assert client.get(url, follow=True).status_code == 404, url
        client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    platform_admin.refresh_from_db()
    assert platform_admin.check_password(password)


def _login_view_urls(prefix_filter):
    """Every parameterless URL in the project whose view is a Django LoginView (Wagtail's admin
    and front-end login views are such subclasses), with the path it is mounted at."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class and issubclass(view_class, LoginView) and prefix_filter(route):
                    found.append("/" + route.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return found


def _assert_no_password_only_session(url, user, password):
    client = Client()
    client.post(url, {"username": user.email, "login": user.email, "email": user.email, "password": password})
    assert not signed_in(client), f"{url} signed {user.email} in with only a password"
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url


def test_no_login_view_under_admin_signs_in_without_allauth(platform_admin, password):
    """No login view mounted under /admin/ (Wagtail's LoginView or any other) signs a person in
    with only a password: each one resolves to the redirect to allauth."""
    urls = _login_view_urls(lambda route: route.startswith("admin/"))
    assert "/admin/login/" in urls  # the inventory finds Wagtail's view (then shadowed)
    for url in urls:
        _assert_no_password_only_session(url, platform_admin, password)


def test_no_login_view_anywhere_signs_in_without_allauth(platform_admin, student, password):
    """No login view elsewhere in the project (for example Wagtail's front-end `_util/login/`
    for private pages) signs a person in with only a password: that session would reach
    /admin/ without e-mail verification, rate limits or the second factor."""
    unverified = User.objects.create_user(email="unverified@example.com", password=password)
    urls = _login_view_urls(lambda route: not route.startswith("admin/"))
    assert "/_util/login/" in urls  # Wagtail's front-end login for private pages
    for url in urls:
        for user in (platform_admin, unverified):
            _assert_no_password_only_session(url, user, password)


# --- Rate limits -------------------------------------------------------------------------


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_repeated_failed_sign_ins_are_rate_limited(client, student, password):
    """After three failed sign-ins from one address in a minute, the next attempt is refused
    with the rate-limit error, even with the right password."""
    from allauth.account.adapter import get_adapter

    for _ in range(3):
        response = login(client, student.email, "wrong-password-1")
        assert response.status_code == 200
    response = login(client, student.email, password)
    assert response.status_code in (200, 429)
    if response.status_code == 200:
        assert str(get_adapter().error_messages["too_many_login_attempts"]) in str(response.context["form"].errors)
    assert not signed_in(client)


def test_without_rate_limits_the_right_password_still_works_after_failures(client, student, password):
    """The control for the rate-limit test: with the test settings' limits off, the fourth
    attempt with the right password signs in."""
    for _ in range(3):
        login(client, student.email, "wrong-password-1")
    response = login(client, student.email, password)
    assert response.status_code == 302 and signed_in(client)


# --- Profile -----------------------------------------------------------------------------


def test_profile_saves_names_country_and_language(client, student):
    """The profile page saves the names printed on certificates, the country and the language
    (and switches the site's language cookie)."""
    client.force_login(student)
    url = reverse("profile")
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "display_name": "Aru", "name_latin": "Aru Nurlanovna", "name_native": "Ару Нұрланқызы",
        "country": "KZ", "preferred_language": "zh-hans",
    })
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.display_name, student.name_latin, student.name_native, student.country.code, student.preferred_language) == (
        "Aru", "Aru Nurlanovna", "Ару Нұрланқызы", "KZ", "zh-hans"
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_profile_rejects_bad_input_and_changes_nothing(client, student):
    """An unknown country code or language shows an error and changes nothing."""
    client.force_login(student)
    before = User.objects.filter(pk=student.pk).values("display_name", "name_latin", "name_native", "country", "preferred_language").get()
    for bad in ({"country": "XX"}, {"preferred_language": "fr"}, {"name_latin": "x" * 121}):
        data = {"display_name": "Changed", "name_latin": "Changed", "name_native": "", "country": "KZ", "preferred_language": "en", **bad}
        response = client.post(reverse("profile"), data)
        assert response.status_code == 200
        assert set(response.context["form"].errors) == set(bad), bad
        assert User.objects.filter(pk=student.pk).values(*before).get() == before


def test_profile_needs_sign_in(client):
    """The profile page sends anonymous visitors to sign in."""
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
