"""Who reaches which practicum page: every store and mentor address × every kind of person.

Team A's members work in their store; the run's mentors (the enterprise's staff) and platform
admins read it; team B, a student of no team, an applicant and another enterprise's mentor get
the same 404 as an unknown id, for reading and for writing; anonymous visitors are sent to sign in.

The Practicum II pages (warehouses, disputes, KPIs, the mentor's KPI board and grade page) follow
the same matrix: a container is shipped and a dispute answered by team A's members only, a grade
signed off by the run's mentors only, and a refused write changes nothing. Team A's containers,
parcels, disputes and grade stay out of team B's pages, and an id of one store's object under
another store's (or run's) address is a 404 even for a mentor who may read both.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from academy.organisations.models import Membership, Organisation
from practicum.dispute_models import Dispute, DisputeEvent
from practicum.factories import home_goods_project
from practicum.grade_services import grade_sign_off
from practicum.review_models import PracticumGrade
from practicum.run_models import Listing, Order, PracticumRun, StockItem, Store
from practicum.run_services import (
    listing_save, participant_apply, participant_assign, run_create, run_update, stock_buy, team_create,
)
from practicum.shipment_models import Shipment
from practicum.simulation import run_day_play
from practicum.warehouse_models import InboundShipment
from practicum.warehouse_services import inbound_ship

pytestmark = pytest.mark.django_db

PERSONS = ("anonymous", "member_a", "member_b", "teamless", "applicant", "mentor", "other_mentor", "admin")


@pytest.fixture
def world(enterprise, mentor, make_organisation, make_member, platform_admin, django_user_model):
    project = home_goods_project(organisation=enterprise, by=mentor)
    run = run_create(project=project, by=mentor, title="Autumn", seed="matrix")
    run = run_update(run=run, by=mentor, status=PracticumRun.Status.RUNNING)
    users = {name: django_user_model.objects.create_user(email=f"{name}@example.com", password="pw-123456")
             for name in ("member_a", "member_b", "teamless", "applicant")}
    stores = {}
    for key, name in (("member_a", "Team A"), ("member_b", "Team B")):
        participant_assign(run=run, user=users[key], team=None, by=mentor)
        store = team_create(run=run, user=users[key], name=name).store
        product = project.products.get(sku="BOWL-PLA")
        stock_buy(store=store, product=product, quantity=50, by=users[key])
        listing_save(store=store, by=users[key], product=product, market="PL", price_minor=3000, incoterm="DDP",
                     channel="ECOM_LINE", status=Listing.Status.LIVE)
        stores[key] = store
    participant_assign(run=run, user=users["teamless"], team=None, by=mentor)
    participant_apply(run=run, user=users["applicant"], motivation="Please")
    for _ in range(3):
        run_day_play(run=run)
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Logistics", name_zh="德尔塔物流",
                              slug="delta-logistics")
    other_mentor = make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com")
    users.update(mentor=mentor, other_mentor=other_mentor, admin=platform_admin)
    store = stores["member_a"]
    order = Order.objects.filter(store=store).first()
    assert order is not None, "the run must have produced an order of team A"
    return {"run": run, "store": store, "order": order, "listing": store.listings.get(), "users": users}


def store_addresses(world):
    store, order, listing = world["store"], world["order"], world["listing"]
    return {
        "dashboard": reverse("practicum_store", args=[store.pk]),
        "listing_new": reverse("practicum_listing_new", args=[store.pk]),
        "listing_edit": reverse("practicum_listing_edit", args=[store.pk, listing.pk]),
        "orders": reverse("practicum_orders", args=[store.pk]),
        "order": reverse("practicum_order", args=[store.pk, order.pk]),
        "statement": reverse("practicum_statement", args=[store.pk]),
    }


def mentor_addresses(world):
    run = world["run"]
    return {
        "board": reverse("practicum_run_board", args=[run.pk]),
        "edit": reverse("practicum_run_edit", args=[run.pk]),
        "trial_balance": reverse("practicum_trial_balance", args=[run.pk]),
    }


STORE_GET = {"member_a": 200, "mentor": 200, "admin": 200, "member_b": 404, "teamless": 404, "applicant": 404,
             "other_mentor": 404}
MENTOR_GET = {"mentor": 200, "admin": 200, "member_a": 404, "member_b": 404, "teamless": 404, "applicant": 404,
              "other_mentor": 404}


def client_as(client, world, person):
    if person != "anonymous":
        client.force_login(world["users"][person])
    return client


@pytest.mark.parametrize("person", PERSONS)
def test_store_pages_by_person(client, world, person):
    """Team A's store pages: its members and the run's mentors read them; anyone else gets 404."""
    client = client_as(client, world, person)
    for name, url in store_addresses(world).items():
        response = client.get(url)
        if person == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        elif name == "listing_new" and person in ("mentor", "admin"):
            assert response.status_code == 403, (name, person, response.status_code)  # they read, not trade
        else:
            assert response.status_code == STORE_GET[person], (name, person, response.status_code)


@pytest.mark.parametrize("person", PERSONS)
def test_mentor_pages_by_person(client, world, person):
    """The run's board, settings and trial balance: only the project's enterprise staff and platform admins."""
    client = client_as(client, world, person)
    for name, url in mentor_addresses(world).items():
        response = client.get(url)
        if person == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        else:
            assert response.status_code == MENTOR_GET[person], (name, person, response.status_code)


@pytest.mark.parametrize("person", [p for p in PERSONS if p != "member_a"])
def test_nobody_but_the_team_changes_its_store(client, world, person):
    """Buying stock, editing a listing and refunding an order of team A are refused to everyone else,
    mentors included (they read, they do not trade), and nothing changes."""
    client = client_as(client, world, person)
    store, order, listing = world["store"], world["order"], world["listing"]
    product = listing.product
    before = (StockItem.objects.get(store=store, product=product).on_hand, listing.price_minor, order.status)
    posts = [
        (reverse("practicum_stock_buy", args=[store.pk]), {"product": product.pk, "quantity": 5}),
        (reverse("practicum_listing_edit", args=[store.pk, listing.pk]),
         {"product": product.pk, "market": "PL", "price": "99.00", "incoterm": "DDP", "channel": "ECOM_LINE",
          "status": "live", "save": "1"}),
        (reverse("practicum_order_refund", args=[store.pk, order.pk]), {"reason": "Not mine to cancel"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if person == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif person in ("mentor", "admin"):
            assert response.status_code == 403, (url, person, response.status_code)
        else:
            assert response.status_code == 404, (url, person, response.status_code)
    listing.refresh_from_db()
    order.refresh_from_db()
    assert (StockItem.objects.get(store=store, product=product).on_hand, listing.price_minor, order.status) == before


@pytest.mark.parametrize("person", [p for p in PERSONS if p not in ("mentor", "admin")])
def test_nobody_but_the_mentors_advances_the_clock(client, world, person):
    """Advancing the run is for its mentors; everyone else gets 404 (or the sign-in page) and no day is played."""
    client = client_as(client, world, person)
    run = world["run"]
    response = client.post(reverse("practicum_run_advance", args=[run.pk]), {"days": 1})
    if person == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404
    run.refresh_from_db()
    assert run.day == 3


def test_an_order_of_team_b_is_404_under_team_a_and_under_its_own_store_for_a(client, world):
    """Changing the order id in team A's address to team B's order is a 404, as is B's own address."""
    client.force_login(world["users"]["member_a"])
    store_a = world["store"]
    order_b = Order.objects.exclude(store=store_a).first()
    assert order_b is not None
    assert client.get(reverse("practicum_order", args=[store_a.pk, order_b.pk])).status_code == 404
    assert client.get(reverse("practicum_order", args=[order_b.store_id, order_b.pk])).status_code == 404


