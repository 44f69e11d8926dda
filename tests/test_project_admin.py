"""Practicum projects in the Wagtail admin, through the real views: an enterprise's mentor posts
a project with KPIs, products and a competitor listing (money typed in major units, stored in
minor units), a project the service refuses is not saved, a university's author cannot post one
for a university, and another enterprise's projects are invisible in the listing and 404 in the
edit and inspect views. The listing's query count does not grow with the number of projects."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from academy.organisations.models import Membership, Organisation
from practicum.project_models import PracticumProject, ProjectKpi, ProjectProduct

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def project_form(organisation, *, title="Home goods in Kazakhstan and Poland", weights=(60, 40), currency="PLN", markets=("PL", "KZ")):
    data = nested_form_data({
        "organisation": str(organisation.pk), "title": title, "brief": rich_text("<p>Sell our enamel mugs.</p>"),
        "starting_capital_minor": "100000.00",
        "market_size": "40", "platform_fee_bps": "500", "auto_release_days": "7", "beta_price": "3",
        "beta_rating": "0.4", "beta_delivery_day": "0.04", "beta_door_fee": "4.5", "no_purchase_utility": "2",
        "dap_refusal_base_pct": "3", "dap_refusal_slope_pct": "60", "inspection_base_pct": "2",
        "inspection_slope_pct": "80", "inspection_penalty_pct": "50", "inspection_delay_days": "5",
        "dispute_not_received_pct": "40", "dispute_late_per_day_pct": "4", "dispute_not_as_described_pct": "2",
        "dispute_response_days": "3", "review_pct": "30", "kpi_weight_pct": "50", "pass_grade_pct": "60",
        "kpis": inline_formset([{"kind": "revenue", "weight_pct": str(weights[0])}, {"kind": "rating", "weight_pct": str(weights[1])}]),
        "products": inline_formset([{
            "sku": "MUG-01", "name": "Enamel mug", "hs_code": "8303000000", "unit_cost_minor": "12.50", "weight_grams": "350",
        }]),
        "competitor_listings": inline_formset([{
            "market": "PL", "sku": "MUG-01", "price_minor": "39.99", "currency": currency, "rating": "4.5", "delivery_days": "9",
            "incoterm": "DDP",
        }]),
        "rubric": "", "starts_on": "2026-09-01", "ends_on": "2026-12-01", "course_run": "", "status": "draft",
    })
    # A list is posted as repeated values (checkboxes); nested_form_data would flatten it.
    data["target_markets"] = list(markets)
    return data


@pytest.fixture
def other_enterprise(make_organisation):
    return make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Export", name_zh="德尔塔出口", slug="delta-export")


def a_project(organisation, by, title):
    project = PracticumProject(
        organisation=organisation, title=title, brief="<p>Brief</p>", target_markets=["PL"], starting_capital_minor=100,
        starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 1), created_by=by,
    )
    project.kpis = [ProjectKpi(kind=ProjectKpi.Kind.REVENUE, weight_pct=100)]
    project.products = [ProjectProduct(sku="MUG-01", name="Mug", hs_code="830300", unit_cost_minor=1, weight_grams=1)]
    project.save()
    return project


def test_mentor_posts_a_project_with_products_kpis_and_a_competitor(enterprise, mentor):
    """The add form saves the project and its inlines; yuan and zloty amounts are stored exactly in minor units."""
    client = client_for(mentor)
    assert client.get(reverse("practicum_projects:add")).status_code == 200

    response = client.post(reverse("practicum_projects:add"), project_form(enterprise))

    assert response.status_code == 302, response.content.decode()[:3000]
    project = PracticumProject.objects.get()
    assert project.created_by == mentor and project.organisation == enterprise
    assert project.target_markets == ["PL", "KZ"] and project.starting_capital_minor == 10_000_000
    assert [(k.kind, k.weight_pct) for k in project.kpis.all()] == [("revenue", 60), ("rating", 40)]
    assert project.products.get().unit_cost_minor == 1250
    listing = project.competitor_listings.get()
    assert (listing.price_minor, listing.currency) == (3999, "PLN")
    edit = client.get(reverse("practicum_projects:edit", args=[project.pk]))
    assert edit.status_code == 200 and "100000.00" in edit.content.decode()
    assert client.get(reverse("practicum_projects:inspect", args=[project.pk])).status_code == 200


def test_a_refused_project_is_not_saved(enterprise, mentor):
    """KPI weights not making 100, or a competitor priced in another currency: the form comes back with the message."""
    client = client_for(mentor)

    weights = client.post(reverse("practicum_projects:add"), project_form(enterprise, weights=(60, 30)))
    currency = client.post(reverse("practicum_projects:add"), project_form(enterprise, currency="EUR"))

    assert weights.status_code == 200 and "add up to 90 %" in weights.content.decode()
    assert currency.status_code == 200 and "that market&#x27;s currency is PLN" in currency.content.decode()
    assert not PracticumProject.objects.exists()


def test_a_university_author_cannot_pick_a_university(university_a, author_a):
    """The organisation field offers enterprises only; a university posted anyway is refused."""
    client = client_for(author_a)
    form = client.get(reverse("practicum_projects:add"))
    assert form.status_code == 200 and "Alpha University of Commerce" not in form.content.decode()

    response = client.post(reverse("practicum_projects:add"), project_form(university_a))

    assert response.status_code == 200 and not PracticumProject.objects.exists()


def test_another_enterprises_project_is_invisible(enterprise, mentor, other_enterprise, make_member):
    """Listing, edit and inspect: the other enterprise's project is absent or 404."""
    outsider = make_member(other_enterprise, Membership.Role.MENTOR, email="mentor-d@example.com")
    secret = a_project(other_enterprise, outsider, "Delta secret project")
    client = client_for(mentor)

    assert "Delta secret project" not in client.get(reverse("practicum_projects:index")).content.decode()
    assert client.get(reverse("practicum_projects:edit", args=[secret.pk])).status_code == 404
    assert client.get(reverse("practicum_projects:inspect", args=[secret.pk])).status_code == 404
    assert "Delta Export" not in client.get(reverse("practicum_projects:add")).content.decode()


def test_the_listing_costs_the_same_queries_for_one_or_ten(enterprise, mentor, django_assert_max_num_queries):
    """The listing's query count does not grow with the number of projects."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(mentor)
    a_project(enterprise, mentor, "Project 0")
    client.get(reverse("practicum_projects:index"))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("practicum_projects:index")).status_code == 200
    for i in range(1, 10):
        a_project(enterprise, mentor, f"Project {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("practicum_projects:index"))
    assert response.content.decode().count("Project ") >= 10
