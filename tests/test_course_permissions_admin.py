"""Who may edit a course's pages in the Wagtail admin follows the course's partner list.

A course sits under its lead university's page, so the lead university's staff edit it through
their organisation's page permissions. A co-author organisation's staff get page permissions on
the course's subtree when the course is published with them listed
(courses.services.course_permissions_sync) and lose them when it is published without them or
with another role for them. Practicum partners and unrelated organisations get nothing. Only the
lead university's staff change the partner list, and only the owning university can be lead
(courses.forms_admin.CoursePageForm).

Every test drives the real admin views with the test client and checks the database too."""

import pytest
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html, rich_text, streamfield

from academy.organisations.models import Membership
from courses.factories import course_tree
from courses.models import CourseOrganisation, CoursePage, LessonPage

pytestmark = pytest.mark.django_db

Role = CourseOrganisation.Role
PUBLISH = {"action-publish": "action-publish"}


@pytest.fixture
def university_c(make_organisation):
    return make_organisation(name_en="Delta Institute of Trade", name_zh="德尔塔贸易学院", slug="delta-institute")


@pytest.fixture
def author_c(university_c, make_member):
    return make_member(university_c, Membership.Role.AUTHOR, email="author-c@example.com", display_name="Author Delta")


@pytest.fixture
def course(university_a, university_b, enterprise):
    """A course led by A, co-authored by B, with Gamma as practicum partner."""
    return course_tree(
        organisation=university_a, modules=1, lessons=1, title="Cross-border logistics",
        partners=[(university_b, Role.CO_AUTHOR), (enterprise, Role.PRACTICUM_PARTNER)],
    )


@pytest.fixture
def lesson(course):
    return LessonPage.objects.descendant_of(course).get()


def assert_denied(response):
    """Wagtail refuses an admin page view with a redirect to the dashboard, or 403/404."""
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home"), response["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def lesson_data(lesson, title, **extra):
    data = nested_form_data({
        "title": title, "slug": lesson.slug, "summary": lesson.summary, "duration_minutes": "20", "required": "on",
        "body": streamfield([("rich_text", rich_text("<p>Rewritten text.</p>"))]), "comments": inline_formset([]),
    })
    data.update(extra)
    return data


def partner_rows(course, **changes):
    """The course's partner formset rows as stored, with `changes` applied: organisation pk →
    a new role, or None to delete the row."""
    rows = []
    for link in course.partners.order_by("sort_order"):
        row = {"id": str(link.pk), "organisation": str(link.organisation_id), "role": link.role}
        change = changes.get(str(link.organisation_id), link.role)
        if change is None:
            row["DELETE"] = "1"
        else:
            row["role"] = change
        rows.append(row)
    return rows


def course_data(course, rows, *, initial=None, **extra):
    data = nested_form_data({
        "title": course.title, "slug": course.slug, "summary": course.summary, "about": rich_text(course.about),
        "level": course.level, "effort_hours": str(course.effort_hours),
        "partners": inline_formset(rows, initial=course.partners.count() if initial is None else initial),
    })
    data["markets"] = list(course.markets)
    data.update(extra)
    return data


def partners_of(course):
    return set(CourseOrganisation.objects.filter(course=course).values_list("organisation__slug", "role"))


def can_edit_lesson(client, user, lesson, title):
    """Open the lesson's editor and save a draft; True when both worked and the draft is stored."""
    client.force_login(user)
    response = client.get(edit_url(lesson))
    if response.status_code != 200:
        assert_denied(response)
        assert_denied(client.post(edit_url(lesson), lesson_data(lesson, title)))
        assert LessonPage.objects.get(pk=lesson.pk).draft_title != title
        return False
    response = client.post(edit_url(lesson), lesson_data(lesson, title))
    assert response.status_code == 302 and response["Location"] == edit_url(lesson), response.status_code
    assert LessonPage.objects.get(pk=lesson.pk).draft_title == title
    return True


