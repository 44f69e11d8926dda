"""Reads of the student pages of a practicum run: the runs a student can join or is in, a run's
teams, who may open a store, and each store page's data (dashboard, orders, one order, the
ledger statement, a listing's landed-price preview) with a number of queries that does not grow
with the rows.

Who sees a store: the accepted members of its team (who may change it) and the run's mentors
(`run_services.user_is_run_mentor`, who read it). For anyone else the store does not exist
(`store_access` returns None and the view answers 404, as for an unknown id), so a team cannot
read another team's store, orders or ledger by changing the ids in a URL.

Money stays in minor units here; the views format it for the reader's locale. Days are the
run's simulated days (`PracticumRun.current_date`, `date_of`), never the wall clock.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from academy.organisations.admin_scoping import organisations_staffed_by
from academy.organisations.models import Organisation

from . import ledger
from .calculator import PARCEL_CHANNEL_KINDS, SHIPPING_CHANNEL
from .ledger import AccountCode, JournalEntry, StatementRow, TrialBalance
from .ledger_services import available_balance, inventory_value, journal_entry_of
from .logistics import ChannelRow, Quote, channels_compare
from .models import Market
from .money import from_minor
from .project_models import PracticumProject, ProjectProduct
from .run_models import (
    LedgerEntry, LedgerPosting, Listing, Order, OrderLine, OrderTransition, PracticumRun, RunParticipant, StockItem,
    Store, Team,
)
from .run_services import user_is_run_mentor
from .selectors import ReferenceDay, rows_in_force
from .shipment_models import Shipment, TrackingEvent
from .simulation import ListingTerms, SimulationError, listing_terms

ORDERS_PER_PAGE = 25
STATEMENT_PER_PAGE = 30
TODAY_ORDERS_SHOWN = 12
RECENT_ORDERS_SHOWN = 8
# Orders whose money is in escrow and that the store may still cancel (order_services.TRANSITIONS).
REFUNDABLE = frozenset({Order.Status.PAID, Order.Status.FULFILLING})


# Runs and teams.


def _mentored_enterprises(user) -> set[int] | None:
    """The approved enterprises the person is staff of (None: a platform admin, every one)."""
    organisations = organisations_staffed_by(user=user)
    if organisations is None:
        return None
    return set(organisations.filter(kind=Organisation.Kind.ENTERPRISE).values_list("pk", flat=True))


@dataclass(frozen=True)
class StudentRuns:
    places: list[RunParticipant]  # the student's applications, with their run, team and store
    joinable: list[PracticumRun]  # open or running runs of published projects not applied to, each with `mentored`
    is_mentor: bool  # staff of an enterprise (or a platform admin), for whom the mentor pages are


def student_runs(*, user) -> StudentRuns:
    """The runs the student has applied to, and those they can still apply to; a run of an
    enterprise the reader is staff of is marked `mentored` (three queries)."""
    places = list(
        RunParticipant.objects.filter(user=user)
        .select_related("run__project__organisation", "team__store")
        .order_by("-run__created_at", "-run__pk")
    )
    joinable = list(
        PracticumRun.objects.filter(
            status__in=[PracticumRun.Status.OPEN, PracticumRun.Status.RUNNING],
            project__status=PracticumProject.Status.PUBLISHED,
        )
        .exclude(pk__in=[place.run_id for place in places])
        .select_related("project__organisation")
        .order_by("-created_at", "-pk")
    )
    enterprises = _mentored_enterprises(user)
    for run in joinable:
        run.mentored = enterprises is None or run.project.organisation_id in enterprises
    return StudentRuns(places=places, joinable=joinable, is_mentor=enterprises is None or bool(enterprises))


@dataclass(frozen=True)
class RunView:
    run: PracticumRun
    place: RunParticipant | None  # the reader's application, if any
    is_mentor: bool

    @property
    def accepted(self) -> bool:
        return self.place is not None and self.place.status == RunParticipant.Status.ACCEPTED

    @property
    def takes_applications(self) -> bool:
        return self.run.project.status == PracticumProject.Status.PUBLISHED and self.run.status != PracticumRun.Status.FINISHED


def run_for_user(*, user, run_id: int) -> RunView | None:
    """A run as the reader may see it: its participants and mentors always; anyone signed in
    while it takes applications (a published project, not finished). None otherwise."""
    run = PracticumRun.objects.select_related("project__organisation").filter(pk=run_id).first()
    if run is None:
        return None
    place = RunParticipant.objects.filter(run=run, user=user).select_related("team__store").first()
    is_mentor = user_is_run_mentor(user=user, run=run)
    view = RunView(run=run, place=place, is_mentor=is_mentor)
    if place is None and not is_mentor and not view.takes_applications:
        return None
    return view


def run_teams(*, run: PracticumRun) -> list[Team]:
    """The run's teams in name order, each with `member_count` and its store (one query)."""
    return list(Team.objects.filter(run=run).select_related("store").annotate(member_count=Count("members")).order_by("name", "pk"))


