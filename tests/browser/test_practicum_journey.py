"""The practicum sandbox in headless Chromium against the live server (issue "Practicum I").

1. A student goes from the header's Practicum link to their run and their team's store, opens
   the Polish listing, types a lower price, previews its landed price (duty and VAT) and saves
   it; the dashboard lists the new price.
2. The project's mentor opens the run board and asks for two days. The advance is handed to
   Celery when its transaction commits; the board shows the job's progress bar, whose script
   polls the job and reloads the board once a worker has played the days; the board then
   counts the days played and the team's orders.
3. The student's dashboard lists the orders of the last day played, as many as the database
   holds; an order shows its recorded moves, and the ledger statement its payment into escrow.
   At 360 px the dashboard does not scroll sideways.

The arrange steps build through the factories and services; each commits at once (the live
server needs a real transaction). The test settings run Celery tasks eagerly, which would
play the days inside the mentor's request, before the board could show a progress bar: here the
task sent on commit is held instead (`worker`), and the test plays the worker with the browser's
timers paused, so the page and the worker never use the test database at the same time.
"""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PRICE_BEFORE = 5900  # PLN 59.00, above the competitor's 49.99
PRICE_AFTER = 2500  # PLN 25.00: with 200 units in stock and this seed, Polish shoppers order every day
DAYS = 2


def sign_out(page):
    page.context.clear_cookies()


def money(minor, currency):
    """An amount as the pages show it to an English reader."""
    from practicum.money import format_money, from_minor

    return format_money(from_minor(minor, currency), currency, "en")


def text_of(locator) -> str:
    """The element's text with its spaces (non-breaking ones included) made plain and single."""
    return " ".join(locator.inner_text().split())