# --- Who edits the lessons -------------------------------------------------------------------


def test_lead_and_co_author_authors_edit_the_lessons(client, lesson, author_a, author_b):
    """An author of the lead university and an author of the co-author organisation both open
    the lesson editor and save a draft."""
    assert can_edit_lesson(client, author_a, lesson, "Edited by Alpha")
    assert can_edit_lesson(client, author_b, lesson, "Edited by Beta")


def test_co_author_publishes_a_lesson(client, lesson, author_b):
    """A co-author's editors may publish the course's lessons, as in their own subtree."""
    client.force_login(author_b)

    response = client.post(edit_url(lesson), lesson_data(lesson, "Published by Beta", **PUBLISH))

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.title == "Published by Beta" and lesson.live


def test_practicum_partner_mentor_and_unrelated_author_cannot_edit(client, lesson, course, mentor, author_c):
    """A mentor of the practicum-partner enterprise and an author of an unrelated university can
    neither open nor save the course's lessons or the course itself."""
    for user in (mentor, author_c):
        assert not can_edit_lesson(client, user, lesson, f"Defaced by {user.display_name}")
        client.force_login(user)
        assert_denied(client.get(edit_url(course)))
        assert_denied(client.post(edit_url(course), course_data(course, partner_rows(course), **PUBLISH)))
    assert CoursePage.objects.get(pk=course.pk).live_revision_id == course.live_revision_id


def test_co_author_permission_is_withdrawn_when_the_course_is_published_without_them(client, course, lesson, author_a, author_b, university_b):
    """When the lead publishes the course with the co-author's row deleted, the co-author's
    authors can no longer edit its lessons, and their group holds no permission on it."""
    assert can_edit_lesson(client, author_b, lesson, "Before removal")

    client.force_login(author_a)
    response = client.post(edit_url(course), course_data(course, partner_rows(course, **{str(university_b.pk): None}), **PUBLISH))

    assert response.status_code == 302
    assert ("beta-university", Role.CO_AUTHOR) not in partners_of(course)
    assert not GroupPagePermission.objects.filter(group=university_b.group, page=course).exists()
    assert not can_edit_lesson(client, author_b, lesson, "After removal")
    assert can_edit_lesson(client, author_a, lesson, "Lead still edits")


def test_co_author_permission_is_withdrawn_when_made_a_practicum_partner(client, course, lesson, author_a, author_b, university_b):
    """When the lead publishes the course with the co-author changed to practicum partner, its
    authors can no longer edit the lessons."""
    client.force_login(author_a)
    rows = partner_rows(course, **{str(university_b.pk): Role.PRACTICUM_PARTNER})

    response = client.post(edit_url(course), course_data(course, rows, **PUBLISH))

    assert response.status_code == 302
    assert ("beta-university", Role.PRACTICUM_PARTNER) in partners_of(course)
    assert not can_edit_lesson(client, author_b, lesson, "After demotion")


def test_permission_is_granted_when_the_lead_adds_a_co_author(client, course, lesson, author_a, author_c, university_c):
    """An organisation the lead adds as co-author and publishes gets to edit the lessons."""
    assert not can_edit_lesson(client, author_c, lesson, "Before")
    client.force_login(author_a)
    rows = partner_rows(course) + [{"organisation": str(university_c.pk), "role": Role.CO_AUTHOR}]

    response = client.post(edit_url(course), course_data(course, rows, **PUBLISH))

    assert response.status_code == 302
    assert can_edit_lesson(client, author_c, lesson, "After")


def test_a_saved_draft_does_not_change_permissions(client, course, lesson, author_a, author_b, university_b):
    """Removing the co-author in a draft that is not published leaves their permission alone:
    permissions follow the published partner list."""
    client.force_login(author_a)

    response = client.post(edit_url(course), course_data(course, partner_rows(course, **{str(university_b.pk): None})))

    assert response.status_code == 302
    assert can_edit_lesson(client, author_b, lesson, "Still co-author")


