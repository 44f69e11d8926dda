"""The student pages of a practicum run: runs, applications and teams, and a team's store (the
dashboard, stock, the listing editor with its landed-price preview, orders with a refund, and
the ledger statement), with who may see and change what."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from practicum import ledger
from practicum.factories import home_goods_project, student_user
from practicum.ledger_services import available_balance, journal_entry_of
from practicum.money import format_money, from_minor, to_minor
from practicum.project_models import PracticumProject
from practicum.run_models import (
    LedgerEntry, Listing, Order, OrderTransition, PracticumRun, RunParticipant, StockItem, Team,
)
from practicum.run_services import (
    listing_save, participant_apply, participant_assign, participant_decide, run_create, run_update, stock_buy, team_create,
)
from practicum.selectors import ReferenceDay
from practicum.simulation import listing_terms, run_day_play

pytestmark = pytest.mark.django_db

# Query ceilings of the store pages and the runs list, as measured (the session, the reader, the
# store and its membership check included).
# The dashboard's rating card reads the store's reputation events and counts its open disputes.
DASHBOARD_QUERIES = 17
ORDERS_QUERIES = 6
# The order page reads its parcel's tracking events too (the shipment and its customs
# declaration come with the order in one join): one query more than before practicum II.
ORDER_QUERIES = 9
STATEMENT_QUERIES = 5
RUNS_QUERIES = 6


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60)


@pytest.fixture
def run(project, mentor):
    created = run_create(project=project, by=mentor, title="Autumn cohort", seed="seed-1", team_size_max=2)
    return run_update(run=created, by=mentor, status=PracticumRun.Status.RUNNING)


def trading_store(run, mentor, user, name, *, units=200):
    """A team whose store bought stock of two products and lists them live in both markets."""
    participant_assign(run=run, user=user, team=None, by=mentor)
    store = team_create(run=run, user=user, name=name).store
    products = {p.sku: p for p in run.project.products.all()}
    for sku in ("BOWL-PLA", "TEA-GREEN"):
        stock_buy(store=store, product=products[sku], quantity=units, by=user)
    listing_save(store=store, by=user, product=products["BOWL-PLA"], market="PL", price_minor=2500, incoterm="DDP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    listing_save(store=store, by=user, product=products["TEA-GREEN"], market="KZ", price_minor=700000, incoterm="DAP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    return store


@pytest.fixture
def ana(django_user_model):
    return student_user("ana")


@pytest.fixture
def bo(django_user_model):
    return student_user("bo")


@pytest.fixture
def store_a(run, mentor, ana):
    return trading_store(run, mentor, ana, "Team Amber")


@pytest.fixture
def store_b(run, mentor, bo):
    return trading_store(run, mentor, bo, "Team Birch")


def play(run, days):
    for _ in range(days):
        run_day_play(run=run)
    run.refresh_from_db()


def store_urls(store, order, listing):
    """Every page of a store, as (method, url) pairs; the POSTs carry no data."""
    return [
        ("get", reverse("practicum_store", args=[store.pk])),
        ("post", reverse("practicum_stock_buy", args=[store.pk])),
        ("get", reverse("practicum_listing_new", args=[store.pk])),
        ("post", reverse("practicum_listing_new", args=[store.pk])),
        ("get", reverse("practicum_listing_edit", args=[store.pk, listing.pk])),
        ("post", reverse("practicum_listing_edit", args=[store.pk, listing.pk])),
        ("get", reverse("practicum_orders", args=[store.pk])),
        ("get", reverse("practicum_order", args=[store.pk, order.pk])),
        ("post", reverse("practicum_order_refund", args=[store.pk, order.pk])),
        ("get", reverse("practicum_statement", args=[store.pk])),
    ]


def main_html(response) -> str:
    """The page's <main>, without the site header (whose sign-out form is a POST form too)."""
    body = response.content.decode()
    return body[body.index('<main'):body.index('</main>')]


