"""Learner and instructor views of runs. Every view checks the object against the person:
a learner reaches only runs they are enrolled in, an instructor only runs of courses their
organisation leads or co-authors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import validation_error_onto
from academy.organisations.transitions import IllegalTransition

from . import selectors, services
from .assignment_selectors import lesson_assignments
from .forms import ActivityResponseForm, CourseRunForm, CSVInvitationForm
from .models import CoursePage, CourseRun, Enrolment, Invitation, RunContentItem
from .progress import neighbours


def _messages_of(exc):
    return "; ".join(getattr(exc, "messages", None) or [str(exc)])


def _back_to_course(run):
    return redirect(selectors.course_for_reader(course=run.course).url or "/")


def _active_enrolment_or_404(request, run):
    enrolment = selectors.enrolment_for(user=request.user, run=run)
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        raise Http404
    return enrolment


@login_required
@require_POST
def enrol(request, run_id):
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    try:
        enrolment = services.enrolment_request(user=request.user, run=run)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages_of(exc))
        return _back_to_course(run)
    if enrolment.status == Enrolment.Status.ACTIVE:
        messages.success(request, _("You are enrolled. Welcome to %(run)s.") % {"run": run.title})
        return redirect("courses:run", run.pk)
    if enrolment.status == Enrolment.Status.WAITLISTED:
        messages.info(request, _("The run is full: you are on the waitlist and will get an e-mail when a place frees up."))
    else:
        messages.info(request, _("Your request is with the instructors. You will get an e-mail when they decide."))
    return _back_to_course(run)


@login_required
@require_POST
def unenrol(request, run_id):
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    enrolment = selectors.enrolment_for(user=request.user, run=run)
    if enrolment is None:
        raise Http404
    try:
        services.enrolment_withdraw(enrolment=enrolment, by=request.user)
    except (ValidationError, IllegalTransition) as exc:
        messages.error(request, _messages_of(exc))
        return _back_to_course(run)
    messages.success(request, _("You have left %(run)s. Your progress is kept if you come back.") % {"run": run.title})
    return _back_to_course(run)


@login_required
def run_home(request, run_id):
    """The run's outline with the learner's progress and where to continue."""
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    enrolment = selectors.enrolment_for(user=request.user, run=run)
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        if selectors.user_can_manage_course(user=request.user, course=run.course):
            return redirect("courses:run_manage", run.pk)
        return _back_to_course(run)
    outline = selectors.run_outline(run=run)
    progress = selectors.enrolment_progress(enrolment=enrolment, outline=outline)
    return render(request, "courses/run.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "enrolment": enrolment, "progress": progress,
    })


def _lesson_context(request, run_id, item_id):
    # Only what the lesson page shows of the course: a course page row is wide, and this page is
    # the one learners load most.
    run = get_object_or_404(
        CourseRun.objects.select_related("course").only(
            *[f.name for f in CourseRun._meta.concrete_fields],
            "course__title", "course__translation_key", "course__locale_id", "course__depth", "course__path",
        ),
        pk=run_id,
    )
    enrolment = _active_enrolment_or_404(request, run)
    outline = selectors.run_outline(run=run)
    modules, items = outline
    item = items.get(item_id)
    if item is None or item.kind != RunContentItem.Kind.LESSON or item.revision_id is None:
        raise Http404
    return run, enrolment, outline, item


@login_required
def lesson(request, run_id, item_id):
    """A lesson as published to the run the learner is enrolled in."""
    run, enrolment, outline, item = _lesson_context(request, run_id, item_id)
    services.lesson_visit(enrolment=enrolment, item=item)
    progress = selectors.enrolment_progress(enrolment=enrolment, outline=outline)
    previous, following = neighbours(modules=outline[0], item_id=item.pk)
    page = selectors.lesson_content(item=item)
    if page is None:
        raise Http404
    responses = selectors.activity_responses(enrolment=enrolment, item=item)
    return render(request, "courses/lesson.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "enrolment": enrolment, "item": item, "page": page,
        "progress": progress, "previous": previous, "following": following,
        "completed": item.pk in progress.completed_ids, "responses": responses,
        "module_title": outline[1][item.module_id].title if item.module_id in outline[1] else "",
        "response_form": ActivityResponseForm(),
        "quizzes": selectors.lesson_quizzes(enrolment=enrolment, item=item, page=page, run=run),
        "assignments": lesson_assignments(enrolment=enrolment, item=item, page=page, run=run),
    })


@login_required
@require_POST
def lesson_complete(request, run_id, item_id):
    run, enrolment, outline, item = _lesson_context(request, run_id, item_id)
    try:
        services.lesson_complete(enrolment=enrolment, item=item, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages_of(exc))
        return redirect("courses:lesson", run.pk, item.pk)
    _previous, following = neighbours(modules=outline[0], item_id=item.pk)
    messages.success(request, _("“%(title)s” is done.") % {"title": item.title})
    if following is not None and request.POST.get("next") == "following":
        return redirect("courses:lesson", run.pk, following.item_id)
    return redirect("courses:lesson", run.pk, item.pk)


@login_required
@require_POST
def activity_submit(request, run_id, item_id, key):
    run, enrolment, outline, item = _lesson_context(request, run_id, item_id)
    form = ActivityResponseForm(request.POST)
    if form.is_valid():
        try:
            services.activity_response_submit(enrolment=enrolment, item=item, activity_key=key, text=form.cleaned_data["text"], by=request.user)
            messages.success(request, _("Your answer is saved."))
            return redirect(reverse("courses:lesson", args=[run.pk, item.pk]) + f"#activity-{key.split(':')[-1]}")
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
    else:
        messages.error(request, _("Your answer was not saved: %(reason)s") % {"reason": "; ".join(e for errors in form.errors.values() for e in errors)})
    # Keep what was typed: render the lesson again with the text in place.
    page = selectors.lesson_content(item=item)
    if page is None:
        raise Http404
    progress = selectors.enrolment_progress(enrolment=enrolment, outline=outline)
    previous, following = neighbours(modules=outline[0], item_id=item.pk)
    responses = selectors.activity_responses(enrolment=enrolment, item=item)
    responses[key] = request.POST.get("text", "")
    return render(request, "courses/lesson.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "enrolment": enrolment, "item": item, "page": page,
        "progress": progress, "previous": previous, "following": following,
        "completed": item.pk in progress.completed_ids, "responses": responses,
        "module_title": outline[1][item.module_id].title if item.module_id in outline[1] else "",
        "response_form": form,
        "quizzes": selectors.lesson_quizzes(enrolment=enrolment, item=item, page=page, run=run),
        "assignments": lesson_assignments(enrolment=enrolment, item=item, page=page, run=run),
    }, status=400)


def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("run", "run__course"), token=token)
    if not request.user.is_authenticated:
        return render(request, "courses/invitation.html", {"invitation": invitation, "run": invitation.run, "course": selectors.course_for_reader(course=invitation.run.course)})
    if request.method == "POST":
        try:
            enrolment = services.invitation_accept(invitation=invitation, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _messages_of(exc))
        else:
            if enrolment.status == Enrolment.Status.ACTIVE:
                messages.success(request, _("You are enrolled. Welcome to %(run)s.") % {"run": invitation.run.title})
                return redirect("courses:run", invitation.run_id)
            messages.info(request, _("The run is full: you are on the waitlist and will get an e-mail when a place frees up."))
            return redirect("dashboard")
    return render(request, "courses/invitation.html", {"invitation": invitation, "run": invitation.run, "course": selectors.course_for_reader(course=invitation.run.course)})


@login_required
def competencies(request):
    return render(request, "courses/competencies.html", selectors.learner_competencies(user=request.user))


# ---------------------------------------------------------------- instructors


def _managed_run_or_404(request, run_id):
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    if not selectors.user_can_manage_course(user=request.user, course=run.course):
        raise Http404
    return run


@login_required
def teach(request):
    return render(request, "courses/teach.html", {
        "runs": selectors.runs_managed_by(user=request.user),
        "courses": selectors.courses_managed_by(user=request.user),
    })


@login_required
def run_create(request, course_id):
    course = get_object_or_404(CoursePage, pk=course_id)
    if not selectors.user_can_manage_course(user=request.user, course=course):
        raise Http404
    form = CourseRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_create(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("The run is created and teaches the course as published now."))
            return redirect("courses:run_manage", run.pk)
    return render(request, "courses/run_form.html", {"form": form, "course": course, "run": None})


@login_required
def run_edit(request, run_id):
    run = _managed_run_or_404(request, run_id)
    form = CourseRunForm(request.POST or None, instance=CourseRun.objects.get(pk=run.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.run_update(run=run, by=request.user, **{name: form.cleaned_data[name] for name in services.RUN_FIELDS})
        except ValidationError as exc:
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("The run is saved."))
            return redirect("courses:run_manage", run.pk)
    return render(request, "courses/run_form.html", {"form": form, "course": run.course, "run": run})


@login_required
def run_manage(request, run_id):
    run = _managed_run_or_404(request, run_id)
    report = None
    form = CSVInvitationForm()
    if request.method == "POST":
        form = CSVInvitationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = services.invitations_import(run=run, by=request.user, text=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, _("%(count)s invitations sent.") % {"count": len(report.sent)})
    return render(request, "courses/run_manage.html", {
        "run": run, "course": run.course, "roster": selectors.run_roster(run=run), "form": form, "report": report,
        "invitations": selectors.run_invitations(run=run), "outline": selectors.run_outline(run=run)[0],
        "status": Enrolment.Status,
    }, status=400 if request.method == "POST" and report is None else 200)


@login_required
@require_POST
def run_publish(request, run_id):
    run = _managed_run_or_404(request, run_id)
    try:
        count = services.run_content_publish(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("The run now teaches the newest published version of its %(count)s lessons.") % {"count": count})
    return redirect("courses:run_manage", run.pk)


ENROLMENT_ACTIONS = {
    "approve": services.enrolment_approve,
    "reject": services.enrolment_reject,
    "withdraw": services.enrolment_withdraw,
}


@login_required
@require_POST
def enrolment_decide(request, pk, action):
    enrolment = get_object_or_404(Enrolment.objects.select_related("run", "run__course", "user"), pk=pk)
    if action not in ENROLMENT_ACTIONS or not selectors.user_can_manage_course(user=request.user, course=enrolment.run.course):
        raise Http404
    try:
        ENROLMENT_ACTIONS[action](enrolment=enrolment, by=request.user)
    except (ValidationError, IllegalTransition, PermissionDenied) as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("%(person)s: %(status)s.") % {
            "person": enrolment.user.display_name or enrolment.user.email, "status": Enrolment.objects.get(pk=pk).get_status_display()})
    return redirect("courses:run_manage", enrolment.run_id)


# ---------------------------------------------------------------- quizzes


@login_required
@require_POST
def quiz_start(request, run_id, item_id, block_id):
    """Start (or continue) the learner's attempt at the quiz of a lesson block."""
    from .assessment_services import attempt_start, quiz_block_value

    run, enrolment, outline, item = _lesson_context(request, run_id, item_id)
    try:
        value = quiz_block_value(item=item, block_id=block_id)
        attempt = attempt_start(enrolment=enrolment, item=item, block_id=block_id, quiz=value["quiz"], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages_of(exc))
        return redirect(reverse("courses:lesson", args=[run.pk, item.pk]) + f"#activity-{block_id}")
    return redirect("courses:attempt", run.pk, attempt.pk)


