"""Practicum II in headless Chromium against the live server (issue "Practicum II"): a student
restocks an overseas warehouse, ships from it, answers a buyer's dispute, and the mentor grades
the team with the project's rubric.

1. The student fills the warehouses page's container form (WH-PL-POZ by RAIL_FCL), previews its
   freight and ships it; the container is listed in transit with that freight.
2. The mentor plays the days of its transit from the run board (Celery runs eagerly in the test
   settings, so the days are played inside the mentor's request); the student then finds the
   units in the warehouse at their landed unit cost, with the container's B2B_STANDARD
   clearance line by line.
3. The student makes the Polish listing ship from the warehouse (WH_LASTMILE, DDP); once an
   order has shipped from it, its page shows the parcel by WH_LASTMILE and no customs
   declaration, the duties having been paid at inbound.
4. The project disputes every delivered parcel as not as described: the student opens the
   warehouse order's dispute from the disputes list and offers a partial refund; the dispute
   shows the offer and its event, and after the next day the buyer's acceptance.
5. The mentor reads the KPI dashboard's charts, scores every rubric criterion, comments and
   signs off; the grade recomputes to itself, and the team reads it with the comment.

The arrange steps and the days between the browser's steps go through the factories, services
and `run_day_play`, each committed at once (the live server needs a real transaction), and only
while no page is loading, so the browser and the test never use the database at the same time.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WAREHOUSE = "WH-PL-POZ"
UNITS = 60  # to the warehouse, of 200 bowl sets in China
PRICE = 3900  # PLN 39.00, below the competitor's 49.99: Polish shoppers order every day
CRITERIA = [
    ("Warehouse plan", None, [("Sound", 4), ("Partly sound", 2), ("Missing", 0)]),
    ("Disputes answered", None, [("Fair and prompt", 4), ("Late", 2), ("Ignored", 0)]),
]
COMMENT = "Good restocking plan; answer disputes a day earlier."
DEFAULT_TIMEOUT_MS = 15_000
MOST_DAYS = 15  # a bound on the days played while waiting for an order or a dispute


def money(minor, currency):
    """An amount as the pages show it to an English reader."""
    from practicum.money import format_money, from_minor

    return format_money(from_minor(minor, currency), currency, "en")


def plain(text: str) -> str:
    """The text with its spaces (non-breaking ones included) made plain and single."""
    return " ".join(text.split())


def play_until(run, done, *, most=MOST_DAYS):
    """Play the run's days one by one until `done()` returns something; return it."""
    from practicum.simulation import run_day_play

    for _ in range(most):
        run_day_play(run=run)
        found = done()
        if found:
            run.refresh_from_db()
            return found
    pytest.fail(f"nothing after {most} more days")


@pytest.fixture
def warehouse_store(enterprise, mentor, student):
    """A running run of the home goods project (Poland among its markets) graded with a rubric of
    two criteria, whose buyers dispute every delivered parcel as not as described; the student's
    team has 200 bowl sets in China, listed live in Poland from China at PLN 39.00."""
    from courses.factories import rubric_with_criteria
    from practicum.factories import home_goods_project, running_run
    from practicum.run_models import Listing
    from practicum.run_services import listing_save, participant_assign, stock_buy, team_create

    rubric = rubric_with_criteria(organisation=enterprise, by=mentor, title="Practicum review", criteria=CRITERIA)
    project = home_goods_project(
        organisation=enterprise, by=mentor, rubric=rubric, dispute_not_as_described_pct=Decimal(100),
        dispute_not_received_pct=Decimal(0), dispute_late_per_day_pct=Decimal(0))
    assert "PL" in project.target_markets
    run = running_run(project, mentor, team_size_max=2)
    participant_assign(run=run, user=student, team=None, by=mentor)
    store = team_create(run=run, user=student, name="Team Amber").store
    bowls = project.products.get(sku="BOWL-PLA")
    stock_buy(store=store, product=bowls, quantity=200, by=student)
    listing = listing_save(store=store, by=student, product=bowls, market="PL", price_minor=PRICE, incoterm="DDP",
                           channel="ECOM_LINE", status=Listing.Status.LIVE)
    return {"run": run, "store": store, "listing": listing, "bowls": bowls, "student": student, "mentor": mentor}


