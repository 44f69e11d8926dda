"""Learner and reviewer pages of assignments: handing work in from a lesson, a submission with
its files and reviews, a file of it, the review queue and the review form.

A submission and its files are seen by their learner (while enrolled) and by the run's reviewers
(`run_reviewer_role`: instructors of the lead university and co-authors, mentors of partner
enterprises); anyone else gets a 404, so the pages do not even confirm that a submission exists.
The rules are `courses.assignment_services`; these views gather input and show the outcome."""

from django.contrib import messages
from django.template.defaultfilters import floatformat
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .assignment_selectors import run_reviewer_role
from .assignment_forms import ReviewForm, SubmissionForm
from .assignment_selectors import (
    QueueStatus,
    file_content_type,
    learner_submissions_of_block,
    lesson_assignments,
    review_queue as review_queue_page,
    rubric_max_points,
    runs_reviewable_by,
    submission_in_run,
    submission_viewer_role,
)
from .assignment_services import review_save, submission_create as submission_hand_in
from .forms import ActivityResponseForm
from .models import CourseRun, Review, Submission
from .progress import neighbours
from .views import _lesson_context, _messages_of


def _lesson_again(request, run, enrolment, outline, item, *, key, form):
    """The lesson shown again after a refused hand-in, the typed text in place and the errors on
    the form of the block (files cannot be put back: the browser asks for them again)."""
    page = selectors.lesson_content(item=item)
    if page is None:
        raise Http404
    progress = selectors.enrolment_progress(enrolment=enrolment, outline=outline)
    previous, following = neighbours(modules=outline[0], item_id=item.pk)
    assignments = lesson_assignments(enrolment=enrolment, item=item, page=page, run=run)
    if key in assignments:
        assignments[key]["form"] = form
    return render(request, "courses/lesson.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "enrolment": enrolment, "item": item, "page": page,
        "progress": progress, "previous": previous, "following": following,
        "completed": item.pk in progress.completed_ids, "responses": selectors.activity_responses(enrolment=enrolment, item=item),
        "module_title": outline[1][item.module_id].title if item.module_id in outline[1] else "",
        "response_form": ActivityResponseForm(),
        "quizzes": selectors.lesson_quizzes(enrolment=enrolment, item=item, page=page, run=run),
        "assignments": assignments,
    }, status=400)


@login_required
@require_POST
def submission_create(request, run_id, item_id, block_id):
    """Hand in work for the assignment of a lesson block; refused work comes back with the
    lesson, the text as typed and what to fix."""
    run, enrolment, outline, item = _lesson_context(request, run_id, item_id)
    key = f"assignment:{block_id}"
    if key not in (item.activity_keys or ()):
        raise Http404
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            submission = submission_hand_in(
                enrolment=enrolment, item=item, block_id=block_id, text=form.cleaned_data["text"],
                files=form.cleaned_data["files"], by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, _("Your work is handed in (submission %(number)s). You will get an e-mail when it is reviewed.") % {
                "number": submission.number,
            })
            return redirect(reverse("courses:lesson", args=[run.pk, item.pk]) + f"#activity-{block_id}")
    messages.error(request, _("Your work was not handed in. See what to fix below."))
    return _lesson_again(request, run, enrolment, outline, item, key=key, form=form)


def _submission_or_404(request, run_id, submission_id):
    """The submission and how the person may see it; a 404 for anyone who may not."""
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    submission = submission_in_run(run=run, submission_id=submission_id)
    if submission is None:
        raise Http404
    role = submission_viewer_role(user=request.user, submission=submission, run=run)
    if role is None:
        raise Http404
    return run, submission, role


