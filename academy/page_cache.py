"""A whole-page cache for anonymous visitors of pages that allow it (the course catalog): a hit
is served before URL routing and Wagtail's site lookup, with no database query. The cache is
emptied when any page is published or unpublished and when what a page lists changes (course
runs), and entries expire after `PAGE_CACHE_SECONDS` in any case, since "open for enrolment"
changes with the clock.

Only responses that set no cookie and used no CSRF token or CSP nonce are stored, so nothing
personal or single-use can be served to the next visitor."""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

VERSION_KEY = "academy:page-cache:version"
ALLOWED_ATTRIBUTE = "page_cache_allowed"


def page_cache_clear():
    """Forget every cached page (by moving to a new key namespace)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def page_cache_allow(request):
    """Called by a view whose response may be cached for anonymous visitors."""
    setattr(request, ALLOWED_ATTRIBUTE, True)


def _anonymous(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request, version):
    # Hashed: a query string can make the address longer than a cache key may be.
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"academy:page-cache:{version}:{address}"


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _anonymous(request):
            return self.get_response(request)
        version = cache.get(VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            cache.add(VERSION_KEY, version, timeout=None)
            version = cache.get(VERSION_KEY, version)
        key = _key(request, version)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            # LocaleMiddleware, outside this one, adds Content-Language and Vary: Accept-Language;
            # a signed-in visitor (with a session cookie) must never get this copy from a proxy.
            patch_vary_headers(response, ["Cookie"])
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(request, ALLOWED_ATTRIBUTE, False)
            and response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
            # A CSP nonce is per response: a stored page would carry a nonce that the next
            # response's Content-Security-Policy header does not allow (django-csp's lazy nonce
            # is true once a template used it).
            and not getattr(request, "csp_nonce", None)
            and not getattr(response, "streaming", False)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
            patch_vary_headers(response, ["Cookie"])
            response["X-Page-Cache"] = "miss"
        return response
