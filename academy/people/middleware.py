"""`MFA_REQUIRED_FOR_STAFF`: allauth offers TOTP but never forces it, so this middleware sends
staff and organisation admins without a TOTP authenticator to the TOTP set-up page before
anything else, letting through only what that set-up needs (and signing out)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .selectors import user_has_totp, user_is_staff_like

ALLOWED_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "set_language",
    "healthz",
)
ALLOWED_PREFIXES = ("/static/", "/media/")
ALLOWED_PATHS = {"/healthz"}


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(settings, "MFA_REQUIRED_FOR_STAFF", False) and self._must_set_up(request):
            messages.warning(request, _("Your role needs two-factor authentication. Set up an authenticator app to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        path = request.path_info
        if path in ALLOWED_PATHS or path.startswith(ALLOWED_PREFIXES):
            return False
        try:
            match = resolve(path)
        except Resolver404:
            return False
        if match.url_name in ALLOWED_URL_NAMES:
            return False
        cache_attr = "_academy_mfa_needed"
        if not hasattr(request, cache_attr):
            setattr(request, cache_attr, user_is_staff_like(user=user) and not user_has_totp(user=user))
        return getattr(request, cache_attr)
