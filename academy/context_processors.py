from django.conf import settings


def site_frame(request):
    """What the header and footer need on every page."""
    return {"SITE_NAME": settings.WAGTAIL_SITE_NAME, "SITE_URL": settings.SITE_URL}
