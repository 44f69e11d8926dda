"""The instructors' gradebook (courses.grade_views, courses.grade_selectors): learners × graded
items with overrides marked, filters, sorting and paging in a constant number of queries, one
learner's breakdown where a score is overridden or the override removed with a reason, and the
audit trail of every change. Only the course's instructors reach any of it.

The builders at the top are shared with the other grade page tests (test_grade_exports,
test_grade_policy_views, test_progress_page)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from academy.people.factories import UserFactory
from courses import services
from courses.assessment_services import attempt_start, attempt_submit, question_bank_create
from courses.assignment_services import review_save, submission_create
from courses.factories import (
    assignment_with_rubric,
    course_tree,
    open_run,
    question_with_version,
    quiz_with_questions,
    rubric_with_criteria,
)
from courses.grade_selectors import gradebook
from courses.grade_services import grade_override_set
from courses.models import CourseGradeRecord, CoursePass, GradeOverride, RunContentItem
from courses.tests.assessment_fixtures import assignment_block, lesson_add, quiz_block, rubric_choices

pytestmark = pytest.mark.django_db

SPEC = {"prompt": "Who pays the import duty under DDP?", "options": [
    {"id": "a", "text": "The seller", "correct": True},
    {"id": "b", "text": "The buyer", "correct": False},
]}
QUIZ_KEY, ASSIGNMENT_KEY = "quiz:quiz0001", "assignment:asg0001"


@dataclass
class GradedRun:
    course: object
    run: object
    quiz: object
    assignment: object
    item: object
    plain_lesson: object


def graded_run(*, organisation, author, show_marks="immediately", quiz_due_after_days=None, title=None):
    """A course of one plain lesson and one lesson holding a two-mark quiz (type “Quiz”) and an
    assignment scored out of 8 (type “Assignment”), with a run teaching it. The run's policy is
    the default one: Quiz 50 %, Assignment 50 %, a pass at 50 %."""
    name = title or "Customs basics"
    bank = question_bank_create(organisation=organisation, title=f"{name} questions", by=author)
    questions = [question_with_version(bank=bank, kind="single_choice", spec=SPEC, by=author, title=f"Question {n}") for n in (1, 2)]
    quiz = quiz_with_questions(
        organisation=organisation, questions=questions, by=author, attempt_limit=3, show_marks=show_marks, shuffle_options=False,
    )
    assignment = assignment_with_rubric(
        organisation=organisation, by=author, rubric=rubric_with_criteria(organisation=organisation, by=author, title=f"{name} review"),
    )
    course = course_tree(organisation=organisation, modules=1, lessons=1, **({"title": title} if title else {}))
    lesson = lesson_add(
        course=course, title="Check and hand in",
        body=[quiz_block(quiz, due_after_days=quiz_due_after_days), assignment_block(assignment)],
    )
    run = open_run(course=course, by=author)
    item = run.content_items.get(page=lesson)
    plain = run.content_items.filter(kind=RunContentItem.Kind.LESSON).exclude(pk=item.pk).get()
    return GradedRun(course=course, run=run, quiz=quiz, assignment=assignment, item=item, plain_lesson=plain)


def enrol(user, run):
    return services.enrolment_request(user=user, run=run)


def take_quiz(graded, enrolment, right):
    """Submit an attempt with `right` of the two questions right."""
    attempt = attempt_start(enrolment=enrolment, item=graded.item, block_id="quiz0001", quiz=graded.quiz, by=enrolment.user)
    return attempt_submit(attempt=attempt, responses={n: "a" if n <= right else "b" for n in (1, 2)}, by=enrolment.user)


def hand_in(graded, enrolment, text="My landed-cost sheet."):
    return submission_create(enrolment=enrolment, item=graded.item, block_id="asg0001", text=text, files=[], by=enrolment.user)


def review(graded, submission, reviewer, *levels):
    """Review with the rubric's level titles, in criterion order (Excellent = 4, Partly right = 2, Missing = 0)."""
    return review_save(submission=submission, by=reviewer, choices=rubric_choices(graded.assignment.rubric, *levels))


def learner(email, name="", **fields):
    return UserFactory(email=email, display_name=name, **fields)


@pytest.fixture
def graded(university_a, author_a):
    return graded_run(organisation=university_a, author=author_a)


@pytest.fixture
def outsider(make_organisation, make_member):
    """An author of a university that has nothing to do with the course."""
    from academy.organisations.models import Membership

    university = make_organisation(name_en="Delta Institute of Trade", slug="delta-institute")
    return make_member(university, Membership.Role.AUTHOR, email="author-d@example.com")


