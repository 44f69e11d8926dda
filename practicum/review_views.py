"""The KPI dashboards and the grade pages of the practicum (issue "Practicum II", point 6).

- `run_kpis`: a run's teams side by side on their latest KPI snapshot and KPI score, bars per
  KPI across the teams and lines over the days; for the run's mentors only (404 for anyone else,
  as the mentor board).
- `store_grade`: a mentor grades a team's store: the latest snapshot with its digest, the KPI
  score's breakdown against the targets, the rubric form, the comment and the sign-off; the
  current grade and its history, each checked to recompute to itself.
- `store_kpis`: the team's own KPIs over time, the score's breakdown and its signed-off grade
  with the rubric levels and the mentor's comment; for the team's members and the run's mentors
  (`store_selectors.store_access`: 404 for another team, or another enterprise's mentor).

Charts are inline SVG drawn from `practicum.charts`' geometry: no script, no library. Values are
formatted for the reader's locale here.
"""

from decimal import Decimal

from babel.numbers import format_decimal
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext as _, pgettext, to_locale
from django.views.decorators.http import require_GET, require_http_methods

from academy.forms import validation_error_onto

from . import charts, kpis
from . import review_selectors as selectors
from . import store_selectors
from .grade_services import grade_sign_off
from .mentor_views import _run_or_404
from .money import format_money
from .review_forms import GradeForm
from .run_models import Store

LINE_KINDS = (kpis.KpiKind.REVENUE, kpis.KpiKind.NET_PROFIT, kpis.KpiKind.RATING, kpis.KpiKind.ON_TIME_DELIVERY)
DOMAINS = {**dict.fromkeys(kpis.PERCENT_KINDS, (0, 100)), kpis.KpiKind.RATING: (0, 5)}


def _axis_day(day) -> str:
    """A day as a chart's axis shows it, short enough for five under a phone-wide chart."""
    # Translators: a PHP-style date format for chart axes (Django's `date` filter): "Sep 30"; Chinese "9月30日".
    return date_format(day, pgettext("chart axis date", "M j"))


class KpiFormat:
    """KPI values as the reader reads them: money in CNY, rates in percent, the rating in stars."""

    def __init__(self):
        self.locale = to_locale(get_language() or "en")

    def value(self, kind, value) -> str:
        if value is None:
            return "—"
        if kind in kpis.MONEY_KINDS:
            return format_money(value, kpis.BOOK_CURRENCY, self.locale)
        if kind == kpis.KpiKind.RATING:
            return _("%(stars)s / 5") % {"stars": format_decimal(value, format="0.00", locale=self.locale)}
        return self.percent(value)

    def percent(self, value) -> str:
        return "—" if value is None else f"{format_decimal(value, format='#,##0.00', locale=self.locale)}\u00a0%"

    def points(self, value) -> str:
        return "—" if value is None else format_decimal(value, format="#,##0.00", locale=self.locale)

    def tick(self, kind):
        """A short writer of axis ticks: whole numbers, a percent sign for rates."""
        def write(value: Decimal) -> str:
            text = format_decimal(value, format="#,##0.##", locale=self.locale)
            return f"{text}\u00a0%" if kind in kpis.PERCENT_KINDS else text
        return write

    def target(self, kind, target) -> dict:
        return {"floor": self.value(kind, target.floor), "target": self.value(kind, target.target)}


def _bars(board_rows, kind, fmt: KpiFormat, *, highlight=None):
    return charts.bar_chart([(name, values.get(kind)) for name, values in board_rows],
                            fmt=lambda value: fmt.value(kind, value), tick_fmt=fmt.tick(kind),
                            domain=DOMAINS.get(kind), highlight=highlight)


def _chart(*, key, title, description, chart, kind="line", unit=""):
    return {"id": f"kpi-chart-{key}", "title": title, "description": description, "chart": chart, "kind": kind, "unit": unit}


def _unit_of(kind) -> str:
    return kpis.BOOK_CURRENCY if kind in kpis.MONEY_KINDS else ""


# The mentor's dashboard.


@login_required
@require_GET
def run_kpis(request, run_id):
    """Teams × KPIs on the latest snapshot, with bars across the teams and lines over the days."""
    run = _run_or_404(request, run_id)
    board = selectors.run_kpi_board(run=run)
    fmt = KpiFormat()
    day_labels = [_axis_day(day) for day in board.days]
    rows = [{
        "team": team,
        "cells": [{"column": column, "text": fmt.value(column.kind, team.values.get(column.kind))} for column in board.columns],
        "score": fmt.points(team.score),
        "grade": fmt.points(team.grade.grade) if team.grade else "",
    } for team in board.teams]
    graded = [team for team in board.teams if team.day_number is not None]
    named = [(team.store.name, team.values) for team in graded]
    bar_charts = []
    if graded and board.scorable:
        bar_charts.append(_chart(
            key="score", title=_("KPI score"), kind="bars",
            description=_("The KPI score of each team out of 100, on its latest snapshot."),
            chart=charts.bar_chart([(team.store.name, team.score) for team in graded], fmt=fmt.points,
                                   tick_fmt=fmt.tick(None), domain=(0, 100))))
    for column in board.columns if graded else ():
        bar_charts.append(_chart(
            key=f"bars-{column.kind}", title=column.label, kind="bars", unit=_unit_of(column.kind),
            description=_("%(kpi)s of each team on its latest snapshot.") % {"kpi": column.label},
            chart=_bars(named, column.kind, fmt)))
    line_charts = []
    if board.days:
        for kind in LINE_KINDS:
            label = selectors.kpi_label(kind)
            line_charts.append(_chart(
                key=f"lines-{kind}", title=label, unit=_unit_of(kind),
                description=_("%(kpi)s of each team at the end of each day played.") % {"kpi": label},
                chart=charts.line_chart(day_labels, [(team.store.name, team.series[kind]) for team in board.teams],
                                        fmt=lambda value, kind=kind: fmt.value(kind, value), tick_fmt=fmt.tick(kind),
                                        domain=DOMAINS.get(kind))))
    return render(request, "practicum/mentor_kpis.html", {
        "run": run, "project": run.project, "board": board, "rows": rows, "bar_charts": bar_charts,
        "line_charts": line_charts, "last_day": board.days[-1] if board.days else None,
    })


