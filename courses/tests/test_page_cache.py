"""The anonymous whole-page cache (academy.page_cache.AnonymousPageCacheMiddleware) on its own:
what it stores and what it never stores. The catalog page's use of it is tested in
test_catalog.py."""

import pytest
from csp.middleware import CheckableLazyObject
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from academy.page_cache import AnonymousPageCacheMiddleware, page_cache_allow, page_cache_clear


class View:
    """A stand-in for the rest of the stack that counts how often it runs."""

    def __init__(self, allow=True, csrf=False, nonce=False, cookie=False, status=200):
        self.calls = 0
        self.allow, self.csrf, self.nonce, self.cookie, self.status = allow, csrf, nonce, cookie, status

    def __call__(self, request):
        self.calls += 1
        if self.allow:
            page_cache_allow(request)
        if self.csrf:
            get_token(request)
        if self.nonce:
            str(request.csp_nonce)  # what a template's {{ request.csp_nonce }} does
        response = HttpResponse(f"page {self.calls}", content_type="text/html; charset=utf-8", status=self.status)
        if self.cookie:
            response.set_cookie("tracking", "1")
        return response


def serve(view, method="get", cookies=None):
    request = getattr(RequestFactory(), method)("/courses/")
    request.COOKIES.update(cookies or {})
    # As django-csp's middleware, which runs before the page cache, leaves it.
    request.csp_nonce = CheckableLazyObject(lambda: "n0nce")
    return AnonymousPageCacheMiddleware(view)(request)


def test_an_allowed_anonymous_page_is_stored_and_served_again():
    """The second anonymous GET of an allowed page is served from the cache, and the cache
    empties when told to."""
    view = View()

    assert serve(view)["X-Page-Cache"] == "miss"
    hit = serve(view)
    assert hit["X-Page-Cache"] == "hit" and hit.content == b"page 1" and view.calls == 1

    page_cache_clear()
    assert serve(view).content == b"page 2"


@pytest.mark.parametrize("view, request_kwargs", [
    (View(allow=False), {}),
    (View(), {"cookies": {settings.SESSION_COOKIE_NAME: "abc"}}),
    (View(), {"method": "post"}),
    (View(cookie=True), {}),
    (View(csrf=True), {}),
    (View(nonce=True), {}),
    (View(status=404), {}),
], ids=["not allowed", "signed in", "post", "sets a cookie", "csrf token", "csp nonce", "not found"])
def test_what_is_never_stored(view, request_kwargs):
    """Pages that did not allow it, visitors with a session, POSTs, and responses that set a
    cookie, used a CSRF token or a CSP nonce, or are not a 200, are never stored: every request
    runs the view."""
    for _ in range(2):
        response = serve(view, **request_kwargs)
        assert response.get("X-Page-Cache") != "hit"

    assert view.calls == 2
