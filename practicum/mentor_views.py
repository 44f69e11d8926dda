"""The mentor pages of the practicum: the runs a mentor looks after, starting and editing a run,
the board of a run with every team side by side and its simulation clock, applications and
teams, and the run's trial balance (issue "Practicum I", points 2, 6, 7 and 8).

Every page about a run is for its mentors only (`user_is_run_mentor`: staff of the enterprise
that posted the project, or a platform admin); anyone else gets 404, so a run's existence is
not revealed. The writes are the services' (`practicum.run_services`, `practicum.run_clock`);
the reads `practicum.mentor_selectors`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext as _, ngettext, to_locale
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from academy.forms import validation_error_onto

from . import ledger, mentor_selectors, run_clock, run_services
from .ledger import AccountCode
from .ledger_labels import ACCOUNT_LABELS, KIND_LABELS
from .mentor_forms import AdvanceForm, AssignForm, DecideForm, RunForm, TeamForm
from .money import format_money, from_minor
from .project_models import PracticumProject
from .run_models import PracticumRun, RunParticipant, SimulationJob

QUICK_ADVANCE_DAYS = (1, 7)


def _locale():
    return to_locale(get_language() or "en")


def _money(minor: int, currency: str, locale: str) -> str:
    return format_money(from_minor(minor, currency), currency, locale)


def _run_or_404(request, run_id) -> PracticumRun:
    run = get_object_or_404(PracticumRun.objects.select_related("project__organisation"), pk=run_id)
    if not run_services.user_is_run_mentor(user=request.user, run=run):
        raise Http404
    return run


# The runs a mentor looks after.


@login_required
@require_GET
def mentor_runs(request):
    """The runs of the user's enterprises and their published projects, to start a run of."""
    if not mentor_selectors.user_is_mentor(user=request.user):
        raise Http404
    runs = mentor_selectors.mentor_runs(user=request.user)
    return render(request, "practicum/mentor_runs.html", {
        "runs": runs,
        "projects": mentor_selectors.mentor_projects(user=request.user),
        "show_enterprise": len({run.project.organisation_id for run in runs}) > 1,
    })