# Practicum II: warehouses, disputes, KPIs and grades.

WAREHOUSE = "WH-PL-POZ"
A_COMMENT = "A private comment to team A from the mentor"


def dispute_of(order, store, day):
    """A buyer's open dispute of `order` (not as described, the whole price claimed), answerable until three days on."""
    dispute = Dispute.objects.create(order=order, store=store, reason=Dispute.Reason.NOT_AS_DESCRIBED,
                                     currency=order.currency, claim_minor=order.total_minor, opened_on=day,
                                     respond_by=day + timedelta(days=3))
    DisputeEvent.objects.create(dispute=dispute, kind=DisputeEvent.Kind.OPENED, day=day, amount_minor=order.total_minor)
    return dispute


@pytest.fixture
def world_ii(world):
    """The world with team A's container on its way to Poland, an open dispute of A's shipped order
    (with its parcel) and of one of B's, and A's grade signed off on its latest KPI snapshot."""
    run, store = world["run"], world["store"]
    run.refresh_from_db()
    users = world["users"]
    store_b = Store.objects.get(run=run, team__name="Team B")
    inbound = inbound_ship(store=store, warehouse=WAREHOUSE, channel="RAIL_FCL",
                           quantities={world["listing"].product_id: 5}, by=users["member_a"])
    parcel = Shipment.objects.filter(order__store=store).select_related("order").order_by("pk").first()
    assert parcel is not None, "team A must have shipped a parcel in three days"
    order_b = Order.objects.filter(store=store_b).order_by("pk").first()
    assert order_b is not None, "the run must have produced an order of team B"
    day = run.current_date
    grade = grade_sign_off(store=store, choices={}, comment=A_COMMENT, by=users["mentor"])
    return {**world, "run": run, "store_b": store_b, "inbound": inbound, "parcel": parcel,
            "parcel_order": parcel.order, "dispute": dispute_of(parcel.order, store, day),
            "dispute_b": dispute_of(order_b, store_b, day), "grade": grade}


