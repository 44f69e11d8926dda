"""URLs of the practicum mentor pages (under /practicum/; names are used by the store pages)."""

from django.urls import path

from . import mentor_views, review_views

urlpatterns = [
    path("mentor/", mentor_views.mentor_runs, name="practicum_mentor_runs"),
    path("mentor/projects/<int:project_id>/runs/new/", mentor_views.run_new, name="practicum_run_new"),
    path("mentor/runs/<int:run_id>/", mentor_views.run_board, name="practicum_run_board"),
    path("mentor/runs/<int:run_id>/edit/", mentor_views.run_edit, name="practicum_run_edit"),
    path("mentor/runs/<int:run_id>/advance/", mentor_views.run_advance, name="practicum_run_advance"),
    path("mentor/runs/<int:run_id>/jobs/<int:job_id>/", mentor_views.job_progress, name="practicum_job_progress"),
    path("mentor/runs/<int:run_id>/participants/<int:participant_id>/decide/", mentor_views.participant_decide,
         name="practicum_participant_decide"),
    path("mentor/runs/<int:run_id>/participants/assign/", mentor_views.participant_assign, name="practicum_participant_assign"),
    path("mentor/runs/<int:run_id>/teams/new/", mentor_views.team_new, name="practicum_team_new"),
    path("mentor/runs/<int:run_id>/trial-balance/", mentor_views.trial_balance, name="practicum_trial_balance"),
    path("mentor/runs/<int:run_id>/kpis/", review_views.run_kpis, name="practicum_run_kpis"),
    path("mentor/runs/<int:run_id>/stores/<int:store_id>/grade/", review_views.store_grade, name="practicum_store_grade"),
]