# Who sees what.


def test_each_store_page_renders_for_a_member(client, run, store_a, ana):
    """A member opens the dashboard, the listing editor, the orders, an order and the statement."""
    play(run, 3)
    order = Order.objects.filter(store=store_a).first()
    listing = store_a.listings.first()
    client.force_login(ana)
    dashboard = client.get(reverse("practicum_store", args=[store_a.pk]))
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "Team Amber" in body and "Day 4 of 111" in body
    assert format_money(from_minor(available_balance(store=store_a), "CNY"), "CNY", "en") in body
    assert format_money(from_minor(5_000_000, "CNY"), "CNY", "en") in body
    assert reverse("practicum_stock_buy", args=[store_a.pk]) in body
    for url in (reverse("practicum_listing_new", args=[store_a.pk]), reverse("practicum_listing_edit", args=[store_a.pk, listing.pk]),
                reverse("practicum_orders", args=[store_a.pk]), reverse("practicum_order", args=[store_a.pk, order.pk]),
                reverse("practicum_statement", args=[store_a.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
    order_page = client.get(reverse("practicum_order", args=[store_a.pk, order.pk])).content.decode()
    assert order.number in order_page and "Placed" in order_page
    assert "Buyer paid into escrow" in order_page or order.status == Order.Status.CANCELLED


def test_a_mentor_reads_every_store_page_without_forms_and_cannot_post(client, run, store_a, mentor):
    """The run's mentor reads the store read-only: no forms on the pages, every POST refused with 403."""
    play(run, 3)
    order = Order.objects.filter(store=store_a).first()
    listing = store_a.listings.first()
    client.force_login(mentor)
    for method, url in store_urls(store_a, order, listing):
        if method == "post":
            assert client.post(url, {"quantity": "1", "reason": "x"}).status_code == 403, url
        elif url.endswith("/listings/new/"):
            assert client.get(url).status_code == 403
        else:
            response = client.get(url)
            assert response.status_code == 200, url
            main = main_html(response)
            assert 'method="post"' not in main, url
            assert "read-only" in main
    assert not Order.objects.filter(store=store_a, status=Order.Status.REFUNDED).exists()


def test_another_team_gets_404_for_every_page_of_a_store(client, run, store_a, store_b, bo):
    """Team Birch cannot read or change Team Amber's store by changing ids: every URL is 404,
    and Amber's order or listing under Birch's own store is 404 too."""
    play(run, 3)
    order_a = Order.objects.filter(store=store_a).first()
    listing_a = store_a.listings.first()
    client.force_login(bo)
    for method, url in store_urls(store_a, order_a, listing_a):
        assert getattr(client, method)(url, {"quantity": "1", "reason": "x"}).status_code == 404, url
    assert client.get(reverse("practicum_order", args=[store_b.pk, order_a.pk])).status_code == 404
    assert client.post(reverse("practicum_order_refund", args=[store_b.pk, order_a.pk]), {"reason": "mine"}).status_code == 404
    assert client.get(reverse("practicum_listing_edit", args=[store_b.pk, listing_a.pk])).status_code == 404
    assert client.get(reverse("practicum_store", args=[999_999])).status_code == 404
    order_a.refresh_from_db()
    assert order_a.status != Order.Status.REFUNDED


def test_signing_in_is_required_for_every_page(client, run, store_a):
    """An anonymous visitor is sent to sign in from the runs, a run and every store page."""
    play(run, 1)
    order = Order.objects.filter(store=store_a).first()
    urls = [("get", reverse("practicum_runs")), ("get", reverse("practicum_run", args=[run.pk])),
            ("post", reverse("practicum_run_apply", args=[run.pk]))]
    urls += store_urls(store_a, order, store_a.listings.first())
    login = reverse("account_login")
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url


# Pinned query counts.


def test_store_page_query_counts_do_not_grow_with_orders_and_entries(client, run, mentor, store_a, ana, django_user_model,
                                                                      django_assert_max_num_queries):
    """Two played days or twelve, with more listings: the dashboard, the orders, an order, the
    statement and the runs list take the same number of queries."""
    play(run, 2)
    client.force_login(ana)
    urls = {
        "dashboard": (reverse("practicum_store", args=[store_a.pk]), DASHBOARD_QUERIES),
        "orders": (reverse("practicum_orders", args=[store_a.pk]), ORDERS_QUERIES),
        "statement": (reverse("practicum_statement", args=[store_a.pk]), STATEMENT_QUERIES),
        "runs": (reverse("practicum_runs"), RUNS_QUERIES),
    }
    client.get(urls["dashboard"][0])  # warm the session
    small = {}
    for name, (url, ceiling) in urls.items():
        with django_assert_max_num_queries(ceiling):
            small[name] = client.get(url)
    order = Order.objects.filter(store=store_a).order_by("pk").first()
    with django_assert_max_num_queries(ORDER_QUERIES):
        client.get(reverse("practicum_order", args=[store_a.pk, order.pk]))

    products = {p.sku: p for p in run.project.products.all()}
    stock_buy(store=store_a, product=products["TOY-BLOCKS"], quantity=50, by=ana)
    for market, price in (("KZ", 390000), ("PL", 2900)):
        listing_save(store=store_a, by=ana, product=products["BOWL-PLA" if market == "KZ" else "TEA-GREEN"], market=market,
                     price_minor=price, incoterm="DDP", channel="EXPRESS", status=Listing.Status.LIVE)
    for index in range(3):
        other = run_create(project=run.project, by=mentor, title=f"Cohort {index}", seed=f"s{index}")
        participant_apply(run=other, user=ana)
    play(run, 10)
    large = {}
    for name, (url, ceiling) in urls.items():
        with django_assert_max_num_queries(ceiling):
            large[name] = client.get(url)
    order = Order.objects.filter(store=store_a, status=Order.Status.COMPLETED).first()
    with django_assert_max_num_queries(ORDER_QUERIES):
        client.get(reverse("practicum_order", args=[store_a.pk, order.pk]))

    assert len(large["dashboard"].context["dashboard"].listings) == 4
    assert large["orders"].context["page"].paginator.count > small["orders"].context["page"].paginator.count
    assert large["statement"].context["statement"].entries > small["statement"].context["statement"].entries
    assert len(large["runs"].context["places"]) == 4


# Stock and listings: bad input comes back with the message and what was typed.


def test_buying_beyond_the_balance_comes_back_with_the_figures_and_the_input(client, run, store_a, ana):
    """An over-budget purchase answers 400 on the dashboard, says what it costs and keeps the quantity."""
    client.force_login(ana)
    toy = run.project.products.get(sku="TOY-BLOCKS")
    before = available_balance(store=store_a)
    response = client.post(reverse("practicum_stock_buy", args=[store_a.pk]), {"product": toy.pk, "quantity": "90000"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "the store has" in body and "to spend" in body
    assert 'value="90000"' in body
    assert available_balance(store=store_a) == before

    ok = client.post(reverse("practicum_stock_buy", args=[store_a.pk]), {"product": toy.pk, "quantity": "10"})
    assert ok.status_code == 302
    assert StockItem.objects.get(store=store_a, product=toy).on_hand == 10


def test_a_listing_with_bad_input_keeps_it_with_a_clear_message(client, run, store_a, ana):
    """Too many decimals for the currency, and DDP on a channel that cannot clear customs, come back
    400 with the reason and the values typed; nothing is saved."""
    client.force_login(ana)
    toy = run.project.products.get(sku="TOY-BLOCKS")
    url = reverse("practicum_listing_new", args=[store_a.pk])
    data = {"product": toy.pk, "market": "PL", "price": "45.999", "incoterm": "DDP", "channel": "ECOM_LINE", "status": "live",
            "save": "1"}
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "PLN amounts have 2 decimal places at most." in body
    assert 'value="45.999"' in body

    response = client.post(url, {**data, "price": "45.90", "channel": "CNPOST_SMALL"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "DDP" in body and "ship DAP" in body
    assert 'value="45.90"' in body
    assert not Listing.objects.filter(store=store_a, product=toy).exists()

    response = client.post(url, {**data, "price": "45.90"})
    assert response.status_code == 302
    saved = Listing.objects.get(store=store_a, product=toy)
    assert (saved.price_minor, saved.currency, saved.market, saved.status) == (4590, "PLN", "PL", "live")


def test_editing_a_listing_keeps_its_values_and_saves_through_the_service(client, run, store_a, ana):
    """The editor opens with the saved price in major units; a new price is saved in minor units."""
    client.force_login(ana)
    listing = store_a.listings.get(market="KZ")
    url = reverse("practicum_listing_edit", args=[store_a.pk, listing.pk])
    body = client.get(url).content.decode()
    assert 'value="7000.00"' in body
    response = client.post(url, {"product": listing.product_id, "market": "KZ", "price": "6500", "incoterm": "DAP",
                                 "channel": "ECOM_LINE", "declared_value": "", "status": "paused", "save": "1"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.price_minor, listing.status, listing.declared_value_minor) == (650000, "paused", None)


def test_the_preview_shows_the_trade_rules_figures_of_one_unit(client, run, store_a, ana):
    """Preview prices one unit by the simulation's own trade-rules engine: the shopper's price,
    duty and VAT and who pays them, door fees, delivery days, the margin in CNY, and a link to
    the calculator filled in with the same parcel."""
    client.force_login(ana)
    project = run.project
    toy = project.products.get(sku="TOY-BLOCKS")
    url = reverse("practicum_listing_new", args=[store_a.pk])
    reference = ReferenceDay(day=run.current_date, markets=project.target_markets)

    for incoterm, market, price in (("DDP", "PL", "89.00"), ("DAP", "PL", "79.50")):
        currency = reference.market(market).currency
        price_minor = to_minor(Decimal(price), currency)
        response = client.post(url, {"product": toy.pk, "market": market, "price": price, "incoterm": incoterm,
                                     "channel": "ECOM_LINE", "status": "draft", "preview": "1"})
        assert response.status_code == 200
        terms = listing_terms(reference=reference, market=market, hs_code=toy.hs_code, price_minor=price_minor,
                              declared_minor=price_minor, weight_g=toy.weight_grams, has_battery=False, incoterm=incoterm,
                              channel="ECOM_LINE")
        preview = response.context["preview"]
        assert preview.terms == terms
        body = response.content.decode()

        def shown(units, code=currency):
            return format_money(from_minor(units, code), code, "en") in body

        assert shown(terms.buyer_price_minor) and shown(terms.duty_minor) and shown(terms.vat_minor)
        assert shown(terms.door_fees_minor)
        assert f"{terms.delivery_days} days" in body
        assert shown(preview.margin_minor, "CNY")
        rate = reference.fx[currency]
        figures = ledger.release_figures(currency=currency, amount_minor=terms.buyer_price_minor, payment_rate=rate,
                                         release_rate=rate, platform_fee_bps=project.platform_fee_bps, day=run.current_date)
        taxes = ledger.fx_convert(terms.duty_minor + terms.vat_minor, currency, "CNY", rate.cny_per_unit).converted_minor
        expected = figures.released_minor - figures.fee_minor - toy.unit_cost_minor - terms.shipping_cny_minor
        assert preview.margin_minor == (expected - taxes if incoterm == "DDP" else expected)
        if incoterm == "DDP":
            assert terms.buyer_price_minor == price_minor and terms.door_fees_minor == 0 and "your store pays" in body
        else:
            assert terms.buyer_price_minor == price_minor + terms.shipping_minor and terms.door_fees_minor > 0
            assert "the buyer pays at the door" in body
        link = re.search(r'href="(/practicum/landed-cost/\?[^"]+)"', body).group(1).replace("&amp;", "&")
        for part in (f"market={market}", "hs=950300", f"currency={currency}", "weight=0.65", f"incoterm={incoterm}",
                     "channel=ECOM_LINE", f"day={run.current_date.isoformat()}", "calculate=1"):
            assert part in link
        calculator = client.get(link)
        assert calculator.status_code == 200 and calculator.context["calculation"] is not None
        assert calculator.context["calculation"].landed.duty.amount == terms.landed.duty.amount
    assert not Listing.objects.filter(store=store_a, product=toy).exists()


# Orders: a refund end to end.


def test_a_member_cancels_an_unshipped_order_and_the_buyer_is_refunded(client, run, store_a, ana):
    """Cancelling needs a reason (400 without, input kept); with one the order is refunded, its
    escrow goes back to the buyer, the units back to stock, and the move is in its history."""
    play(run, 1)
    order = Order.objects.filter(store=store_a, status=Order.Status.FULFILLING).first()
    assert order is not None
    line = order.lines.get()
    item = StockItem.objects.get(store=store_a, product_id=line.product_id)
    allocated = item.allocated
    client.force_login(ana)
    page = client.get(reverse("practicum_order", args=[store_a.pk, order.pk])).content.decode()
    assert "Cancel the order and refund the buyer" in page

    url = reverse("practicum_order_refund", args=[store_a.pk, order.pk])
    blank = client.post(url, {"reason": "   "})
    assert blank.status_code == 400
    assert "This field is required." in blank.content.decode() or "Say why" in blank.content.decode()

    response = client.post(url, {"reason": "Damaged in the warehouse"})
    assert response.status_code == 302
    order.refresh_from_db()
    item.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert item.allocated == allocated - line.quantity
    move = OrderTransition.objects.filter(order=order).last()
    assert (move.event, move.note, move.actor) == ("refund", "Damaged in the warehouse", ana)
    entries = [journal_entry_of(e) for e in LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses")]
    ledger.journal_check(entries)
    assert ledger.escrow_balance(entries, order=order.number, currency=order.currency) == 0

    page = client.get(reverse("practicum_order", args=[store_a.pk, order.pk])).content.decode()
    assert "Damaged in the warehouse" in page and "Refunded" in page and "Refund" in page
    assert "Cancel the order and refund the buyer" not in page
    again = client.post(url, {"reason": "Twice"})
    assert again.status_code == 400 and "only an order not yet shipped can be cancelled" in again.content.decode()


def test_the_statement_shows_entries_postings_and_the_running_balance(client, run, store_a, ana):
    """The statement lists each entry's memo, day and postings with the balance of what the team
    may spend after it, as `ledger.statement` computes it, and a balanced trial balance."""
    play(run, 4)
    client.force_login(ana)
    url = reverse("practicum_statement", args=[store_a.pk])
    response = client.get(url)
    body = response.content.decode()
    entries = [journal_entry_of(e) for e in LedgerEntry.objects.filter(store=store_a).prefetch_related("postings").select_related("reverses")]
    rows = ledger.statement(entries, store=store_a.key)
    assert format_money(from_minor(rows[-1].balance_minor, "CNY"), "CNY", "en") in body
    newest = response.context["rows"][0]
    assert newest["stored"].pk == LedgerEntry.objects.filter(store=store_a).latest("pk").pk
    oldest = client.get(url, {"page": response.context["page"].paginator.num_pages}).content.decode()
    assert "Capital contributed to store team-amber" in oldest
    assert format_money(from_minor(rows[0].balance_minor, "CNY"), "CNY", "en") in oldest
    assert "Available to spend" in body and "STORE_AVAILABLE" in body and "Debit" in body and "Credit" in body
    assert response.context["balanced"] is True
    assert response.context["statement"].entries == len(entries)


# Runs, applications and teams.


def test_a_student_applies_is_accepted_forms_a_team_and_another_joins_and_leaves(client, run, mentor, ana, bo):
    """Apply with a motivation, be accepted, form a team (its store opens), a second student
    joins it and leaves it again; each step through the run page."""
    client.force_login(ana)
    runs = client.get(reverse("practicum_runs")).content.decode()
    assert "Autumn cohort" in runs and "Read the brief and apply" in runs
    page = client.get(reverse("practicum_run", args=[run.pk])).content.decode()
    assert "Test our home goods line" in page and "BOWL-PLA" in page and "Kazakhstan" in page

    assert client.post(reverse("practicum_run_apply", args=[run.pk]), {"motivation": "I sell on Allegro."}).status_code == 302
    place = RunParticipant.objects.get(run=run, user=ana)
    assert place.motivation == "I sell on Allegro."
    again = client.post(reverse("practicum_run_apply", args=[run.pk]), {"motivation": "Again"})
    assert again.status_code == 400 and "already applied" in again.content.decode()
    assert client.post(reverse("practicum_team_create", args=[run.pk]), {"name": "Team Amber"}).status_code == 403

    participant_decide(participant=place, by=mentor, accept=True)
    blank = client.post(reverse("practicum_team_create", args=[run.pk]), {"name": ""})
    assert blank.status_code == 400
    response = client.post(reverse("practicum_team_create", args=[run.pk]), {"name": "Team Amber"})
    team = Team.objects.get(run=run, name="Team Amber")
    assert response.status_code == 302 and response["Location"] == reverse("practicum_store", args=[team.store.pk])

    participant_assign(run=run, user=bo, team=None, by=mentor)
    client.force_login(bo)
    taken = client.post(reverse("practicum_team_create", args=[run.pk]), {"name": "team amber"})
    assert taken.status_code == 400 and "already has that name" in taken.content.decode()
    assert 'value="team amber"' in taken.content.decode()
    assert client.post(reverse("practicum_team_join", args=[run.pk, team.pk])).status_code == 302
    assert client.get(reverse("practicum_store", args=[team.store.pk])).status_code == 200
    assert client.post(reverse("practicum_team_leave", args=[run.pk])).status_code == 302
    assert client.get(reverse("practicum_store", args=[team.store.pk])).status_code == 404
    assert RunParticipant.objects.get(run=run, user=bo).team is None


def test_a_full_team_refuses_a_join_with_a_message(client, run, mentor, ana, bo, django_user_model):
    """Joining a team at its size limit answers 400 on the run page with the reason."""
    cy = student_user("cy")
    trading_store(run, mentor, ana, "Team Amber")
    team = Team.objects.get(run=run)
    participant_assign(run=run, user=bo, team=team, by=mentor)
    participant_assign(run=run, user=cy, team=None, by=mentor)
    client.force_login(cy)
    response = client.post(reverse("practicum_team_join", args=[run.pk, team.pk]))
    assert response.status_code == 400 and "is full" in response.content.decode()


def test_a_run_of_a_draft_project_is_hidden_from_students(client, enterprise, mentor, student):
    """Only a published project's run that is not finished is open to any student; others are 404."""
    draft = home_goods_project(organisation=enterprise, by=mentor, title="Draft", status=PracticumProject.Status.DRAFT)
    hidden = PracticumRun.objects.create(project=draft, title="Hidden", seed="x")
    client.force_login(student)
    assert client.get(reverse("practicum_run", args=[hidden.pk])).status_code == 404
    assert "Hidden" not in client.get(reverse("practicum_runs")).content.decode()


def test_the_site_navigation_links_the_practicum_for_signed_in_people(client, student):
    """Signed-in people find the practicum in the main navigation."""
    client.force_login(student)
    body = client.get(reverse("practicum_runs")).content.decode()
    assert f'href="{reverse("practicum_runs")}"' in body