@pytest.fixture
def cohort(graded, author_a):
    """Four learners, one in each standing: passed, passing grade, below the pass mark, no grade."""
    people = {
        "passed": learner("wang@example.com", "王小明"),
        "passing": learner("ana@example.com", "Ana Passing"),
        "below": learner("bo@example.com", "Bo Below"),
        "none": learner("cy@example.com", "Cy Nothing"),
    }
    enrolments = {key: enrol(user, graded.run) for key, user in people.items()}
    # Passed: both questions, the assignment reviewed Excellent/Excellent, every lesson done.
    take_quiz(graded, enrolments["passed"], right=2)
    review(graded, hand_in(graded, enrolments["passed"]), author_a, "Excellent", "Excellent")
    services.lesson_complete(enrolment=enrolments["passed"], item=graded.plain_lesson, by=people["passed"])
    # Passing grade (quiz 100 % → 50 %), lessons not done.
    take_quiz(graded, enrolments["passing"], right=2)
    # Below the pass mark (quiz 50 % → 25 %).
    take_quiz(graded, enrolments["below"], right=1)
    return enrolments


# --- The table --------------------------------------------------------------------------------


def test_the_gradebook_shows_each_score_the_grade_and_the_standing(client, graded, cohort, author_a):
    """Each learner's row has their points per item out of the possible, the course grade, the
    letter and whether they passed; an item not yet scored shows a dash."""
    client.force_login(author_a)
    response = client.get(reverse("courses:gradebook", args=[graded.run.pk]))

    assert response.status_code == 200
    rows = {row.email: row for row in response.context["book"].rows}
    passed = rows["wang@example.com"]
    assert [(cell.earned, cell.possible) for cell in passed.cells] == [(Decimal("2.00"), Decimal("2.00")), (Decimal("8.00"), Decimal("8.00"))]
    assert passed.percent == Decimal("100.00") and passed.letter == "Pass" and passed.standing == "passed"
    assert passed.passed_at == CoursePass.objects.get(enrolment=cohort["passed"]).passed_at
    below = rows["bo@example.com"]
    assert below.cells[0].percent == Decimal("50.00") and below.cells[1].earned is None
    assert below.percent == Decimal("25.00") and below.letter == "" and below.standing == "below"
    assert rows["cy@example.com"].percent is None and rows["cy@example.com"].standing == "none"
    html = response.content.decode()
    assert "王小明" in html and "Below the pass mark" in html
    assert reverse("courses:gradebook_learner", args=[graded.run.pk, cohort["below"].pk]) in html


def test_an_overridden_cell_is_marked(client, graded, cohort, author_a):
    """An override in force replaces the cell's points and marks it; the learner's own score is kept."""
    grade_override_set(enrolment=cohort["below"], item_key=QUIZ_KEY, earned=Decimal(2), possible=None, reason="Question 2 was ambiguous.", by=author_a)
    client.force_login(author_a)

    book = client.get(reverse("courses:gradebook", args=[graded.run.pk])).context["book"]

    cell = next(row for row in book.rows if row.email == "bo@example.com").cells[0]
    assert cell.overridden and cell.earned == Decimal("2.00") and cell.raw_earned == Decimal("1.00")
    assert not next(row for row in book.rows if row.email == "ana@example.com").cells[0].overridden


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"wang@example.com", "ana@example.com", "bo@example.com", "cy@example.com"}),
    ({"q": "王小"}, {"wang@example.com"}),
    ({"q": "BO@EXAMPLE"}, {"bo@example.com"}),
    ({"status": "passed"}, {"wang@example.com"}),
    ({"status": "passing"}, {"ana@example.com"}),
    ({"status": "below"}, {"bo@example.com"}),
    ({"status": "none"}, {"cy@example.com"}),
    ({"letter": "Pass"}, {"wang@example.com", "ana@example.com"}),
    ({"letter": "Pass", "q": "ana"}, {"ana@example.com"}),
    ({"status": "nonsense", "letter": "Z"}, {"wang@example.com", "ana@example.com", "bo@example.com", "cy@example.com"}),
])
def test_filters_narrow_the_learners(client, graded, cohort, author_a, params, expected):
    """Search by name or e-mail (case-insensitive, Chinese too), status and letter combine;
    unknown values are ignored rather than emptying the table."""
    client.force_login(author_a)

    book = client.get(reverse("courses:gradebook", args=[graded.run.pk]), params).context["book"]

    assert {row.email for row in book.rows} == expected