def team_members(*, team: Team) -> list[RunParticipant]:
    return list(RunParticipant.objects.filter(team=team).select_related("user").order_by("created_at", "pk"))


def run_markets(*, run: PracticumRun) -> list[Market]:
    """The project's target markets as the reference rows in force on the run's current day."""
    codes = run.project.target_markets or []
    rows = rows_in_force(Market, day=run.current_date, iso2__in=codes)
    by_code = {row.iso2: row for row in rows.values()}
    return [by_code[code] for code in codes if code in by_code]


# Stores: who may open one.


@dataclass(frozen=True)
class StoreAccess:
    """A store and the reader's standing: a member of its team changes it, a mentor reads it."""

    store: Store
    is_member: bool
    is_mentor: bool

    @property
    def run(self) -> PracticumRun:
        return self.store.run

    @property
    def can_edit(self) -> bool:
        """Whether the page shows its forms: a member's store in a run that has not finished."""
        return self.is_member and self.store.run.status != PracticumRun.Status.FINISHED


def store_access(*, user, store_id: int) -> StoreAccess | None:
    """The store if the reader is an accepted member of its team or a mentor of its run, else None."""
    store = Store.objects.select_related("team", "run__project__organisation").filter(pk=store_id).first()
    if store is None:
        return None
    member = RunParticipant.objects.filter(team_id=store.team_id, user=user, status=RunParticipant.Status.ACCEPTED).exists()
    mentor = not member and user_is_run_mentor(user=user, run=store.run)
    if not (member or mentor):
        return None
    return StoreAccess(store=store, is_member=member, is_mentor=mentor)


# The dashboard.


@dataclass(frozen=True)
class StockRow:
    product: ProjectProduct
    on_hand: int
    allocated: int
    cost_minor: int

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


@dataclass(frozen=True)
class DayOrders:
    """The last played day's orders: how many, how many were cancelled, what buyers paid per currency."""

    day: date | None
    count: int
    cancelled: int
    paid: dict[str, int]
    orders: list[Order]


@dataclass(frozen=True)
class StoreDashboard:
    products: list[ProjectProduct]
    stock: list[StockRow]
    listings: list[Listing]
    capital_minor: int
    available_minor: int
    inventory_minor: int
    escrow: dict[str, int]  # what escrow holds for the store's orders, per currency
    status_counts: dict[str, int]
    today: DayOrders
    recent: list[Order]

    @property
    def order_count(self) -> int:
        return sum(self.status_counts.values())


def store_dashboard(*, store: Store) -> StoreDashboard:
    """Everything the dashboard shows, in a fixed number of queries."""
    run = store.run
    products = list(run.project.products.all())
    items = {item.product_id: item for item in StockItem.objects.filter(store=store)}
    stock = [
        StockRow(product=p, on_hand=items[p.pk].on_hand if p.pk in items else 0,
                 allocated=items[p.pk].allocated if p.pk in items else 0, cost_minor=items[p.pk].cost_minor if p.pk in items else 0)
        for p in products
    ]
    listings = list(Listing.objects.filter(store=store).select_related("product").order_by("market", "product__sort_order", "pk"))
    escrow = {
        row["currency"]: -row["total"]
        for row in LedgerPosting.objects.filter(entry__store=store, code=AccountCode.ESCROW).values("currency")
        .annotate(total=Sum("amount_minor")).order_by("currency")
        if row["total"]
    }
    counts = {row["status"]: row["n"] for row in Order.objects.filter(store=store).values("status").annotate(n=Count("pk")).order_by()}
    played = run.date_of(run.day) if run.day >= 1 else None
    orders = Order.objects.filter(store=store).prefetch_related("lines").order_by("-placed_on", "-number")
    if played is not None:
        count, cancelled, paid = 0, 0, {}
        for row in Order.objects.filter(store=store, placed_on=played).values("status", "currency").annotate(
                n=Count("pk"), total=Sum("total_minor")).order_by():
            count += row["n"]
            if row["status"] == Order.Status.CANCELLED:
                cancelled += row["n"]
            else:
                paid[row["currency"]] = paid.get(row["currency"], 0) + row["total"]
        today = DayOrders(day=played, count=count, cancelled=cancelled, paid=dict(sorted(paid.items())),
                          orders=list(orders.filter(placed_on=played)[:TODAY_ORDERS_SHOWN]) if count else [])
        recent = list(orders.filter(placed_on__lt=played)[:RECENT_ORDERS_SHOWN])
    else:
        today = DayOrders(day=None, count=0, cancelled=0, paid={}, orders=[])
        recent = []
    return StoreDashboard(
        products=products, stock=stock, listings=listings, capital_minor=run.project.starting_capital_minor,
        available_minor=available_balance(store=store), inventory_minor=inventory_value(store=store), escrow=escrow,
        status_counts=counts, today=today, recent=recent,
    )


