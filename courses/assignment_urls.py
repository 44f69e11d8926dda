"""URLs of the assignment pages, included into the `courses` namespace by `courses.urls`."""

from django.urls import path  # noqa: F401

urlpatterns = []
