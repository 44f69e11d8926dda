"""The student pages of the practicum sandbox (issue "Practicum I", point 8): the runs to join,
a run's brief with the application and the teams, and each team's store: the dashboard with
stock and listings, the listing editor with its landed-price preview, the orders and the ledger
statement.

Every store page answers 404 unless the reader is an accepted member of the store's team (who
reads and changes it) or a mentor of its run (who reads it: no forms, and a POST is refused
with 403); see `store_selectors.store_access`. The writes are the services'
(`practicum.run_services`, `practicum.order_services`); a service's ValidationError comes back
on the form with what was typed, answered 400. Money is formatted for the reader's locale here,
from minor units (`practicum.money.format_money`); days are the run's simulated days.
"""

from decimal import Decimal

from babel.numbers import format_decimal
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext as _, to_locale
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.forms import validation_error_onto

from . import store_selectors as selectors
from .ledger import Account, AccountCode
from .ledger_labels import ACCOUNT_LABELS, ENTRY_KINDS
from .views import LINE_LABELS
from .models import CustomsRule
from .money import format_money, from_minor
from .order_services import order_refund
from .reputation_services import store_reputation
from .run_models import Listing, Order, PracticumRun, Team
from .run_services import listing_save, participant_apply, stock_buy, team_create, team_join, team_leave
from .simulation import SimulationError
from .store_forms import ApplyForm, ListingForm, OrderFilterForm, OrderRefundForm, StockBuyForm, TeamCreateForm
from .warehouse_selectors import warehouse_listing_preview
from .warehouse_services import LASTMILE_CHANNEL, listing_warehouse_set, warehouses_on

# The service's model field names, as the listing form calls them.
LISTING_FIELDS = {"price_minor": "price", "declared_value_minor": "declared_value"}


class Money:
    """Minor units formatted for the reader's locale: `money(4590, "PLN")` → "PLN 45.90"."""

    def __init__(self):
        self.locale = to_locale(get_language() or "en")

    def __call__(self, units: int, currency: str) -> str:
        return format_money(from_minor(units, currency), currency, self.locale)

    def amount(self, amount: Decimal, currency: str) -> str:
        return format_money(amount, currency, self.locale)

    def number(self, value: Decimal) -> str:
        """A rate or a percentage with every digit it has (Babel would round to three)."""
        return format_decimal(value, locale=self.locale, decimal_quantization=False)


# Runs.


@login_required
@require_GET
def runs(request):
    """The student's runs with their store, the runs still taking applications, and for an
    enterprise's staff a way to the mentor pages."""
    found = selectors.student_runs(user=request.user)
    return render(request, "practicum/run_list.html", {
        "places": found.places, "joinable": found.joinable, "is_mentor": found.is_mentor,
    })


def _run_or_404(request, run_id) -> selectors.RunView:
    view = selectors.run_for_user(user=request.user, run_id=run_id)
    if view is None:
        raise Http404
    return view


@login_required
@require_GET
def run_detail(request, run_id):
    """A run's brief, markets, catalogue and dates; the reader's application and team."""
    return _run_page(request, _run_or_404(request, run_id))


def _run_page(request, view, *, apply_form=None, team_form=None, place_error=None, status=200):
    run, place = view.run, view.place
    money = Money()
    products = list(run.project.products.all())
    for product in products:
        product.cost_text = money(product.unit_cost_minor, "CNY")
    teams = selectors.run_teams(run=run)
    in_team = place is not None and place.team_id is not None
    trading = run.status != PracticumRun.Status.FINISHED
    context = {
        "view": view, "run": run, "project": run.project, "place": place,
        "markets": selectors.run_markets(run=run), "products": products, "teams": teams,
        "capital_text": money(run.project.starting_capital_minor, "CNY"),
        "members": selectors.team_members(team=place.team) if in_team else [],
        "apply_form": (apply_form or ApplyForm()) if place is None and not view.is_mentor and view.takes_applications else None,
        "team_form": (team_form or TeamCreateForm()) if view.accepted and not in_team and trading else None,
        "can_join": view.accepted and not in_team and trading,
        "place_error": place_error,
        "is_mentor": view.is_mentor,
    }
    return render(request, "practicum/run_detail.html", context, status=status)


