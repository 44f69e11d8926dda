"""URLs of the practicum mentor pages."""

from django.urls import path  # noqa: F401

urlpatterns = []
