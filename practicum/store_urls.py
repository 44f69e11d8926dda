"""URLs of the practicum store pages."""

from django.urls import path  # noqa: F401

urlpatterns = []