def _attempt_or_404(request, run_id, attempt_id):
    """The attempt, only for its own learner while enrolled: anyone else gets 404."""
    from .models import QuizAttempt

    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    enrolment = _active_enrolment_or_404(request, run)
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("quiz", "item"), pk=attempt_id, enrolment=enrolment, item__run=run,
    )
    return run, enrolment, attempt


@login_required
def attempt(request, run_id, attempt_id):
    """An attempt: the questions to answer, then, once submitted, the result as far as the quiz's
    review options allow."""
    from .assessment_services import attempt_is_late, attempt_save, attempt_submit, quiz_block_value
    from .blocks import quiz_due_at
    from .quiz_display import attempt_questions, responses_from_post
    from .review import review_visibility

    run, enrolment, attempt = _attempt_or_404(request, run_id, attempt_id)
    answers = list(attempt.answers.select_related("version").order_by("position"))
    if request.method == "POST" and attempt.submitted_at is None:
        responses = responses_from_post(answers, request.POST)
        if request.POST.get("action") == "save":
            attempt_save(attempt=attempt, responses=responses, by=request.user)
            messages.success(request, _("Your answers are saved."))
        else:
            attempt_submit(attempt=attempt, responses=responses, by=request.user)
            messages.success(request, _("Your attempt is submitted."))
        return redirect("courses:attempt", run.pk, attempt.pk)
    if request.method == "POST":
        return redirect("courses:attempt", run.pk, attempt.pk)
    if attempt.submitted_at is None and attempt_is_late(attempt=attempt, now=timezone.now()):
        # The time is up: the attempt counts with what was saved.
        attempt = attempt_submit(attempt=attempt, responses={}, by=request.user)
    try:
        due_at = quiz_due_at(run=run, value=quiz_block_value(item=attempt.item, block_id=attempt.block_id))
    except ValidationError:
        due_at = None
    visibility = review_visibility(
        attempt.quiz.review_options, now=timezone.now(), due_at=due_at, submitted=attempt.submitted_at is not None,
    )
    return render(request, "courses/attempt.html", {
        "run": run, "course": selectors.course_for_reader(course=run.course), "enrolment": enrolment, "attempt": attempt,
        "quiz": attempt.quiz, "item": attempt.item, "questions": attempt_questions(attempt, answers, visibility),
        "visibility": visibility, "due_at": due_at,
    })
