"""The rules a practicum project must satisfy when it is saved (`project_check`): every refusal
with its message, and a valid project accepted."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from academy.organisations.models import Membership, Organisation
from courses.factories import course_tree, open_run, rubric_with_criteria
from courses.models import CourseOrganisation
from practicum.project_models import CompetitorListing, PracticumProject, ProjectKpi, ProjectProduct
from practicum.project_services import project_check

pytestmark = pytest.mark.django_db

DAY = date(2026, 9, 1)


def build_project(organisation, by, *, markets=("PL", "KZ"), kpis=((ProjectKpi.Kind.REVENUE, 60), (ProjectKpi.Kind.RATING, 40)),
                  products=(("MUG-01", "8303000000"),), listings=(("PL", "MUG-01", "PLN"),), **fields):
    """A saved project with its KPIs, products and competitor listings, not yet checked."""
    project = PracticumProject(
        organisation=organisation, title=fields.pop("title", "Home goods in Kazakhstan and Poland"), brief="<p>Sell mugs.</p>",
        target_markets=list(markets), starting_capital_minor=10_000_000, starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 1),
        created_by=by, **fields,
    )
    project.kpis = [ProjectKpi(kind=kind, weight_pct=weight) for kind, weight in kpis]
    project.products = [
        ProjectProduct(sku=sku, name="Enamel mug", hs_code=hs, unit_cost_minor=1250, weight_grams=350) for sku, hs in products
    ]
    project.competitor_listings = [
        CompetitorListing(market=market, sku=sku, price_minor=3999, currency=currency, rating=Decimal("4.5"), delivery_days=9)
        for market, sku, currency in listings
    ]
    project.save()
    return project


def refusal(project, by):
    with pytest.raises(ValidationError) as error:
        project_check(project=project, by=by, day=DAY)
    return " ".join(error.value.messages)


def test_a_valid_project_passes(enterprise, mentor):
    """An enterprise's mentor posts a complete project: no refusal."""
    project_check(project=build_project(enterprise, mentor), by=mentor, day=DAY)


def test_only_the_enterprises_staff_may_manage_it(enterprise, mentor, author_a):
    """Someone not on the enterprise's staff is refused."""
    with pytest.raises(PermissionDenied, match="enterprise's staff"):
        project_check(project=build_project(enterprise, mentor), by=author_a, day=DAY)


def test_a_university_cannot_post_a_project(university_a, author_a):
    """A university's project is refused even for its own staff."""
    assert "approved enterprise" in refusal(build_project(university_a, author_a), author_a)


def test_a_suspended_enterprise_cannot_post_a_project(enterprise, mentor, platform_admin):
    """An enterprise that is not approved is refused."""
    project = build_project(enterprise, mentor)
    Organisation.objects.filter(pk=enterprise.pk).update(status=Organisation.Status.SUSPENDED)
    project.organisation.refresh_from_db()
    assert "approved enterprise" in refusal(project, platform_admin)


@pytest.mark.parametrize("kpis, total", [(((ProjectKpi.Kind.REVENUE, 60), (ProjectKpi.Kind.RATING, 30)), 90), ((), 0)])
def test_kpi_weights_must_make_100(enterprise, mentor, kpis, total):
    """KPI weights adding up to anything but 100 (none at all included) are refused."""
    assert f"add up to {total} %" in refusal(build_project(enterprise, mentor, kpis=kpis), mentor)


def test_at_least_one_market_and_one_product(enterprise, mentor):
    """A project without a target market, or without a product, is refused."""
    assert "at least one target market" in refusal(build_project(enterprise, mentor, markets=(), listings=()), mentor)
    assert "at least one product" in refusal(build_project(enterprise, mentor, title="No products", products=(), listings=()), mentor)


def test_a_market_without_reference_data_is_refused(enterprise, mentor):
    """A market code with no row in force on the day is refused."""
    assert "no reference row in force" in refusal(build_project(enterprise, mentor, markets=("ZZ",), listings=()), mentor)


def test_competitor_listing_must_match_markets_skus_and_currency(enterprise, mentor):
    """A competitor listing in another market, of another SKU, or in another currency is refused."""
    assert "not one of the project's target markets" in refusal(build_project(enterprise, mentor, listings=(("DE", "MUG-01", "EUR"),)), mentor)
    assert "not one of the project's products" in refusal(
        build_project(enterprise, mentor, title="Other SKU", listings=(("PL", "TEA-01", "PLN"),)), mentor)
    assert "that market's currency is PLN" in refusal(
        build_project(enterprise, mentor, title="Wrong currency", listings=(("PL", "MUG-01", "EUR"),)), mentor)


def test_the_rubric_must_be_the_enterprises_own(enterprise, mentor, university_a, author_a):
    """Another organisation's rubric is refused; the enterprise's own is accepted."""
    foreign = rubric_with_criteria(organisation=university_a, by=author_a)
    assert "enterprise's own rubrics" in refusal(build_project(enterprise, mentor, rubric=foreign), mentor)
    own = rubric_with_criteria(organisation=enterprise, by=mentor)
    project_check(project=build_project(enterprise, mentor, title="Own rubric", rubric=own), by=mentor, day=DAY)


def test_the_dates_must_be_in_order(enterprise, mentor):
    """A project that ends before it starts is refused (the database refuses it too)."""
    project = build_project(enterprise, mentor)
    project.ends_on = project.starts_on
    assert "end after it starts" in refusal(project, mentor)


def test_the_course_run_must_be_of_a_course_the_enterprise_co_runs(enterprise, mentor, university_a, author_a, make_organisation):
    """A run of a course the enterprise does not co-run is refused; one it co-runs is accepted."""
    other = course_tree(organisation=university_a, modules=0, lessons=0, title="Other course")
    assert "course the enterprise co-runs" in refusal(
        build_project(enterprise, mentor, course_run=open_run(course=other, by=author_a)), mentor)
    course = course_tree(organisation=university_a, modules=0, lessons=0, partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)])
    run = open_run(course=course, by=author_a)
    project_check(project=build_project(enterprise, mentor, title="With a run", course_run=run), by=mentor, day=DAY)


def test_a_mentor_of_another_enterprise_is_refused(enterprise, mentor, make_organisation, make_member):
    """Another enterprise's mentor may not manage this enterprise's project."""
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Export", name_zh="德尔塔出口", slug="delta-export")
    outsider = make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com")
    with pytest.raises(PermissionDenied):
        project_check(project=build_project(enterprise, mentor), by=outsider, day=DAY)
