"""The grading policy editor (courses.grade_views.grading_policy): instructors see the run's
graded items and its policy (the default one said so), edit types and cutoffs as two formsets,
and a policy that cannot grade comes back with every problem listed and everything typed kept.
Saving recomputes every learner's grade."""

from decimal import Decimal

import pytest
from django.urls import reverse

from courses.grade_services import grading_policy_save
from courses.models import CourseGradeRecord, GradeCutoff, GradingType
from courses.tests.test_gradebook import enrol, graded_run, learner, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(university_a, author_a):
    return graded_run(organisation=university_a, author=author_a)


def policy_data(types, cutoffs, *, initial_types=0, initial_cutoffs=0, delete=()):
    """POST data of the two formsets: `types` as (type, short label, weight, expected, dropped),
    `cutoffs` as (letter, from); `delete` lists type row numbers ticked for removal."""
    data = {
        "types-TOTAL_FORMS": str(len(types)), "types-INITIAL_FORMS": str(initial_types),
        "types-MIN_NUM_FORMS": "0", "types-MAX_NUM_FORMS": "1000",
        "cutoffs-TOTAL_FORMS": str(len(cutoffs)), "cutoffs-INITIAL_FORMS": str(initial_cutoffs),
        "cutoffs-MIN_NUM_FORMS": "0", "cutoffs-MAX_NUM_FORMS": "1000",
    }
    for number, (name, short, weight, expected, dropped) in enumerate(types):
        data.update({
            f"types-{number}-type": name, f"types-{number}-short_label": short, f"types-{number}-weight": weight,
            f"types-{number}-min_count": expected, f"types-{number}-drop_count": dropped,
        })
        if number in delete:
            data[f"types-{number}-DELETE"] = "on"
    for number, (letter, minimum) in enumerate(cutoffs):
        data.update({f"cutoffs-{number}-letter": letter, f"cutoffs-{number}-minimum": minimum})
    return data