def store_ii_addresses(data):
    store = data["store"]
    return {
        "warehouses": reverse("practicum_warehouses", args=[store.pk]),
        "disputes": reverse("practicum_disputes", args=[store.pk]),
        "dispute": reverse("practicum_dispute", args=[store.pk, data["dispute"].pk]),
        "kpis": reverse("practicum_store_kpis", args=[store.pk]),
        "parcel_order": reverse("practicum_order", args=[store.pk, data["parcel_order"].pk]),
    }


def mentor_ii_addresses(data):
    run = data["run"]
    return {
        "run_kpis": reverse("practicum_run_kpis", args=[run.pk]),
        "grade": reverse("practicum_store_grade", args=[run.pk, data["store"].pk]),
    }


def assert_sent_to_sign_in(response, what=""):
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], what


@pytest.mark.parametrize("person", PERSONS)
def test_practicum_ii_store_pages_by_person(client, world_ii, person):
    """Team A's warehouses, disputes, one dispute, KPIs and a parcel's order: its members and the
    run's mentors read them (with A's container, dispute and grade on them); anyone else gets 404."""
    client = client_as(client, world_ii, person)
    for name, url in store_ii_addresses(world_ii).items():
        response = client.get(url)
        if person == "anonymous":
            assert_sent_to_sign_in(response, name)
            continue
        assert response.status_code == STORE_GET[person], (name, person, response.status_code)
        if response.status_code == 200:
            body = response.content.decode()
            if name == "warehouses":
                assert world_ii["inbound"].number in body
            elif name == "disputes":
                assert [d.pk for d in response.context["page"].object_list] == [world_ii["dispute"].pk]
            elif name == "kpis":
                assert A_COMMENT in body


@pytest.mark.parametrize("person", PERSONS)
def test_practicum_ii_mentor_pages_by_person(client, world_ii, person):
    """The run's KPI board and a team's grade page: only the project's enterprise staff and platform admins."""
    client = client_as(client, world_ii, person)
    for name, url in mentor_ii_addresses(world_ii).items():
        response = client.get(url)
        if person == "anonymous":
            assert_sent_to_sign_in(response, name)
        else:
            assert response.status_code == MENTOR_GET[person], (name, person, response.status_code)


def ship_data(data, **extra):
    return {"warehouse": WAREHOUSE, "channel": "RAIL_FCL", f"units_{data['listing'].product_id}": 3, **extra}


def test_the_team_ships_a_container_from_its_warehouses_page(client, world_ii):
    """The control of the refusals below: team A's member ships a container from the page."""
    store = world_ii["store"]
    client.force_login(world_ii["users"]["member_a"])
    response = client.post(reverse("practicum_warehouses", args=[store.pk]), ship_data(world_ii))
    assert response.status_code == 302
    assert InboundShipment.objects.filter(store=store).count() == 2