def test_withdrawn_learners_are_not_in_the_gradebook(client, graded, cohort, author_a):
    """The gradebook lists active enrolments only."""
    services.enrolment_withdraw(enrolment=cohort["none"], by=cohort["none"].user)
    client.force_login(author_a)

    book = client.get(reverse("courses:gradebook", args=[graded.run.pk])).context["book"]

    assert "cy@example.com" not in {row.email for row in book.rows}


def test_sorting_by_name_and_by_grade(client, graded, cohort, author_a):
    """By name A–Z (the default), by grade highest first, lowest first; no grade goes last either way."""
    client.force_login(author_a)
    url = reverse("courses:gradebook", args=[graded.run.pk])

    by_name = [row.email for row in client.get(url).context["book"].rows]
    highest = [row.email for row in client.get(url, {"sort": "-grade"}).context["book"].rows]
    lowest = [row.email for row in client.get(url, {"sort": "grade"}).context["book"].rows]

    assert by_name == ["ana@example.com", "bo@example.com", "cy@example.com", "wang@example.com"]
    assert highest == ["wang@example.com", "ana@example.com", "bo@example.com", "cy@example.com"]
    assert lowest == ["bo@example.com", "ana@example.com", "wang@example.com", "cy@example.com"]


def test_the_gradebook_pages_its_learners(graded, cohort):
    """With two learners a page, the second page holds the next two by name, and the total counts all."""
    book = gradebook(run=graded.run, params={}, page_number=2, per_page=2)

    assert [row.email for row in book.rows] == ["cy@example.com", "wang@example.com"]
    assert book.total == 4 and book.page.paginator.num_pages == 2


def test_export_links_keep_the_filters(client, graded, cohort, author_a):
    """The CSV and Excel links carry the current search, status, letter and sort, not the page."""
    client.force_login(author_a)

    html = client.get(reverse("courses:gradebook", args=[graded.run.pk]), {"q": "ana", "status": "passing", "page": "1"}).content.decode()

    csv_url = reverse("courses:gradebook_export", args=[graded.run.pk, "csv"])
    assert f"{csv_url}?q=ana&amp;status=passing" in html
    assert "page=1" not in html.split(csv_url)[1].split('"')[0]


GRADEBOOK_QUERIES = 19


def _more_learners(graded, count, start=0):
    for number in range(start, start + count):
        enrolment = enrol(learner(f"learner{number}@example.com", f"Learner {number:02d}"), graded.run)
        take_quiz(graded, enrolment, right=number % 3)


def test_the_gradebook_query_count_does_not_grow_with_the_class(client, graded, author_a, django_assert_max_num_queries):
    """Two learners or twelve, with scores and overrides: the same number of queries."""
    _more_learners(graded, 2)
    client.force_login(author_a)
    url = reverse("courses:gradebook", args=[graded.run.pk])
    client.get(url)  # warm the session and the header's cached lookups

    with django_assert_max_num_queries(GRADEBOOK_QUERIES):
        small = client.get(url, {"sort": "-grade"})
    _more_learners(graded, 10, start=2)
    for enrolment in graded.run.enrolments.all()[:4]:
        grade_override_set(enrolment=enrolment, item_key=QUIZ_KEY, earned=Decimal(1), possible=None, reason="Re-marked.", by=author_a)
    with django_assert_max_num_queries(GRADEBOOK_QUERIES):
        large = client.get(url, {"sort": "-grade"})

    assert len(small.context["book"].rows) == 2 and len(large.context["book"].rows) == 12


# --- One learner: overrides and the audit trail ---------------------------------------------


def test_an_override_with_a_reason_changes_the_grade_and_is_audited(client, graded, cohort, author_a):
    """Overriding Bo's quiz from 1/2 to 2/2 raises the course grade from 25 % to 50 %; the audit
    trail shows who, when, the item, before → after and the reason."""
    enrolment = cohort["below"]
    client.force_login(author_a)
    url = reverse("courses:gradebook_learner", args=[graded.run.pk, enrolment.pk])

    response = client.post(url, {"item_key": QUIZ_KEY, "action": "set", "earned": "2", "possible": "2", "reason": "Question 2 was ambiguous."})

    assert response.status_code == 302 and response["Location"] == url
    assert CourseGradeRecord.objects.get(enrolment=enrolment).percent == Decimal("0.5000")
    row = GradeOverride.objects.get(enrolment=enrolment)
    assert (row.previous_earned, row.previous_possible, row.earned, row.possible) == (Decimal("1.00"), Decimal("2.00"), Decimal("2.00"), Decimal("2.00"))
    assert row.changed_by == author_a
    page = client.get(url)
    audit = page.context["grades"].audit
    assert [(change.item_label, change.reason) for change in audit] == [(graded.quiz.title, "Question 2 was ambiguous.")]
    html = page.content.decode()
    assert "Question 2 was ambiguous." in html and "Author Alpha" in html
    assert "1 / 2" in html and "2 / 2" in html


