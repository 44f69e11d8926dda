"""Fixtures shared by every test: the site, its home and partner pages, and people in each role.
Built with the same factories and services as the demo data."""

import os

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# CI runs Hypothesis derandomised (HYPOTHESIS_PROFILE=ci): the same examples every run.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache
    from django.utils import translation

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()
    # A request to a Chinese URL leaves Chinese active in the thread (LocaleMiddleware activates
    # it and nothing deactivates it), which would prefix the next test's reverse() with /zh-hans/.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def site(db):
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home_page(site):
    return site.root_page.specific


@pytest.fixture
def partner_index(home_page):
    from academy.organisations.models import PartnerIndexPage

    return PartnerIndexPage.objects.child_of(home_page).get()


@pytest.fixture
def password():
    return settings.DEMO_PASSWORD


@pytest.fixture
def platform_admin(db):
    from academy.people.factories import UserFactory

    return UserFactory(email="platform-admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def student(db):
    from academy.people.factories import UserFactory

    return UserFactory(email="a-student@example.com", display_name="Aru Student")


@pytest.fixture
def make_organisation(partner_index, platform_admin):
    """An approved organisation with its page, group and collection."""
    from academy.organisations.factories import approved_organisation

    def make(**kwargs):
        return approved_organisation(approver=platform_admin, **kwargs)

    return make


@pytest.fixture
def make_member(platform_admin):
    """A person made an active member of an organisation with a role, through the services."""
    from academy.organisations.factories import active_member
    from academy.people.factories import UserFactory

    def make(organisation, role, user=None, **user_kwargs):
        user = user or UserFactory(**user_kwargs)
        active_member(organisation=organisation, user=user, role=role, approver=platform_admin)
        return user

    return make


@pytest.fixture
def university_a(make_organisation):
    return make_organisation(name_en="Alpha University of Commerce", name_zh="阿尔法商贸大学", slug="alpha-university")


@pytest.fixture
def university_b(make_organisation):
    return make_organisation(name_en="Beta University of Trade", name_zh="贝塔贸易大学", slug="beta-university")


@pytest.fixture
def enterprise(make_organisation):
    from academy.organisations.models import Organisation

    return make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Gamma Trading", name_zh="伽马贸易", slug="gamma-trading")


@pytest.fixture
def author_a(university_a, make_member):
    from academy.organisations.models import Membership

    return make_member(university_a, Membership.Role.AUTHOR, email="author-a@example.com", display_name="Author Alpha")


@pytest.fixture
def author_b(university_b, make_member):
    from academy.organisations.models import Membership

    return make_member(university_b, Membership.Role.AUTHOR, email="author-b@example.com", display_name="Author Beta")


@pytest.fixture
def org_admin_a(university_a, make_member):
    from academy.organisations.models import Membership

    return make_member(university_a, Membership.Role.ORG_ADMIN, email="admin-a@example.com", display_name="Admin Alpha")


@pytest.fixture
def mentor(enterprise, make_member):
    from academy.organisations.models import Membership

    return make_member(enterprise, Membership.Role.MENTOR, email="mentor-g@example.com", display_name="Mentor Gamma")


@pytest.fixture
def pages(client):
    from wagtail.test.utils import WagtailPageTestCase
    from wagtail.coreutils import get_dummy_request

    class PageAssertions(WagtailPageTestCase):
        def runTest(self):  # unittest needs a test method to build an instance
            pass

    helper = PageAssertions()
    helper.client = client
    helper.dummy_request = get_dummy_request()
    return helper