@pytest.mark.parametrize("person", [p for p in PERSONS if p != "member_a"])
def test_nobody_but_the_team_ships_or_previews_a_container(client, world_ii, person):
    """Shipping (or previewing) a container of team A's stock is refused to everyone else: 403 for
    the run's mentors, 404 for the rest; no container is created and the China stock is untouched."""
    client = client_as(client, world_ii, person)
    store, product = world_ii["store"], world_ii["listing"].product
    before = (InboundShipment.objects.count(), StockItem.objects.get(store=store, product=product).on_hand,
              StockItem.objects.get(store=store, product=product).allocated)
    url = reverse("practicum_warehouses", args=[store.pk])
    for data in (ship_data(world_ii), ship_data(world_ii, preview="1")):
        response = client.post(url, data)
        if person == "anonymous":
            assert_sent_to_sign_in(response)
        elif person in ("mentor", "admin"):
            assert response.status_code == 403, (person, response.status_code)
        else:
            assert response.status_code == 404, (person, response.status_code)
    item = StockItem.objects.get(store=store, product=product)
    assert (InboundShipment.objects.count(), item.on_hand, item.allocated) == before


def dispute_state(dispute):
    dispute = Dispute.objects.get(pk=dispute.pk)
    return (dispute.status, dispute.outcome, dispute.offer_minor, dispute.refunded_minor, dispute.store_message,
            dispute.events.count(), Order.objects.get(pk=dispute.order_id).status)


ANSWERS = ({"action": "refund"}, {"action": "offer", "amount": "1.00"},
           {"action": "contest", "message": "The goods are as described.", "evidence": ["photos"]})


def test_the_team_answers_its_dispute(client, world_ii):
    """The control of the refusals below: team A's member offers a partial refund from the page."""
    dispute = world_ii["dispute"]
    client.force_login(world_ii["users"]["member_a"])
    response = client.post(reverse("practicum_dispute", args=[world_ii["store"].pk, dispute.pk]), ANSWERS[1])
    assert response.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OFFERED


@pytest.mark.parametrize("person", [p for p in PERSONS if p != "member_a"])
def test_nobody_but_the_team_answers_its_dispute(client, world_ii, person):
    """Refunding, offering or contesting team A's dispute is refused to everyone else (403 for the
    run's mentors, 404 for the rest) and the dispute, its moves and its order stay as they were."""
    client = client_as(client, world_ii, person)
    dispute = world_ii["dispute"]
    before = dispute_state(dispute)
    url = reverse("practicum_dispute", args=[world_ii["store"].pk, dispute.pk])
    for data in ANSWERS:
        response = client.post(url, data)
        if person == "anonymous":
            assert_sent_to_sign_in(response)
        elif person in ("mentor", "admin"):
            assert response.status_code == 403, (data, person, response.status_code)
        else:
            assert response.status_code == 404, (data, person, response.status_code)
    assert dispute_state(dispute) == before


@pytest.mark.parametrize("person", ["mentor", "admin"])
def test_the_run_s_mentors_sign_off_a_grade(client, world_ii, person):
    """The control of the refusals below: the run's mentor (or a platform admin) re-grades team A,
    which supersedes the earlier grade."""
    client = client_as(client, world_ii, person)
    store = world_ii["store"]
    response = client.post(reverse("practicum_store_grade", args=[world_ii["run"].pk, store.pk]), {"comment": "Re-graded"})
    assert response.status_code == 302
    current = PracticumGrade.objects.get(store=store, superseded=False)
    assert current.pk != world_ii["grade"].pk and current.comment == "Re-graded"


@pytest.mark.parametrize("person", [p for p in PERSONS if p not in ("mentor", "admin")])
def test_nobody_but_the_run_s_mentors_signs_off_a_grade(client, world_ii, person):
    """Signing off team A's grade is refused to everyone else, team A included (404, or the sign-in
    page): no grade is created and the current one is not superseded."""
    client = client_as(client, world_ii, person)
    store = world_ii["store"]
    response = client.post(reverse("practicum_store_grade", args=[world_ii["run"].pk, store.pk]),
                           {"comment": "I grade myself"})
    if person == "anonymous":
        assert_sent_to_sign_in(response)
    else:
        assert response.status_code == 404, (person, response.status_code)
    assert PracticumGrade.objects.count() == 1
    assert PracticumGrade.objects.get(store=store, superseded=False).pk == world_ii["grade"].pk