def test_an_override_without_a_reason_is_refused_and_the_typed_values_kept(client, graded, cohort, author_a):
    """No reason: 400, nothing recorded, the points typed are still in the form, opened."""
    enrolment = cohort["below"]
    client.force_login(author_a)

    response = client.post(
        reverse("courses:gradebook_learner", args=[graded.run.pk, enrolment.pk]),
        {"item_key": QUIZ_KEY, "action": "set", "earned": "1.75", "possible": "2", "reason": "  "},
    )

    assert response.status_code == 400
    assert not GradeOverride.objects.exists()
    assert CourseGradeRecord.objects.get(enrolment=enrolment).percent == Decimal("0.2500")
    form = response.context["grades"].items[QUIZ_KEY].override_form
    assert form.errors["reason"] and form["earned"].value() == "1.75"
    html = response.content.decode()
    assert 'value="1.75"' in html and "Give a reason: every change of a score is recorded with one." in html
    assert response.context["grades"].items[QUIZ_KEY].form_open


def test_points_above_the_possible_are_refused(client, graded, cohort, author_a):
    """The service's check comes back on the form: 3 of 2 points is refused with 400."""
    client.force_login(author_a)

    response = client.post(
        reverse("courses:gradebook_learner", args=[graded.run.pk, cohort["below"].pk]),
        {"item_key": QUIZ_KEY, "action": "set", "earned": "3", "possible": "2", "reason": "Bonus."},
    )

    assert response.status_code == 400 and not GradeOverride.objects.exists()
    assert response.context["grades"].items[QUIZ_KEY].override_form.errors["earned"]


def test_the_override_form_is_prefilled_with_the_items_full_marks(client, graded, cohort, author_a):
    """An unscored assignment's form offers its rubric maximum (8) as the points possible."""
    client.force_login(author_a)

    grades = client.get(reverse("courses:gradebook_learner", args=[graded.run.pk, cohort["below"].pk])).context["grades"]

    assert grades.items[ASSIGNMENT_KEY].override_form["possible"].value() == Decimal("8.00")
    assert grades.items[QUIZ_KEY].override_form["possible"].value() == Decimal("2.00")


def test_clearing_an_override_needs_a_reason_and_restores_the_score(client, graded, cohort, author_a):
    """Removing the override without a reason is refused (400); with one, the learner's own
    score counts again and the audit trail shows both changes, newest first."""
    enrolment = cohort["below"]
    grade_override_set(enrolment=enrolment, item_key=QUIZ_KEY, earned=Decimal(2), possible=None, reason="Ambiguous question.", by=author_a)
    client.force_login(author_a)
    url = reverse("courses:gradebook_learner", args=[graded.run.pk, enrolment.pk])

    refused = client.post(url, {"item_key": QUIZ_KEY, "action": "clear", "reason": ""})
    assert refused.status_code == 400 and GradeOverride.objects.count() == 1
    assert refused.context["grades"].items[QUIZ_KEY].clear_form.errors["reason"]

    cleared = client.post(url, {"item_key": QUIZ_KEY, "action": "clear", "reason": "The question was fine after all."})

    assert cleared.status_code == 302
    assert CourseGradeRecord.objects.get(enrolment=enrolment).percent == Decimal("0.2500")
    audit = client.get(url).context["grades"].audit
    assert [change.reason for change in audit] == ["The question was fine after all.", "Ambiguous question."]
    assert audit[0].earned is None and (audit[0].previous_earned, audit[0].previous_possible) == (Decimal("2.00"), Decimal("2.00"))


def test_the_learner_page_shows_the_breakdown_and_the_pass_record(client, graded, cohort, author_a):
    """By type: items with their points, the type average and weighted share; the pass date."""
    client.force_login(author_a)

    response = client.get(reverse("courses:gradebook_learner", args=[graded.run.pk, cohort["passed"].pk]))

    grades = response.context["grades"]
    assert [(s.type, s.weight, s.average, s.weighted) for s in grades.sections] == [
        ("Quiz", Decimal("50.00"), Decimal("100.00"), Decimal("50.00")),
        ("Assignment", Decimal("50.00"), Decimal("100.00"), Decimal("50.00")),
    ]
    assert grades.course_pass is not None
    assert "Passed on" in response.content.decode()