# --- Who changes the partner list ------------------------------------------------------------


def test_co_author_cannot_change_the_partner_list(client, course, author_b, enterprise, university_b):
    """A co-author may save the course with the partner list unchanged, but changing a role or
    removing a row is refused with a form error and nothing is stored."""
    client.force_login(author_b)
    before = partners_of(course)

    unchanged = client.post(edit_url(course), course_data(course, partner_rows(course)))
    assert unchanged.status_code == 302

    for rows in (
        partner_rows(course, **{str(enterprise.pk): Role.CO_AUTHOR}),
        partner_rows(course, **{str(enterprise.pk): None}),
        partner_rows(course, **{str(university_b.pk): None}),
    ):
        response = client.post(edit_url(course), course_data(course, rows, **PUBLISH))
        assert response.status_code == 200
        assert "Only the lead university" in str(response.context["form"].non_field_errors())
        assert partners_of(course) == before


def test_lead_role_belongs_to_the_owning_university_only(client, course, author_a, university_b):
    """The lead may not make another organisation lead university: the form refuses it."""
    client.force_login(author_a)
    before = partners_of(course)
    rows = partner_rows(course, **{str(university_b.pk): Role.LEAD_UNIVERSITY})

    response = client.post(edit_url(course), course_data(course, rows, **PUBLISH))

    assert response.status_code == 200
    assert "can be the lead university" in str(response.context["form"].non_field_errors())
    assert partners_of(course) == before


def test_an_organisation_is_listed_once(client, course, author_a, university_b):
    """The same organisation twice in the partner list is refused."""
    client.force_login(author_a)
    before = partners_of(course)
    rows = partner_rows(course) + [{"organisation": str(university_b.pk), "role": Role.CERTIFIER}]

    response = client.post(edit_url(course), course_data(course, rows, **PUBLISH))

    assert response.status_code == 200
    assert "duplicate" in str(response.context["form"].formsets["partners"].non_form_errors())
    assert partners_of(course) == before


def test_publishing_puts_the_owning_university_back_as_lead(client, course, author_a, university_a):
    """A lead who deletes their own row still leads the course once it is published."""
    client.force_login(author_a)

    response = client.post(edit_url(course), course_data(course, partner_rows(course, **{str(university_a.pk): None}), **PUBLISH))

    assert response.status_code == 302
    assert ("alpha-university", Role.LEAD_UNIVERSITY) in partners_of(course)


def test_co_author_saves_a_course_whose_lead_was_filled_in_on_publish(client, pages, university_a, university_b, author_a, author_b):
    """A lead who creates a course in the admin listing only the co-author (the lead row is
    added when it is published) does not lock the co-author out of saving the course: the
    co-author's editor posts the form exactly as it shows it, and it saves."""
    from academy.organisations.models import OrganisationPage

    client.force_login(author_a)
    parent = OrganisationPage.objects.get(organisation=university_a, alias_of__isnull=True)
    data = nested_form_data({
        "title": "Customs for sellers", "slug": "customs-for-sellers", "summary": "Declaring goods.",
        "about": rich_text("<p>For sellers.</p>"), "level": "introductory", "effort_hours": "8",
        "partners": inline_formset([{"organisation": str(university_b.pk), "role": Role.CO_AUTHOR}]),
    })
    pages.assertCanCreate(parent, CoursePage, data)
    course = CoursePage.objects.get(slug="customs-for-sellers")
    assert partners_of(course) == {("alpha-university", Role.LEAD_UNIVERSITY), ("beta-university", Role.CO_AUTHOR)}

    client.force_login(author_b)
    form = querydict_from_html(client.get(edit_url(course)).content.decode(), form_id="page-edit-form")
    form["summary"] = "Declaring goods, with the HS code."

    response = client.post(edit_url(course), form)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert CoursePage.objects.get(pk=course.pk).get_latest_revision_as_object().summary == "Declaring goods, with the HS code."
