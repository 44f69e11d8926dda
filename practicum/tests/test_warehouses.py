"""Overseas warehouses (issue "Practicum II", point 1): containers of China stock shipped to a
warehouse with their share of a consolidated container's freight, cleared by B2B_STANDARD on
arrival line by line, received at their landed cost, charged storage each day, sold by listings
that ship by the warehouse's last mile with no customs, the books balanced, the day still
deterministic, and the warehouses page with who may see it."""

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, strategies as st

from practicum import factories, ledger
from practicum.customs import landed_cost
from practicum.factories import home_goods_project, student_user
from practicum.ledger import Account, AccountCode, EntryKind
from practicum.ledger_services import account_balance, journal_entry_of
from practicum.money import from_minor
from practicum.run_models import LedgerEntry, Listing, Order, PracticumRun, SimulationDay, StockItem
from practicum.run_services import listing_save, participant_assign, run_update, stock_buy, team_create
from practicum.selectors import ReferenceDay
from practicum.shipment_models import CustomsDeclaration, Shipment, TrackingEvent
from practicum.simulation import run_day_play, simulation_day_replay
from practicum.warehouse_models import InboundShipment, WarehouseStock
from practicum.warehouse_services import (
    apportion, inbound_ship, listing_warehouse_set, storage_fees_charge,
)

pytestmark = pytest.mark.django_db

WAREHOUSE = "WH-PL-POZ"
# The page's queries, as measured: the session, the reader, the store and its membership check,
# then the page's own reads (warehouses, channels, products, China stock, warehouse stock,
# containers and their lines, the payables). The same for one container or many.
WAREHOUSES_QUERIES = 13


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60)


@pytest.fixture
def run(project, mentor):
    return factories.running_run(project, mentor, team_size_max=2)


def store_of(run, mentor, name, *, units=300, student=""):
    user = student_user(student or name.lower().replace(" ", "-"))
    participant_assign(run=run, user=user, team=None, by=mentor)
    store = team_create(run=run, user=user, name=name).store
    for product in run.project.products.all():
        stock_buy(store=store, product=product, quantity=units, by=user)
    store.user = user
    return store


def products(run):
    return {p.sku: p for p in run.project.products.all()}


def play(run, days):
    for _ in range(days):
        run_day_play(run=run)
    run.refresh_from_db()


def play_until_received(run, inbound):
    while InboundShipment.objects.get(pk=inbound.pk).status != InboundShipment.Status.RECEIVED:
        run_day_play(run=run)
    run.refresh_from_db()
    inbound.refresh_from_db()
    return inbound


def journal(run):
    return [journal_entry_of(e) for e in
            LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses").order_by("pk")]


def balance(store, code, currency="CNY"):
    return account_balance(run=store.run, account=Account(code, store.key), currency=currency)


def stock_value(store):
    china = sum(StockItem.objects.filter(store=store).values_list("cost_minor", flat=True))
    abroad = sum(WarehouseStock.objects.filter(store=store).values_list("cost_minor", flat=True))
    in_transit = sum(i.freight_minor + sum(line.goods_cost_minor for line in i.lines.all())
                     for i in InboundShipment.objects.filter(store=store, status=InboundShipment.Status.IN_TRANSIT))
    return china + abroad + in_transit


# Containers.


def test_a_container_takes_units_at_average_cost_and_owes_its_share_of_the_freight(run, mentor):
    """Units leave the China stock at average cost; the freight is ceil(container price × weight /
    max weight), capitalised into stock and owed to the carrier; the number and arrival are set."""
    store = store_of(run, mentor, "Team Amber")
    catalogue = products(run)
    before = balance(store, AccountCode.INVENTORY)
    inbound = inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user,
                           quantities={catalogue["BOWL-PLA"].pk: 100, catalogue["TEA-GREEN"].pk: 50})
    assert inbound.number == f"IN-{run.current_date:%Y%m%d}-01"
    assert inbound.weight_grams == 100 * 400 + 50 * 300
    assert inbound.freight_minor == -(-4_800_000 * 55_000 // 26_000_000) == 10_154
    lines = list(inbound.lines.order_by("pk"))
    assert sum(line.freight_share_minor for line in lines) == inbound.freight_minor
    assert [line.goods_cost_minor for line in lines] == [100 * 2200, 50 * 3500]
    assert 12 <= inbound.transit_days <= 20 and inbound.arrives_on == inbound.shipped_on + timedelta(days=inbound.transit_days)
    assert StockItem.objects.get(store=store, product=catalogue["BOWL-PLA"]).on_hand == 200
    assert balance(store, AccountCode.INVENTORY) == before + inbound.freight_minor
    assert balance(store, AccountCode.LOGISTICS_PAYABLE) == -inbound.freight_minor
    assert balance(store, AccountCode.INVENTORY) == stock_value(store)
    again = inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user,
                         quantities={catalogue["BOWL-PLA"].pk: 1})
    assert again.number == f"IN-{run.current_date:%Y%m%d}-02"