def plain(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def trading_store(enterprise, mentor, student):
    """A running run of the home goods project; the student's team has 200 bowl sets in its China
    warehouse and lists them live in Poland, DDP by the e-commerce line, at PLN 59.00."""
    from practicum.factories import home_goods_project
    from practicum.run_models import Listing, PracticumRun
    from practicum.run_services import listing_save, participant_assign, run_create, run_update, stock_buy, team_create

    project = home_goods_project(organisation=enterprise, by=mentor)
    run = run_create(project=project, by=mentor, title="Autumn cohort", seed="seed-1", team_size_max=2)
    run = run_update(run=run, by=mentor, status=PracticumRun.Status.RUNNING)
    participant_assign(run=run, user=student, team=None, by=mentor)
    store = team_create(run=run, user=student, name="Team Amber").store
    bowls = project.products.get(sku="BOWL-PLA")
    stock_buy(store=store, product=bowls, quantity=200, by=student)
    listing = listing_save(store=store, by=student, product=bowls, market="PL", price_minor=PRICE_BEFORE, incoterm="DDP",
                           channel="ECOM_LINE", status=Listing.Status.LIVE)
    return {"run": run, "store": store, "listing": listing, "student": student, "mentor": mentor}


@pytest.fixture
def worker(monkeypatch):
    """The ids of the simulation jobs handed to Celery, held until the test plays the worker."""
    from practicum.tasks import simulation_job_run

    sent = []
    monkeypatch.setattr(simulation_job_run, "delay", lambda job_id: sent.append(job_id))
    return sent


def test_a_student_reprices_a_listing_the_mentor_plays_days_and_orders_arrive(page, trading_store, worker, password, tmp_path):
    """The student previews and saves a cheaper price; the mentor's two-day advance runs on a
    worker while the board's progress bar waits for it; the store then shows the day's orders, an
    order's history and its payment into escrow on the statement."""
    from practicum import store_selectors
    from practicum.run_models import Listing, Order, OrderTransition, SimulationJob
    from practicum.tasks import simulation_job_run

    data = trading_store
    run, store, listing = data["run"], data["store"], data["listing"]

    # 1. The student reprices the Polish listing.
    sign_in(page, email=data["student"].email, password=password)
    page.get_by_role("banner").get_by_role("link", name="Practicum", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Practicum runs")).to_be_visible()
    page.locator(".run-card", has_text="Autumn cohort").get_by_role("link", name="Open your store").click()
    expect(page).to_have_url(re.compile(rf"/practicum/stores/{store.pk}/$"))
    expect(page.get_by_role("heading", level=1, name="Team Amber")).to_be_visible()
    expect(page.locator(".store-listings .store-price")).to_have_text(money(PRICE_BEFORE, "PLN"))
    expect(page.get_by_text("No day has been played yet.")).to_be_visible()

    page.get_by_role("link", name="Edit BOWL-PLA PL").click()
    expect(page.get_by_role("heading", level=1, name="Listing of BOWL-PLA in PL")).to_be_visible()
    page.get_by_role("textbox", name="Price of one unit").fill("25.00")
    page.get_by_role("button", name="Preview the landed price").click()

    reference = store_selectors.listing_reference(run=run)
    preview = store_selectors.listing_preview(
        run=run, reference=reference, product=listing.product, market="PL", price_minor=PRICE_AFTER, declared_minor=None,
        incoterm="DDP", channel="ECOM_LINE")
    assert preview.terms.vat_minor > 0  # Poland charges VAT on every parcel
    breakdown = page.locator(".store-breakdown", has_text="At the border of PL")
    expect(breakdown.get_by_role("row", name=re.compile(r"^Price\b"))).to_contain_text(money(PRICE_AFTER, "PLN"))
    duty = plain(text_of(breakdown.get_by_role("row", name=re.compile("^Import duty"))))
    vat = plain(text_of(breakdown.get_by_role("row", name=re.compile("^Import VAT"))))
    assert plain(money(preview.terms.duty_minor, "PLN")) in duty and "your store pays" in duty
    assert plain(money(preview.terms.vat_minor, "PLN")) in vat and "your store pays" in vat
    expect(page.get_by_text("One price: your store pays the duty and VAT.")).to_be_visible()
    # The preview is not a save: the typed price waits in the form.
    expect(page.get_by_role("textbox", name="Price of one unit")).to_have_value(re.compile(r"^25(\.0+)?$"))
    assert Listing.objects.get(pk=listing.pk).price_minor == PRICE_BEFORE

    page.get_by_role("button", name="Save the listing").click()
    expect(page).to_have_url(re.compile(rf"/practicum/stores/{store.pk}/#listings$"))
    expect(page.get_by_text("The listing of BOWL-PLA in PL is saved.")).to_be_visible()
    expect(page.locator(".store-listings .store-price")).to_have_text(money(PRICE_AFTER, "PLN"))
    assert Listing.objects.get(pk=listing.pk).price_minor == PRICE_AFTER
    sign_out(page)

    # 2. The mentor plays two days from the run board.
    sign_in(page, email=data["mentor"].email, password=password)
    # The board's script polls on a timer: the clock is stopped so that it asks only when told.
    page.clock.install(time=datetime(2026, 9, 1, 9, 0))
    page.clock.pause_at(datetime(2026, 9, 1, 9, 1))
    page.goto(f"/practicum/mentor/runs/{run.pk}/")
    expect(page.get_by_role("heading", level=1, name="Autumn cohort")).to_be_visible()
    clock = page.locator("#clock")
    page.get_by_label("Days to play").fill(str(DAYS))
    page.get_by_role("button", name="Play the days").click()
    expect(page.get_by_text(f"{DAYS} days are being played; the bar below shows the progress.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Playing days")).to_have_attribute("value", "0")
    expect(clock.get_by_role("status")).to_have_text(f"Waiting for a worker to play {DAYS} days.")
    page.wait_for_load_state("load")

    job = SimulationJob.objects.get(run=run)
    assert worker == [job.pk]  # handed to Celery once the request's transaction committed
    assert job.status == SimulationJob.Status.QUEUED and job.days == DAYS
    assert simulation_job_run.apply(args=[job.pk]).get() == SimulationJob.Status.DONE

    page.clock.run_for(1_000)  # the script polls, finds the job done and reloads the board
    expect(clock.locator(".mentor-job__result")).to_contain_text(f"{DAYS} days played.")
    expect(page.get_by_role("progressbar", name="Playing days")).to_have_count(0)
    run.refresh_from_db()
    assert run.day == DAYS
    expect(clock.locator(".stat", has_text="days played")).to_contain_text(f"{DAYS} / {run.last_day_number}")
    last_day = run.date_of(DAYS)
    today = Order.objects.filter(store=store, placed_on=last_day).count()
    total = Order.objects.filter(store=store).count()
    assert today >= 1
    team = page.locator(".mentor-team", has_text="Team Amber")
    orders_figure = team.locator(".mentor-figures__item", has_text="Orders: last day / total").locator("dd")
    expect(orders_figure).to_have_text(f"{today} / {total}")
    expect(page.locator(".mentor-days tbody tr")).to_have_count(DAYS)
    sign_out(page)

    # 3. The student finds the day's orders, one order's history and its payment into escrow.
    sign_in(page, email=data["student"].email, password=password)
    page.goto(f"/practicum/stores/{store.pk}/")
    today_section = page.locator("#today")
    expect(today_section.get_by_role("heading", level=2)).to_have_text(re.compile(r"^Orders of "))
    expect(today_section.locator(".count-list__value").first).to_have_text(str(today))
    expect(today_section.locator(".store-orders tbody tr")).to_have_count(min(today, store_selectors.TODAY_ORDERS_SHOWN))

    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(tmp_path / "store-dashboard-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    page.set_viewport_size({"width": 1280, "height": 900})

    first = today_section.locator(".store-orders__number").first
    number = first.inner_text().strip()
    order = Order.objects.get(store=store, number=number)
    assert order.placed_on == last_day
    first.click()
    expect(page.get_by_role("heading", level=1, name=f"Order {number}")).to_be_visible()
    moves = list(OrderTransition.objects.filter(order=order).order_by("pk"))
    assert moves and moves[0].source == "" and moves[0].target == Order.Status.PLACED
    history = page.locator(".store-history__item")
    expect(history).to_have_count(len(moves))
    labels = dict(Order.Status.choices)
    for item, move in zip(history.all(), moves):
        expected = f"{labels[move.source]} → {labels[move.target]}" if move.source else str(labels[move.target])
        expect(item).to_contain_text(expected)
    # The order's own page lists its payment among its ledger entries too.
    expect(page.locator(".store-entry", has_text="Buyer paid into escrow")).to_have_count(1)

    page.locator(".store-nav").get_by_role("link", name="Ledger statement").click()
    expect(page.get_by_role("heading", level=1, name="Ledger statement")).to_be_visible()
    payment = page.locator(".store-entry", has_text="Buyer paid into escrow").filter(
        has=page.get_by_role("link", name=number, exact=True))
    expect(payment).to_have_count(1)
    escrow_row = payment.get_by_role("row", name=re.compile(r"^Escrow\b"))
    expect(escrow_row).to_contain_text(number)
    assert plain(money(order.total_minor, order.currency)) in plain(text_of(escrow_row.locator("td").nth(1)))  # credit
    expect(page.locator(".store-stat__badge")).to_have_text("Balanced")