# Orders.


def store_orders(*, store: Store, status: str = "", market: str = "", placed_on: date | None = None,
                 page_number=1) -> Page:
    """A page of the store's orders, newest first, with their lines (three queries)."""
    orders = Order.objects.filter(store=store)
    if status:
        orders = orders.filter(status=status)
    if market:
        orders = orders.filter(market=market)
    if placed_on is not None:
        orders = orders.filter(placed_on=placed_on)
    orders = orders.prefetch_related("lines").order_by("-placed_on", "-number")
    return Paginator(orders, ORDERS_PER_PAGE).get_page(page_number)


def store_order(*, store: Store, order_id: int) -> Order | None:
    """One order of the store with its lines, recorded moves, ledger entries and its parcel
    (shipment, customs declaration and tracking events; `order.parcel` is None before it ships);
    None when the order is not the store's (another store's order is not found under this store)."""
    order = (
        Order.objects.filter(store=store, pk=order_id)
        .select_related("listing__product", "shipment__declaration", "dispute")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("pk")),
            Prefetch("transitions", queryset=OrderTransition.objects.select_related("actor").order_by("pk")),
            Prefetch("ledger_entries", queryset=LedgerEntry.objects.prefetch_related("postings").order_by("pk")),
            Prefetch("shipment__events", queryset=TrackingEvent.objects.order_by("day", "pk")),
        )
        .first()
    )
    if order is not None:
        order.store = store
        try:
            order.parcel = order.shipment
        except Shipment.DoesNotExist:
            order.parcel = None
    return order


def parcel_calculator_url(*, order: Order, parcel: Shipment) -> str:
    """The calculator filled in with the whole parcel: its declared value, weight, Incoterm and
    channel on the day it reached customs."""
    declaration = parcel.declaration
    return calculator_url(product=order.listing.product, market=order.market, currency=declaration.currency,
                          declared_minor=declaration.declared_value_minor, incoterm=declaration.incoterm,
                          channel=parcel.channel, day=declaration.cleared_on or parcel.customs_on,
                          weight_grams=parcel.weight_grams, hs_code=declaration.hs_code)


# The ledger statement.


@dataclass(frozen=True)
class StatementLine:
    stored: LedgerEntry
    entry: JournalEntry
    row: StatementRow | None  # the move of what the team may spend, when the entry makes one


@dataclass(frozen=True)
class Statement:
    page: Page  # of StatementLine, newest first
    trial_balance: TrialBalance
    balance_minor: int  # what the team may spend after the last entry
    entries: int


def store_statement(*, store: Store, page_number=1) -> Statement:
    """The store's journal with the running balance of what it may spend (the pure
    `ledger.statement`) and its trial balance (`ledger.trial_balance`), from every entry of the
    store loaded once with its postings (two queries), newest first and paged."""
    stored = list(
        LedgerEntry.objects.filter(store=store).select_related("reverses", "order").prefetch_related("postings").order_by("pk")
    )
    entries = [journal_entry_of(entry) for entry in stored]
    rows = ledger.statement(entries, store=store.key)
    by_key = {row.key: row for row in rows}
    lines = [StatementLine(stored=s, entry=e, row=by_key.get(e.key)) for s, e in zip(stored, entries)]
    lines.reverse()
    return Statement(
        page=Paginator(lines, STATEMENT_PER_PAGE).get_page(page_number),
        trial_balance=ledger.trial_balance(entries, store=store.key),
        balance_minor=rows[-1].balance_minor if rows else 0,
        entries=len(stored),
    )


# Listings: the editor's choices and the landed-price preview.


def listing_reference(*, run: PracticumRun) -> ReferenceDay:
    """The reference rows in force on the run's day in progress, for the project's markets: the
    day whose rules a listing saved now is priced by."""
    return ReferenceDay(day=run.current_date, markets=run.project.target_markets or [])


def listing_channels(*, reference: ReferenceDay, markets, current: str = "") -> list[ChannelRow]:
    """The parcel channels in force that serve one of the markets (containers and the warehouses'
    last mile carry bulk stock, not a shopper's parcel), and the listing's own channel."""
    return [
        channel for channel in sorted(reference.channels.values(), key=lambda c: (c.first_price_cny, c.code))
        if channel.code == current or (channel.kind in PARCEL_CHANNEL_KINDS and any(channel.serves(m) for m in markets))
    ]