def test_a_container_the_rules_refuse_is_not_shipped(run, mentor):
    """A channel that is no container or does not serve the market, more units than are free in
    China, no units, another team's member, or a run not running: refused, nothing moves."""
    store = store_of(run, mentor, "Team Amber", units=5)
    bowl = products(run)["BOWL-PLA"]
    cases = [
        ({"warehouse": "WH-KZ-ALA", "channel": "SEA_FCL", "quantities": {bowl.pk: 1}}, "channel"),
        ({"warehouse": WAREHOUSE, "channel": "ECOM_LINE", "quantities": {bowl.pk: 1}}, "channel"),
        ({"warehouse": "WH-US-LAX", "channel": "SEA_FCL", "quantities": {bowl.pk: 1}}, "warehouse"),
        ({"warehouse": WAREHOUSE, "channel": "RAIL_FCL", "quantities": {bowl.pk: 6}}, "quantities"),
        ({"warehouse": WAREHOUSE, "channel": "RAIL_FCL", "quantities": {bowl.pk: 0}}, "quantities"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            inbound_ship(store=store, by=store.user, **kwargs)
        assert field in caught.value.message_dict, (kwargs, caught.value)
    with pytest.raises(PermissionDenied):
        inbound_ship(store=store, by=student_user("stranger"), warehouse=WAREHOUSE, channel="RAIL_FCL",
                     quantities={bowl.pk: 1})
    run_update(run=run, by=mentor, status=PracticumRun.Status.FINISHED)
    store.run.refresh_from_db()
    with pytest.raises(ValidationError):
        inbound_ship(store=store, by=store.user, warehouse=WAREHOUSE, channel="RAIL_FCL", quantities={bowl.pk: 1})
    assert not InboundShipment.objects.exists()
    assert StockItem.objects.get(store=store, product=bowl).on_hand == 5


@given(total=st.integers(min_value=0, max_value=10**9),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12))
def test_apportioned_shares_add_up_to_the_total(total, weights):
    """Freight (or duty, VAT, handling) split by weight: whole shares, each within one unit of
    its exact share, summing to the total exactly."""
    shares = apportion(total, weights)
    assert len(shares) == len(weights)
    if sum(weights) == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - Fraction(total * weight, sum(weights))) < 1


# Arrival.


