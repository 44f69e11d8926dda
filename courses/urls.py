from django.urls import include, path

from . import views

app_name = "courses"

urlpatterns = [
    path("runs/<int:run_id>/", views.run_home, name="run"),
    path("runs/<int:run_id>/enrol/", views.enrol, name="enrol"),
    path("runs/<int:run_id>/unenrol/", views.unenrol, name="unenrol"),
    path("runs/<int:run_id>/lessons/<int:item_id>/", views.lesson, name="lesson"),
    path("runs/<int:run_id>/lessons/<int:item_id>/complete/", views.lesson_complete, name="lesson_complete"),
    path("runs/<int:run_id>/lessons/<int:item_id>/activities/<str:key>/", views.activity_submit, name="activity_submit"),
    path("runs/<int:run_id>/lessons/<int:item_id>/quizzes/<str:block_id>/start/", views.quiz_start, name="quiz_start"),
    path("runs/<int:run_id>/attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("competencies/", views.competencies, name="competencies"),
    path("teach/", views.teach, name="teach"),
    path("teach/courses/<int:course_id>/runs/new/", views.run_create, name="run_create"),
    path("teach/runs/<int:run_id>/", views.run_manage, name="run_manage"),
    path("teach/runs/<int:run_id>/edit/", views.run_edit, name="run_edit"),
    path("teach/runs/<int:run_id>/publish/", views.run_publish, name="run_publish"),
    path("teach/enrolments/<int:pk>/<str:action>/", views.enrolment_decide, name="enrolment_decide"),
    path("", include("courses.assignment_urls")),
    path("", include("courses.grade_urls")),
]