def test_the_page_lists_the_graded_items_and_says_the_policy_is_the_default(client, graded, author_a):
    """Each graded item with its lesson and type; the default policy filled in the forms, said so,
    with two empty rows to add a type or a letter."""
    client.force_login(author_a)

    response = client.get(reverse("courses:grading_policy", args=[graded.run.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Customs check" in html and "Landed-cost sheet" in html and "Check and hand in" in html
    assert "This run uses the default policy" in html
    types = response.context["types_formset"]
    assert [form.initial.get("type") for form in types.forms] == ["Quiz", "Assignment", None, None]
    assert [form.initial.get("weight") for form in types.forms[:2]] == [Decimal("50.00"), Decimal("50.00")]
    assert [form.initial.get("letter") for form in response.context["cutoffs_formset"].forms] == ["Pass", None, None]
    assert not response.context["warnings"]


def test_saving_a_policy_stores_it_and_recomputes_the_grades(client, graded, author_a):
    """Quiz 80 % and Assignment 20 % with letters A (90) and Pass (40): a learner with the quiz
    right scores 80 % (an A would need 90) and the default-policy note goes."""
    enrolment = enrol(learner("ana@example.com", "Ana"), graded.run)
    take_quiz(graded, enrolment, right=2)
    assert CourseGradeRecord.objects.get(enrolment=enrolment).percent == Decimal("0.5000")
    client.force_login(author_a)
    url = reverse("courses:grading_policy", args=[graded.run.pk])

    response = client.post(url, policy_data(
        [("Quiz", "Q", "80", "1", "0"), ("Assignment", "A", "20", "1", "0"), ("", "", "", "0", "0")],
        [("A", "90"), ("Pass", "40"), ("", "")],
    ))

    assert response.status_code == 302 and response["Location"] == url
    assert list(GradingType.objects.filter(run=graded.run).values_list("type", "short_label", "weight", "min_count", "drop_count")) == [
        ("Quiz", "Q", Decimal("80.00"), 1, 0), ("Assignment", "A", Decimal("20.00"), 1, 0),
    ]
    assert sorted(GradeCutoff.objects.filter(run=graded.run).values_list("letter", "minimum")) == [("A", Decimal("90.00")), ("Pass", Decimal("40.00"))]
    record = CourseGradeRecord.objects.get(enrolment=enrolment)
    assert record.percent == Decimal("0.8000") and record.letter == "Pass"
    page = client.get(url).content.decode()
    assert "This run uses the default policy" not in page and "The grading policy is saved" in page


def test_weights_not_adding_up_to_100_are_refused_with_the_typed_values_kept(client, graded, author_a):
    """60 + 30: 400, the problem named, nothing stored, the typed rows still in the form."""
    client.force_login(author_a)

    response = client.post(reverse("courses:grading_policy", args=[graded.run.pk]), policy_data(
        [("Quiz", "Q", "60", "1", "0"), ("Assignment", "", "30", "1", "0")], [("Pass", "55")],
    ))

    assert response.status_code == 400
    assert not GradingType.objects.exists() and not GradeCutoff.objects.exists()
    html = response.content.decode()
    assert "The policy is not saved" in html and "The weights sum to 0.9" in html
    assert 'value="60"' in html and 'value="30"' in html and 'value="55"' in html and 'value="Q"' in html


def test_every_problem_of_a_policy_is_listed_at_once(client, graded, author_a):
    """Dropping as many as expected and no letter at all: both problems shown together."""
    client.force_login(author_a)

    response = client.post(reverse("courses:grading_policy", args=[graded.run.pk]), policy_data(
        [("Quiz", "", "50", "1", "1"), ("Assignment", "", "50", "1", "0")], [],
    ))

    assert response.status_code == 400
    problems = response.context["problems"]
    assert any("drops 1 of 1 expected items" in problem for problem in problems)
    assert any("no grade cutoffs" in problem for problem in problems)


def test_field_errors_and_duplicate_letters_are_refused(client, graded, author_a):
    """A weight above 100 is marked on its row; the same letter twice is refused before it
    reaches the database."""
    client.force_login(author_a)
    url = reverse("courses:grading_policy", args=[graded.run.pk])

    too_heavy = client.post(url, policy_data([("Quiz", "", "150", "1", "0")], [("Pass", "50")]))
    twice = client.post(url, policy_data([("Quiz", "", "50", "1", "0"), ("Assignment", "", "50", "1", "0")], [("Pass", "50"), ("Pass", "60")]))

    assert too_heavy.status_code == 400 and too_heavy.context["types_formset"].forms[0].errors["weight"]
    assert 'value="150"' in too_heavy.content.decode()
    assert twice.status_code == 400 and "The letter “Pass” is listed twice" in twice.content.decode()
    assert not GradingType.objects.exists()


def test_a_row_ticked_for_removal_is_left_out(client, graded, author_a):
    """Removing a type: the rows kept must still add up, and the removed one is not stored."""
    client.force_login(author_a)

    response = client.post(reverse("courses:grading_policy", args=[graded.run.pk]), policy_data(
        [("Quiz", "", "100", "1", "0"), ("Homework", "", "50", "1", "0")], [("Pass", "50")], initial_types=2, delete=(1,),
    ))

    assert response.status_code == 302
    assert list(GradingType.objects.filter(run=graded.run).values_list("type", flat=True)) == ["Quiz"]


def test_warnings_name_types_missing_from_the_policy_and_types_without_items(client, graded, author_a):
    """A policy weighing Quiz and Exam: Assignment items do not count, and no item is an Exam.
    Warnings, not errors: the policy is saved."""
    grading_policy_save(
        run=graded.run, by=author_a,
        types=[{"type": "Quiz", "short_label": "", "weight": Decimal(70), "min_count": 1, "drop_count": 0},
               {"type": "Exam", "short_label": "", "weight": Decimal(30), "min_count": 1, "drop_count": 0}],
        cutoffs=[{"letter": "Pass", "minimum": Decimal(50)}],
    )
    client.force_login(author_a)

    response = client.get(reverse("courses:grading_policy", args=[graded.run.pk]))

    warnings = [str(warning) for warning in response.context["warnings"]]
    assert warnings == [
        "“Assignment” is used by 1 graded items but is not in the policy: those items do not count.",
        "No graded item of this run is of type “Exam”: its weight counts as zero unless items are added.",
    ]
    assert "Check the policy against the run" in response.content.decode()


def test_a_learner_or_an_outsider_cannot_see_or_change_the_policy(client, graded, author_b, mentor):
    """Not teaching the course: 404 for the page and for a POST, which stores nothing."""
    student = learner("ana@example.com", "Ana")
    enrol(student, graded.run)
    data = policy_data([("Quiz", "", "100", "1", "0")], [("Pass", "50")])
    for person in (student, author_b, mentor):
        client.force_login(person)
        assert client.get(reverse("courses:grading_policy", args=[graded.run.pk])).status_code == 404
        assert client.post(reverse("courses:grading_policy", args=[graded.run.pk]), data).status_code == 404
    assert not GradingType.objects.exists()
