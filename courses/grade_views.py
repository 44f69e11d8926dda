"""The grade pages: a run's grading policy, the gradebook with overrides and exports (instructors
of the course only; anyone else gets 404), and the learner's own grades (the enrolled learner
only). The arithmetic and the writes are `courses.grade_services`; the reads
`courses.grade_selectors`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from academy.forms import validation_error_onto

from . import grade_exports, grade_selectors, grade_services, selectors
from .grade_forms import GradebookFilterForm, GradeOverrideClearForm, GradeOverrideForm, policy_formsets
from .models import Enrolment
from .views import _active_enrolment_or_404, _managed_run_or_404

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# ---------------------------------------------------------------- the grading policy


@login_required
def grading_policy(request, run_id):
    """The run's graded items and its policy, edited as two formsets (types and cutoffs)."""
    run = _managed_run_or_404(request, run_id)
    graded_items = grade_services.run_graded_items(run=run)
    policy = grade_selectors.policy_summary(run=run, graded_items=graded_items)
    problems = []
    if request.method == "POST":
        types_formset, cutoffs_formset = policy_formsets(request.POST)
        if types_formset.is_valid() and cutoffs_formset.is_valid():
            try:
                grade_services.grading_policy_save(run=run, types=types_formset.rows(), cutoffs=cutoffs_formset.rows(), by=request.user)
            except ValidationError as exc:
                problems = exc.messages
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The grading policy is saved and every learner's grade is recomputed."))
                return redirect("courses:grading_policy", run.pk)
        type_names = [form["type"].value() for form in types_formset.forms if not (form["DELETE"].value() if "DELETE" in form.fields else False)]
    else:
        types_formset, cutoffs_formset = policy_formsets(types=policy.types, cutoffs=policy.cutoffs)
        type_names = [row["type"] for row in policy.types]
    return render(request, "courses/grading_policy.html", {
        "run": run, "course": run.course, "graded_items": graded_items, "policy": policy,
        "types_formset": types_formset, "cutoffs_formset": cutoffs_formset, "problems": problems,
        "warnings": grade_selectors.policy_warnings(graded_items=graded_items, type_names=type_names),
    }, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- the gradebook


@login_required
@require_GET
def gradebook(request, run_id):
    """Active learners × graded items, filtered, sorted and paged by the GET parameters."""
    run = _managed_run_or_404(request, run_id)
    book = grade_selectors.gradebook(run=run, params=request.GET, page_number=request.GET.get("page") or 1)
    return render(request, "courses/gradebook.html", {
        "run": run, "course": run.course, "book": book,
        "filter_form": GradebookFilterForm(request.GET or None, letters=book.policy.letters),
        "export_query": _query(book.filters.as_params()),
    })


def _query(params):
    from django.utils.http import urlencode

    return f"?{urlencode(params)}" if params else ""


@login_required
@require_GET
def gradebook_export(request, run_id, fmt):
    """The filtered gradebook as CSV or XLSX, every page of it."""
    run = _managed_run_or_404(request, run_id)
    if fmt not in EXPORT_TYPES:
        raise Http404
    book = grade_selectors.gradebook(run=run, params=request.GET)
    table = grade_exports.gradebook_table(book)
    if fmt == "csv":
        content = grade_exports.table_csv(table).encode("utf-8")
    else:
        content = grade_exports.table_xlsx(table, title=_("Gradebook"))
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    filename = grade_exports.export_filename(course_slug=run.course.slug, run_id=run.pk, extension=fmt)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def gradebook_learner(request, run_id, enrolment_id):
    """One learner's breakdown with a form to override (or clear the override of) each item,
    their pass record and the audit trail of every override."""
    run = _managed_run_or_404(request, run_id)
    enrolment = get_object_or_404(Enrolment.objects.select_related("user"), pk=enrolment_id, run=run)
    enrolment.run = run
    bound_key, bound_form, status = None, None, 200
    if request.method == "POST":
        bound_key = request.POST.get("item_key", "")
        clearing = request.POST.get("action") == "clear"
        form_class = GradeOverrideClearForm if clearing else GradeOverrideForm
        bound_form = form_class(request.POST, auto_id=_auto_id(bound_key, clearing))
        if bound_form.is_valid():
            data = bound_form.cleaned_data
            try:
                grade_services.grade_override_set(
                    enrolment=enrolment, item_key=bound_key, earned=None if clearing else data["earned"],
                    possible=None if clearing else data.get("possible"), reason=data["reason"], by=request.user,
                )
            except ValidationError as exc:
                validation_error_onto(bound_form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The override is removed; the learner's own score counts again.") if clearing else _("The score is overridden and the grade recomputed."))
                return redirect("courses:gradebook_learner", run.pk, enrolment.pk)
        status = 400
    grades = grade_selectors.learner_grades(enrolment=enrolment)
    if bound_key and bound_key not in grades.items:
        raise Http404
    for key, item in grades.items.items():
        item.override_form = GradeOverrideForm(
            initial={"earned": item.earned if item.overridden else None, "possible": item.full_marks}, auto_id=_auto_id(key, False),
        )
        item.clear_form = GradeOverrideClearForm(auto_id=_auto_id(key, True)) if item.overridden else None
        item.form_open = False
    if bound_form is not None:
        item = grades.items[bound_key]
        if isinstance(bound_form, GradeOverrideClearForm):
            item.clear_form = bound_form
        else:
            item.override_form = bound_form
        item.form_open = True
    return render(request, "courses/gradebook_learner.html", {
        "run": run, "course": run.course, "enrolment": enrolment, "learner": enrolment.user,
        "learner_name": grade_selectors.learner_name(enrolment.user), "grades": grades,
    }, status=status)


def _auto_id(item_key, clearing):
    """Field ids unique on a page that has a form per item."""
    slug = "".join(char if char.isalnum() else "-" for char in item_key)
    return f"id_{'clear' if clearing else 'set'}-{slug}_%s"


# ---------------------------------------------------------------- the learner


@login_required
@require_GET
def progress(request, run_id):
    """The learner's own grades in a run: only for the learner, while enrolled."""
    from .models import CourseRun

    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    enrolment = _active_enrolment_or_404(request, run)
    outline = selectors.run_outline(run=run)
    run_progress = selectors.enrolment_progress(enrolment=enrolment, outline=outline)
    grades = grade_selectors.learner_progress(enrolment=enrolment, progress=run_progress)
    return render(request, "courses/progress.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "enrolment": enrolment,
        "progress": run_progress, "grades": grades,
    })
