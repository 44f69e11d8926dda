"""Parcels from the China warehouse (issue "Practicum II", points 1 to 3): shipments with their
tracking stages, customs on the day a parcel reaches the destination (DDP on the store's books,
DAP at the buyer's door), inspections that rise with under-declaration, lost and refused
parcels refunded out of escrow, the journal still sound, determinism, and the order page."""

from collections import Counter
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from practicum import factories, ledger
from practicum.factories import home_goods_project
from practicum.ledger import Account, AccountCode, EntryKind
from practicum.ledger_services import account_balance, journal_entry_of
from practicum.models import LogisticsChannel
from practicum.order_services import TRANSITIONS
from practicum.run_models import LedgerEntry, LedgerPosting, Order, OrderTransition
from practicum.shipment_models import CustomsDeclaration, Shipment, TrackingEvent
from practicum.shipment_services import SHIPMENT_TRANSITIONS, chance_bps, drawn, stage_days
from practicum.simulation import run_day_play

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60)


store_with = factories.trading_store


def play(run, days):
    for _ in range(days):
        run_day_play(run=run)
    run.refresh_from_db()


def journal(run):
    return [journal_entry_of(e) for e in
            LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses").order_by("pk")]


def balance(store, code, currency):
    return account_balance(run=store.run, account=Account(code, store.key), currency=currency)


def credited(store, code, currency):
    """What was booked as owed on a payable, before any settlement paid it."""
    return -sum(LedgerPosting.objects.filter(entry__store=store, account=str(Account(code, store.key)), currency=currency,
                                             amount_minor__lt=0).values_list("amount_minor", flat=True))


MIXED = (
    ("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE"),
    ("TOY-BLOCKS", "PL", 8000, "DAP", None, "ECOM_LINE"),
    ("TEA-GREEN", "KZ", 700000, "DAP", None, "ECOM_LINE"),
    ("BOWL-PLA", "KZ", 450000, "DDP", 200000, "EXPRESS"),
)


def test_ddp_parcels_owe_duty_and_vat_on_the_books_and_dap_parcels_nothing(project, mentor):
    """Under DDP the store owes each parcel's duty and VAT (in PLN on the payables, in CNY on the
    expenses); under DAP the buyer meets them at the door and the store's books carry none."""
    run = factories.running_run(project, mentor)
    ddp = store_with(run, mentor, "Team Amber", [("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE")])
    dap = store_with(run, mentor, "Team Birch", [("TOY-BLOCKS", "PL", 8000, "DAP", None, "ECOM_LINE")])
    play(run, 20)
    ddp_cleared = list(CustomsDeclaration.objects.filter(shipment__store=ddp, cleared_on__isnull=False))
    dap_cleared = list(CustomsDeclaration.objects.filter(shipment__store=dap, cleared_on__isnull=False))
    assert ddp_cleared and dap_cleared
    assert all(d.ioss and d.rule == "EU_IOSS" and d.vat_minor > 0 and d.door_fees_minor == 0 for d in ddp_cleared)
    # Owed on the payables (credited), which the daily settlement then pays (warehouse_services.payables_settle).
    assert credited(ddp, AccountCode.VAT_PAYABLE, "PLN") == sum(d.vat_minor for d in ddp_cleared)
    assert credited(ddp, AccountCode.DUTY_PAYABLE, "PLN") == sum(d.duty_minor + d.penalty_minor for d in ddp_cleared)
    assert balance(ddp, AccountCode.IMPORT_VAT, "CNY") > 0
    assert LedgerEntry.objects.filter(store=ddp, kind=EntryKind.CUSTOMS_DUTIES).count() == len(ddp_cleared)
    # DAP: the buyer is asked for duty and VAT at the door; nothing is owed by the store.
    assert all(not d.ioss and d.door_fees_minor == d.duty_minor + d.vat_minor > 0 for d in dap_cleared)
    for code in (AccountCode.VAT_PAYABLE, AccountCode.DUTY_PAYABLE):
        assert balance(dap, code, "PLN") == 0
    assert not LedgerEntry.objects.filter(store=dap, kind=EntryKind.CUSTOMS_DUTIES).exists()
    ledger.journal_check(journal(run))


def test_a_refused_dap_parcel_is_refunded_and_comes_back_at_the_stores_cost(project, mentor):
    """With every DAP buyer refusing, each parcel due at the door is refunded in full, its return
    tariff is the channel's tariff again, and its units and their cost are back in stock when it is back."""
    project.dap_refusal_base_pct = Decimal(100)
    project.save()
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber", [("TOY-BLOCKS", "PL", 8000, "DAP", None, "ECOM_LINE")], units=100)
    item = store.stock.get(product__sku="TOY-BLOCKS")
    stock_cost = item.cost_minor
    play(run, 45)
    refused = list(Shipment.objects.filter(store=store, status__in=[Shipment.Status.RETURNING, Shipment.Status.RETURNED])
                   .select_related("order", "declaration"))
    returned = [s for s in refused if s.status == Shipment.Status.RETURNED]
    assert refused and returned
    assert not Order.objects.filter(store=store, status__in=[Order.Status.DELIVERED, Order.Status.COMPLETED]).exists()
    entries = journal(run)
    for shipment in refused:
        order = shipment.order
        assert order.status == Order.Status.REFUNDED and shipment.declaration.refused
        assert ledger.escrow_balance(entries, order=order.number, currency="PLN") == 0
        back = LedgerEntry.objects.get(store=store, key=f"return:{store.key}:{order.number}")
        assert back.kind == EntryKind.RETURN_SHIPPING
        assert [p.amount_minor for p in back.postings.all() if p.code == "SHIPPING"] == [shipment.tariff_minor]
        assert OrderTransition.objects.filter(order=order, event="refuse", source="shipped", target="refunded").exists()
    item.refresh_from_db()
    out = Shipment.objects.filter(store=store).exclude(status=Shipment.Status.RETURNED)
    units_out = sum(line.quantity for s in out for line in s.order.lines.all())
    cost_out = sum(s.cost_of_goods_minor for s in out)
    # Only the parcels not back are missing from the shelf and from the books.
    sold_unshipped = sum(line.quantity for o in Order.objects.filter(store=store, status=Order.Status.FULFILLING)
                         for line in o.lines.all())
    assert item.on_hand == 100 - units_out
    assert item.allocated == sold_unshipped
    assert item.cost_minor == stock_cost - cost_out
    assert balance(store, AccountCode.INVENTORY, "CNY") == item.cost_minor + sum(
        i.cost_minor for i in store.stock.exclude(pk=item.pk))
    ledger.journal_check(entries)


def test_lost_parcels_are_refunded_in_full_on_their_expected_day(project, mentor):
    """A channel that loses every parcel (a new dated row): no parcel reaches customs, each order
    is refunded in full out of escrow on the day its parcel was due, its goods stay a cost."""
    row = LogisticsChannel.objects.filter(code="ECOM_LINE").order_by("-effective_from").first()
    row.pk = None
    row.effective_from, row.loss_rate_pct = date(2026, 8, 1), Decimal(100)
    row.save()
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber", [("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE")])
    play(run, 30)
    lost = list(Shipment.objects.filter(store=store, status=Shipment.Status.LOST).select_related("order"))
    assert lost
    assert not CustomsDeclaration.objects.filter(shipment__store=store, cleared_on__isnull=False).exists()
    entries = journal(run)
    for shipment in lost:
        order = shipment.order
        assert order.status == Order.Status.REFUNDED
        move = OrderTransition.objects.get(order=order, event="lose")
        assert move.day == shipment.expected_on == order.delivery_due_on
        assert ledger.escrow_balance(entries, order=order.number, currency="PLN") == 0
        assert shipment.events.filter(stage=TrackingEvent.Stage.LOST, day=move.day).exists()
    assert Shipment.objects.filter(store=store, status=Shipment.Status.IN_TRANSIT).count() == \
        Order.objects.filter(store=store, status=Order.Status.SHIPPED).count()
    assert balance(store, AccountCode.SALES, "CNY") == 0
    ledger.journal_check(entries)


def test_the_inspection_chance_rises_with_the_share_left_undeclared():
    """Over 4,000 parcels of a fixed seed, customs open about the project's chance at each share
    undeclared (defaults: 2 % + 80 % × share), so more the less is declared."""
    rates = []
    for share in (Fraction(0), Fraction(2, 5), Fraction(4, 5)):
        bps = chance_bps(2 + 80 * share)
        opened = sum(drawn("seed-1", "inspection", f"PL:2026-09-01:{n:07d}:amber", bps) for n in range(4000))
        rates.append(opened / 4000)
        assert abs(opened / 4000 - bps / 10_000) < 0.03
    assert rates[0] < rates[1] < rates[2]


def test_under_declared_parcels_are_inspected_more_and_pay_the_difference_and_a_penalty(project, mentor):
    """Three stores alike but for the declared value (all, 60 %, 20 % of the price): the less a
    store declares, the more of its parcels customs open; an opened under-declared parcel pays
    the duty and VAT on the price paid, a penalty of half the difference, and is held 5 days."""
    run = factories.running_run(project, mentor)
    stores = [store_with(run, mentor, name, [("TOY-BLOCKS", "PL", 9000, "DDP", declared, "ECOM_LINE")], units=400)
              for name, declared in (("Honest", None), ("Sixty", 5400), ("Twenty", 1800))]
    play(run, 30)
    rates = []
    for store in stores:
        cleared = list(CustomsDeclaration.objects.filter(shipment__store=store, cleared_on__isnull=False))
        assert len(cleared) >= 40
        rates.append(sum(d.inspected for d in cleared) / len(cleared))
    assert rates[0] < rates[1] < rates[2]
    caught = CustomsDeclaration.objects.filter(shipment__store=stores[2], inspected=True).select_related("shipment")
    for declaration in caught:
        assert declaration.under_declared and declaration.customs_value_minor >= 9000
        assert declaration.penalty_minor == (declaration.difference_minor + 1) // 2
        shipment = declaration.shipment
        assert (shipment.expected_on - shipment.shipped_on).days == shipment.transit_days + 5
        assert shipment.events.filter(stage=TrackingEvent.Stage.INSPECTION).exists()
    assert sum(d.penalty_minor for d in caught) > 0
    assert balance(stores[2], AccountCode.CUSTOMS_PENALTY, "CNY") > 0
    assert balance(stores[0], AccountCode.CUSTOMS_PENALTY, "CNY") == 0


def test_forty_days_of_mixed_listings_keep_the_journal_sound_and_every_move_legal(project, mentor):
    """DDP and DAP, post-line and express, honest and under-declared, over 40 days: the stored
    journal passes every ledger check and balances, every order and parcel move is in its table,
    the stages are in order and stock never goes below what is promised."""
    run = factories.running_run(project, mentor)
    stores = [store_with(run, mentor, "Team Amber", MIXED), store_with(run, mentor, "Team Birch", MIXED[:2])]
    play(run, 40)
    entries = journal(run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced
    kinds = Counter(entry.kind for entry in entries)
    assert kinds[EntryKind.CUSTOMS_DUTIES] and kinds[EntryKind.RETURN_SHIPPING]
    for move in OrderTransition.objects.filter(order__store__run=run).exclude(source=""):
        assert TRANSITIONS[move.source, move.event] == move.target
    moved_to = {stage for _status, stage in SHIPMENT_TRANSITIONS.values()}
    for shipment in Shipment.objects.filter(store__run=run).prefetch_related("events"):
        events = list(shipment.events.all())
        stages = [e.stage for e in events]
        assert stages[:3] == ["label", "consolidation", "export"]
        days = {e.stage: e.day for e in events}
        assert days["label"] <= days["consolidation"] <= days["export"]
        if "customs" in days:
            assert days["export"] <= days["customs"] < shipment.shipped_on.__class__.fromordinal(
                (shipment.shipped_on.toordinal() + shipment.transit_days + 1))
            assert days["customs"] <= days["last_mile"] <= shipment.expected_on
        assert sum(stage in moved_to for stage in stages) <= 3
    for store in stores:
        for item in store.stock.all():
            assert 0 <= item.allocated <= item.on_hand


def outcomes(run):
    return list(CustomsDeclaration.objects.filter(shipment__store__run=run).order_by("shipment__order__number").values_list(
        "shipment__order__number", "inspected", "under_declared", "duty_minor", "vat_minor", "penalty_minor", "refused",
        "shipment__lost", "shipment__status", "shipment__expected_on"))


def test_the_same_seed_gives_the_same_digests_and_the_same_customs_outcomes(project, mentor):
    """Two runs with the same seed and decisions: the same day digests, the same parcels and
    customs outcomes; another seed: other outcomes."""
    results = []
    for index, seed in enumerate(("seed-1", "seed-1", "seed-2")):
        run = factories.running_run(project, mentor, title=f"Cohort {index}", seed=seed)
        listings = [("TOY-BLOCKS", "PL", 9000, "DDP", 3000, "ECOM_LINE"), ("TOY-BLOCKS", "KZ", 1_500_000, "DAP", None, "EXPRESS")]
        store_with(run, mentor, "Team Amber", listings, student=f"student-{index}")
        digests = [run_day_play(run=run).orders_digest for _ in range(18)]
        results.append((digests, outcomes(run)))
    assert results[0] == results[1]
    assert results[0][1] and results[0][1] != results[2][1]


def test_stage_days_are_in_order_within_the_transit():
    """Whatever the transit, the stages come in order, customs at least a day before the door."""
    for transit in range(1, 46):
        for n in range(20):
            days = stage_days(seed="s", key=f"k{n}", shipped_on=date(2026, 9, 1), transit_days=transit)
            assert date(2026, 9, 1) <= days.consolidation <= days.export <= days.customs <= days.last_mile <= days.door
            assert days.customs < days.door


def test_the_order_page_shows_the_parcels_journey_declaration_and_breakdown(client, project, mentor):
    """A member opens a DDP order that cleared customs: the tracking stages, the declaration and
    the landed-cost lines with their rule, formula and source, and the calculator link with the parcel."""
    run = factories.running_run(project, mentor)
    store = store_with(run, mentor, "Team Amber", [("BOWL-PLA", "PL", 4500, "DDP", None, "ECOM_LINE")])
    play(run, 16)
    declaration = CustomsDeclaration.objects.filter(shipment__store=store, cleared_on__isnull=False).select_related(
        "shipment__order").first()
    assert declaration is not None
    order = declaration.shipment.order
    client.force_login(store.user)
    page = client.get(reverse("practicum_order", args=[store.pk, order.pk])).content.decode()
    for text in ("Tracking", "Label created", "At destination customs", "Customs declaration", "392410",
                 "What the parcel cost, line by line", "Import VAT / GST", "EU_IOSS", "23 % × (CIF",
                 "Dedicated e-commerce line tariff", "https://regfollower.com/?p=78434", "market:PL:2026-07-01"):
        assert text in page, text
    assert f"weight={Decimal(declaration.shipment.weight_grams) / 1000:f}".rstrip("0").rstrip(".") in page.replace("&amp;", "&")
    assert "shipping_mode=channel&amp;channel=ECOM_LINE" in page
