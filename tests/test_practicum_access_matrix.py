"""Who reaches which practicum page: every store and mentor address × every kind of person.

Team A's members work in their store; the run's mentors (the enterprise's staff) and platform
admins read it; team B, a student of no team, an applicant and another enterprise's mentor get
the same 404 as an unknown id, for reading and for writing; anonymous visitors are sent to sign in.
"""

import pytest
from django.urls import reverse

from academy.organisations.models import Membership, Organisation
from practicum.factories import home_goods_project
from practicum.run_models import Listing, Order, PracticumRun, StockItem
from practicum.run_services import (
    listing_save, participant_apply, participant_assign, run_create, run_update, stock_buy, team_create,
)
from practicum.simulation import run_day_play

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
