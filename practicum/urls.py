from django.urls import include, path

from . import views

urlpatterns = [
    path("landed-cost/", views.landed_cost, name="landed_cost"),
    path("reference/<slug:table>/<int:pk>/", views.reference_row, name="reference_row"),
    path("", include("practicum.store_urls")),
    path("", include("practicum.mentor_urls")),
]