def test_a_student_restocks_a_warehouse_ships_from_it_answers_a_dispute_and_is_graded(
        page, browser, live_server, warehouse_store, password):
    """The container is previewed, shipped and received at its landed cost; the listing ships
    from the warehouse by its last mile with no customs declaration; the warehouse order's
    dispute is answered with an accepted partial refund; the mentor's rubric grade, signed off
    from the KPI dashboard, recomputes to itself and reaches the team with its comment."""
    from practicum.dispute_models import Dispute, DisputeEvent
    from practicum.review_models import PracticumGrade
    from practicum.run_models import Listing, Order
    from practicum.shipment_models import CustomsDeclaration, Shipment
    from practicum.simulation import run_day_play
    from practicum.warehouse_models import InboundShipment, WarehouseStock
    from practicum.warehouse_services import inbound_plan

    data = warehouse_store
    run, store, listing, bowls = data["run"], data["store"], data["listing"], data["bowls"]

    # 1. The student ships a container of bowl sets to the Poznań warehouse.
    sign_in(page, email=data["student"].email, password=password)
    page.goto(f"/practicum/stores/{store.pk}/")
    page.locator(".store-nav").get_by_role("link", name="Warehouses").click()
    expect(page.get_by_role("heading", level=1, name="Overseas warehouses")).to_be_visible()
    expect(page.get_by_text("No container shipped yet.")).to_be_visible()
    page.get_by_label("Overseas warehouse").select_option(WAREHOUSE)
    page.get_by_label("Container channel").select_option("RAIL_FCL")
    page.get_by_label("BOWL-PLA units").fill(str(UNITS))
    page.get_by_role("button", name="Preview the freight").click()

    plan = inbound_plan(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", quantities={bowls.pk: UNITS})
    preview = page.locator("section.card", has=page.get_by_role("heading", name="Preview: nothing is shipped yet"))
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(plain(money(plan.freight_minor, "CNY")))
    expect(preview).to_contain_text(plain(money(plan.goods_cost_minor, "CNY")))
    assert not InboundShipment.objects.filter(store=store).exists()  # a preview ships nothing
    expect(page.get_by_label("BOWL-PLA units")).to_have_value(str(UNITS))  # the typed figures wait in the form

    page.get_by_role("button", name="Ship the container").click()
    inbound = InboundShipment.objects.get(store=store)
    assert inbound.status == InboundShipment.Status.IN_TRANSIT and inbound.freight_minor == plan.freight_minor
    expect(page.get_by_text(f"Container {inbound.number} is on its way to {WAREHOUSE}")).to_be_visible()
    container = page.locator("#inbounds article", has=page.get_by_role("heading", name=re.compile(inbound.number)))
    expect(container.locator(".badge")).to_have_text("In transit")
    expect(container.locator(".store-facts div", has_text="Freight").locator("dd")).to_have_text(
        money(inbound.freight_minor, "CNY"))
    expect(page.get_by_text("No stock in an overseas warehouse yet.", exact=False)).to_be_visible()

    # 2. The mentor plays the container's transit from the run board, in another browser context.
    mentor_context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    mentor_context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    mentor = mentor_context.new_page()
    try:
        sign_in(mentor, email=data["mentor"].email, password=password)
        mentor.goto(f"/practicum/mentor/runs/{run.pk}/")
        days = inbound.transit_days + 1  # it is received when the day it arrives on is played
        mentor.get_by_label("Days to play").fill(str(days))
        mentor.get_by_role("button", name="Play the days").click()
        expect(mentor.get_by_text(f"{days} days played.").first).to_be_visible()
        inbound.refresh_from_db()
        assert inbound.status == InboundShipment.Status.RECEIVED
        held = WarehouseStock.objects.get(store=store, warehouse=WAREHOUSE, product=bowls)
        assert held.on_hand == UNITS and held.cost_minor > 0

        # The student finds the units in the warehouse at their landed cost, and the clearance.
        page.reload()
        stock_row = page.locator("#stock tbody tr", has_text="BOWL-PLA")
        expect(stock_row).to_have_count(1)
        expect(stock_row.locator("td").nth(0)).to_have_text(WAREHOUSE)
        expect(stock_row.locator("td").nth(1)).to_have_text(str(UNITS))
        unit_cost = money(round(Decimal(held.cost_minor) / UNITS), "CNY")
        expect(stock_row.locator("td").last).to_have_text(unit_cost)
        expect(container.locator(".badge")).to_have_text("Cleared and received")
        expect(container.locator(".store-facts div", has_text="Duty and VAT").locator("dd")).to_have_text(
            f"{money(inbound.duty_minor, inbound.currency)} + {money(inbound.vat_minor, inbound.currency)}")
        assert inbound.duty_minor > 0 and inbound.vat_minor > 0  # no de minimis for a container
        line = inbound.lines.get()
        expect(container.get_by_role("row", name=re.compile(r"^BOWL-PLA\b")).locator("td").last).to_have_text(
            money(round(Decimal(line.landed_cost_minor) / line.quantity), "CNY"))
        container.get_by_text("BOWL-PLA: clearance line by line (B2B_STANDARD)").click()
        clearance = container.locator("details table.calc-breakdown tbody tr")
        expect(clearance).to_have_count(len(line.lines))
        expect(clearance.first).to_be_visible()
        expect(container.locator("details").first).to_contain_text("B2B_STANDARD")

        # 3. The student makes the Polish listing ship from the warehouse.
        page.locator(".store-nav").get_by_role("link", name="Dashboard").click()
        page.get_by_role("link", name="Edit BOWL-PLA PL").click()
        expect(page.get_by_role("heading", level=1, name="Listing of BOWL-PLA in PL")).to_be_visible()
        page.get_by_label("Logistics channel").select_option("WH_LASTMILE")
        page.get_by_label("Ships from").select_option(WAREHOUSE)
        page.get_by_role("group", name="Incoterm").get_by_role("radio", name=re.compile(r"^DDP")).check()
        page.get_by_role("button", name="Save the listing").click()
        expect(page.get_by_text("The listing of BOWL-PLA in PL is saved.")).to_be_visible()
        listing.refresh_from_db()
        assert (listing.warehouse, listing.channel, listing.incoterm) == (WAREHOUSE, "WH_LASTMILE", "DDP")
        assert listing.status == Listing.Status.LIVE

        def shipped_from_warehouse():
            return (Order.objects.filter(store=store, warehouse=WAREHOUSE, shipment__isnull=False)
                    .order_by("placed_on", "pk").first())

        order = play_until(run, shipped_from_warehouse)
        parcel = Shipment.objects.get(order=order)
        assert parcel.channel == "WH_LASTMILE"
        assert not CustomsDeclaration.objects.filter(shipment=parcel).exists()
        page.goto(f"/practicum/stores/{store.pk}/orders/{order.pk}/")
        expect(page.get_by_role("heading", level=1, name=f"Order {order.number}")).to_be_visible()
        expect(page.locator(".store-order-stats")).to_contain_text("DDP by WH_LASTMILE")
        parcel_section = page.locator("#parcel")
        expect(parcel_section.get_by_role("heading", name="Tracking")).to_be_visible()
        expect(parcel_section).to_contain_text("By WH_LASTMILE,")
        declaration = parcel_section.locator("section.card", has=page.get_by_role("heading", name="Customs declaration"))
        expect(declaration).to_contain_text(f"None: the parcel left the overseas warehouse {WAREHOUSE} by its last mile.")
        expect(declaration).to_contain_text("Its duty and VAT were paid when the stock came in")
        expect(page.locator(".calc-breakdown")).to_have_count(0)  # no per-parcel landed-cost lines

        # 4. A buyer disputes a parcel from the warehouse; the student offers a partial refund.
        def warehouse_dispute():
            return (Dispute.objects.filter(store=store, order__warehouse=WAREHOUSE, status=Dispute.Status.OPEN)
                    .select_related("order").order_by("opened_on", "pk").first())

        dispute = play_until(run, warehouse_dispute)
        assert dispute.reason == Dispute.Reason.NOT_AS_DESCRIBED and dispute.claim_minor == dispute.order.total_minor
        page.locator(".store-nav").get_by_role("link", name="Disputes").click()
        expect(page.get_by_role("heading", level=1, name="Disputes")).to_be_visible()
        row = page.locator(".store-disputes tbody tr").filter(
            has=page.get_by_role("link", name=dispute.order.number, exact=True))
        expect(row).to_contain_text("Not as described")
        expect(row).to_contain_text("Waiting for the store")
        row.get_by_role("link", name=dispute.order.number, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=f"Dispute of order {dispute.order.number}")).to_be_visible()
        expect(page.locator(".store-stat__status")).to_have_text("Waiting for the store")
        offer_minor = dispute.claim_minor * 60 // 100  # at least half the claim: the buyer accepts
        offer = Decimal(offer_minor) / 100
        page.get_by_label("Partial refund (PLN)").fill(f"{offer:.2f}")
        page.get_by_role("button", name="Send the offer").click()
        expect(page.get_by_text("Your offer is sent. The buyer answers when the day is played.")).to_be_visible()
        expect(page.locator(".store-stat__status")).to_have_text("Partial refund offered")
        expect(page.locator(".store-facts div", has_text="Your offer").locator("dd")).to_have_text(money(offer_minor, "PLN"))
        history = page.locator(".store-history__item", has_text="Partial refund offered")
        expect(history).to_have_count(1)
        expect(history).to_contain_text(money(offer_minor, "PLN"))
        expect(page.get_by_role("button", name="Send the offer")).to_have_count(0)  # answered once
        dispute.refresh_from_db()
        assert dispute.status == Dispute.Status.OFFERED and dispute.offer_minor == offer_minor

        run_day_play(run=run)  # the buyer answers the offer
        page.reload()
        expect(page.locator(".store-stat__status")).to_have_text("Settled with a partial refund")
        expect(page.locator(".store-history__item", has_text="Offer accepted by the buyer")).to_have_count(1)
        dispute.refresh_from_db()
        assert dispute.outcome == Dispute.Outcome.SETTLED and dispute.refunded_minor == offer_minor
        assert list(DisputeEvent.objects.filter(dispute=dispute).values_list("kind", flat=True)) == [
            DisputeEvent.Kind.OPENED, DisputeEvent.Kind.OFFERED, DisputeEvent.Kind.ACCEPTED]

        # 5. The mentor reads the KPI dashboard and grades the team with the rubric.
        mentor.goto(f"/practicum/mentor/runs/{run.pk}/")
        mentor.get_by_role("link", name="KPI dashboard").click()
        expect(mentor.get_by_role("heading", level=1, name="KPI dashboard")).to_be_visible()
        expect(mentor.locator("figure svg[role=img]").first).to_be_visible()
        assert mentor.locator("figure svg[role=img]").count() >= 2  # bars across teams and lines over the days
        expect(mentor.locator("figure", has_text="KPI score").first.locator("svg")).to_be_visible()
        expect(mentor.locator("polyline").first).to_be_attached()
        mentor.get_by_role("row", name=re.compile(r"^Team Amber")).get_by_role("link", name="Grade Team Amber").click()
        expect(mentor.get_by_role("heading", level=1, name="Grade Team Amber")).to_be_visible()
        expect(mentor.get_by_text("The team has no grade yet.")).to_be_visible()
        mentor.get_by_role("group", name=re.compile(r"^Warehouse plan")).get_by_role(
            "radio", name=re.compile(r"^Sound\b")).check()
        mentor.get_by_role("group", name=re.compile(r"^Disputes answered")).get_by_role(
            "radio", name=re.compile(r"^Fair and prompt\b")).check()
        mentor.get_by_label("Comment to the team").fill(COMMENT)
        mentor.get_by_role("button", name="Sign off the grade").click()
        expect(mentor.get_by_text(re.compile(r"^The grade is signed off: "))).to_be_visible()

        grade = PracticumGrade.objects.get(store=store, superseded=False)
        assert grade.comment == COMMENT and grade.rubric_score_pct == 100
        assert len(grade.rubric_choices) == len(CRITERIA)
        card = mentor.locator(".review-card")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Recomputes to the same value: yes")
        expect(card).to_contain_text(COMMENT)
        grade_text = card.locator(".review-card__earned").inner_text().strip()
        assert grade_text and Decimal(re.sub(r"[^\d.]", "", grade_text)) == grade.grade
        expect(mentor.get_by_role("button", name="Sign off the new grade")).to_be_visible()
    finally:
        mentor_context.close()

    # The team reads its grade and the mentor's comment on its KPI page.
    page.goto(f"/practicum/stores/{store.pk}/")
    page.locator(".store-nav").get_by_role("link", name="KPIs and grade").click()
    expect(page.get_by_role("heading", level=1, name="KPIs and grade")).to_be_visible()
    card = page.locator(".review-card")
    expect(card.locator(".review-card__earned")).to_have_text(grade_text)
    expect(card).to_contain_text(COMMENT)
    expect(card).to_contain_text("Sound")
    expect(card).to_contain_text("Fair and prompt")
    expect(card).not_to_contain_text("Recomputes")  # the check is the mentor's
