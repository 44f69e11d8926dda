"""Admin guards around an organisation's own page."""

import pytest
from django.urls import reverse

from academy.home.models import StandardPage
from academy.organisations.models import OrganisationPage

pytestmark = pytest.mark.django_db


def _org_page(organisation):
    return OrganisationPage.objects.get(organisation=organisation, alias_of__isnull=True)


def test_editor_cannot_delete_own_organisation_page(client, author_a, university_a):
    """An author of A cannot delete A's organisation page, though Wagtail's rights would allow it."""
    page = _org_page(university_a)
    client.force_login(author_a)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert response.status_code == 302
    assert OrganisationPage.objects.filter(pk=page.pk).exists()


def test_editor_cannot_unpublish_own_organisation_page(client, author_a, university_a):
    """An author of A cannot unpublish A's organisation page."""
    page = _org_page(university_a)
    client.force_login(author_a)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    page.refresh_from_db()
    assert page.live


def test_editor_cannot_bulk_delete_own_organisation_page(client, author_a, university_a):
    """The explorer's bulk delete is guarded the same way."""
    page = _org_page(university_a)
    client.force_login(author_a)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) + f"?id={page.pk}"
    client.post(url)
    assert OrganisationPage.objects.filter(pk=page.pk).exists()


def test_editor_can_delete_a_page_below_their_organisation_page(client, author_a, university_a):
    """The guard is about the organisation page only: pages below it can be deleted."""
    parent = _org_page(university_a)
    child = StandardPage(title="Old news")
    parent.add_child(instance=child)
    client.force_login(author_a)
    client.post(reverse("wagtailadmin_pages:delete", args=[child.pk]))
    assert not StandardPage.objects.filter(pk=child.pk).exists()


def test_platform_admin_can_unpublish_an_organisation_page(client, platform_admin, university_a):
    """A platform administrator may take an organisation's page off the site."""
    page = _org_page(university_a)
    client.force_login(platform_admin)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    page.refresh_from_db()
    assert not page.live
