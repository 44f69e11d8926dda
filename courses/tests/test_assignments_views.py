"""The assignment pages (courses.assignment_views): a learner hands work in from the lesson and
gets refused work back with what they typed, reviewers score it with the rubric from the review
form, the learner reads the levels, the inline feedback and the total and is e-mailed, and the
review queue lists the newest hand-ins at a constant number of queries."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy.organisations.models import Membership, Organisation
from academy.people.factories import UserFactory
from courses import services
from courses.assignment_selectors import runs_reviewable_by
from courses.assignment_services import review_save, submission_create
from courses.blocks import AssignmentBlock
from courses.factories import assignment_lesson, assignment_with_rubric, course_tree, open_run, rubric_with_criteria
from courses.models import Assignment, CourseOrganisation, LessonCompletion, Review, Submission

pytestmark = pytest.mark.django_db

BLOCK = "asg00001"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
TYPED = "Duty 12% on the customs value; VAT 23% on value + freight + duty. Landed cost: 1 234,50 PLN."


def pdf(name="sheet.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def course(university_a, enterprise):
    """Led by university A, with the Gamma enterprise as practicum partner (its mentors review)."""
    return course_tree(
        organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)],
    )


@pytest.fixture
def make_world(course, university_a, author_a, student):
    """An assignment (with the factories' two-criterion rubric, 8 points) in a lesson of a new
    run with the student enrolled; the assignment's fields and the block's due date as asked."""

    def make(*, due_after_days=None, title="Autumn", **fields):
        fields.setdefault("max_submissions", 2)
        fields.setdefault("max_files", 2)
        rubric = rubric_with_criteria(organisation=university_a, by=author_a, title=f"Landed-cost sheet review ({title})")
        assignment = assignment_with_rubric(organisation=university_a, by=author_a, rubric=rubric, **fields)
        lesson = assignment_lesson(
            course=course, assignment=assignment, block_id=BLOCK, due_after_days=due_after_days, title=f"Hand in your work ({title})",
        )
        run = open_run(course=course, by=author_a, title=title)
        enrolment = services.enrolment_request(user=student, run=run)
        return {"assignment": assignment, "run": run, "item": run.content_items.get(page=lesson), "enrolment": enrolment}

    return make


@pytest.fixture
def world(make_world):
    return make_world()


def submit_url(world):
    return reverse("courses:submission_create", args=[world["run"].pk, world["item"].pk, BLOCK])


def lesson_url(world):
    return reverse("courses:lesson", args=[world["run"].pk, world["item"].pk])


def hand_in(world, user, text="My answer.", files=()):
    return submission_create(enrolment=world["enrolment"], item=world["item"], block_id=BLOCK, text=text, files=list(files), by=user)


def levels_by_title(assignment):
    criteria = list(assignment.rubric.criteria.order_by("sort_order").prefetch_related("levels"))
    return criteria, [{level.title: level for level in criterion.levels.all()} for criterion in criteria]


def review_post(assignment, first="Excellent", second="Partly right", **extra):
    criteria, levels = levels_by_title(assignment)
    data = {
        f"level_{criteria[0].pk}": levels[0][first].pk, f"feedback_{criteria[0].pk}": "Duty and VAT are both right.",
        f"level_{criteria[1].pk}": levels[1][second].pk, f"feedback_{criteria[1].pk}": "Cite the tariff line you used.",
        "comment": "A careful sheet; add your sources next time.",
    }
    data.update(extra)
    return data


# --- Handing in ------------------------------------------------------------------------------


def test_the_lesson_shows_the_assignment_with_its_rubric_and_a_form(client, world, student):
    """Before handing in, the learner sees the instructions, what to hand in, every criterion with
    its levels and points, and a multipart form whose file input accepts the allowed types."""
    client.force_login(student)

    response = client.get(lesson_url(world))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Work out the landed cost of the parcel" in html
    assert "Duty and VAT worked out" in html and "Sources cited" in html and "Partly right" in html
    assert "8 points in all" in html
    assert 'enctype="multipart/form-data"' in html and f'action="{submit_url(world)}#activity-{BLOCK}-form"' in html
    assert 'accept=".pdf,.png"' in html and "multiple" in html


def test_a_learner_hands_in_text_and_a_pdf(client, world, student):
    """Text and a real PDF are stored as submission 1 with the file's own name; the learner is
    sent back to the block, which lists the submission as awaiting review, and the lesson is done."""
    client.force_login(student)

    response = client.post(submit_url(world), {"text": TYPED, "files": [pdf()]})

    assert response.status_code == 302 and response["Location"] == lesson_url(world) + f"#activity-{BLOCK}"
    submission = Submission.objects.get()
    assert (submission.number, submission.text, submission.late) == (1, TYPED, False)
    assert [(f.name, f.file_type, f.size) for f in submission.files.all()] == [("sheet.pdf", "pdf", len(PDF))]
    assert LessonCompletion.objects.filter(enrolment=world["enrolment"], item=world["item"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Submission 1" in page and "Awaiting review" in page
    assert reverse("courses:submission", args=[world["run"].pk, submission.pk]) in page


def test_a_renamed_executable_is_refused_and_the_typed_text_kept(client, world, student):
    """An .exe renamed to .pdf is refused with a message naming the file; the lesson comes back
    (400) with the text as typed in the textarea, and nothing is stored."""
    client.force_login(student)

    response = client.post(submit_url(world), {"text": TYPED, "files": [pdf("report.pdf", EXE)]})

    html = response.content.decode()
    assert response.status_code == 400
    assert "“report.pdf” does not contain what its name says (PDF)" in html
    assert "Duty 12% on the customs value; VAT 23% on value + freight + duty. Landed cost: 1 234,50 PLN.</textarea>" in html
    assert "Attach your files again" in html
    assert not Submission.objects.exists()


def test_too_many_files_are_refused(client, world, student):
    """Three files where two are allowed: refused, text kept, nothing stored."""
    client.force_login(student)

    response = client.post(submit_url(world), {"text": TYPED, "files": [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")]})

    assert response.status_code == 400
    assert "Attach 2 files at most." in response.content.decode()
    assert TYPED in response.content.decode()
    assert not Submission.objects.exists()


def test_a_required_text_missing_is_refused(client, make_world, student):
    """When the assignment requires a written answer, a file alone is refused with a message on
    the answer field."""
    world = make_world(text_answer=Assignment.Part.REQUIRED)
    client.force_login(student)

    response = client.post(submit_url(world), {"text": "   ", "files": [pdf()]})

    assert response.status_code == 400
    assert "Write your answer before handing in." in response.content.decode()
    assert not Submission.objects.exists()


def test_the_submission_limit_holds(client, make_world, student):
    """With one submission allowed, the second is refused, and the block then shows why instead
    of a form."""
    world = make_world(max_submissions=1)
    client.force_login(student)
    assert client.post(submit_url(world), {"text": "First."}).status_code == 302

    response = client.post(submit_url(world), {"text": "Second."})

    assert response.status_code == 400
    assert "You have handed this assignment in as often as it allows." in response.content.decode()
    assert list(Submission.objects.values_list("number", flat=True)) == [1]
    page = client.get(lesson_url(world)).content.decode()
    assert submit_url(world) not in page and "as often as it allows" in page


def test_late_work_is_marked_late(client, make_world, student):
    """Due a day after the run started (six days ago): the hand-in is accepted and marked late,
    and the block says so."""
    world = make_world(due_after_days=1, accept_late=True)
    client.force_login(student)
    page = client.get(lesson_url(world)).content.decode()
    assert "Past due" in page and "marked late" in page

    assert client.post(submit_url(world), {"text": "Sorry, late."}).status_code == 302

    assert Submission.objects.get().late is True
    assert "Late" in client.get(lesson_url(world)).content.decode()


def test_late_work_is_refused_when_the_assignment_does_not_accept_it(client, make_world, student):
    """Past the due date of an assignment that accepts no late work: no form, and a post is
    refused with the reason."""
    world = make_world(due_after_days=1, accept_late=False)
    client.force_login(student)
    assert submit_url(world) not in client.get(lesson_url(world)).content.decode()

    response = client.post(submit_url(world), {"text": "Sorry, late."})

    assert response.status_code == 400
    assert "does not accept late work" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_block_id_not_in_the_lesson_is_not_found(client, world, student):
    """Posting to an assignment block the lesson does not have is a 404, and stores nothing."""
    client.force_login(student)

    response = client.post(reverse("courses:submission_create", args=[world["run"].pk, world["item"].pk, "nope"]), {"text": "Hi"})

    assert response.status_code == 404 and not Submission.objects.exists()


def test_the_block_renders_in_the_admin_preview_without_a_learner():
    """The block's preview (no lesson view, no learner state) renders a note instead of a form."""
    block = AssignmentBlock()

    html = block.render(block.get_preview_value())

    assert "Learners hand in their work here" in html and "<form" not in html


# --- Reviewing -------------------------------------------------------------------------------


def test_an_instructor_reviews_and_the_learner_reads_the_scores_and_is_emailed(
    client, world, student, author_a, django_capture_on_commit_callbacks,
):
    """The instructor opens the review form (the work beside the rubric), chooses a level and
    writes feedback per criterion; the learner then sees the levels, the inline feedback, the
    overall comment and the total, and one e-mail tells them, with the link to the page."""
    submission = hand_in(world, student, text=TYPED, files=[pdf()])
    url = reverse("courses:review", args=[submission.pk])
    client.force_login(author_a)

    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert TYPED in html and "sheet.pdf" in html and "Duty and VAT worked out" in html and 'type="radio"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, review_post(world["assignment"]))

    assert response.status_code == 302 and response["Location"] == reverse("courses:review_queue")
    review = Review.objects.get()
    assert (review.role, review.earned, review.possible) == (Review.Role.INSTRUCTOR, 6, 8)
    client.force_login(student)
    page = client.get(reverse("courses:submission", args=[world["run"].pk, submission.pk])).content.decode()
    assert "Excellent" in page and "Partly right" in page
    assert "Duty and VAT are both right." in page and "Cite the tariff line you used." in page
    assert "A careful sheet; add your sources next time." in page
    assert "Instructor, Alpha University of Commerce" in page
    assert ">6</span>" in page and "of 8 points" in page
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert message.subject.endswith("Your work on Landed-cost sheet has been reviewed")
    assert "Score: 6 of 8 points" in message.body
    assert f"/learn/runs/{world['run'].pk}/submissions/{submission.pk}/" in message.body
    assert "http" in message.body.split(f"/learn/runs/{world['run'].pk}/submissions/")[0].splitlines()[-1]


def test_the_review_form_is_prefilled_with_the_reviewers_own_review(client, world, student, author_a):
    """Opening the form again shows the levels chosen and the feedback written before."""
    submission = hand_in(world, student)
    client.force_login(author_a)
    client.post(reverse("courses:review", args=[submission.pk]), review_post(world["assignment"]))
    criteria, levels = levels_by_title(world["assignment"])

    html = client.get(reverse("courses:review", args=[submission.pk])).content.decode()

    assert f'value="{levels[0]["Excellent"].pk}" checked' in html
    assert f'value="{levels[1]["Partly right"].pk}" checked' in html
    assert "Cite the tariff line you used." in html and "Save the changed review" in html


def test_a_review_missing_a_level_comes_back_with_everything_typed(client, world, student, author_a):
    """Leaving a criterion unchosen re-renders the form (400) naming it, with the other choice,
    the feedback and the overall comment kept; no review is stored."""
    submission = hand_in(world, student)
    criteria, levels = levels_by_title(world["assignment"])
    data = review_post(world["assignment"])
    del data[f"level_{criteria[1].pk}"]
    client.force_login(author_a)

    response = client.post(reverse("courses:review", args=[submission.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose a level for “Sources cited”." in html
    assert f'value="{levels[0]["Excellent"].pk}" checked' in html
    assert "Cite the tariff line you used." in html and "A careful sheet; add your sources next time." in html
    assert not Review.objects.exists()


def test_a_mentor_of_a_partner_enterprise_reviews(client, world, student, mentor, django_capture_on_commit_callbacks):
    """A mentor of the course's partner enterprise finds the work in their queue, reviews it and
    is shown to the learner as a mentor of that enterprise."""
    submission = hand_in(world, student)
    client.force_login(mentor)
    queue = client.get(reverse("courses:review_queue")).content.decode()
    assert reverse("courses:review", args=[submission.pk]) in queue

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:review", args=[submission.pk]), review_post(world["assignment"], "Missing", "Missing"))

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.role == Review.Role.MENTOR and review.organisation.name_en == "Gamma Trading" and review.earned == 0
    client.force_login(student)
    page = client.get(reverse("courses:submission", args=[world["run"].pk, submission.pk])).content.decode()
    assert "Mentor at Gamma Trading" in page
    assert len(mail.outbox) == 1 and "mentor at Gamma Trading" in mail.outbox[0].body


def test_the_learner_downloads_their_file_privately(client, world, student):
    """The file comes back as an attachment under its original name, with a safe type, no
    sniffing and no caching."""
    submission = hand_in(world, student, files=[pdf("Landed cost – Poznań.pdf")])
    stored = submission.files.get()
    client.force_login(student)

    response = client.get(reverse("courses:submission_file", args=[world["run"].pk, submission.pk, stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "Pozna%C5%84.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


# --- The review queue ------------------------------------------------------------------------


def test_the_queue_lists_only_the_newest_submission_and_filters_by_status(client, world, student, author_a):
    """A resubmission supersedes the first: one row, submission 2. Once reviewed it leaves
    “awaiting review” and shows under “reviewed by me”."""
    hand_in(world, student, text="First.")
    second = hand_in(world, student, text="Second.")
    client.force_login(author_a)
    url = reverse("courses:review_queue")

    awaiting = client.get(url).content.decode()
    assert awaiting.count('href="/learn/review/submissions/') == 1
    assert reverse("courses:review", args=[second.pk]) in awaiting and "Submission 2" in awaiting

    review_save(submission=second, by=author_a, choices=_choices(world["assignment"]))

    assert reverse("courses:review", args=[second.pk]) not in client.get(url).content.decode()
    mine = client.get(url, {"status": "mine"}).content.decode()
    assert reverse("courses:review", args=[second.pk]) in mine and "Edit review" in mine


def test_the_queue_filters_by_run(client, make_world, student, author_a):
    """Choosing a run lists only that run's submissions."""
    spring, autumn = make_world(title="Spring"), make_world(title="Autumn")
    first, second = hand_in(spring, student), hand_in(autumn, student)
    client.force_login(author_a)

    html = client.get(reverse("courses:review_queue"), {"run": autumn["run"].pk}).content.decode()

    assert reverse("courses:review", args=[second.pk]) in html and reverse("courses:review", args=[first.pk]) not in html


def test_someone_who_reviews_nothing_gets_an_explanation(client, world, student, author_b):
    """Staff of an unrelated university see an empty page saying who reviews, not an error."""
    hand_in(world, student)
    client.force_login(author_b)

    response = client.get(reverse("courses:review_queue"))

    assert response.status_code == 200 and "You have no runs to review." in response.content.decode()
    assert "/learn/review/submissions/" not in response.content.decode()


def test_runs_reviewable_by_agrees_with_the_reviewer_role(world, author_a, mentor, author_b, student, org_admin_a):
    """The queue's runs are exactly those `run_reviewer_role` lets the person review: the lead
    university's staff and the partner enterprise's mentor, not an unrelated author or a learner."""
    run = world["run"]
    assert run in runs_reviewable_by(user=author_a) and run in runs_reviewable_by(user=org_admin_a)
    assert run in runs_reviewable_by(user=mentor)
    assert runs_reviewable_by(user=author_b) == [] and runs_reviewable_by(user=student) == []


def test_a_co_authors_staff_review_through_the_partner_row(client, course, world, student, university_b, author_b):
    """Making university B a co-author of the course gives its staff the run in their queue."""
    CourseOrganisation.objects.create(course=course, organisation=university_b, role=CourseOrganisation.Role.CO_AUTHOR, sort_order=5)
    submission = hand_in(world, student)
    client.force_login(author_b)

    html = client.get(reverse("courses:review_queue")).content.decode()

    assert reverse("courses:review", args=[submission.pk]) in html


def _choices(assignment):
    criteria, levels = levels_by_title(assignment)
    return {criteria[0].pk: levels[0]["Excellent"].pk, criteria[1].pk: levels[1]["Missing"].pk}


def _learners_hand_in(world, count, start=0):
    for n in range(start, start + count):
        learner = UserFactory(email=f"learner-{n}@example.com")
        enrolment = services.enrolment_request(user=learner, run=world["run"])
        submission_create(enrolment=enrolment, item=world["item"], block_id=BLOCK, text=f"Answer {n}.", files=[], by=learner)


# The session's user, their permissions (two), memberships, organisation pages, runs, the
# locales of `runs_localize` (two), then the page's count and rows.
QUEUE_QUERIES = 10
# The session's user, the run, the submission with its learner, assignment, rubric and lesson,
# its files, the rubric's criteria, their levels, the reviews with their organisations, their
# scores, then the learner's other hand-ins of the block.
SUBMISSION_QUERIES = 9


@pytest.mark.parametrize("status", ["awaiting", "mine", "all"])
def test_the_queue_costs_the_same_queries_for_3_or_10_submissions(client, world, author_a, django_assert_max_num_queries, status):
    """The queue's query count does not grow with its length: the same pinned bound holds at 3
    submissions and at 10 (some reviewed by the reviewer, so every badge is drawn)."""
    _learners_hand_in(world, 3)
    for submission in Submission.objects.all()[:1]:
        review_save(submission=submission, by=author_a, choices=_choices(world["assignment"]))
    client.force_login(author_a)
    url = reverse("courses:review_queue") + f"?status={status}"
    client.get(url)  # warm per-process caches (site, content types)

    with django_assert_max_num_queries(QUEUE_QUERIES):
        small = client.get(url)
    _learners_hand_in(world, 7, start=3)
    for submission in Submission.objects.filter(reviewed_at__isnull=True)[:3]:
        review_save(submission=submission, by=author_a, choices=_choices(world["assignment"]))
    with django_assert_max_num_queries(QUEUE_QUERIES):
        large = client.get(url)

    rows = {"awaiting": (2, 6), "mine": (1, 4), "all": (3, 10)}[status]
    assert (small.content.decode().count('href="/learn/review/submissions/'), large.content.decode().count('href="/learn/review/submissions/')) == rows


def test_a_mentor_of_an_unrelated_enterprise_sees_nothing_in_the_queue(client, world, student, make_organisation, make_member):
    """Mentors of an enterprise that does not partner the course have no runs to review."""
    hand_in(world, student)
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Logistics", slug="delta-logistics")
    outsider = make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com")
    client.force_login(outsider)

    html = client.get(reverse("courses:review_queue")).content.decode()

    assert "You have no runs to review." in html


def test_the_review_redirects_to_a_safe_next_only(client, world, student, author_a):
    """After saving, the reviewer goes back to the filtered queue they came from; an address of
    another site is ignored."""
    submission = hand_in(world, student)
    client.force_login(author_a)
    url = reverse("courses:review", args=[submission.pk])

    back = client.post(url, {**review_post(world["assignment"]), "next": "/learn/review/?status=all"})
    away = client.post(url, {**review_post(world["assignment"]), "next": "https://evil.example.com/"})

    assert back["Location"] == "/learn/review/?status=all"
    assert away["Location"] == reverse("courses:review_queue")


def test_the_submission_page_offers_reviewers_the_review_form(client, world, student, author_a):
    """A reviewer opening a submission gets a button to review it; the learner does not."""
    submission = hand_in(world, student)
    url = reverse("courses:submission", args=[world["run"].pk, submission.pk])
    review_url = reverse("courses:review", args=[submission.pk])
    client.force_login(author_a)
    assert review_url in client.get(url).content.decode()
    client.force_login(student)
    assert review_url not in client.get(url).content.decode()



def test_the_lesson_block_costs_the_same_queries_for_1_or_4_submissions(client, make_world, student, author_a):
    """The block's list of the learner's submissions does not add a query per submission (or per
    reviewed one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = make_world(max_submissions=0)
    first = hand_in(world, student)
    client.force_login(student)
    url = lesson_url(world)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    review_save(submission=first, by=author_a, choices=_choices(world["assignment"]))
    for _n in range(3):
        hand_in(world, student, files=[pdf()])

    with CaptureQueriesContext(connection) as four:
        html = client.get(url).content.decode()

    assert len(four.captured_queries) <= len(one.captured_queries)
    assert html.count('href="/learn/runs/') >= 4 and "Submission 4" in html


def test_the_submission_page_costs_the_same_queries_for_1_or_2_reviews(client, world, student, author_a, mentor, django_assert_max_num_queries):
    """The reviews, their scores, organisations and the files are fetched with the submission,
    whatever their number."""
    submission = hand_in(world, student, files=[pdf()])
    review_save(submission=submission, by=author_a, choices=_choices(world["assignment"]))
    client.force_login(student)
    url = reverse("courses:submission", args=[world["run"].pk, submission.pk])
    client.get(url)
    with django_assert_max_num_queries(SUBMISSION_QUERIES):
        client.get(url)
    review_save(submission=submission, by=mentor, choices=_choices(world["assignment"]))

    with django_assert_max_num_queries(SUBMISSION_QUERIES):
        html = client.get(url).content.decode()

    assert "Instructor, Alpha University of Commerce" in html and "Mentor at Gamma Trading" in html
