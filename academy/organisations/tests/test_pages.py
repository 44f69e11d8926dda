"""The partner index and organisation pages: where they sit in the tree and what they show the
public (names, kind, staff names, never staff e-mail addresses)."""

import pytest
from wagtail.models import Page

from academy.home.models import HomePage, StandardPage
from academy.organisations import services
from academy.organisations.factories import MembershipFactory, OrganisationFactory
from academy.organisations.models import Membership, Organisation, OrganisationPage, PartnerIndexPage
from courses.models import CoursePage, ProgramPage

pytestmark = pytest.mark.django_db




# --- Where pages may be created --------------------------------------------------------------


def test_partner_index_goes_only_under_the_home_page(pages):
    """The partner index sits under the home page and nowhere else, and holds only organisation pages."""
    pages.assertAllowedParentPageTypes(PartnerIndexPage, {HomePage})
    pages.assertAllowedSubpageTypes(PartnerIndexPage, {OrganisationPage})
    pages.assertCanCreateAt(HomePage, PartnerIndexPage)
    for parent in (Page, StandardPage, PartnerIndexPage, OrganisationPage):
        pages.assertCanNotCreateAt(parent, PartnerIndexPage)


def test_the_home_page_takes_one_partner_index(home_page, partner_index):
    """With the partner index in place, the home page takes no second one."""
    assert not PartnerIndexPage.can_create_at(home_page)


def test_organisation_page_goes_only_under_the_partner_index(pages):
    """Organisation pages sit under the partner index only, and hold standard pages."""
    pages.assertAllowedParentPageTypes(OrganisationPage, {PartnerIndexPage})
    pages.assertAllowedSubpageTypes(OrganisationPage, {StandardPage, CoursePage, ProgramPage})
    pages.assertCanCreateAt(PartnerIndexPage, OrganisationPage)
    for parent in (Page, HomePage, StandardPage, OrganisationPage):
        pages.assertCanNotCreateAt(parent, OrganisationPage)


# --- The partner index -----------------------------------------------------------------------


def test_partner_index_lists_approved_universities_and_enterprises_apart(pages, client, partner_index, university_a, enterprise, platform_admin):
    """The partner index shows approved universities and enterprises in their own sections and
    leaves out pending, rejected and suspended organisations."""
    OrganisationFactory(name_en="Pending Polytechnic")
    suspended = OrganisationFactory(name_en="Suspended Shipping", kind=Organisation.Kind.ENTERPRISE)
    suspended = services.organisation_approve(organisation=suspended, by=platform_admin)
    services.organisation_suspend(organisation=suspended, by=platform_admin)

    pages.assertPageIsRenderable(partner_index)
    response = client.get("/partners/")

    assert [o.name_en for o in response.context["universities"]] == ["Alpha University of Commerce"]
    assert [o.name_en for o in response.context["enterprises"]] == ["Gamma Trading"]
    html = response.content.decode()
    assert "Alpha University of Commerce" in html and "Gamma Trading" in html
    assert university_a.pages.get().url in html
    assert "Pending Polytechnic" not in html and "Suspended Shipping" not in html


def test_partner_index_without_partners_says_so(client, partner_index):
    """An empty partner index explains that there are no universities or enterprises yet."""
    html = client.get("/partners/").content.decode()

    assert "No universities yet." in html and "No enterprises yet." in html


# --- An organisation's page ------------------------------------------------------------------


def test_organisation_page_shows_names_kind_and_staff_but_never_their_e_mail(pages, client, university_a, author_a, org_admin_a, student):
    """The public page shows the organisation's names and kind and its active staff by name and
    role; it never shows an e-mail address, nor people whose request is pending."""
    MembershipFactory(organisation=university_a, user=student, role=Membership.Role.AUTHOR)
    page = university_a.pages.get()

    pages.assertPageIsRenderable(page)
    response = client.get(page.url)
    html = response.content.decode()

    for text in ("Alpha University of Commerce", "阿尔法商贸大学", "University", "Author Alpha", "Admin Alpha",
                 "Author / instructor", "Organisation admin"):
        assert text in html, text
    assert "@" not in html.replace("@context", ""), "an e-mail address leaks onto the public page"
    for email in ("author-a@example.com", "admin-a@example.com", "a-student@example.com", university_a.applied_by.email):
        assert email not in html
    assert "Aru Student" not in html
    assert {m.user for m in response.context["members"]} == {org_admin_a, author_a}


def test_organisation_page_hides_removed_staff(client, university_a, author_a, org_admin_a):
    """Someone removed from the organisation disappears from its public page."""
    services.membership_remove(membership=Membership.objects.get(user=author_a), by=org_admin_a)

    html = client.get(university_a.pages.get().url).content.decode()

    assert "Author Alpha" not in html and "Admin Alpha" in html


def test_organisation_page_without_staff_says_so(client, university_b):
    """An organisation with no active staff shows the empty message."""
    assert "No staff listed yet." in client.get(university_b.pages.get().url).content.decode()
