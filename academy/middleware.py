"""Content-Security-Policy: the public site gets django-csp's strict policy; Wagtail's admin,
which relies on inline scripts and styles, gets the same policy widened just enough for it."""

from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/admin/"):
            update = dict(parts.update or {})
            for directive, sources in settings.ACADEMY_ADMIN_CSP_EXTRA.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