@login_required
def run_new(request, project_id):
    """Start a run of a published project."""
    project = get_object_or_404(PracticumProject.objects.select_related("organisation").defer("brief"), pk=project_id,
                                status=PracticumProject.Status.PUBLISHED)
    probe = PracticumRun(project=project)
    if not run_services.user_is_run_mentor(user=request.user, run=probe):
        raise Http404
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = run_services.run_create(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            validation_error_onto(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The run is open for applications. Set it to “Running” when the teams are ready."))
            return redirect("practicum_run_board", run.pk)
    return render(request, "practicum/mentor_run_form.html", {"form": form, "project": project, "run": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def run_edit(request, run_id):
    """Change a run's title, status, clock mode, team sizes, and its seed while no day is played."""
    run = _run_or_404(request, run_id)
    form = RunForm(request.POST or None, run=run)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if not form.fields[name].disabled}
        try:
            run_services.run_update(run=run, by=request.user, **fields)
        except ValidationError as error:
            validation_error_onto(form, error)
            run.refresh_from_db()
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The run is saved."))
            return redirect("practicum_run_board", run.pk)
    return render(request, "practicum/mentor_run_form.html", {"form": form, "project": run.project, "run": run},
                  status=400 if form.is_bound and form.errors else 200)


# The board.


@login_required
@require_GET
def run_board(request, run_id):
    """Every team of the run side by side, the clock with its advance form and progress, the
    recent days, applicants and students without a team."""
    run = _run_or_404(request, run_id)
    return _board(request, run)


def _board(request, run, *, status=200, advance_form=None, team_form=None, assign_form=None):
    board = mentor_selectors.run_board(run=run)
    locale = _locale()
    book = ledger.BOOK_CURRENCY
    teams = [{
        "row": row,
        "store_url": _store_url(row.store),
        "available": _money(row.available_minor, book, locale),
        "inventory": _money(row.inventory_minor, book, locale),
        "sales": _money(row.sales_minor, book, locale),
        "escrow": [_money(amount, currency, locale) for currency, amount in sorted(row.escrow_minor.items())],
    } for row in board.teams]
    days_left = max(run.last_day_number - run.day, 0)
    return render(request, "practicum/mentor_board.html", {
        "run": run,
        "project": run.project,
        "board": board,
        "teams": teams,
        "job": board.job,
        "job_active": board.job_active,
        "job_label": _job_label(board.job) if board.job else "",
        "days_left": days_left,
        "can_advance": run.status == PracticumRun.Status.RUNNING and days_left > 0,
        "quick_days": [days for days in QUICK_ADVANCE_DAYS if days <= days_left],
        "tick_hours": settings.PRACTICUM_CLOCK_TICK_SECONDS / 3600,
        "advance_form": advance_form or AdvanceForm(initial={"days": 1}),
        "team_form": team_form or TeamForm(),
        "assign_form": assign_form,
        "finished": run.status == PracticumRun.Status.FINISHED,
    }, status=status)


def _store_url(store):
    """The store's pages (built by the store pages, where mentors read along), if they exist."""
    if store is None:
        return ""
    try:
        return reverse("practicum_store", args=[store.pk])
    except NoReverseMatch:
        return ""


def _job_label(job: SimulationJob) -> str:
    if job.status == SimulationJob.Status.QUEUED:
        return ngettext("Waiting for a worker to play %(days)s day.", "Waiting for a worker to play %(days)s days.",
                        job.days) % {"days": job.days}
    if job.status == SimulationJob.Status.RUNNING:
        return ngettext("%(done)s of %(days)s day played.", "%(done)s of %(days)s days played.", job.days) % {
            "done": job.days_done, "days": job.days}
    if job.status == SimulationJob.Status.DONE:
        return ngettext("%(days)s day played.", "%(days)s days played.", job.days) % {"days": job.days}
    return ngettext("Stopped after %(done)s of %(days)s day.", "Stopped after %(done)s of %(days)s days.", job.days) % {
        "done": job.days_done, "days": job.days}


# The clock.


@login_required
@require_POST
def run_advance(request, run_id):
    """Ask a worker to play 1 to 30 days; the board shows the progress."""
    run = _run_or_404(request, run_id)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            job = run_clock.simulation_job_create(run=run, days=form.cleaned_data["days"], by=request.user)
        except ValidationError as error:
            validation_error_onto(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            job.refresh_from_db()  # a worker in the same process (eager mode) has already played it
            if job.status == SimulationJob.Status.DONE:
                messages.success(request, _job_label(job))
            elif job.status == SimulationJob.Status.FAILED:
                messages.error(request, job.error or _job_label(job))
            else:
                messages.info(request, ngettext(
                    "%(days)s day is being played; the bar below shows the progress.",
                    "%(days)s days are being played; the bar below shows the progress.", job.days) % {"days": job.days})
            return redirect("practicum_run_board", run.pk)
    run.refresh_from_db()
    return _board(request, run, status=400, advance_form=form)


@never_cache
@login_required
@require_GET
def job_progress(request, run_id, job_id):
    """The job's progress as JSON, polled by the board's progress bar: `status`, `days`,
    `days_done`, `error`, `day` (the run's days played) and `date` (the simulated date of the
    day in progress, ISO 8601), and `label`, the progress in words; with the keys every
    progress bar reads (progress-poll.js): `value`, `max`, `text` and `finished`."""
    run = _run_or_404(request, run_id)
    job = get_object_or_404(SimulationJob, pk=job_id, run=run)
    return JsonResponse({
        "status": job.status, "days": job.days, "days_done": job.days_done, "error": job.error,
        "day": run.day, "date": run.current_date.isoformat(), "last_day": run.last_day_number,
        "label": _job_label(job),
        "value": job.days_done, "max": job.days, "text": _job_label(job),
        "finished": job.status in (SimulationJob.Status.DONE, SimulationJob.Status.FAILED),
    })


# Applications and teams.


@login_required
@require_POST
def participant_decide(request, run_id, participant_id):
    """Accept or decline an application."""
    run = _run_or_404(request, run_id)
    participant = get_object_or_404(RunParticipant.objects.select_related("user", "run__project__organisation"),
                                    pk=participant_id, run=run)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or decline the application."))
        return redirect("practicum_run_board", run.pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        run_services.participant_decide(participant=participant, by=request.user, accept=accept)
    except PermissionDenied:
        raise Http404 from None
    name = _person(participant.user)
    if accept:
        messages.success(request, _("%(name)s is accepted; assign them to a team below.") % {"name": name})
    else:
        messages.success(request, _("%(name)s's application is declined.") % {"name": name})
    return redirect(f"{reverse('practicum_run_board', args=[run.pk])}#participants")


@login_required
@require_POST
def participant_assign(request, run_id):
    """Put a participant in a team of the run (accepting them if needed), or out of any team."""
    run = _run_or_404(request, run_id)
    form = AssignForm(request.POST, run=run)
    if form.is_valid():
        participant, team = form.cleaned_data["participant"], form.cleaned_data["team"]
        try:
            run_services.participant_assign(run=run, user=participant.user, team=team, by=request.user)
        except ValidationError as error:
            validation_error_onto(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            name = _person(participant.user)
            if team is None:
                messages.success(request, _("%(name)s is in no team now.") % {"name": name})
            else:
                messages.success(request, _("%(name)s is in %(team)s now.") % {"name": name, "team": team.name})
            return redirect(f"{reverse('practicum_run_board', args=[run.pk])}#teams")
    return _board(request, run, status=400, assign_form=form)


@login_required
@require_POST
def team_new(request, run_id):
    """Form an empty team (with its store and starting capital) to assign students to."""
    run = _run_or_404(request, run_id)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = run_services.team_create_by_mentor(run=run, by=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            validation_error_onto(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Team %(team)s is formed with its store.") % {"team": team.name})
            return redirect(f"{reverse('practicum_run_board', args=[run.pk])}#teams")
    return _board(request, run, status=400, team_form=form)


def _person(user) -> str:
    return getattr(user, "display_name", "") or user.get_full_name() or user.email


# The trial balance.


@login_required
@require_GET
def trial_balance(request, run_id):
    """The run's trial balance per currency, accounts grouped by kind, with the totals and
    whether debits equal credits; `?store=<key>` narrows it to one store's books."""
    run = _run_or_404(request, run_id)
    stores = list(run.stores.select_related("team").order_by("name", "pk"))
    names = {store.key: store.name for store in stores}
    chosen = next((store for store in stores if store.key == request.GET.get("store")), None)
    unknown_store = bool(request.GET.get("store")) and chosen is None
    balance = mentor_selectors.run_trial_balance(run=run, store=chosen)
    locale = _locale()
    sections = []
    for section in mentor_selectors.trial_balance_sections(balance):
        money = lambda minor, currency=section.currency: _money(minor, currency, locale)  # noqa: E731
        sections.append({
            "currency": section.currency,
            "balanced": section.balanced,
            "debit": money(section.debit_minor),
            "credit": money(section.credit_minor),
            "difference": money(abs(section.difference_minor)),
            "groups": [{
                "kind": KIND_LABELS[group.kind],
                "debit": money(group.debit_minor) if group.debit_minor else "",
                "credit": money(group.credit_minor) if group.credit_minor else "",
                "rows": [{
                    "label": ACCOUNT_LABELS.get(row.code, row.code),
                    "code": row.code,
                    "store": names.get(row.store, row.store),
                    "accounts": row.accounts,
                    "per_order": row.code == AccountCode.ESCROW,
                    "debit": money(row.debit_minor) if row.debit_minor else "",
                    "credit": money(row.credit_minor) if row.credit_minor else "",
                } for row in group.rows],
            } for group in section.groups],
        })
    return render(request, "practicum/mentor_trial_balance.html", {
        "run": run, "project": run.project, "stores": stores, "chosen": chosen, "sections": sections,
        "balanced": all(section["balanced"] for section in sections), "unknown_store": unknown_store,
        "last_played_on": run.date_of(run.day) if run.day else None,
    })
