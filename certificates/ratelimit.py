"""Rate limits of the public verification page (issue "Certificates", point 6): per client
address, so nobody can walk through codes or spend the server's time on uploads.

- **Who**: the client's address as django-allauth determines it for its own rate limits
  (`REMOTE_ADDR`, or the `X-Forwarded-For` entry that `ALLAUTH_TRUSTED_PROXY_COUNT` /
  `ALLAUTH_TRUSTED_CLIENT_IP_HEADER` say to trust behind a proxy): one setting governs both, and
  a client cannot pick another address by sending the header itself. The address is stored only
  as a keyed hash.
- **How**: a fixed window counted in the default cache (locmem in tests, Redis in production,
  so every gunicorn node shares the counts): the first request of a window adds a counter that
  expires with the window, each request increments it atomically, and a request past the limit is
  told how many seconds remain (the `Retry-After` of a 429). A fixed window lets a client spend
  up to twice the limit across a window's edge, which is acceptable here and needs one cache key.
- **Limits**: `settings.CERTIFICATES_VERIFY_RATE`, a dict of scope → (requests, seconds), read at
  request time; a scope it omits keeps its default in `DEFAULT_RATES`.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.crypto import salted_hmac

DEFAULT_RATES = {
    "view": (60, 600),  # page views (unknown codes included) per 10 minutes
    "upload": (10, 600),  # files checked per 10 minutes
}


def rate_for(scope: str) -> tuple[int, int]:
    """(requests, window in seconds) allowed for `scope`."""
    configured = getattr(settings, "CERTIFICATES_VERIFY_RATE", None) or {}
    limit, window = configured.get(scope, DEFAULT_RATES[scope])
    return int(limit), int(window)


def client_address(request) -> str:
    """The client's address, as django-allauth's rate limits see it ("unknown" if there is none)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


def rate_limit_consume(*, request, scope: str) -> int | None:
    """Count this request against the client's limit for `scope`. Returns None while within the
    limit, else the seconds until the window ends (for `Retry-After`)."""
    limit, window = rate_for(scope)
    now = int(time.time())
    window_start = now - now % window
    address = salted_hmac("certificates.ratelimit", client_address(request)).hexdigest()[:32]
    key = f"certificates:verify-rate:{scope}:{address}:{window_start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this request starts it again
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        return max(1, window_start + window - now)
    return None
