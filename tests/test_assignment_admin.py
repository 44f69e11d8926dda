"""Assignments in the Wagtail admin, through the real views: an author builds an assignment with
one of the organisation's rubrics, the rubric choices and the listing show nothing of another
organisation, an assignment that asks for nothing or for files of no type is refused with
everything typed kept, and the lesson editor's assignment chooser lists own assignments only."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.factories import assignment_lesson, assignment_with_rubric, course_tree, rubric_with_criteria
from courses.models import Assignment

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rubric_a(university_a, author_a):
    return rubric_with_criteria(organisation=university_a, by=author_a, title="Alpha rubric")


@pytest.fixture
def rubric_b(university_b, author_b):
    return rubric_with_criteria(organisation=university_b, by=author_b, title="Beta secret rubric")


def assignment_form(organisation, rubric, **overrides):
    data = {
        "organisation": str(organisation.pk), "title": "Alpha landed-cost sheet", "instructions": "Hand in the sheet.",
        "rubric": str(rubric.pk), "text_answer": "optional", "files": "optional", "file_types": ["pdf", "xlsx"],
        "max_files": "3", "max_file_mb": "10", "max_submissions": "2", "accept_late": "on",
    }
    data.update(overrides)
    return data


def test_author_builds_an_assignment_with_an_own_rubric(university_a, author_a, rubric_a, rubric_b):
    """The add form offers the organisation's rubrics only and the file types as checkboxes; the
    assignment is saved with them."""
    client = client_for(author_a)
    form = client.get(reverse("assignments:add")).content.decode()
    assert "Alpha rubric" in form and "Beta secret rubric" not in form
    assert 'type="checkbox"' in form and 'value="xlsx"' in form

    response = client.post(reverse("assignments:add"), assignment_form(university_a, rubric_a))

    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = Assignment.objects.get(title="Alpha landed-cost sheet")
    assert assignment.rubric == rubric_a and assignment.file_types == ["pdf", "xlsx"] and assignment.created_by == author_a
    assert client.get(reverse("assignments:edit", args=[assignment.pk])).status_code == 200


@pytest.mark.parametrize("overrides, message", [
    ({"text_answer": "none", "files": "none"}, "Ask for a text answer, files, or both"),
    ({"files": "required", "file_types": []}, "Choose the kinds of file"),
])
def test_an_assignment_asking_for_nothing_is_refused_and_the_form_kept(university_a, author_a, rubric_a, overrides, message):
    """Nothing is saved; the form comes back with the reason and the title typed."""
    response = client_for(author_a).post(reverse("assignments:add"), assignment_form(university_a, rubric_a, **overrides))

    html = response.content.decode()
    assert response.status_code == 200 and message in html and "Alpha landed-cost sheet" in html
    assert not Assignment.objects.exists()


def test_another_organisations_rubric_posted_anyway_is_refused(university_a, author_a, rubric_b):
    """A rubric id of another organisation is not a valid choice."""
    response = client_for(author_a).post(reverse("assignments:add"), assignment_form(university_a, rubric_b))

    assert response.status_code == 200 and not Assignment.objects.exists()


def test_another_organisations_assignment_is_invisible(university_b, author_a, author_b, rubric_b):
    """Listing, edit, inspect and the chooser: B's assignment is absent or 404 for A's author."""
    secret = assignment_with_rubric(organisation=university_b, by=author_b, rubric=rubric_b, title="Beta secret assignment")
    client = client_for(author_a)

    assert "Beta secret assignment" not in client.get(reverse("assignments:index")).content.decode()
    assert client.get(reverse("assignments:edit", args=[secret.pk])).status_code == 404
    assert client.get(reverse("assignments:inspect", args=[secret.pk])).status_code == 404
    assert "Beta secret assignment" not in client.get(reverse("assignment_chooser:choose")).content.decode()
    assert client.get(reverse("assignment_chooser:chosen", args=[secret.pk])).status_code == 404


def test_the_lesson_editor_shows_the_chosen_assignment(university_a, author_a, rubric_a):
    """A lesson with an assignment block opens in the page editor with the assignment chosen, and
    the chooser lists it."""
    assignment = assignment_with_rubric(organisation=university_a, by=author_a, rubric=rubric_a, title="Alpha chosen assignment")
    lesson = assignment_lesson(course=course_tree(organisation=university_a, modules=1, lessons=0), assignment=assignment)
    client = client_for(author_a)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))

    assert response.status_code == 200 and "Alpha chosen assignment" in response.content.decode()
    assert "Alpha chosen assignment" in client.get(reverse("assignment_chooser:choose")).content.decode()


def test_the_assignment_listing_costs_the_same_queries_for_one_or_ten(university_a, author_a, rubric_a, django_assert_max_num_queries):
    """The listing's query count does not grow with the number of assignments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(author_a)
    assignment_with_rubric(organisation=university_a, by=author_a, rubric=rubric_a, title="Sheet 0")
    client.get(reverse("assignments:index"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("assignments:index")).status_code == 200
    for i in range(1, 10):
        assignment_with_rubric(organisation=university_a, by=author_a, rubric=rubric_a, title=f"Sheet {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("assignments:index"))
    assert response.content.decode().count("Sheet ") >= 10


def test_copying_a_lesson_gives_its_assessed_blocks_ids_of_their_own(platform_admin, university_a, author_a, rubric_a):
    """Wagtail keeps block ids on copy; attempts, submissions and grades are keyed by them, so the
    admin's copy renews the ids of quiz and assignment blocks (the copy stays live), and a run
    teaching both lessons grades them as two items."""
    from courses.factories import open_run
    from courses.grade_services import run_graded_items
    from courses.models import LessonPage

    assignment = assignment_with_rubric(organisation=university_a, by=author_a, rubric=rubric_a)
    course = course_tree(organisation=university_a, modules=1, lessons=0)
    lesson = assignment_lesson(course=course, assignment=assignment, block_id="asg-original")
    client = client_for(platform_admin)

    response = client.post(reverse("wagtailadmin_pages:copy", args=[lesson.pk]), {
        "new_title": "Hand in your work again", "new_slug": "hand-in-again", "new_parent_page": str(lesson.get_parent().pk),
        "publish_copies": "on",
    })

    assert response.status_code == 302
    copy = LessonPage.objects.get(slug="hand-in-again")
    assert copy.live and copy.live_revision_id == copy.latest_revision_id
    copied_ids = [child.id for child in copy.body if child.block_type == "assignment"]
    assert len(copied_ids) == 1 and copied_ids[0] != "asg-original"
    assert [child.id for child in LessonPage.objects.get(pk=lesson.pk).body] == ["asg-original"]
    run = open_run(course=course, by=author_a)
    assert sorted(item["key"] for item in run_graded_items(run=run)) == sorted(["assignment:asg-original", f"assignment:{copied_ids[0]}"])