# The mentor's grade page.


def _store_of_run(run, store_id) -> Store:
    return get_object_or_404(Store.objects.select_related("team"), pk=store_id, run=run)


@login_required
@require_http_methods(["GET", "POST"])
def store_grade(request, run_id, store_id):
    """The store's latest snapshot and KPI breakdown, the rubric form and the sign-off; the
    current grade and the earlier ones, each checked to recompute to itself."""
    run = _run_or_404(request, run_id)
    store = _store_of_run(run, store_id)
    store.run = run
    rubric = selectors.project_rubric(project=run.project)
    criteria = list(rubric.criteria.all()) if rubric else []
    data = selectors.store_kpis(store=store)
    if request.method == "POST":
        form = GradeForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                grade = grade_sign_off(store=store, choices=form.choices(), comment=form.cleaned_data["comment"],
                                       by=request.user)
            except ValidationError as error:
                validation_error_onto(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                if grade.passed:
                    messages.success(request, _("The grade is signed off: %(grade)s, a pass. Every member of the team has passed the practicum.")
                                     % {"grade": KpiFormat().points(grade.grade)})
                else:
                    messages.success(request, _("The grade is signed off: %(grade)s, below the pass mark of %(mark)s.")
                                     % {"grade": KpiFormat().points(grade.grade), "mark": grade.pass_grade_pct})
                return redirect("practicum_store_grade", run.pk, store.pk)
    else:
        form = GradeForm(initial=GradeForm.initial_from(data.grade), criteria=criteria)
    context = _kpi_context(data, KpiFormat())
    context.update({
        "run": run, "project": run.project, "store": store, "form": form, "rubric": rubric,
        "history": [{"grade": grade, "check": check, "text": KpiFormat().points(grade.grade),
                     "levels": selectors.chosen_levels(rubric=rubric, choices=grade.rubric_choices)}
                    for grade, check in selectors.grades_checked(data.history)],
    })
    return render(request, "practicum/mentor_grade.html", context, status=400 if form.is_bound and form.errors else 200)


def _kpi_context(data: selectors.StoreKpis, fmt: KpiFormat) -> dict:
    """The store's KPI score breakdown and its charts over the days, formatted."""
    lines = [{
        "label": selectors.kpi_label(line.kind),
        "value": fmt.value(line.kind, line.value),
        "floor": fmt.value(line.kind, line.target.floor),
        "target": fmt.value(line.kind, line.target.target),
        "points": fmt.points(line.points),
        "weight": line.weight_pct,
        "weighted": fmt.points(line.weighted),
        "lower_is_better": line.kind in kpis.LOWER_IS_BETTER,
    } for line in data.breakdown]
    latest = data.points[-1] if data.points else None
    figures = []
    if latest is not None:
        figures = [{"label": column.label, "text": fmt.value(column.kind, latest.values.get(column.kind)),
                    "weighted": column.weight_pct is not None} for column in data.columns]
    day_labels = [_axis_day(point.day) for point in data.points]
    line_charts = []
    if data.points:
        for kind in LINE_KINDS:
            label = selectors.kpi_label(kind)
            line_charts.append(_chart(
                key=f"store-{kind}", title=label, unit=_unit_of(kind),
                description=_("%(kpi)s of the store at the end of each day played.") % {"kpi": label},
                chart=charts.line_chart(day_labels, [(data.store.name, [point.values.get(kind) for point in data.points])],
                                        fmt=lambda value, kind=kind: fmt.value(kind, value), tick_fmt=fmt.tick(kind),
                                        domain=DOMAINS.get(kind))))
    table = [{"day": point.day, "number": point.day_number,
              "cells": [fmt.value(kind, point.values.get(kind)) for kind in LINE_KINDS]} for point in data.points]
    return {
        "kpis": data, "latest": latest, "figures": figures, "breakdown": lines, "score": fmt.points(data.score),
        "line_charts": line_charts, "series_table": table,
        "series_headers": [selectors.kpi_label(kind) for kind in LINE_KINDS],
        "grade_text": fmt.points(data.grade.grade) if data.grade else "",
        "kpi_score_text": fmt.points(data.grade.kpi_score) if data.grade else "",
        "rubric_score_text": fmt.points(data.grade.rubric_score_pct) if data.grade else "",
    }


# The team's KPI page.


@login_required
@require_GET
def store_kpis(request, store_id):
    """The store's KPIs over the days, the KPI score's breakdown and its signed-off grade."""
    access = store_selectors.store_access(user=request.user, store_id=store_id)
    if access is None:
        raise Http404
    store, run = access.store, access.store.run
    data = selectors.store_kpis(store=store)
    fmt = KpiFormat()
    context = _kpi_context(data, fmt)
    levels = []
    if data.grade is not None and data.grade.rubric_choices:
        levels = selectors.chosen_levels(rubric=selectors.project_rubric(project=run.project), choices=data.grade.rubric_choices)
    context.update({
        "access": access, "store": store, "run": run, "project": run.project, "section": "kpis",
        "day_number": min(run.day + 1, run.last_day_number), "last_day_number": run.last_day_number,
        "levels": levels,
    })
    return render(request, "practicum/store_kpis.html", context)
