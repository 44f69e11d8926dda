from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views


class AdminLoginRedirect(RedirectView):
    """Wagtail's own login forms (admin and private pages) are replaced by allauth's, which has
    MFA and rate limits."""

    query_string = True
    url = reverse_lazy("account_login")


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # No password-only way into the admin: its login and password-reset views go to allauth.
    path("admin/login/", AdminLoginRedirect.as_view(), name="wagtailadmin_login"),
    path("admin/password_reset/", RedirectView.as_view(url=reverse_lazy("account_reset_password"))),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Signed credentials, issuer keys and status lists: their URLs are signed into credentials,
    # so they carry no language prefix.
    path("certificates/", include("certificates.urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/profile/", include("academy.people.urls")),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("organisations/", include("academy.organisations.urls")),
    # Wagtail's front-end login (for private pages) would be a password-only way in too.
    path("_util/login/", AdminLoginRedirect.as_view()),
    path("practicum/", include("practicum.urls")),
    path("learn/", include("courses.urls")),
    # The wallet and verification pages; the unprefixed certificates/ URLs above take only
    # issuers/, status/ and <code>/credential.json or certificate.pdf, so these never clash.
    path("certificates/", include("certificates.public_urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