@login_required
@require_POST
def run_apply(request, run_id):
    view = _run_or_404(request, run_id)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            participant_apply(run=view.run, user=request.user, motivation=form.cleaned_data["motivation"])
        except ValidationError as exc:
            if view.place is not None:  # applied already: the page shows the application, not the form
                return _run_page(request, view, place_error=" ".join(exc.messages), status=400)
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("Your application is sent. A mentor of the project will accept or decline it."))
            return redirect("practicum_run", view.run.pk)
    return _run_page(request, view, apply_form=form, status=400)


@login_required
@require_POST
def run_team_create(request, run_id):
    view = _run_or_404(request, run_id)
    form = TeamCreateForm(request.POST)
    if form.is_valid():
        try:
            team = team_create(run=view.run, user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("Team %(team)s is formed and its store is open.") % {"team": team.name})
            return redirect("practicum_store", team.store.pk)
    return _run_page(request, view, team_form=form, status=400)


@login_required
@require_POST
def run_team_join(request, run_id, team_id):
    view = _run_or_404(request, run_id)
    team = get_object_or_404(Team, pk=team_id, run=view.run)
    try:
        team_join(team=team, user=request.user)
    except ValidationError as exc:
        return _run_page(request, view, place_error=" ".join(exc.messages), status=400)
    messages.success(request, _("You joined team %(team)s.") % {"team": team.name})
    return redirect("practicum_run", view.run.pk)


@login_required
@require_POST
def run_team_leave(request, run_id):
    view = _run_or_404(request, run_id)
    try:
        participant = team_leave(run=view.run, user=request.user)
    except ValidationError as exc:
        return _run_page(request, view, place_error=" ".join(exc.messages), status=400)
    messages.success(request, _("You left your team. You can form a team or join one with room."))
    return redirect("practicum_run", participant.run_id)


# The store.


def _store_or_404(request, store_id) -> selectors.StoreAccess:
    """The store if the reader may see it (else 404, as for an unknown id); a POST by a reader
    who is not a member of its team (a mentor) is refused with 403."""
    access = selectors.store_access(user=request.user, store_id=store_id)
    if access is None:
        raise Http404
    if request.method == "POST" and not access.is_member:
        raise PermissionDenied(_("Mentors read a team's store; only its members change it."))
    return access


def _store_context(access, section: str) -> dict:
    run = access.run
    return {
        "access": access, "store": access.store, "run": run, "project": run.project, "section": section,
        "day_number": min(run.day + 1, run.last_day_number), "last_day_number": run.last_day_number,
    }


@login_required
@require_GET
def store_dashboard(request, store_id):
    """The store at a glance: the simulated day, money, stock, listings and orders."""
    return _dashboard_page(request, _store_or_404(request, store_id))


def _dashboard_page(request, access, *, buy_form=None, status=200):
    dashboard = selectors.store_dashboard(store=access.store)
    money = Money()
    for listing in dashboard.listings:
        listing.price_text = money(listing.price_minor, listing.currency)
    for order in (*dashboard.today.orders, *dashboard.recent):
        order.total_text = money(order.total_minor, order.currency)
    context = _store_context(access, "dashboard")
    context.update({
        "dashboard": dashboard,
        "stock": [{"row": row, "cost": money(row.cost_minor, "CNY")} for row in dashboard.stock],
        "capital_text": money(dashboard.capital_minor, "CNY"),
        "available_text": money(dashboard.available_minor, "CNY"),
        "inventory_text": money(dashboard.inventory_minor, "CNY"),
        "escrow_texts": [money(units, currency) for currency, units in dashboard.escrow.items()],
        "today_paid_texts": [money(units, currency) for currency, units in dashboard.today.paid.items()],
        "buy_form": (buy_form or StockBuyForm(products=dashboard.products, locale=money.locale)) if access.can_edit else None,
        "reputation": store_reputation(store=access.store, as_of=access.run.current_date),
    })
    return render(request, "practicum/store_dashboard.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def store_stock_buy(request, store_id):
    """Buy units into the China warehouse (the form is on the dashboard)."""
    access = _store_or_404(request, store_id)
    if request.method == "GET":
        return redirect(reverse("practicum_store", args=[access.store.pk]) + "#stock")
    products = list(access.run.project.products.all())
    form = StockBuyForm(request.POST, products=products, locale=Money().locale)
    if form.is_valid():
        product, quantity = form.cleaned_data["product"], form.cleaned_data["quantity"]
        try:
            stock_buy(store=access.store, product=product, quantity=quantity, by=request.user)
        except ValidationError as exc:
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("%(units)s units of %(sku)s are in your warehouse.") % {"units": quantity, "sku": product.sku})
            return redirect(reverse("practicum_store", args=[access.store.pk]) + "#stock")
    return _dashboard_page(request, access, buy_form=form, status=400)