def test_a_container_is_cleared_by_b2b_standard_line_by_line_with_no_de_minimis(run, mentor):
    """On arrival each line's duty and VAT are the engine's B2B_STANDARD figures on its goods at
    cost and freight share (even for a value far below the EU's EUR 150), owed in PLN; the
    handling is ceil(kg × fee); the stock's landed cost adds them all, as the books do."""
    store = store_of(run, mentor, "Team Amber")
    catalogue = products(run)
    inbound = inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user,
                           quantities={catalogue["BOWL-PLA"].pk: 1, catalogue["TEA-GREEN"].pk: 2})
    inbound = play_until_received(run, inbound)
    assert inbound.received_on == inbound.arrives_on and inbound.currency == "PLN"
    reference = ReferenceDay(day=inbound.received_on, markets=["PL"])
    rate = reference.fx["PLN"].cny_per_unit
    lines = list(inbound.lines.select_related("product").order_by("pk"))
    for line in lines:
        expected = landed_cost(reference.consignment(
            market="PL", hs_code=line.product.hs_code, goods_value=from_minor(line.goods_cost_minor, "CNY"),
            goods_currency="CNY", weight_kg=Decimal(line.weight_grams) / 1000,
            shipping=from_minor(line.freight_share_minor, "CNY"), shipping_currency="CNY", incoterm="DDP",
            rule_override="B2B_STANDARD"))
        assert expected.rule == "B2B_STANDARD" and not expected.de_minimis_applied
        assert line.duty_minor == int(expected.duty.amount * 100) > 0
        assert line.vat_minor == int(expected.vat.amount * 100) > 0
        assert [row["code"] for row in line.lines] == ["goods", "shipping", "duty", "vat", "total"]
        assert all(row["rule"] == "B2B_STANDARD" for row in line.lines)
    assert inbound.duty_minor == sum(line.duty_minor for line in lines)
    assert inbound.vat_minor == sum(line.vat_minor for line in lines)
    assert inbound.handling_minor == -(-inbound.weight_grams * 50 // 1000)
    duty_cny = ledger.fx_convert(inbound.duty_minor, "PLN", "CNY", rate).converted_minor
    vat_cny = ledger.fx_convert(inbound.vat_minor, "PLN", "CNY", rate).converted_minor
    assert sum(line.landed_cost_minor for line in lines) == (
        sum(line.goods_cost_minor + line.freight_share_minor for line in lines) + duty_cny + vat_cny
        + inbound.handling_minor)
    held = {s.product_id: s for s in WarehouseStock.objects.filter(store=store, warehouse=WAREHOUSE)}
    for line in lines:
        assert held[line.product_id].on_hand == line.quantity
        assert held[line.product_id].cost_minor == line.landed_cost_minor
    clearance = LedgerEntry.objects.get(store=store, kind=EntryKind.INBOUND_CLEARANCE)
    assert {p.code for p in clearance.postings.all()} >= {"INVENTORY", "DUTY_PAYABLE", "VAT_PAYABLE", "FX_GAIN_LOSS",
                                                          "LOGISTICS_PAYABLE"}
    assert balance(store, AccountCode.INVENTORY) == stock_value(store)
    entries = journal(run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced


def test_storage_is_charged_per_store_and_day_rounded_half_up_and_only_once(run, mentor):
    """Storage = Σ units × kg × the warehouse's fee per kg a day, rounded half-up to the fen, in
    one entry per store and day; charging the same day again books nothing more; none at zero."""
    store = store_of(run, mentor, "Team Amber")
    empty = store_of(run, mentor, "Team Birch")
    bowl = products(run)["BOWL-PLA"]
    inbound = play_until_received(run, inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user,
                                                    quantities={bowl.pk: 7}))
    day = inbound.received_on
    charged = LedgerEntry.objects.get(store=store, kind=EntryKind.STORAGE_FEE, day=day)
    # 7 × 0.4 kg × CNY 0.03 = CNY 0.084 → 8 fen
    assert charged.key == f"storage:{store.key}:{day.isoformat()}"
    assert sum(p.amount_minor for p in charged.postings.all() if p.code == "STORAGE") == 8
    storage_fees_charge(run=run, day=day)  # a retry of the same day
    assert LedgerEntry.objects.filter(store=store, kind=EntryKind.STORAGE_FEE, day=day).count() == 1
    assert not LedgerEntry.objects.filter(store=empty, kind=EntryKind.STORAGE_FEE).exists()


# Selling from a warehouse.


def warehouse_listing(store, product, *, price_minor=3900):
    listing = listing_save(store=store, by=store.user, product=product, market="PL", price_minor=price_minor,
                           incoterm="DDP", channel="WH_LASTMILE", status=Listing.Status.LIVE)
    return listing_warehouse_set(listing=listing, warehouse=WAREHOUSE, by=store.user)


def test_a_warehouse_listing_ships_by_the_last_mile_with_no_customs_and_never_oversells(client, run, mentor):
    """Orders of a listing that ships from a warehouse take that warehouse's stock (never more
    than it holds: the rest are cancelled as out of stock), leave at its landed cost by
    WH_LASTMILE with no declaration and no duty, and are tracked label → last mile → delivered."""
    store = store_of(run, mentor, "Team Amber")
    bowl = products(run)["BOWL-PLA"]
    play_until_received(run, inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user,
                                          quantities={bowl.pk: 4}))
    held = WarehouseStock.objects.get(store=store, warehouse=WAREHOUSE, product=bowl)
    landed = held.cost_minor
    china_before = StockItem.objects.get(store=store, product=bowl).on_hand
    warehouse_listing(store, bowl, price_minor=1500)  # cheap: shoppers want more than 4
    play(run, 12)
    orders = list(Order.objects.filter(store=store, warehouse=WAREHOUSE))
    sold = [o for o in orders if o.status != Order.Status.CANCELLED]
    assert sold and len(orders) > len(sold)
    assert sum(line.quantity for o in sold for line in o.lines.all()) <= 4
    held.refresh_from_db()
    assert 0 <= held.allocated <= held.on_hand
    assert StockItem.objects.get(store=store, product=bowl).on_hand == china_before
    shipped = Shipment.objects.filter(order__in=sold)
    assert shipped and all(s.channel == "WH_LASTMILE" for s in shipped)
    assert not CustomsDeclaration.objects.filter(shipment__in=shipped).exists()
    assert not LedgerEntry.objects.filter(store=store, kind=EntryKind.CUSTOMS_DUTIES).exists()
    # The units left at the warehouse's average landed cost: what left and what is left add up to it.
    assert held.cost_minor + sum(s.cost_of_goods_minor for s in shipped) == landed
    for shipment in shipped:
        stages = list(TrackingEvent.objects.filter(shipment=shipment).order_by("day", "pk").values_list("stage", flat=True))
        assert stages[:2] == ["label", "last_mile"] and "customs" not in stages and "export" not in stages
    assert any(s.status == Shipment.Status.DELIVERED for s in shipped)
    client.force_login(store.user)
    page = client.get(reverse("practicum_order", args=[store.pk, shipped[0].order_id]))
    assert page.status_code == 200 and page.context["declaration"] is None
    assert balance(store, AccountCode.INVENTORY) == stock_value(store)
    entries = journal(run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced


def test_a_day_with_warehouses_stays_deterministic_and_replays(project, mentor):
    """Two runs of the same seed with the same decisions (a container restock and a warehouse
    listing) give the same orders digests day by day; recorded days replay to them."""
    digests = []
    for index in range(2):
        run = factories.running_run(project, mentor, title=f"Cohort {index}", team_size_max=2)
        store = store_of(run, mentor, "Team Amber", student=f"s{index}")
        bowl = products(run)["BOWL-PLA"]
        listing_save(store=store, by=store.user, product=products(run)["TEA-GREEN"], market="PL", price_minor=4500,
                     incoterm="DDP", channel="ECOM_LINE", status=Listing.Status.LIVE)
        inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user, quantities={bowl.pk: 40})
        warehouse_listing(store, bowl)
        digests.append([run_day_play(run=run).orders_digest for _ in range(22)])
        for played in SimulationDay.objects.filter(run=run):
            assert simulation_day_replay(played=played) == (played.orders, played.orders_digest)
    assert digests[0] == digests[1]
    assert Order.objects.filter(warehouse=WAREHOUSE).exists()


