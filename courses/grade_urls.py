"""URLs of the grade pages, included into the `courses` namespace by `courses.urls`."""

from django.urls import path, register_converter

from . import grade_views


class ExportFormatConverter:
    """The file format of a gradebook export: csv or xlsx."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormatConverter, "gradeexport")

urlpatterns = [
    path("teach/runs/<int:run_id>/grading/", grade_views.grading_policy, name="grading_policy"),
    path("teach/runs/<int:run_id>/gradebook/", grade_views.gradebook, name="gradebook"),
    path("teach/runs/<int:run_id>/gradebook/export.<gradeexport:fmt>", grade_views.gradebook_export, name="gradebook_export"),
    path("teach/runs/<int:run_id>/gradebook/<int:enrolment_id>/", grade_views.gradebook_learner, name="gradebook_learner"),
    path("runs/<int:run_id>/progress/", grade_views.progress, name="progress"),
]
