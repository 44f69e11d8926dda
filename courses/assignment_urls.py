"""URLs of the assignment pages, included into the `courses` namespace by `courses.urls`."""

from django.urls import path

from . import assignment_views

urlpatterns = [
    path(
        "runs/<int:run_id>/lessons/<int:item_id>/assignments/<str:block_id>/submit/",
        assignment_views.submission_create, name="submission_create",
    ),
    path("runs/<int:run_id>/submissions/<int:submission_id>/", assignment_views.submission, name="submission"),
    path(
        "runs/<int:run_id>/submissions/<int:submission_id>/files/<int:file_id>/",
        assignment_views.submission_file, name="submission_file",
    ),
    path("review/", assignment_views.review_queue, name="review_queue"),
    path("review/submissions/<int:submission_id>/", assignment_views.review, name="review"),
]