# The listing form.


def test_the_listing_form_limits_ships_from_to_the_markets_warehouses_and_keeps_the_input(client, run, mentor):
    """Ships-from a warehouse with a parcel channel or DAP gets a clear error per field and the
    typed input back; with WH_LASTMILE and DDP it saves."""
    store = store_of(run, mentor, "Team Amber")
    bowl = products(run)["BOWL-PLA"]
    client.force_login(store.user)
    url = reverse("practicum_listing_new", args=[store.pk])
    page = client.get(url)
    choices = [code for code, _label in page.context["form"].fields["warehouse"].choices]
    assert choices == ["", "WH-KZ-ALA", WAREHOUSE]
    data = {"product": bowl.pk, "market": "PL", "price": "39.90", "incoterm": "DAP", "channel": "ECOM_LINE",
            "status": "live", "warehouse": WAREHOUSE, "save": "1"}
    response = client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "channel" in form.errors and "incoterm" in form.errors
    assert form["price"].value() == "39.90" and form["warehouse"].value() == WAREHOUSE
    response = client.post(url, {**data, "market": "KZ", "price": "3990"})
    assert "warehouse" in response.context["form"].errors
    response = client.post(url, {**data, "incoterm": "DDP", "channel": "WH_LASTMILE"})
    assert response.status_code == 302
    assert Listing.objects.get(store=store, product=bowl, market="PL").warehouse == WAREHOUSE
    edit = reverse("practicum_listing_edit", args=[store.pk, Listing.objects.get(store=store).pk])
    preview = client.post(edit, {**data, "incoterm": "DDP", "channel": "WH_LASTMILE", "preview": "1"})
    assert preview.status_code == 200
    terms = preview.context["preview"].terms
    assert terms.duty_minor == terms.vat_minor == terms.door_fees_minor == 0 and terms.landed is None