# Listings.


@login_required
@require_http_methods(["GET", "POST"])
def store_listing(request, store_id, listing_id=None):
    """The listing editor. "Preview" shows one unit's landed price and the store's margin by
    the trade-rules engine on the run's day in progress; "Save" saves through `listing_save`."""
    access = _store_or_404(request, store_id)
    store, run = access.store, access.run
    listing = None
    if listing_id is not None:
        listing = Listing.objects.select_related("product").filter(store=store, pk=listing_id).first()
        if listing is None:
            raise Http404
    elif not access.can_edit:
        raise PermissionDenied(_("Only the team's members can add a listing, while the run is on."))
    reference = selectors.listing_reference(run=run)
    markets = [reference.markets[code] for code in run.project.target_markets or [] if code in reference.markets]
    currencies = {market.iso2: market.currency for market in markets}
    channels = selectors.listing_channels(reference=reference, markets=currencies, current=listing.channel if listing else "")
    # A listing may ship from an overseas warehouse of its market, by the warehouses' last mile.
    warehouses = list(warehouses_on(day=reference.day, markets=list(currencies)).values())
    lastmile = reference.channels.get(LASTMILE_CHANNEL)
    if warehouses and lastmile is not None and all(c.code != lastmile.code for c in channels):
        channels = [*channels, lastmile]
    products = list(run.project.products.all())
    form_kwargs = {"products": products, "markets": markets, "currencies": currencies, "channels": channels,
                   "warehouses": warehouses, "day": reference.day}
    money = Money()
    preview = None
    quotes = []
    quoted = None  # the product the channels are quoted for
    chosen = listing.channel if listing else ""
    status = 200

    def previewed(product, market, price_minor, declared_minor, incoterm, channel, form=None, warehouse=""):
        nonlocal quotes, quoted
        quoted = product
        quotes = selectors.channel_quotes(reference=reference, channels=channels, product=product, market=market, incoterm=incoterm)
        try:
            preview = selectors.listing_preview(run=run, reference=reference, product=product, market=market, price_minor=price_minor,
                                                declared_minor=declared_minor, incoterm=incoterm, channel=channel)
            if warehouse:
                preview = warehouse_listing_preview(preview, store=store, reference=reference, warehouse=warehouse)
            return preview
        except SimulationError as error:
            if form is not None:
                form.add_error("channel", " ".join(error.messages))
            return None

    if request.method == "POST":
        form = ListingForm(request.POST, **form_kwargs)
        chosen = request.POST.get("channel", "")
        if form.is_valid():
            data = form.cleaned_data
            if "preview" in request.POST:
                preview = previewed(data["product"], data["market"], data["price_minor"], data["declared_value_minor"],
                                    data["incoterm"], data["channel"], form=form, warehouse=data.get("warehouse") or "")
            else:
                try:
                    with transaction.atomic():
                        saved = listing_save(
                            store=store, by=request.user, product=data["product"], market=data["market"],
                            price_minor=data["price_minor"], incoterm=data["incoterm"], channel=data["channel"],
                            declared_value_minor=data["declared_value_minor"], status=data["status"], listing=listing,
                        )
                        listing_warehouse_set(listing=saved, warehouse=data.get("warehouse") or "", by=request.user)
                except ValidationError as exc:
                    _listing_error_onto(form, exc)
                else:
                    messages.success(request, _("The listing of %(sku)s in %(market)s is saved.") % {
                        "sku": saved.product.sku, "market": saved.market})
                    return redirect(reverse("practicum_store", args=[store.pk]) + "#listings")
        if form.errors:
            status = 400
    else:
        form = ListingForm(initial=_listing_initial(listing, request.GET, currencies, channels), **form_kwargs)
        if listing is not None and listing.market in currencies:
            preview = previewed(listing.product, listing.market, listing.price_minor, listing.declared_value_minor,
                                listing.incoterm, listing.channel, warehouse=listing.warehouse)
    context = _store_context(access, "listing")
    context.update({
        "form": form if access.can_edit else None, "listing": listing, "preview": preview,
        "figures": _preview_figures(preview, money) if preview else None,
        "quotes": [_quote_row(quote, money) for quote in quotes], "chosen_channel": chosen, "quoted": quoted,
        "reference_day": reference.day,
        "missing_markets": [code for code in run.project.target_markets or [] if code not in currencies],
        "listing_price_text": money(listing.price_minor, listing.currency) if listing else "",
        "listing_declared_text": money(listing.declared_value_minor, listing.currency) if listing and listing.declared_value_minor else "",
    })
    return render(request, "practicum/store_listing.html", context, status=status)


