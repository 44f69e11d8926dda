"""URLs of the grade pages, included into the `courses` namespace by `courses.urls`."""

from django.urls import path  # noqa: F401

urlpatterns = []