# The page.


def test_the_warehouses_page_shows_containers_stock_and_payables_to_the_team_only(client, run, mentor,
                                                                                 django_assert_max_num_queries):
    """The team reads its warehouses, containers line by line and what it owes, in a fixed number
    of queries; another team gets 404; a mentor reads without the form and cannot ship."""
    store = store_of(run, mentor, "Team Amber")
    other = store_of(run, mentor, "Team Birch")
    bowl, tea = products(run)["BOWL-PLA"], products(run)["TEA-GREEN"]
    url = reverse("practicum_warehouses", args=[store.pk])
    client.force_login(store.user)
    inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user, quantities={bowl.pk: 3})
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    for _ in range(4):
        inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL", by=store.user,
                     quantities={bowl.pk: 2, tea.pk: 1})
    play_until_received(run, InboundShipment.objects.filter(store=store).order_by("pk").first())
    with django_assert_max_num_queries(WAREHOUSES_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    content = response.content.decode()
    assert "IN-" in content and "B2B_STANDARD" in content and WAREHOUSE in content
    assert response.context["form"] is not None
    # Another team's member: not found, as for an unknown store.
    client.force_login(other.user)
    assert client.get(url).status_code == 404
    # A mentor of the run reads, without the form, and cannot ship.
    client.force_login(mentor)
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url, {"warehouse": WAREHOUSE, "channel": "RAIL_FCL", f"units_{bowl.pk}": "1"}).status_code == 403


def test_the_ship_form_previews_then_ships_and_an_error_keeps_the_input(client, run, mentor):
    """A preview shows the freight and arrival window without shipping; too many units come back
    as an error with the typed figures; a valid container is shipped and the page says so."""
    store = store_of(run, mentor, "Team Amber", units=10)
    bowl = products(run)["BOWL-PLA"]
    url = reverse("practicum_warehouses", args=[store.pk])
    client.force_login(store.user)
    data = {"warehouse": WAREHOUSE, "channel": "RAIL_FCL", f"units_{bowl.pk}": "11"}
    response = client.post(url, {**data, "ship": "1"})
    assert response.status_code == 400
    assert response.context["form"][f"units_{bowl.pk}"].value() == "11"
    assert "can leave the China stock" in response.content.decode()
    response = client.post(url, {**data, f"units_{bowl.pk}": "4", "preview": "1"})
    assert response.status_code == 200 and response.context["plan"]["plan"].freight_minor > 0
    assert not InboundShipment.objects.exists()
    response = client.post(url, {**data, f"units_{bowl.pk}": "4", "ship": "1"})
    assert response.status_code == 302
    assert InboundShipment.objects.get(store=store).lines.get().quantity == 4