def channel_quotes(*, reference: ReferenceDay, channels, product: ProjectProduct, market: str, incoterm: str) -> list[Quote]:
    """Each channel's price and transit days for one unit of the product to the market."""
    return channels_compare(channels, market=market, weight_g=product.weight_grams, has_battery=product.contains_battery,
                            incoterm=incoterm)


@dataclass(frozen=True)
class ListingPreview:
    """One unit of a listing on the day: the trade-rules figures and the store's estimated margin.

    Margin (CNY, minor units) = what the buyer pays converted at the day's FX, less the platform
    fee on it (as `ledger.release_figures` books a release), the unit cost, the carrier's tariff,
    and under DDP the duty and VAT the store pays, converted at the same rate."""

    product: ProjectProduct
    market: str
    currency: str
    incoterm: str
    price_minor: int
    declared_minor: int
    terms: ListingTerms
    fx_rate: Decimal  # CNY per unit of the market's currency
    fee_bps: int
    revenue_cny_minor: int
    fee_cny_minor: int
    unit_cost_minor: int
    shipping_cny_minor: int
    taxes_cny_minor: int
    margin_minor: int
    calculator_url: str

    @property
    def store_pays_taxes(self) -> bool:
        return self.incoterm == "DDP"

    @property
    def taxes_minor(self) -> int:
        return self.terms.duty_minor + self.terms.vat_minor

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.revenue_cny_minor:
            return None
        return (Decimal(self.margin_minor) * 100 / Decimal(self.revenue_cny_minor)).quantize(Decimal("0.1"))


def listing_preview(*, run: PracticumRun, reference: ReferenceDay, product: ProjectProduct, market: str, price_minor: int,
                    declared_minor: int | None, incoterm: str, channel: str) -> ListingPreview:
    """The landed price of one unit by `simulation.listing_terms` (the figures the simulated
    shoppers see) and the store's margin; raises `SimulationError` when the channel refuses the
    parcel or a reference row is missing."""
    declared = declared_minor or price_minor
    terms = listing_terms(
        reference=reference, market=market, hs_code=product.hs_code, price_minor=price_minor, declared_minor=declared,
        weight_g=product.weight_grams, has_battery=product.contains_battery, incoterm=incoterm, channel=channel,
    )
    currency = terms.currency
    rate = reference.fx.get(currency)
    fee_bps = run.project.platform_fee_bps
    if rate is None:
        raise SimulationError(_("No FX rate for %(currency)s is in force on %(day)s.") % {
            "currency": currency, "day": reference.day.isoformat()})
    figures = ledger.release_figures(currency=currency, amount_minor=terms.buyer_price_minor, payment_rate=rate,
                                     release_rate=rate, platform_fee_bps=fee_bps, day=reference.day)
    taxes = 0
    if incoterm == "DDP" and terms.duty_minor + terms.vat_minor:
        taxes = ledger.fx_convert(terms.duty_minor + terms.vat_minor, currency, ledger.BOOK_CURRENCY,
                                  rate.cny_per_unit).converted_minor
    margin = figures.released_minor - figures.fee_minor - product.unit_cost_minor - terms.shipping_cny_minor - taxes
    return ListingPreview(
        product=product, market=market, currency=currency, incoterm=incoterm, price_minor=price_minor, declared_minor=declared,
        terms=terms, fx_rate=rate.cny_per_unit, fee_bps=fee_bps, revenue_cny_minor=figures.released_minor,
        fee_cny_minor=figures.fee_minor, unit_cost_minor=product.unit_cost_minor, shipping_cny_minor=terms.shipping_cny_minor,
        taxes_cny_minor=taxes, margin_minor=margin,
        calculator_url=calculator_url(product=product, market=market, currency=currency, declared_minor=declared,
                                      incoterm=incoterm, channel=channel, day=reference.day),
    )


def calculator_url(*, product: ProjectProduct, market: str, currency: str, declared_minor: int, incoterm: str, channel: str,
                   day: date, weight_grams: int | None = None, hs_code: str = "") -> str:
    """The public calculator filled in with one unit of the listing, or a parcel of it when
    `weight_grams` is given (its GET parameters are `practicum.forms.LandedCostForm`'s fields),
    so a student sees the same figures rule by rule."""
    weight = weight_grams if weight_grams is not None else product.weight_grams
    params = [
        ("market", market), ("hs", hs_code or product.hs_code), ("value", str(from_minor(declared_minor, currency))),
        ("currency", currency), ("weight", f"{(Decimal(weight) / 1000).normalize():f}"),
    ]
    if product.contains_battery:
        params.append(("battery", "on"))
    params += [("incoterm", incoterm), ("shipping_mode", SHIPPING_CHANNEL), ("channel", channel),
               ("day", day.isoformat()), ("calculate", "1")]
    return f"{reverse('landed_cost')}?{urlencode(params)}#results"
