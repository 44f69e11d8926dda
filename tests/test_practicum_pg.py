"""Shoppers racing for the last units of a practicum store, on PostgreSQL with real threads.

Orders take stock under a row lock on the stock item (`practicum.order_services.orders_place`,
`select_for_update`), and the orders already placed are read after the lock, so a generated
order placed by several connections at once is stored once. SQLite serialises writes and
ignores the lock, so these tests run on PostgreSQL only (CI's PostgreSQL stage; locally with
DATABASE_URL=postgres://...). Each thread has its own connection and its own transactions; a
barrier releases them together (`tests.concurrency.race`)."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum

from practicum import demand, ledger
from practicum.factories import home_goods_project
from practicum.ledger_services import journal_entry_of
from practicum.order_services import order_place
from practicum.run_models import LedgerEntry, Listing, Order, OrderLine, OrderTransition, PracticumRun, StockItem
from practicum.run_services import listing_save, participant_assign, run_create, run_update, stock_buy, team_create
from tests.concurrency import race

pytestmark = [
    pytest.mark.postgres,
    # The vendor is known from the settings without connecting; the skip happens before the
    # test's database is set up, so on SQLite the tests cost no database and flush none.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writes and ignores row locks"),
    # Committed transactions, so the threads see the store; the migrations' rows are put back
    # afterwards for the tests that follow on this database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STOCK = 37
ORDERS = 200
CONNECTIONS = 32
DAY = date(2026, 9, 1)


@pytest.fixture
def store(enterprise, mentor, django_user_model):
    """A running run's store with STOCK units of one product listed live in Poland."""
    project = home_goods_project(organisation=enterprise, by=mentor)
    run = run_create(project=project, by=mentor, title="Race cohort", seed="race")
    run = run_update(run=run, by=mentor, status=PracticumRun.Status.RUNNING)
    student = django_user_model.objects.create_user(email="racer@example.com", password="x")
    participant_assign(run=run, user=student, team=None, by=mentor)
    store = team_create(run=run, user=student, name="Team Racer").store
    product = project.products.get(sku="BOWL-PLA")
    stock_buy(store=store, product=product, quantity=STOCK, by=student)
    listing_save(store=store, by=student, product=product, market="PL", price_minor=4500, incoterm="DDP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    store.run  # cached before the threads share the instance
    return store


def generated_order(store, listing, shopper):
    """The demand engine's order of one shopper for one unit of the listing on DAY."""
    return demand.Order(
        generation_key=f"PL:{DAY.isoformat()}:{shopper:0{demand.SHOPPER_DIGITS}d}:{store.key}", store_key=store.key,
        listing_key=f"{store.key}/{listing.pk}", market="PL", day=DAY, sku=listing.product.sku, quantity=1,
        unit_price_minor=listing.price_minor, currency=listing.currency, shopper=shopper,
    )


def journal(run):
    entries = LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses").order_by("pk")
    return [journal_entry_of(entry) for entry in entries]


def test_two_hundred_orders_from_32_connections_take_exactly_the_stock(store):
    """200 one-unit orders for 37 units, placed by 32 connections at once: 37 are paid and
    allocated, 163 are cancelled as out of stock with no money moved, the stock is never
    oversold, and the run's journal passes every check with a balanced trial balance."""
    listing = store.listings.select_related("product").get()
    orders = [generated_order(store, listing, shopper) for shopper in range(ORDERS)]
    assert len({order.generation_key for order in orders}) == ORDERS

    def place_all(chunk):
        return [order_place(store=store, listing=listing, generated=order, total_minor=order.unit_price_minor)
                for order in chunk]

    results = race([lambda chunk=orders[i::CONNECTIONS]: place_all(chunk) for i in range(CONNECTIONS)])

    failures = [result for result in results if not isinstance(result, list)]
    assert not failures, failures
    placed = Order.objects.filter(store=store)
    assert placed.count() == ORDERS
    assert placed.filter(status=Order.Status.FULFILLING).count() == STOCK
    assert placed.filter(status=Order.Status.CANCELLED).count() == ORDERS - STOCK
    item = StockItem.objects.get(store=store, product=listing.product)
    assert (item.on_hand, item.allocated, item.available) == (STOCK, STOCK, 0)
    assert 0 <= item.allocated <= item.on_hand
    allocated = OrderLine.objects.filter(order__store=store, allocated=True).aggregate(units=Sum("quantity"))["units"]
    assert allocated == STOCK
    assert not LedgerEntry.objects.filter(order__store=store, order__status=Order.Status.CANCELLED).exists()
    assert LedgerEntry.objects.filter(order__store=store, kind="order_payment").count() == STOCK
    # Every order has its recorded moves, and only those.
    events = {}
    for order_id, event in OrderTransition.objects.filter(order__store=store).order_by("pk").values_list("order_id", "event"):
        events.setdefault(order_id, []).append(event)
    assert sorted(map(tuple, events.values())) == sorted(
        [("place", "pay", "allocate")] * STOCK + [("place", "cancel")] * (ORDERS - STOCK))
    entries = journal(store.run)
    ledger.journal_check(entries)
    trial = ledger.trial_balance(entries)
    assert trial.balanced
    clearing = ledger.Account(ledger.AccountCode.BUYER_CLEARING, store.key)
    assert ledger.balances(entries)[clearing, "PLN"] == STOCK * listing.price_minor


def test_the_same_order_placed_by_eight_connections_at_once_is_stored_once(store):
    """A generated order placed by eight connections at the same moment (a retried day) is one
    order with one unit allocated and one payment; every connection gets that order back."""
    listing = store.listings.select_related("product").get()
    order = generated_order(store, listing, 7)

    results = race([lambda: order_place(store=store, listing=listing, generated=order, total_minor=4500)] * 8)

    assert all(isinstance(result, Order) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Order.objects.filter(store=store).count() == 1
    assert StockItem.objects.get(store=store, product=listing.product).allocated == 1
    assert LedgerEntry.objects.filter(order__store=store).count() == 1
    assert OrderTransition.objects.filter(order__store=store).count() == 3
    entries = journal(store.run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced
