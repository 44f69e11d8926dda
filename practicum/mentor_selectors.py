"""Reads of the mentor pages: the runs and projects a mentor looks after, a run's board with every
team side by side, and the run's trial balance (issue "Practicum I", points 2, 6, 7 and 8).

The board's figures per team come from a fixed number of grouped queries (one over the run's
ledger postings, one over its orders, one over its live listings), so the page costs the same
number of queries for two teams as for twenty. Money stays in integer minor units with its
currency here; the views format it for the reader's locale.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from academy.organisations.admin_scoping import organisations_staffed_by
from academy.organisations.models import Organisation

from . import ledger
from .ledger import AccountCode
from .ledger_services import journal_entry_of
from .project_models import PracticumProject
from .run_clock import job_is_active, jobs_active
from .run_models import LedgerEntry, LedgerPosting, Listing, Order, PracticumRun, RunParticipant, SimulationDay, SimulationJob, Store, Team

RECENT_DAYS = 10


def user_is_mentor(*, user) -> bool:
    """A platform admin, or active staff of an approved enterprise (who may post projects)."""
    organisations = organisations_staffed_by(user=user)
    return organisations is None or organisations.filter(kind=Organisation.Kind.ENTERPRISE).exists()


def _scoped(queryset, user, path):
    organisations = organisations_staffed_by(user=user)
    if organisations is None:
        return queryset
    return queryset.filter(**{f"{path}__in": organisations.values("pk")})


def _count(queryset):
    """A correlated count subquery (no join fan-out when several counts sit on one row)."""
    counted = queryset.order_by().values("run").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def mentor_runs(*, user):
    """The runs of the projects of the enterprises `user` is staff of (a platform admin: every
    run), newest first, with their project and enterprise, team and applicant counts and whether
    the clock is advancing."""
    runs = PracticumRun.objects.select_related("project__organisation").defer("project__brief").annotate(
        teams_count=_count(Team.objects.filter(run=OuterRef("pk"))),
        applicants_count=_count(RunParticipant.objects.filter(run=OuterRef("pk"), status=RunParticipant.Status.APPLIED)),
        advancing=Exists(jobs_active().filter(run=OuterRef("pk"))),
    )
    return list(_scoped(runs, user, "project__organisation").order_by("-created_at", "-pk"))


def mentor_projects(*, user):
    """The published projects a mentor may start a run of, with how many runs each has."""
    projects = PracticumProject.objects.filter(status=PracticumProject.Status.PUBLISHED).select_related(
        "organisation").defer("brief").annotate(runs_count=Count("runs"))
    return list(_scoped(projects, user, "organisation").order_by("-starts_on", "title", "pk"))


@dataclass
class TeamRow:
    """One team on the board with its store's figures (money in minor units)."""

    team: Team
    store: Store | None
    members: list
    available_minor: int = 0
    inventory_minor: int = 0
    sales_minor: int = 0
    escrow_minor: dict = field(default_factory=dict)  # currency -> held
    orders_total: int = 0
    orders_last_day: int = 0
    listings_live: int = 0


@dataclass
class RunBoard:
    run: PracticumRun
    teams: list
    applicants: list
    unassigned: list
    declined: list
    recent_days: list
    job: SimulationJob | None
    last_played_on: date | None

    @property
    def job_active(self) -> bool:
        return job_is_active(self.job)


