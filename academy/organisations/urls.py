from django.urls import path

from . import views

urlpatterns = [
    path("apply/", views.organisation_apply, name="organisation_apply"),
    path("join/", views.membership_request, name="membership_request"),
    path("review/", views.review_queue, name="organisation_review"),
    path("review/<int:pk>/", views.organisation_decide, name="organisation_decide"),
    path("memberships/<int:pk>/", views.membership_decide, name="membership_decide"),
    path("<slug:slug>/members/", views.organisation_members_view, name="organisation_members"),
    path("<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
]
