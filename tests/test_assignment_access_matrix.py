"""Who reaches which assignment page (courses.assignment_views), person by person and address by
address. Learner A handed work in (text and a PDF) in a run of a course led by university A with
the Gamma enterprise as partner. Handing in needs an active enrolment in the run; the submission,
its file and the review form are for A (not the form) and the run's reviewers (the lead
university's instructors, the partner's mentors). Anyone else gets a 404, which says nothing of
whether the submission exists, and nothing is written; an anonymous visitor is sent to sign in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from academy.organisations.models import Membership, Organisation
from academy.people.factories import UserFactory
from courses import services
from courses.assignment_services import submission_create
from courses.factories import assignment_lesson, assignment_with_rubric, course_tree, open_run
from courses.models import CourseOrganisation, Review, Submission

pytestmark = pytest.mark.django_db

BLOCK = "asg00001"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"

PERSONAS = [
    "owner", "classmate", "other_run_learner", "anonymous", "instructor", "partner_mentor", "unrelated_mentor", "unrelated_staff",
]

# (address, persona) → expected status. 302 for a hand-in and a saved review is the success
# redirect; 302 for the anonymous visitor is the redirect to sign in (checked apart).
EXPECTED = {
    "submit": {
        "owner": 302, "classmate": 302, "other_run_learner": 404, "anonymous": 302, "instructor": 404,
        "partner_mentor": 404, "unrelated_mentor": 404, "unrelated_staff": 404,
    },
    "submission": {
        "owner": 200, "classmate": 404, "other_run_learner": 404, "anonymous": 302, "instructor": 200,
        "partner_mentor": 200, "unrelated_mentor": 404, "unrelated_staff": 404,
    },
    "file": {
        "owner": 200, "classmate": 404, "other_run_learner": 404, "anonymous": 302, "instructor": 200,
        "partner_mentor": 200, "unrelated_mentor": 404, "unrelated_staff": 404,
    },
    "review_get": {
        "owner": 404, "classmate": 404, "other_run_learner": 404, "anonymous": 302, "instructor": 200,
        "partner_mentor": 200, "unrelated_mentor": 404, "unrelated_staff": 404,
    },
    "review_post": {
        "owner": 404, "classmate": 404, "other_run_learner": 404, "anonymous": 302, "instructor": 302,
        "partner_mentor": 302, "unrelated_mentor": 404, "unrelated_staff": 404,
    },
}


@pytest.fixture
def world(university_a, author_a, enterprise, mentor, author_b, make_organisation, make_member, student):
    """The course, its spring run with A's submission, an autumn run, and a person per persona
    (university B and the Delta enterprise have nothing to do with the course)."""
    course = course_tree(
        organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)],
    )
    assignment = assignment_with_rubric(organisation=university_a, by=author_a, max_submissions=0)
    lesson = assignment_lesson(course=course, assignment=assignment, block_id=BLOCK)
    spring = open_run(course=course, by=author_a, title="Spring")
    autumn = open_run(course=course, by=author_a, title="Autumn")
    item = spring.content_items.get(page=lesson)
    classmate, other_run_learner = UserFactory(email="learner-b@example.com"), UserFactory(email="learner-c@example.com")
    enrolment = services.enrolment_request(user=student, run=spring)
    services.enrolment_request(user=classmate, run=spring)
    services.enrolment_request(user=other_run_learner, run=autumn)
    delta = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Logistics", slug="delta-logistics")
    submission = submission_create(
        enrolment=enrolment, item=item, block_id=BLOCK, text="My landed-cost sheet.",
        files=[SimpleUploadedFile("sheet.pdf", PDF, content_type="application/pdf")], by=student,
    )
    criteria = list(assignment.rubric.criteria.order_by("sort_order").prefetch_related("levels"))
    return {
        "run": spring, "autumn": autumn, "item": item, "submission": submission, "file": submission.files.get(),
        "review_data": {f"level_{c.pk}": c.levels.all()[0].pk for c in criteria},
        "people": {
            "owner": student, "classmate": classmate, "other_run_learner": other_run_learner, "anonymous": None,
            "instructor": author_a, "partner_mentor": mentor,
            "unrelated_mentor": make_member(delta, Membership.Role.MENTOR, email="mentor-d@example.com"),
            "unrelated_staff": author_b,
        },
    }


def request_for(world, address):
    """(method, url, data) of an address of the matrix."""
    run, submission = world["run"], world["submission"]
    return {
        "submit": ("post", reverse("courses:submission_create", args=[run.pk, world["item"].pk, BLOCK]), {"text": "Another try."}),
        "submission": ("get", reverse("courses:submission", args=[run.pk, submission.pk]), None),
        "file": ("get", reverse("courses:submission_file", args=[run.pk, submission.pk, world["file"].pk]), None),
        "review_get": ("get", reverse("courses:review", args=[submission.pk]), None),
        "review_post": ("post", reverse("courses:review", args=[submission.pk]), world["review_data"]),
    }[address]


@pytest.mark.parametrize("address", list(EXPECTED))
def test_access_matrix(client, world, address):
    """Each person gets the status the matrix says for the address, and a refused request writes
    nothing: no submission, no review. Each person's request is rolled back afterwards, so the
    next one meets the same world (one world per address keeps the matrix fast)."""
    for persona in PERSONAS:
        with transaction.atomic():
            access_check(client, world, address, persona)
            transaction.set_rollback(True)


def access_check(client, world, address, persona):
    client.logout()
    user = world["people"][persona]
    if user is not None:
        client.force_login(user)
    method, url, data = request_for(world, address)
    submissions, reviews = Submission.objects.count(), Review.objects.count()

    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)

    assert response.status_code == EXPECTED[address][persona], f"{persona} → {address}"
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    wrote_submission = address == "submit" and response.status_code == 302 and persona != "anonymous"
    wrote_review = address == "review_post" and response.status_code == 302 and persona != "anonymous"
    assert Submission.objects.count() == submissions + wrote_submission, f"{persona} → {address}"
    assert Review.objects.count() == reviews + wrote_review, f"{persona} → {address}"
    if wrote_submission:
        assert Submission.objects.order_by("-pk").first().enrolment.user == user
    if wrote_review:
        assert Review.objects.get().reviewer == user
    if address == "file" and response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF


def test_the_classmate_cannot_reach_the_submission_under_their_own_lesson_or_run(client, world):
    """Learner B, enrolled in the same run, gets 404 for A's submission and file whichever run
    address they put it under, and cannot review it."""
    client.force_login(world["people"]["classmate"])
    submission, stored = world["submission"], world["file"]
    for run_id in (world["run"].pk, world["autumn"].pk):
        assert client.get(reverse("courses:submission", args=[run_id, submission.pk])).status_code == 404
        assert client.get(reverse("courses:submission_file", args=[run_id, submission.pk, stored.pk])).status_code == 404
    assert client.post(reverse("courses:review", args=[submission.pk]), world["review_data"]).status_code == 404
    assert not Review.objects.exists()


def test_a_submission_under_another_runs_address_is_not_found(client, world):
    """Even the owner and the instructor get 404 when the run in the address is not the
    submission's run, and for a file id of another submission."""
    submission, stored = world["submission"], world["file"]
    other_run = world["autumn"].pk
    for persona in ("owner", "instructor"):
        client.force_login(world["people"][persona])
        assert client.get(reverse("courses:submission", args=[other_run, submission.pk])).status_code == 404
        assert client.get(reverse("courses:submission_file", args=[other_run, submission.pk, stored.pk])).status_code == 404
        assert client.get(reverse("courses:submission_file", args=[world["run"].pk, submission.pk, stored.pk + 999])).status_code == 404


def test_the_unrelated_mentor_cannot_review_and_nothing_is_stored(client, world):
    """A mentor of an enterprise that does not partner the course: GET and POST of the review
    form are 404, the queue lists nothing, and no review row is created."""
    client.force_login(world["people"]["unrelated_mentor"])
    url = reverse("courses:review", args=[world["submission"].pk])

    assert client.get(url).status_code == 404
    assert client.post(url, world["review_data"]).status_code == 404
    assert "/learn/review/submissions/" not in client.get(reverse("courses:review_queue")).content.decode()
    assert not Review.objects.exists()


def test_a_withdrawn_owner_no_longer_sees_the_submission(client, world):
    """The learner sees their submission while enrolled; after leaving the run it is a 404."""
    owner = world["people"]["owner"]
    enrolment = world["submission"].enrolment
    services.enrolment_withdraw(enrolment=enrolment, by=owner)
    client.force_login(owner)

    assert client.get(reverse("courses:submission", args=[world["run"].pk, world["submission"].pk])).status_code == 404