def _listing_initial(listing, params, currencies, channels) -> dict:
    if listing is None:
        # A new listing starts DDP (the form's initial Incoterm) on the cheapest channel that clears it.
        initial = {"channel": next((c.code for c in channels if c.ddp_capable), "")}
        if params.get("market") in currencies:
            initial["market"] = params["market"]
        if params.get("product", "").isdigit():
            initial["product"] = int(params["product"])
        return initial
    return {
        "product": listing.product_id, "market": listing.market, "price": from_minor(listing.price_minor, listing.currency),
        "incoterm": listing.incoterm, "channel": listing.channel, "status": listing.status, "warehouse": listing.warehouse,
        "declared_value": from_minor(listing.declared_value_minor, listing.currency) if listing.declared_value_minor else None,
    }


def _listing_error_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        exc = ValidationError({LISTING_FIELDS.get(name, name): errors for name, errors in exc.error_dict.items()})
    validation_error_onto(form, exc)


def _preview_figures(preview, money) -> dict:
    terms, currency = preview.terms, preview.currency
    return {
        "price": money(preview.price_minor, currency),
        "declared": money(preview.declared_minor, currency),
        "shipping": money(terms.shipping_minor, currency),
        "shipping_cny": money(terms.shipping_cny_minor, "CNY"),
        "buyer_price": money(terms.buyer_price_minor, currency),
        "duty": money(terms.duty_minor, currency),
        "vat": money(terms.vat_minor, currency),
        "taxes": money(preview.taxes_minor, currency),
        "door_fees": money(terms.door_fees_minor, currency),
        "shopper_total": money(terms.buyer_price_minor + terms.door_fees_minor, currency),
        "revenue_cny": money(preview.revenue_cny_minor, "CNY"),
        "fee_cny": money(preview.fee_cny_minor, "CNY"),
        "unit_cost": money(preview.unit_cost_minor, "CNY"),
        "taxes_cny": money(preview.taxes_cny_minor, "CNY"),
        "margin": money(preview.margin_minor, "CNY"),
        "fee_percent": money.number(Decimal(preview.fee_bps) / 100),
        "fx_rate": money.number(preview.fx_rate),
        "margin_percent": money.number(preview.margin_percent) if preview.margin_percent is not None else "",
        "rule": _rule_label(preview.terms.landed.rule) if preview.terms.landed is not None
        else _("Cleared at inbound under %(rule)s: no duty or VAT at the door") % {"rule": "B2B_STANDARD"},
    }


def _rule_label(rule: str) -> str:
    try:
        return str(CustomsRule(rule).label)
    except ValueError:
        return rule


def _quote_row(quote, money) -> dict:
    return {"quote": quote, "price": money.amount(quote.price_cny, "CNY") if quote.price_cny is not None else "",
            "reasons": "; ".join(note.text for note in quote.reasons)}


# Orders.


