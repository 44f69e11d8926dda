"""The site's URLconf plus the benchmarks' baseline view at `/bench/hello/`: a plain-text
`HttpResponse`, so a request to it pays for the same server, middleware and URL resolution as
a page and for nothing else. Used only by `bench.settings` (never by the site)."""

from django.http import HttpResponse
from django.urls import path

from academy.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
