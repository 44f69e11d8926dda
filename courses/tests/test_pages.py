"""Where the learning pages sit in the tree: the catalog and program index under the home page,
programs and courses under a university's organisation page, modules under a course, lessons
under a module."""

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from academy.home.models import HomePage, StandardPage
from academy.organisations.models import OrganisationPage, PartnerIndexPage
from courses.factories import course_tree
from courses.models import CatalogPage, CourseOrganisation, CoursePage, LessonPage, ModulePage, ProgramIndexPage, ProgramPage

pytestmark = pytest.mark.django_db

EVERY_PAGE_TYPE = (
    Page, HomePage, StandardPage, PartnerIndexPage, OrganisationPage,
    CatalogPage, ProgramIndexPage, ProgramPage, CoursePage, ModulePage, LessonPage,
)


def _only_under(pages, child, parent):
    pages.assertCanCreateAt(parent, child)
    for other in EVERY_PAGE_TYPE:
        if other is not parent:
            pages.assertCanNotCreateAt(other, child)


def test_catalog_and_program_index_go_only_under_the_home_page(pages):
    """The catalog and the program index sit under the home page and hold no pages."""
    for model in (CatalogPage, ProgramIndexPage):
        pages.assertAllowedParentPageTypes(model, {HomePage})
        pages.assertAllowedSubpageTypes(model, set())
        _only_under(pages, model, HomePage)


def test_home_page_takes_one_catalog_and_one_program_index(home_page):
    """With a catalog and a program index in place, the home page takes no second one of either."""
    for model, title in ((CatalogPage, "Courses"), (ProgramIndexPage, "Programs")):
        assert model.can_create_at(home_page)
        home_page.add_child(instance=model(title=title))
        assert not model.can_create_at(home_page)


def test_course_and_program_go_only_under_an_organisation_page(pages):
    """Courses and programs sit under organisation pages only; a course holds modules only and
    a program holds nothing."""
    pages.assertAllowedParentPageTypes(CoursePage, {OrganisationPage})
    pages.assertAllowedParentPageTypes(ProgramPage, {OrganisationPage})
    pages.assertAllowedSubpageTypes(CoursePage, {ModulePage})
    pages.assertAllowedSubpageTypes(ProgramPage, set())
    _only_under(pages, CoursePage, OrganisationPage)
    _only_under(pages, ProgramPage, OrganisationPage)


def test_module_only_under_a_course_and_lesson_only_under_a_module(pages):
    """A module sits under a course and holds lessons; a lesson sits under a module and holds
    nothing."""
    pages.assertAllowedParentPageTypes(ModulePage, {CoursePage})
    pages.assertAllowedSubpageTypes(ModulePage, {LessonPage})
    pages.assertAllowedParentPageTypes(LessonPage, {ModulePage})
    pages.assertAllowedSubpageTypes(LessonPage, set())
    _only_under(pages, ModulePage, CoursePage)
    _only_under(pages, LessonPage, ModulePage)


def test_course_and_program_only_under_a_university_not_an_enterprise(university_a, enterprise, home_page, partner_index):
    """A university's page takes courses and programs; an enterprise's page, the home page and
    the partner index take neither."""
    university_page = OrganisationPage.objects.get(organisation=university_a, alias_of__isnull=True)
    enterprise_page = OrganisationPage.objects.get(organisation=enterprise, alias_of__isnull=True)

    for model in (CoursePage, ProgramPage):
        assert model.can_create_at(university_page)
        assert not model.can_create_at(enterprise_page)
        assert not model.can_create_at(home_page)
        assert not model.can_create_at(partner_index)


def test_author_creates_a_course_under_their_university_in_the_admin(pages, client, university_a, author_a):
    """An author of a university creates and publishes a course under its page through the
    admin, and the university becomes the course's lead."""
    client.force_login(author_a)
    parent = OrganisationPage.objects.get(organisation=university_a, alias_of__isnull=True)
    data = nested_form_data({
        "title": "Cross-border logistics", "slug": "cross-border-logistics", "summary": "Moving parcels across borders.",
        "about": rich_text("<p>For sellers.</p>"), "level": "introductory", "effort_hours": "12",
        "partners": inline_formset([]),
    })

    pages.assertCanCreate(parent, CoursePage, data)

    course = CoursePage.objects.get(slug="cross-border-logistics")
    assert course.get_parent().pk == parent.pk and course.live
    assert list(course.partners.values_list("organisation_id", "role")) == [(university_a.pk, CourseOrganisation.Role.LEAD_UNIVERSITY)]


def test_enterprise_page_offers_no_course_in_the_admin(client, platform_admin, enterprise):
    """Even a platform administrator cannot add a course under an enterprise's page."""
    client.force_login(platform_admin)
    parent = OrganisationPage.objects.get(organisation=enterprise, alias_of__isnull=True)

    response = client.get(f"/admin/pages/add/courses/coursepage/{parent.pk}/")

    assert response.status_code in (302, 403)
    assert not CoursePage.objects.exists()


def test_course_page_is_renderable(pages, university_a):
    """A published course's public page renders."""
    course = course_tree(organisation=university_a, modules=1, lessons=1)

    pages.assertPageIsRenderable(course)
