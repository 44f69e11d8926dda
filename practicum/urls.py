from django.urls import path

from . import views

urlpatterns = [
    path("landed-cost/", views.landed_cost, name="landed_cost"),
]
