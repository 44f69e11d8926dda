"""Rubrics in the Wagtail admin, through the real views: an author of an organisation writes a
rubric with its criteria and levels in one form (nested inline panels), an invalid rubric comes
back with a message and what was typed, and everything of another organisation is invisible
(404 on its URLs, absent from the list and from the form's choices).

The organisations' editors groups get the rubric permissions the way new organisations will once
`GROUP_PERMISSIONS` of academy.organisations.services lists them (the fixture below extends it
before the organisations are approved)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from academy.organisations import services as organisation_services
from courses.models import Competency, Rubric, RubricCriterion, RubricLevel
from courses.rubric_services import RUBRIC_GROUP_PERMISSIONS, rubric_check, rubric_spec_of
from courses.rubrics import rubric_max_points

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rubric_group_permissions(monkeypatch):
    """Approval gives editors groups the rubric permissions (the GROUP_PERMISSIONS line)."""
    monkeypatch.setattr(
        organisation_services, "GROUP_PERMISSIONS", organisation_services.GROUP_PERMISSIONS + RUBRIC_GROUP_PERMISSIONS,
    )


@pytest.fixture
def competency():
    return Competency.objects.create(code="MKT.LIST", name_en="Writing product listings")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def levels_data(levels):
    return inline_formset([{"title": title, "points": points, "description": f"Work that is {title.lower()}."} for title, points in levels])


def rubric_form(organisation, *, title="Store launch review", criteria=None, competency=None):
    criteria = criteria if criteria is not None else [
        ("Listing quality", [("Excellent", "4"), ("Good", "2.5"), ("Poor", "0")]),
        ("Landed-cost pricing", [("Excellent", "3.25"), ("Good", "2"), ("Poor", "0.5")]),
    ]
    return nested_form_data({
        "organisation": str(organisation.pk),
        "title": title,
        "description": "Used by mentors to review a store before it opens.",
        "criteria": inline_formset([
            {
                "title": criterion_title, "description": "", "competency": str(competency.pk) if competency else "",
                "levels": levels_data(levels),
            }
            for criterion_title, levels in criteria
        ]),
    })


def rubric_create(organisation, *, title, by, criteria=2, levels=3):
    """A rubric saved directly, as the admin would, then checked by the service."""
    rubric = Rubric.objects.create(organisation=organisation, title=title, created_by=by)
    for c in range(criteria):
        criterion = RubricCriterion.objects.create(rubric=rubric, title=f"Criterion {c}", sort_order=c)
        for i in range(levels):
            RubricLevel.objects.create(criterion=criterion, title=f"Level {i}", points=Decimal(i), sort_order=i)
    rubric_check(rubric=rubric, by=by)
    return rubric


@pytest.fixture
def rubric_a(university_a, author_a):
    return rubric_create(university_a, title="Alpha secret rubric", by=author_a)


def test_author_creates_a_rubric_with_nested_criteria_and_levels(university_a, author_a, competency):
    """An author of A posts a rubric with two criteria of three levels each: everything is saved
    in order, linked to the competency, and the list shows the criteria count and 7.25 points."""
    client = client_for(author_a)
    assert client.get(reverse("rubrics:add")).status_code == 200
    response = client.post(reverse("rubrics:add"), rubric_form(university_a, competency=competency))
    assert response.status_code == 302, response.content.decode()[:3000]

    rubric = Rubric.objects.get(title="Store launch review")
    assert (rubric.organisation, rubric.created_by) == (university_a, author_a)
    assert [c.title for c in rubric.criteria.all()] == ["Listing quality", "Landed-cost pricing"]
    assert [level.title for level in rubric.criteria.first().levels.all()] == ["Excellent", "Good", "Poor"]
    spec = rubric_spec_of(rubric=rubric)
    assert {c.competency_code for c in spec.criteria} == {"MKT.LIST"}
    assert rubric_max_points(spec) == Decimal("7.25")

    listing = client.get(reverse("rubrics:index")).content.decode()
    assert "Store launch review" in listing and "7.25" in listing

    edit_url = reverse("rubrics:edit", args=[rubric.pk])
    assert client.get(edit_url).status_code == 200
    assert client.get(reverse("rubrics:inspect", args=[rubric.pk])).status_code == 200


def test_a_criterion_with_one_level_is_refused_and_what_was_typed_is_kept(university_a, author_a):
    """A criterion with a single level: the form comes back naming it, with the typed titles,
    and nothing of the rubric is saved."""
    criteria = [
        ("Listing quality", [("Excellent", "4"), ("Poor", "0")]),
        ("Customs paperwork typed with care", [("Done", "1")]),
    ]
    response = client_for(author_a).post(reverse("rubrics:add"), rubric_form(university_a, criteria=criteria))
    assert response.status_code == 200
    content = response.content.decode()
    assert "needs at least two levels, found 1" in content
    assert "Customs paperwork typed with care" in content
    assert not Rubric.objects.exists()
    assert not RubricCriterion.objects.exists() and not RubricLevel.objects.exists()


def test_an_edit_that_leaves_a_criterion_one_level_is_rolled_back(rubric_a, author_a):
    """Editing a valid rubric into an invalid one is refused and the saved rubric is unchanged."""
    client = client_for(author_a)
    existing = list(rubric_a.criteria.all())
    # The post deletes the saved criteria (as the editor's delete buttons do) and adds one
    # criterion with a single level after them.
    fresh = rubric_form(rubric_a.organisation, title="Renamed rubric", criteria=[("Only criterion", [("Lonely level", "1")])])
    data = {key: value for key, value in fresh.items() if not key.startswith("criteria-")}
    data.update({
        "criteria-TOTAL_FORMS": str(len(existing) + 1), "criteria-INITIAL_FORMS": str(len(existing)),
        "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000",
    })
    for i, criterion in enumerate(existing):
        data.update({
            f"criteria-{i}-id": str(criterion.pk), f"criteria-{i}-title": criterion.title, f"criteria-{i}-DELETE": "1",
            f"criteria-{i}-ORDER": str(i), f"criteria-{i}-description": "", f"criteria-{i}-competency": "",
            f"criteria-{i}-levels-TOTAL_FORMS": "0", f"criteria-{i}-levels-INITIAL_FORMS": "0",
            f"criteria-{i}-levels-MIN_NUM_FORMS": "0", f"criteria-{i}-levels-MAX_NUM_FORMS": "1000",
        })
    new = len(existing)
    for key, value in fresh.items():
        if key.startswith("criteria-0-"):
            data[f"criteria-{new}-" + key[len("criteria-0-"):]] = value
    data[f"criteria-{new}-ORDER"] = str(new)

    response = client.post(reverse("rubrics:edit", args=[rubric_a.pk]), data)
    assert response.status_code == 200, response.status_code
    assert "needs at least two levels, found 1" in response.content.decode()
    rubric_a.refresh_from_db()
    assert rubric_a.title == "Alpha secret rubric"
    assert [c.pk for c in rubric_a.criteria.all()] == [c.pk for c in existing]
    assert RubricLevel.objects.filter(criterion__rubric=rubric_a).count() == 6


def test_another_organisations_rubric_gives_404_and_is_not_listed(rubric_a, author_a, author_b):
    """An author of B gets 404 on A's rubric's edit, delete and inspect URLs (which A's author
    opens), cannot delete it by posting, and does not see it listed."""
    own = client_for(author_a)
    for name in ("edit", "delete", "inspect"):
        assert own.get(reverse(f"rubrics:{name}", args=[rubric_a.pk])).status_code == 200, name
    client = client_for(author_b)
    for name in ("edit", "delete", "inspect", "history", "usage"):
        assert client.get(reverse(f"rubrics:{name}", args=[rubric_a.pk])).status_code == 404, name
    assert client.post(reverse("rubrics:delete", args=[rubric_a.pk])).status_code == 404
    assert Rubric.objects.filter(pk=rubric_a.pk).exists()
    assert "Alpha secret rubric" not in client.get(reverse("rubrics:index")).content.decode()
    assert "Alpha secret rubric" not in client.get(reverse("rubrics:index_results")).content.decode()


def test_an_author_cannot_create_a_rubric_for_another_organisation(university_a, university_b, author_b):
    """Posting A's organisation from B's account is refused by the form's choices, which offer
    B only; nothing is created."""
    client = client_for(author_b)
    form = client.get(reverse("rubrics:add")).content.decode()
    assert "Beta University of Trade" in form and "Alpha University of Commerce" not in form
    response = client.post(reverse("rubrics:add"), rubric_form(university_a, title="Planted rubric"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Rubric.objects.filter(title="Planted rubric").exists()


def test_rubric_check_refuses_someone_outside_the_organisation(rubric_a, author_b):
    """The service itself refuses a check by someone who is not the organisation's staff."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rubric_check(rubric=rubric_a, by=author_b)


def test_an_author_deletes_an_own_rubric_with_its_criteria_and_levels(rubric_a, author_a):
    """Deleting one's own rubric removes its criteria and levels with it."""
    response = client_for(author_a).post(reverse("rubrics:delete", args=[rubric_a.pk]))
    assert response.status_code == 302
    assert not Rubric.objects.exists() and not RubricCriterion.objects.exists() and not RubricLevel.objects.exists()


def test_rubric_list_query_count_does_not_grow_with_rubrics(university_a, author_a, django_assert_max_num_queries):
    """The rubric listing's queries stay the same with one rubric or ten."""
    client = client_for(author_a)
    rubric_create(university_a, title="Rubric 0", by=author_a)
    client.get(reverse("rubrics:index"))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("rubrics:index")).status_code == 200
    for i in range(1, 10):
        rubric_create(university_a, title=f"Rubric {i}", by=author_a)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("rubrics:index"))
    assert response.status_code == 200
    assert response.content.decode().count("4.00") == 10