@login_required
@require_GET
def store_orders(request, store_id):
    """The store's orders, newest first, filtered by status, market and day, 25 a page."""
    access = _store_or_404(request, store_id)
    filters = OrderFilterForm(request.GET or None, markets=access.run.project.target_markets or [])
    page = selectors.store_orders(store=access.store, page_number=request.GET.get("page") or 1, **filters.filters())
    money = Money()
    for order in page.object_list:
        order.total_text = money(order.total_minor, order.currency)
    context = _store_context(access, "orders")
    context.update({"page": page, "filters": filters, "filtered": filters.is_bound and filters.active})
    return render(request, "practicum/store_orders.html", context)


@login_required
@require_GET
def store_order(request, store_id, order_id):
    """One order: its lines, amounts, dates, recorded moves and ledger entries."""
    access = _store_or_404(request, store_id)
    return _order_page(request, access, _order_or_404(access, order_id))


def _order_or_404(access, order_id) -> Order:
    order = selectors.store_order(store=access.store, order_id=order_id)
    if order is None:
        raise Http404
    return order


def _order_page(request, access, order, *, refund_form=None, status=200):
    money = Money()
    lines = list(order.lines.all())
    for line in lines:
        line.unit_text = money(line.unit_price_minor, order.currency)
        line.total_text = money(line.unit_price_minor * line.quantity, order.currency)
    transitions = list(order.transitions.all())
    labels = dict(Order.Status.choices)
    for move in transitions:
        move.source_label = labels.get(move.source, "")
        move.target_label = labels.get(move.target, move.target)
    entries = [_entry_row(entry, money) for entry in order.ledger_entries.all()]
    refundable = order.status in selectors.REFUNDABLE
    context = _store_context(access, "orders")
    context.update(_parcel_context(access, order, money))
    context.update({
        "order": order, "lines": lines, "transitions": transitions, "entries": entries,
        "total_text": money(order.total_minor, order.currency), "refundable": refundable,
        "refund_form": (refund_form or OrderRefundForm()) if refundable and access.can_edit else None,
        # A refusal of an order that can no longer be cancelled has no form to sit on.
        "refund_error": " ".join(refund_form.non_field_errors()) if refund_form is not None and not refundable else "",
    })
    return render(request, "practicum/store_order.html", context, status=status)


# The order page's parcel: its journey, its customs declaration and what it cost, line by line.
def _parcel_context(access, order, money) -> dict:
    """The parcel of a shipped order: tracking events (those after the last played day are
    what is expected), the declaration's figures, and the breakdown as the calculator shows it."""
    parcel = order.parcel
    if parcel is None:
        return {"parcel": None}
    run = access.run
    played = run.date_of(run.day) if run.day >= 1 else None
    events = list(parcel.events.all())
    for event in events:
        event.expected = played is None or event.day > played
    declaration = getattr(parcel, "declaration", None)
    if declaration is None:  # a parcel from an overseas warehouse: no customs, its stock was cleared at inbound
        return {"parcel": parcel, "tracking": events, "declaration": None, "customs": None, "breakdown": [],
                "tariff_text": money(parcel.tariff_minor, "CNY"), "parcel_calculator_url": ""}
    currency = declaration.currency
    customs = {
        "declared": money(declaration.declared_value_minor, currency),
        "goods": money(declaration.goods_value_minor, currency),
        "duty": money(declaration.duty_minor, currency),
        "vat": money(declaration.vat_minor, currency),
        "customs_value": money(declaration.customs_value_minor, currency),
        "difference": money(declaration.difference_minor, currency),
        "penalty": money(declaration.penalty_minor, currency),
        "door_fees": money(declaration.door_fees_minor, currency),
        "store_pays": declaration.incoterm == "DDP",
    }
    breakdown = [{
        "code": line["code"], "label": LINE_LABELS.get(line["code"], line["label"]), "rule": line["rule"],
        "amount": money.amount(Decimal(line["amount"]), line["currency"]),
        "amount_cny": money.amount(Decimal(line["amount_cny"]), "CNY") if line.get("amount_cny") else "",
        "formula": line["formula"], "cny_formula": line.get("cny_formula", ""), "source": line["source"],
        "refs": line["refs"],
    } for line in declaration.lines]
    return {
        "parcel": parcel, "tracking": events, "declaration": declaration, "customs": customs, "breakdown": breakdown,
        "tariff_text": money(parcel.tariff_minor, "CNY"),
        "parcel_calculator_url": selectors.parcel_calculator_url(order=order, parcel=parcel),
    }