def test_team_b_does_not_see_team_a_s_containers_or_parcels(client, world_ii):
    """Team A's parcel's order is a 404 for team B under A's store id and under B's own; B's
    warehouses page lists no container of A. The run's mentor, who reads both stores, gets 404 for
    A's parcel's order under B's store id too."""
    store_a, store_b, order = world_ii["store"], world_ii["store_b"], world_ii["parcel_order"]
    client.force_login(world_ii["users"]["member_b"])
    assert client.get(reverse("practicum_order", args=[store_a.pk, order.pk])).status_code == 404
    assert client.get(reverse("practicum_order", args=[store_b.pk, order.pk])).status_code == 404
    response = client.get(reverse("practicum_warehouses", args=[store_b.pk]))
    assert response.status_code == 200
    assert response.context["inbounds"] == [] and world_ii["inbound"].number not in response.content.decode()
    assert all(stock.store_id == store_b.pk for stock in response.context["page"].stock)
    client.force_login(world_ii["users"]["mentor"])
    assert client.get(reverse("practicum_order", args=[store_b.pk, order.pk])).status_code == 404


def test_a_dispute_under_another_store_s_id_is_404(client, world_ii):
    """Changing the store id in a dispute's address: A's dispute under B's store is 404 for team B
    (read and answer) and for the run's mentor, B's under A's for team A; B's list has only B's."""
    store_a, store_b = world_ii["store"], world_ii["store_b"]
    dispute_a, dispute_b = world_ii["dispute"], world_ii["dispute_b"]
    before = dispute_state(dispute_a)
    client.force_login(world_ii["users"]["member_b"])
    a_under_b = reverse("practicum_dispute", args=[store_b.pk, dispute_a.pk])
    assert client.get(a_under_b).status_code == 404
    for data in ANSWERS:
        assert client.post(a_under_b, data).status_code == 404
    assert dispute_state(dispute_a) == before
    listing = client.get(reverse("practicum_disputes", args=[store_b.pk]))
    assert [d.pk for d in listing.context["page"].object_list] == [dispute_b.pk]
    client.force_login(world_ii["users"]["member_a"])
    assert client.get(reverse("practicum_dispute", args=[store_a.pk, dispute_b.pk])).status_code == 404
    client.force_login(world_ii["users"]["mentor"])
    assert client.get(a_under_b).status_code == 404
    assert client.get(reverse("practicum_dispute", args=[store_b.pk, dispute_b.pk])).status_code == 200


def test_team_b_does_not_see_team_a_s_grade(client, world_ii, mentor):
    """A's KPI page is a 404 for team B, whose own page shows no grade and not A's comment; the
    grade page of A's store under another run's id is a 404 for the mentor, and B's grade page has
    no grade of A."""
    store_a, store_b = world_ii["store"], world_ii["store_b"]
    client.force_login(world_ii["users"]["member_b"])
    assert client.get(reverse("practicum_store_kpis", args=[store_a.pk])).status_code == 404
    response = client.get(reverse("practicum_store_kpis", args=[store_b.pk]))
    assert response.status_code == 200
    assert response.context["kpis"].grade is None and A_COMMENT not in response.content.decode()
    other_run = run_create(project=world_ii["run"].project, by=mentor, title="Spring", seed="matrix-2")
    client.force_login(mentor)
    assert client.get(reverse("practicum_store_grade", args=[other_run.pk, store_a.pk])).status_code == 404
    assert client.post(reverse("practicum_store_grade", args=[other_run.pk, store_a.pk]),
                       {"comment": "Wrong run"}).status_code == 404
    assert PracticumGrade.objects.count() == 1
    response = client.get(reverse("practicum_store_grade", args=[world_ii["run"].pk, store_b.pk]))
    assert response.status_code == 200
    assert response.context["history"] == [] and A_COMMENT not in response.content.decode()