def run_board(*, run: PracticumRun) -> RunBoard:
    """Everything the mentor's board of a run shows, in a number of queries that does not grow
    with the teams, members, orders or ledger entries."""
    members = RunParticipant.objects.filter(status=RunParticipant.Status.ACCEPTED).select_related("user").order_by("created_at", "pk")
    teams = list(Team.objects.filter(run=run).select_related("store").prefetch_related(Prefetch("members", queryset=members)))
    rows = {}
    for team in teams:
        rows[team.pk] = TeamRow(team=team, store=_store_of(team), members=list(team.members.all()))
    by_store = {row.store.pk: row for row in rows.values() if row.store is not None}

    codes = (AccountCode.STORE_AVAILABLE, AccountCode.INVENTORY, AccountCode.SALES, AccountCode.ESCROW)
    totals = (LedgerPosting.objects.filter(entry__run=run, code__in=[c.value for c in codes])
              .values("entry__store_id", "code", "currency").annotate(total=Sum("amount_minor")).order_by())
    for line in totals:
        row = by_store.get(line["entry__store_id"])
        if row is None:
            continue
        code, currency, total = line["code"], line["currency"], line["total"] or 0
        if code == AccountCode.STORE_AVAILABLE and currency == ledger.BOOK_CURRENCY:
            row.available_minor = total
        elif code == AccountCode.INVENTORY and currency == ledger.BOOK_CURRENCY:
            row.inventory_minor = total
        elif code == AccountCode.SALES and currency == ledger.BOOK_CURRENCY:
            row.sales_minor = -total  # income: a credit balance
        elif code == AccountCode.ESCROW and total:
            row.escrow_minor[currency] = -total  # what escrow holds: a credit balance

    last_played_on = run.date_of(run.day) if run.day > 0 else None
    counts = {"total": Count("pk")}
    if last_played_on is not None:
        counts["last_day"] = Count("pk", filter=Q(placed_on=last_played_on))
    for line in Order.objects.filter(store__run=run).values("store_id").annotate(**counts).order_by():
        row = by_store.get(line["store_id"])
        if row is not None:
            row.orders_total, row.orders_last_day = line["total"], line.get("last_day", 0)
    live = Listing.objects.filter(store__run=run, status=Listing.Status.LIVE).values("store_id").annotate(n=Count("pk")).order_by()
    for line in live:
        row = by_store.get(line["store_id"])
        if row is not None:
            row.listings_live = line["n"]

    outside = list(RunParticipant.objects.filter(run=run, team__isnull=True).select_related("user").order_by("created_at", "pk"))
    recent = list(SimulationDay.objects.filter(run=run).only("run_id", "number", "date", "orders", "orders_digest")
                  .order_by("-number")[:RECENT_DAYS])
    job = SimulationJob.objects.filter(run=run).select_related("requested_by").order_by("-created_at", "-pk").first()
    return RunBoard(
        run=run, teams=[rows[team.pk] for team in teams],
        applicants=[p for p in outside if p.status == RunParticipant.Status.APPLIED],
        unassigned=[p for p in outside if p.status == RunParticipant.Status.ACCEPTED],
        declined=[p for p in outside if p.status == RunParticipant.Status.DECLINED],
        recent_days=recent, job=job, last_played_on=last_played_on,
    )


def _store_of(team) -> Store | None:
    try:
        return team.store
    except Store.DoesNotExist:  # every team is formed with its store; kept safe for hand-made rows
        return None


# The trial balance.


@dataclass(frozen=True)
class TrialBalanceRow:
    """A line of the trial balance as shown: one account, or the accounts of one code and store
    that are kept per order (escrow), added up with how many there are."""

    code: str
    store: str
    accounts: int
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True)
class TrialBalanceGroup:
    kind: ledger.AccountKind
    rows: tuple
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True)
class TrialBalanceSection:
    """One currency's trial balance: debits equal credits when the books balance."""

    currency: str
    groups: tuple
    debit_minor: int
    credit_minor: int

    @property
    def difference_minor(self) -> int:
        return self.debit_minor - self.credit_minor

    @property
    def balanced(self) -> bool:
        return self.difference_minor == 0


def run_trial_balance(*, run: PracticumRun, store: Store | None = None) -> ledger.TrialBalance:
    """The run's trial balance (`practicum.ledger.trial_balance` over the stored journal), or one
    store's. Every entry is in one store's books, so a store's entries are all its lines."""
    entries = LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses").order_by("pk")
    if store is not None:
        entries = entries.filter(store=store)
    return ledger.trial_balance([journal_entry_of(entry) for entry in entries], store=store.key if store else None)


def trial_balance_sections(balance: ledger.TrialBalance) -> list[TrialBalanceSection]:
    """The trial balance per currency, its accounts grouped by kind (assets first). Accounts kept
    per order are added up per store, debits and credits apart, so the totals are unchanged."""
    per_currency = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0, 0])))
    for line in balance.lines:
        account = line.account
        cell = per_currency[line.currency][account.kind][(account.code.value, account.store)]
        cell[0] += 1
        cell[1] += line.debit_minor
        cell[2] += line.credit_minor
    sections = []
    for currency in sorted(per_currency):
        groups = []
        for kind in ledger.AccountKind:
            cells = per_currency[currency].get(kind)
            if not cells:
                continue
            rows = tuple(TrialBalanceRow(code, store, count, debit, credit)
                         for (code, store), (count, debit, credit) in sorted(cells.items()))
            groups.append(TrialBalanceGroup(kind, rows, sum(r.debit_minor for r in rows), sum(r.credit_minor for r in rows)))
        sections.append(TrialBalanceSection(currency, tuple(groups), sum(g.debit_minor for g in groups),
                                            sum(g.credit_minor for g in groups)))
    return sections
