"""Assessment in headless Chromium against the live server.

1. A learner takes a quiz and sees its result as the review options say: right or not and the
   marks at once, but not the right answers, which the quiz keeps until its due date.
2. A learner hands in an assignment with a text answer and a PDF; a mentor of the course's
   partner enterprise finds it in the review queue, scores it with the rubric and leaves
   feedback; the learner sees the levels, the feedback and the points.

The arrange steps build through the factories and services; each commits at once, since the live
server needs a real transaction.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sign_out(page):
    page.context.clear_cookies()


@pytest.fixture
def course_with_assessment(make_organisation, make_member, platform_admin):
    """A course of a university with an enterprise partner: a quiz lesson (one single-choice and
    one true/false question; answers shown only after a due date a week away) and an assignment
    lesson reviewed with a two-criterion rubric; an open run with a learner enrolled."""
    from academy.organisations.models import Membership, Organisation
    from academy.people.factories import UserFactory
    from courses.assessment_services import question_bank_create
    from courses.factories import (
        assignment_lesson,
        assignment_with_rubric,
        course_tree,
        open_run,
        question_with_version,
        quiz_lesson,
        quiz_with_questions,
    )
    from courses.models import CourseOrganisation
    from courses.services import enrolment_request

    university = make_organisation(name_en="Qingshan University of Commerce", name_zh="青山商贸大学", slug="qingshan")
    enterprise = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Steppe Home Goods", name_zh="草原家居", slug="steppe")
    author = make_member(university, Membership.Role.AUTHOR, email="lin.author@example.com", display_name="Lin Author")
    mentor = make_member(enterprise, Membership.Role.MENTOR, email="aigerim.mentor@example.com", display_name="Aigerim Mentor")
    course = course_tree(
        organisation=university, title="Customs for marketplace sellers", modules=1, lessons=1,
        partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)],
    )
    bank = question_bank_create(organisation=university, title="Customs basics", by=author)
    ddp = question_with_version(bank=bank, kind="single_choice", by=author, title="DDP payer", spec={
        "prompt": "Under DDP, who pays the import VAT?",
        "options": [
            {"id": "a", "text": "The seller, before delivery", "correct": True},
            {"id": "b", "text": "The buyer, at the door", "correct": False},
        ],
    })
    ioss = question_with_version(bank=bank, kind="true_false", by=author, title="IOSS ceiling", spec={
        "prompt": "IOSS covers consignments worth up to EUR 150.", "answer": True,
    })
    quiz = quiz_with_questions(
        organisation=university, questions=[ddp, ioss], by=author, title="Customs check",
        show_correctness="immediately", show_marks="immediately", show_answers="after_due",
    )
    quiz_lesson(course=course, quiz=quiz, title="Check your customs basics", due_after_days=400)
    assignment = assignment_with_rubric(organisation=university, by=author, title="Landed-cost sheet for a Polish buyer")
    assignment_lesson(course=course, assignment=assignment, title="Your landed-cost sheet", due_after_days=400)
    run = open_run(course=course, by=platform_admin, title="Spring 2027")
    learner = UserFactory(email="dana.learner@example.com", display_name="Dana Learner")
    enrolment_request(user=learner, run=run)
    return {"run": run, "learner": learner, "mentor": mentor, "quiz": quiz, "assignment": assignment}


def lesson_url(run, title):
    from courses.models import RunContentItem

    item = RunContentItem.objects.get(run=run, title=title)
    return f"/learn/runs/{run.pk}/lessons/{item.pk}/"


def test_a_quiz_result_is_shown_as_the_review_options_allow(page, course_with_assessment, password):
    """Submitting shows which answers were right and the marks, and no right answer: the quiz
    shows those only after its due date."""
    data = course_with_assessment
    sign_in(page, email=data["learner"].email, password=password)

    page.goto(lesson_url(data["run"], "Check your customs basics"))
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("heading", level=1, name="Customs check")).to_be_visible()
    page.get_by_label("The seller, before delivery").check()
    page.get_by_role("group", name=re.compile("IOSS covers")).get_by_label("False").check()
    page.get_by_role("button", name="Submit my answers").click()

    expect(page.get_by_text("Your attempt is submitted.")).to_be_visible()
    expect(page.locator(".lesson-meta").get_by_text("1 of 2 marks")).to_be_visible()
    expect(page.locator(".badge", has_text=re.compile(r"^Right$"))).to_have_count(1)
    expect(page.locator(".badge", has_text="Not right")).to_have_count(1)
    expect(page.get_by_text("Right answer")).to_have_count(0)
    assert "The buyer, at the door" not in page.content() or "Right answer" not in page.content()

    # The lesson now counts the quiz as submitted, with its marks.
    page.get_by_role("link", name="Back to the lesson").click()
    expect(page.locator(".quiz-block").get_by_text("Submitted")).to_be_visible()


def test_an_assignment_is_handed_in_reviewed_by_a_mentor_and_the_feedback_seen(page, course_with_assessment, password, tmp_path):
    """The learner hands in a text and a PDF; the partner enterprise's mentor reviews it with
    the rubric from the review queue; the learner reads the levels, the feedback and the points."""
    data = course_with_assessment
    sheet = tmp_path / "landed-cost.pdf"
    sheet.write_bytes(PDF)

    sign_in(page, email=data["learner"].email, password=password)
    page.goto(lesson_url(data["run"], "Your landed-cost sheet"))
    block = page.locator(".assignment-block")
    expect(block.get_by_role("heading", name="Landed-cost sheet for a Polish buyer")).to_be_visible()
    expect(block.get_by_text("Duty and VAT worked out").first).to_be_visible()  # the rubric, before handing in
    block.get_by_label("Your answer").fill("Duty 0 %, VAT 23 % on CIF plus duty: PLN 184.50 landed.")
    block.get_by_label("Files").set_input_files(str(sheet))
    block.get_by_role("button", name="Hand in", exact=True).click()
    expect(page.locator(".assignment-block").get_by_text("Awaiting review")).to_be_visible()
    sign_out(page)

    sign_in(page, email=data["mentor"].email, password=password)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Work to review").click()
    page.get_by_role("link", name=re.compile(r"^Review Landed-cost sheet for a Polish buyer")).click()
    expect(page.get_by_text("PLN 184.50 landed")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("landed-cost.pdf"))).to_be_visible()
    criteria = page.locator("fieldset")
    # Each level is a card: the learner-facing label is what a reviewer clicks.
    criteria.filter(has_text="Duty and VAT worked out").locator("label", has_text="Excellent").click()
    criteria.filter(has_text="Sources cited").locator("label", has_text="Partly right").click()
    expect(criteria.filter(has_text="Sources cited").get_by_role("radio", name=re.compile("^Partly right"))).to_be_checked()
    criteria.filter(has_text="Sources cited").get_by_label(re.compile("^Feedback on this criterion")).fill("Cite the tariff line you used.")
    page.get_by_label(re.compile("^Overall feedback")).fill("A clear sheet; the VAT base is right.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text(re.compile(r"Your review of .* is saved \(6 of 8 points\)"))).to_be_visible()
    sign_out(page)

    sign_in(page, email=data["learner"].email, password=password)
    page.goto(lesson_url(data["run"], "Your landed-cost sheet"))
    expect(page.locator(".assignment-block").get_by_text("Reviewed: 6 of 8 points")).to_be_visible()
    page.locator(".assignment-block").get_by_role("link", name="Submission 1").click()
    expect(page.get_by_text("Cite the tariff line you used.")).to_be_visible()
    expect(page.get_by_text("A clear sheet; the VAT base is right.")).to_be_visible()
    expect(page.get_by_text("Aigerim Mentor").first).to_be_visible()