def test_an_item_of_another_key_or_another_runs_enrolment_is_404(client, graded, cohort, author_a, university_a):
    """A made-up item key, or an enrolment of another run, is not found."""
    other = graded_run(organisation=university_a, author=author_a, title="Another course")
    theirs = enrol(learner("zed@example.com", "Zed"), other.run)
    client.force_login(author_a)

    assert client.get(reverse("courses:gradebook_learner", args=[graded.run.pk, theirs.pk])).status_code == 404
    response = client.post(
        reverse("courses:gradebook_learner", args=[graded.run.pk, cohort["below"].pk]),
        {"item_key": "quiz:nope", "action": "set", "earned": "1", "reason": "Why not."},
    )
    assert response.status_code == 404 and not GradeOverride.objects.exists()


# --- Who may see it ---------------------------------------------------------------------------


def test_nobody_but_the_courses_instructors_reaches_the_gradebook(client, graded, cohort, outsider, mentor):
    """A learner of the run, an author of another university and a mentor of an unrelated
    enterprise get 404 on every instructor page and export, and their POSTs change nothing."""
    enrolment = cohort["below"]
    urls = [
        reverse("courses:grading_policy", args=[graded.run.pk]),
        reverse("courses:gradebook", args=[graded.run.pk]),
        reverse("courses:gradebook_learner", args=[graded.run.pk, enrolment.pk]),
        reverse("courses:gradebook_export", args=[graded.run.pk, "csv"]),
        reverse("courses:gradebook_export", args=[graded.run.pk, "xlsx"]),
    ]
    for person in (enrolment.user, outsider, mentor):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(urls[2], {"item_key": QUIZ_KEY, "action": "set", "earned": "2", "reason": "Mine."}).status_code == 404
        assert client.post(urls[0], {"types-TOTAL_FORMS": "0", "types-INITIAL_FORMS": "0", "cutoffs-TOTAL_FORMS": "0", "cutoffs-INITIAL_FORMS": "0"}).status_code == 404
    assert not GradeOverride.objects.exists()
    client.logout()
    assert client.get(urls[1]).status_code == 302  # to the login page


def test_a_platform_admin_may_open_the_gradebook(client, graded, platform_admin):
    """A platform administrator reaches the gradebook too."""
    client.force_login(platform_admin)

    assert client.get(reverse("courses:gradebook", args=[graded.run.pk])).status_code == 200


def test_the_gradebook_of_a_run_without_graded_items(client, author_a, university_a):
    """A run whose lessons grade nothing still opens: no item columns, no grades."""
    course = course_tree(organisation=university_a, modules=1, lessons=1, title="Reading only")
    run = open_run(course=course, by=author_a, starts_in_days=-1)
    enrol(learner("reader@example.com", "Reader"), run)
    client.force_login(author_a)

    response = client.get(reverse("courses:gradebook", args=[run.pk]))

    assert response.status_code == 200
    assert response.context["book"].columns == [] and response.context["book"].rows[0].percent is None


LEARNER_PAGE_QUERIES = 20


def test_the_learner_page_query_count_does_not_grow_with_the_audit_trail(client, graded, cohort, author_a, org_admin_a, django_assert_max_num_queries):
    """One override or six by two instructors: the same number of queries."""
    enrolment = cohort["below"]
    grade_override_set(enrolment=enrolment, item_key=QUIZ_KEY, earned=Decimal(2), possible=None, reason="First.", by=author_a)
    client.force_login(author_a)
    url = reverse("courses:gradebook_learner", args=[graded.run.pk, enrolment.pk])
    client.get(url)

    with django_assert_max_num_queries(LEARNER_PAGE_QUERIES):
        client.get(url)
    for number in range(5):
        grade_override_set(
            enrolment=enrolment, item_key=ASSIGNMENT_KEY if number % 2 else QUIZ_KEY, earned=Decimal(number % 2 + 1), possible=None,
            reason=f"Change {number}.", by=org_admin_a if number % 2 else author_a,
        )
    with django_assert_max_num_queries(LEARNER_PAGE_QUERIES):
        response = client.get(url)

    assert len(response.context["grades"].audit) == 6