@login_required
@require_POST
def store_order_refund(request, store_id, order_id):
    """The store cancels an order it has not shipped; the buyer's payment leaves escrow back to them."""
    access = _store_or_404(request, store_id)
    order = _order_or_404(access, order_id)
    form = OrderRefundForm(request.POST)
    if form.is_valid():
        try:
            order_refund(order=order, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("Order %(number)s is cancelled and the buyer's payment refunded.") % {"number": order.number})
            return redirect("practicum_order", access.store.pk, order.pk)
    return _order_page(request, access, _order_or_404(access, order_id), refund_form=form, status=400)


# The ledger.


def _entry_row(stored, money, statement_row=None) -> dict:
    """A stored entry (postings prefetched) for display: each posting with its account's name
    and the amount on the debit or the credit side; with its statement row, the move of what
    the team may spend and the balance after it."""
    postings = []
    for posting in sorted(stored.postings.all(), key=lambda p: p.pk):
        account, amount, currency = Account.parse(posting.account), posting.amount_minor, posting.currency
        postings.append({
            "label": ACCOUNT_LABELS.get(account.code, account.code), "code": account.code, "order": account.order,
            "currency": currency,
            "debit": money(amount, currency) if amount > 0 else "", "credit": money(-amount, currency) if amount < 0 else "",
        })
    row = {"stored": stored, "kind": ENTRY_KINDS.get(stored.kind, stored.kind), "postings": postings, "movement": None}
    if statement_row is not None:
        row["movement"] = money(statement_row.amount_minor, statement_row.currency)
        row["movement_in"] = statement_row.amount_minor >= 0
        row["balance"] = money(statement_row.balance_minor, statement_row.currency)
    return row


def _trial_line(line, money) -> dict:
    return {"label": ACCOUNT_LABELS.get(line.account.code, line.account.code), "code": line.account.code,
            "order": line.account.order, "currency": line.currency,
            "debit": money(line.debit_minor, line.currency) if line.debit_minor else "",
            "credit": money(line.credit_minor, line.currency) if line.credit_minor else ""}


@login_required
@require_GET
def store_statement(request, store_id):
    """The store's ledger: every entry with its postings, the running balance of what the team
    may spend, and the trial balance of the store's books."""
    access = _store_or_404(request, store_id)
    statement = selectors.store_statement(store=access.store, page_number=request.GET.get("page") or 1)
    money = Money()
    rows = [_entry_row(line.stored, money, line.row) for line in statement.page.object_list]
    trial = statement.trial_balance
    trial_lines, escrow = [], {}
    for line in trial.lines:
        if line.account.code == AccountCode.ESCROW:
            # One line per currency for the escrow of every order, whose own lines follow in a disclosure.
            held = escrow.setdefault(line.currency, {"debit": 0, "credit": 0, "orders": []})
            held["debit"] += line.debit_minor
            held["credit"] += line.credit_minor
            held["orders"].append(_trial_line(line, money))
            if len(held["orders"]) > 1:
                continue
            trial_lines.append({"escrow": held, "currency": line.currency})
            continue
        trial_lines.append(_trial_line(line, money))
    for row in trial_lines:
        if "escrow" in row:
            held = row.pop("escrow")
            row.update({"label": ACCOUNT_LABELS[AccountCode.ESCROW], "code": AccountCode.ESCROW, "order": None,
                        "debit": money(held["debit"], row["currency"]) if held["debit"] else "",
                        "credit": money(held["credit"], row["currency"]) if held["credit"] else "",
                        "orders": held["orders"]})
    totals = [
        {"currency": currency, "debit": money(debit, currency), "credit": money(credit, currency)}
        for currency, (debit, credit) in sorted(trial.totals.items())
    ]
    context = _store_context(access, "statement")
    context.update({
        "statement": statement, "page": statement.page, "rows": rows, "trial_lines": trial_lines, "totals": totals,
        "balanced": trial.balanced, "balance_text": money(statement.balance_minor, "CNY"),
    })
    return render(request, "practicum/store_statement.html", context)