@login_required
def submission(request, run_id, submission_id):
    """A submission: the text, the files and every review with its scores and feedback."""
    run, submission, role = _submission_or_404(request, run_id, submission_id)
    is_learner = role == "learner"
    return render(request, "courses/submission.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "submission": submission,
        "assignment": submission.assignment, "learner": submission.enrolment.user, "is_learner": is_learner,
        "reviewer_role": None if is_learner else role, "reviews": list(submission.reviews.all()),
        "history": learner_submissions_of_block(submission=submission),
        "my_review": None if is_learner else next((r for r in submission.reviews.all() if r.reviewer_id == request.user.pk), None),
        "max_points": rubric_max_points(submission.assignment.rubric),
    })


@login_required
def submission_file(request, run_id, submission_id, file_id):
    """A file of a submission, from private storage, as a download under its original name."""
    run, submission, role = _submission_or_404(request, run_id, submission_id)
    stored = next((f for f in submission.files.all() if f.pk == file_id), None)
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=stored.name, content_type=file_content_type(stored.file_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Were the file ever rendered in the browser instead of saved, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---------------------------------------------------------------- reviewers


def _queue_filters(request, runs):
    status = request.GET.get("status") or QueueStatus.AWAITING
    if status not in QueueStatus.CHOICES:
        status = QueueStatus.AWAITING
    try:
        run_id = int(request.GET.get("run") or 0)
    except ValueError:
        run_id = 0
    if run_id not in {run.pk for run in runs}:
        run_id = None
    return run_id, status


@login_required
def review_queue(request):
    """The submissions waiting for the person's review, across the runs they may review."""
    runs = runs_reviewable_by(user=request.user)
    if not runs:
        return render(request, "courses/review_queue.html", {"runs": [], "page_obj": None})
    run_id, status = _queue_filters(request, runs)
    page = review_queue_page(user=request.user, runs=runs, run_id=run_id, status=status, page_number=request.GET.get("page"))
    return render(request, "courses/review_queue.html", {
        "runs": runs, "page_obj": page, "run_id": run_id, "status": status,
        "statuses": [
            (QueueStatus.AWAITING, _("Awaiting review")), (QueueStatus.MINE, _("Reviewed by me")), (QueueStatus.ALL, _("All")),
        ],
        "queue_url": request.get_full_path(),
    })


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def review(request, submission_id):
    """The review form: the submission beside the rubric, a level and inline feedback per
    criterion, overall feedback; pre-filled with the reviewer's own earlier review."""
    found = Submission.objects.select_related("enrolment__run__course").filter(pk=submission_id).first()
    if found is None:
        raise Http404
    run = found.enrolment.run
    role = run_reviewer_role(user=request.user, run=run)
    if role is None or found.enrolment.user_id == request.user.pk:
        raise Http404
    submission = submission_in_run(run=run, submission_id=submission_id)
    max_points = rubric_max_points(submission.assignment.rubric)
    criteria = list(submission.assignment.rubric.criteria.all())
    reviews = list(submission.reviews.all())
    mine = next((r for r in reviews if r.reviewer_id == request.user.pk), None)
    queue_url = reverse("courses:review_queue")
    if request.method == "POST":
        form = ReviewForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                saved = review_save(submission=submission, by=request.user, **form.service_arguments())
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Your review of %(learner)s's work is saved (%(earned)s of %(possible)s points); they are told by e-mail.") % {
                    "learner": submission.enrolment.user.get_full_name() or submission.enrolment.user.email,
                    "earned": floatformat(saved.earned, "-2"), "possible": floatformat(saved.possible, "-2"),
                })
                return redirect(_safe_next(request, queue_url))
    else:
        form = ReviewForm(initial=ReviewForm.initial_from(review=mine, criteria=criteria), criteria=criteria)
    return render(request, "courses/review_form.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "submission": submission,
        "assignment": submission.assignment, "learner": submission.enrolment.user, "form": form, "role": role,
        "my_review": mine, "other_reviews": [r for r in reviews if r.reviewer_id != request.user.pk],
        "history": learner_submissions_of_block(submission=submission),
        "next": _safe_next(request, queue_url), "Role": Review.Role, "max_points": max_points,
    }, status=400 if request.method == "POST" else 200)
