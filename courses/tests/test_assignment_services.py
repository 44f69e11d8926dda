"""Assignments in lessons (courses.assignment_services): what an author may save, learners
handing work in within the assignment's rules (nothing stored when anything is wrong), and
reviewers scoring it with the rubric (who may, what is kept, what the learner is told)."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages

from academy.organisations.models import Membership, Organisation
from academy.people.factories import UserFactory
from courses import services
from courses.assignment_services import assignment_check, review_save, submission_create
from courses.factories import course_tree, open_run
from courses.models import (
    Assignment,
    CourseOrganisation,
    Enrolment,
    LessonCompletion,
    Review,
    ReviewScore,
    RubricLevel,
    Submission,
    SubmissionFile,
)
from courses.tests.assessment_fixtures import (
    assignment_block,
    assignment_build,
    docx_bytes,
    lesson_add,
    pdf_bytes,
    rubric_build,
    rubric_choices,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(university_a, enterprise):
    """Led by university A, with the Gamma enterprise as practicum partner (its mentors review)."""
    return course_tree(
        organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.PRACTICUM_PARTNER)],
    )


@pytest.fixture
def rubric(university_a, author_a):
    return rubric_build(organisation=university_a, by=author_a)


@pytest.fixture
def assignment(university_a, rubric, author_a):
    return assignment_build(organisation=university_a, rubric=rubric, by=author_a)


@pytest.fixture
def lesson(course, assignment):
    return lesson_add(course=course, body=[assignment_block(assignment, due_after_days=10)])


@pytest.fixture
def run(course, lesson, author_a):
    return open_run(course=course, by=author_a)


@pytest.fixture
def item(run, lesson):
    return run.content_items.get(page=lesson)


@pytest.fixture
def enrolment(run, student):
    return services.enrolment_request(user=student, run=run)


@pytest.fixture
def on_time(run):
    """A moment before the block's due date (ten days after the run starts)."""
    return run.starts_at + datetime.timedelta(days=1)


def hand_in(enrolment, item, by, *, text="Landed cost: 412.50 PLN.", files=(), now=None, block_id="asg0001"):
    return submission_create(enrolment=enrolment, item=item, block_id=block_id, text=text, files=list(files), by=by, now=now)


def private_files():
    """Every path under submissions/ on the private storage (kept in memory for the process)."""
    storage = storages["private"]

    def walk(path):
        try:
            folders, files = storage.listdir(path)
        except FileNotFoundError:
            return set()
        return {f"{path}/{name}" for name in files}.union(*(walk(f"{path}/{folder}") for folder in folders))

    return walk("submissions")


@pytest.fixture(autouse=True)
def private_files_before():
    """The private storage's files when the test starts: the in-memory storage outlives a test."""
    return private_files()


@pytest.fixture
def assert_nothing_stored(private_files_before):
    def check():
        assert not Submission.objects.exists()
        assert not SubmissionFile.objects.exists()
        assert not LessonCompletion.objects.exists()
        assert private_files() == private_files_before

    return check


def errors_of(excinfo):
    return excinfo.value.message_dict


# ---------------------------------------------------------------- the author's check


def test_a_valid_assignment_passes_the_check(assignment, author_a):
    """An assignment of the organisation's own valid rubric, asking for text and files of given
    types, passes."""
    assert assignment_check(assignment=assignment, by=author_a) is None


def test_the_check_refuses_another_organisations_rubric(university_a, university_b, author_a, author_b):
    """Only the organisation's own rubrics can be used, keyed on the rubric field."""
    foreign = rubric_build(organisation=university_b, by=author_b, title="Beta rubric")
    assignment = assignment_build(organisation=university_a, rubric=foreign, by=author_a)

    with pytest.raises(ValidationError) as excinfo:
        assignment_check(assignment=assignment, by=author_a)

    assert list(errors_of(excinfo)) == ["rubric"]


def test_the_check_refuses_an_assignment_asking_for_nothing(university_a, rubric, author_a):
    """Neither text nor files asked: learners could hand nothing in."""
    assignment = assignment_build(organisation=university_a, rubric=rubric, text_answer=Assignment.Part.NONE, files=Assignment.Part.NONE)

    with pytest.raises(ValidationError, match="hand something in"):
        assignment_check(assignment=assignment, by=author_a)


def test_the_check_refuses_files_without_file_types(university_a, rubric, author_a):
    """Files asked for without saying which kinds are refused, keyed on file_types."""
    assignment = assignment_build(organisation=university_a, rubric=rubric, files=Assignment.Part.REQUIRED, file_types=[])

    with pytest.raises(ValidationError) as excinfo:
        assignment_check(assignment=assignment, by=author_a)

    assert list(errors_of(excinfo)) == ["file_types"]


def test_the_check_refuses_another_organisations_staff(assignment, author_b):
    """An author of another university cannot manage the assignment."""
    with pytest.raises(PermissionDenied):
        assignment_check(assignment=assignment, by=author_b)


# ---------------------------------------------------------------- handing in: refusals store nothing


def test_the_block_is_an_activity_and_a_graded_item_of_the_lesson(item, assignment):
    """Publishing pins the assignment block's activity key and graded item with its type."""
    assert item.activity_keys == ["assignment:asg0001"]
    assert item.graded_items == [{
        "key": "assignment:asg0001", "kind": "assignment", "target": assignment.pk, "type": "Assignment",
        "label": assignment.title, "due_after_days": 10,
    }]


def test_a_required_text_missing_is_refused_and_nothing_stored(assignment, enrolment, item, student, on_time, assert_nothing_stored):
    """With a required text answer, files alone are refused on `text`; no row or file is stored."""
    assignment.text_answer = Assignment.Part.REQUIRED
    assignment.save()

    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, text="   ", files=[upload("report.pdf", pdf_bytes())], now=on_time)

    assert list(errors_of(excinfo)) == ["text"]
    assert_nothing_stored()


def test_required_files_missing_are_refused_and_nothing_stored(assignment, enrolment, item, student, on_time, assert_nothing_stored):
    """With files required, a text alone is refused on `files`."""
    assignment.files = Assignment.Part.REQUIRED
    assignment.save()

    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, text="Here it is.", now=on_time)

    assert list(errors_of(excinfo)) == ["files"]
    assert_nothing_stored()


def test_too_many_files_are_refused_and_nothing_stored(assignment, enrolment, item, student, on_time, assert_nothing_stored):
    """Three files at most: four are refused on `files`, none of them stored."""
    files = [upload(f"part-{n}.pdf", pdf_bytes()) for n in range(4)]

    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, files=files, now=on_time)

    assert list(errors_of(excinfo)) == ["files"]
    assert "3 files at most" in errors_of(excinfo)["files"][0]
    assert_nothing_stored()


def test_a_file_with_bad_content_is_refused_and_the_good_one_not_stored(enrolment, item, student, on_time, assert_nothing_stored):
    """One good PDF and one HTML page named .pdf: refused on `files`, naming the bad file, and the
    good file is not stored either."""
    files = [upload("good.pdf", pdf_bytes()), upload("evil.pdf", b"<html><script>x</script></html>")]

    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, files=files, now=on_time)

    messages = errors_of(excinfo)["files"]
    assert len(messages) == 1 and "evil.pdf" in messages[0]
    assert_nothing_stored()


def test_a_file_type_the_assignment_does_not_accept_is_refused(assignment, enrolment, item, student, on_time, assert_nothing_stored):
    """A Word file where only PDFs are accepted is refused, naming the accepted types."""
    assignment.file_types = ["pdf"]
    assignment.save()

    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, files=[upload("letter.docx", docx_bytes())], now=on_time)

    assert "Accepted: pdf" in errors_of(excinfo)["files"][0]
    assert_nothing_stored()


def test_a_file_above_the_assignments_limit_is_refused(enrolment, item, student, on_time, assert_nothing_stored):
    """The assignment allows 1 MB; a 1 MB + 1 byte PDF is refused."""
    data = pdf_bytes() + b" " * (1024 * 1024 + 1 - len(pdf_bytes()))

    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, files=[upload("big.pdf", data)], now=on_time)

    assert "1 MB at most" in errors_of(excinfo)["files"][0]
    assert_nothing_stored()


def test_handing_in_nothing_is_refused(enrolment, item, student, on_time, assert_nothing_stored):
    """Text and files both optional, neither given: refused on `text`."""
    with pytest.raises(ValidationError) as excinfo:
        hand_in(enrolment, item, student, text="", now=on_time)

    assert list(errors_of(excinfo)) == ["text"]
    assert_nothing_stored()


def test_a_block_not_in_the_lesson_or_a_lesson_of_another_run_is_refused(course, enrolment, item, student, author_a, on_time, assert_nothing_stored):
    """An unknown block id, or the lesson of another run, is refused without storing anything."""
    with pytest.raises(ValidationError):
        hand_in(enrolment, item, student, block_id="nope", now=on_time)
    other_run = open_run(course=course, by=author_a, title="Autumn 2027")
    other_item = other_run.content_items.get(page=item.page)
    with pytest.raises(ValidationError):
        hand_in(enrolment, other_item, student, now=on_time)
    assert_nothing_stored()


# ---------------------------------------------------------------- handing in: what is stored


def test_a_lesson_retired_from_the_run_takes_no_hand_in(course, enrolment, item, student, author_a, on_time, assert_nothing_stored):
    """A lesson unpublished and retired from the run refuses hand-ins before storing anything:
    no row, and no file left behind on the private storage."""
    item.page.unpublish()
    services.run_content_publish(run=item.run, by=author_a)
    item.refresh_from_db()
    assert item.retired

    with pytest.raises(ValidationError):
        hand_in(enrolment, item, student, files=[upload("sheet.pdf", pdf_bytes())], now=on_time)
    assert_nothing_stored()


def test_a_valid_hand_in_stores_the_files_privately_with_their_digest(enrolment, item, student, run, on_time, private_files_before):
    """Text and two files: each file row has the cleaned original name, its type, size and
    SHA-256; the private storage holds the bytes under a random name, never the original one."""
    pdf, docx = pdf_bytes(), docx_bytes()

    submission = hand_in(enrolment, item, student, text="  My sheet.  ", now=on_time, files=[
        upload("C:\\Users\\aru\\Desktop\\landed cost.pdf", pdf), upload("letter.docx", docx),
    ])

    submission.refresh_from_db()
    assert (submission.number, submission.text, submission.late, submission.submitted_at) == (1, "My sheet.", False, on_time)
    assert submission.earned is None and submission.reviewed_at is None
    stored = list(submission.files.order_by("pk"))
    assert [(f.name, f.file_type, f.size, f.sha256) for f in stored] == [
        ("landed cost.pdf", "pdf", len(pdf), hashlib.sha256(pdf).hexdigest()),
        ("letter.docx", "docx", len(docx), hashlib.sha256(docx).hexdigest()),
    ]
    assert private_files() - private_files_before == {row.file.name for row in stored}
    for row, data in zip(stored, (pdf, docx)):
        assert row.file.name.startswith(f"submissions/{run.pk}/") and "landed" not in row.file.name and "letter" not in row.file.name
        with storages["private"].open(row.file.name) as handle:
            assert handle.read() == data


def test_the_text_is_dropped_when_the_assignment_asks_for_none(assignment, enrolment, item, student, on_time):
    """A files-only assignment keeps the files and ignores a text sent anyway."""
    assignment.text_answer = Assignment.Part.NONE
    assignment.save()

    submission = hand_in(enrolment, item, student, text="ignored", files=[upload("a.pdf", pdf_bytes())], now=on_time)

    assert submission.text == "" and submission.files.count() == 1


def test_submissions_are_numbered_and_the_limit_holds(enrolment, item, student, on_time):
    """Two hand-ins allowed: numbered 1 and 2, the third is refused and not stored."""
    first = hand_in(enrolment, item, student, now=on_time)
    second = hand_in(enrolment, item, student, text="Corrected.", now=on_time)

    with pytest.raises(ValidationError, match="as often as it allows"):
        hand_in(enrolment, item, student, text="Again.", now=on_time)

    assert (first.number, second.number) == (1, 2)
    assert list(Submission.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_zero_means_no_limit(assignment, enrolment, item, student, on_time):
    """With max_submissions 0, a learner hands in five times."""
    assignment.max_submissions = 0
    assignment.save()

    numbers = [hand_in(enrolment, item, student, text=f"Try {n}.", now=on_time).number for n in range(5)]

    assert numbers == [1, 2, 3, 4, 5]


def test_late_work_is_marked_late(enrolment, item, student, run):
    """After the due date (ten days after the start) the hand-in is accepted and marked late;
    before it, it is not."""
    due = run.starts_at + datetime.timedelta(days=10)

    on_time = hand_in(enrolment, item, student, now=due)
    late = hand_in(enrolment, item, student, now=due + datetime.timedelta(seconds=1))

    assert (on_time.late, late.late) == (False, True)


def test_late_work_is_refused_when_the_assignment_does_not_accept_it(assignment, enrolment, item, student, run, assert_nothing_stored):
    """accept_late off: a hand-in after the due date is refused with the date, nothing stored."""
    assignment.accept_late = False
    assignment.save()

    with pytest.raises(ValidationError, match="does not accept late work"):
        hand_in(enrolment, item, student, now=run.starts_at + datetime.timedelta(days=11))

    assert_nothing_stored()


def test_without_a_due_date_the_run_end_is_the_due_date(course, assignment, author_a, student):
    """A block without due_after_days is due when the run ends."""
    lesson = lesson_add(course=course, body=[assignment_block(assignment, block_id="nodue01")], title="No due date")
    run = open_run(course=course, by=author_a, title="Summer 2027")
    enrolment = services.enrolment_request(user=student, run=run)
    item = run.content_items.get(page=lesson)

    before = hand_in(enrolment, item, student, block_id="nodue01", now=run.ends_at)
    after = hand_in(enrolment, item, student, block_id="nodue01", now=run.ends_at + datetime.timedelta(minutes=1))

    assert (before.late, after.late) == (False, True)


def test_a_withdrawn_learner_cannot_hand_in(enrolment, item, student, on_time, assert_nothing_stored):
    """After unenrolling, the learner's hand-in is refused."""
    services.enrolment_withdraw(enrolment=enrolment, by=student)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)

    with pytest.raises((PermissionDenied, ValidationError)):
        hand_in(enrolment, item, student, now=on_time)
    assert_nothing_stored()


def test_someone_else_cannot_hand_in_for_the_learner(enrolment, item, author_a, run, on_time, assert_nothing_stored):
    """Another user, even the instructor or a learner of the same run, cannot hand in on the
    learner's enrolment."""
    other = UserFactory()
    services.enrolment_request(user=other, run=run)

    for intruder in (author_a, other):
        with pytest.raises(PermissionDenied):
            hand_in(enrolment, item, intruder, now=on_time)
    assert_nothing_stored()


def test_handing_in_completes_a_lesson_whose_only_activity_is_the_assignment(enrolment, item, student, on_time):
    """The assignment is the lesson's only activity: handing in completes it, before any review."""
    hand_in(enrolment, item, student, now=on_time)

    completion = LessonCompletion.objects.get(enrolment=enrolment, item=item)
    assert completion.how == LessonCompletion.How.ACTIVITIES


# ---------------------------------------------------------------- reviews


@pytest.fixture
def submission(enrolment, item, student, on_time):
    return hand_in(enrolment, item, student, files=[upload("sheet.pdf", pdf_bytes())], now=on_time)


@pytest.fixture
def unrelated_mentor(make_organisation, make_member):
    """A mentor of an enterprise that does not partner the course."""
    other = make_organisation(kind=Organisation.Kind.ENTERPRISE, name_en="Delta Logistics", slug="delta-logistics")
    return make_member(other, Membership.Role.MENTOR, email="mentor-d@example.com")


def review(submission, by, rubric, *levels, **kwargs):
    return review_save(submission=submission, by=by, choices=rubric_choices(rubric, *levels), **kwargs)


def test_an_instructor_reviews_and_is_recorded_as_instructor(submission, rubric, author_a, university_a):
    """The lead university's author reviews: role instructor for university A, the chosen levels
    copied with their points, inline feedback per criterion and overall."""
    criteria = list(rubric.criteria.order_by("sort_order"))

    saved = review(
        submission, author_a, rubric, "Adequate", "Clear",
        comments={criteria[0].pk: " Check the VAT. ", str(criteria[1].pk): "Good letter."}, comment=" Well done. ",
    )

    saved.refresh_from_db()
    assert (saved.role, saved.organisation_id, saved.reviewer_id, saved.reviewer_name) == (
        Review.Role.INSTRUCTOR, university_a.pk, author_a.pk, "Author Alpha",
    )
    assert (saved.earned, saved.possible, saved.comment) == (Decimal("4"), Decimal("6"), "Well done.")
    assert [(s.position, s.criterion_id, s.criterion_title, s.level_title, s.points, s.max_points, s.comment) for s in saved.scores.all()] == [
        (1, criteria[0].pk, "Landed-cost sheet", "Adequate", Decimal("2"), Decimal("4"), "Check the VAT."),
        (2, criteria[1].pk, "Buyer letter", "Clear", Decimal("2"), Decimal("2"), "Good letter."),
    ]


def test_a_mentor_of_a_partner_enterprise_reviews_as_mentor(submission, rubric, mentor, enterprise):
    """A mentor of the course's practicum partner reviews as a mentor for the enterprise."""
    saved = review(submission, mentor, rubric, "Excellent", "Unclear")

    assert (saved.role, saved.organisation_id, saved.earned) == (Review.Role.MENTOR, enterprise.pk, Decimal("4"))


def test_a_platform_administrator_reviews_as_instructor(submission, rubric, platform_admin):
    """A platform administrator may review, as an instructor of no organisation."""
    saved = review(submission, platform_admin, rubric, "Excellent", "Clear")

    assert (saved.role, saved.organisation_id, saved.earned) == (Review.Role.INSTRUCTOR, None, Decimal("6"))


def test_outsiders_cannot_review(submission, rubric, unrelated_mentor, author_b, student, run):
    """A mentor of an unrelated enterprise, a staff member of an unrelated university, another
    learner of the run and the learner themself are refused; nothing is stored."""
    other_learner = UserFactory()
    services.enrolment_request(user=other_learner, run=run)

    for outsider in (unrelated_mentor, author_b, other_learner, student):
        with pytest.raises(PermissionDenied):
            review(submission, outsider, rubric, "Excellent", "Clear")

    assert not Review.objects.exists()
    submission.refresh_from_db()
    assert submission.reviewed_at is None


def test_an_instructor_cannot_review_their_own_work(course, lesson, rubric, author_a):
    """An instructor enrolled as a learner in their own course cannot review their own hand-in."""
    run = open_run(course=course, by=author_a, title="Staff run")
    enrolment = services.enrolment_request(user=author_a, run=run)
    item = run.content_items.get(page=lesson)
    own = hand_in(enrolment, item, author_a, now=run.starts_at + datetime.timedelta(days=1))

    with pytest.raises(PermissionDenied):
        review(own, author_a, rubric, "Excellent", "Clear")
    assert not Review.objects.exists()


@pytest.mark.parametrize("broken", ["missing", "foreign_level", "unknown_criterion"])
def test_choices_that_do_not_fit_the_rubric_are_refused_and_nothing_stored(submission, rubric, author_a, broken):
    """A criterion without a level, a level of another criterion or a choice for a criterion not
    in the rubric raises a ValidationError; no review, score or submission score is stored."""
    criteria = list(rubric.criteria.order_by("sort_order"))
    choices = rubric_choices(rubric, "Excellent", "Clear")
    if broken == "missing":
        choices[criteria[1].pk] = ""
    elif broken == "foreign_level":
        choices[criteria[1].pk] = criteria[0].levels.first().pk
    else:
        choices[999999] = criteria[0].levels.first().pk

    with pytest.raises(ValidationError):
        review_save(submission=submission, by=author_a, choices=choices)

    assert not Review.objects.exists() and not ReviewScore.objects.exists()
    submission.refresh_from_db()
    assert (submission.earned, submission.possible, submission.reviewed_at) == (None, None, None)


def test_a_second_review_by_the_same_reviewer_replaces_the_first(submission, rubric, author_a):
    """Reviewing again keeps one review per reviewer: its scores are replaced, its creation time
    kept and its update time moved."""
    first_at = submission.submitted_at + datetime.timedelta(hours=1)
    second_at = first_at + datetime.timedelta(hours=1)
    first = review(submission, author_a, rubric, "Missing", "Unclear", comment="Redo it.", now=first_at)

    second = review(submission, author_a, rubric, "Excellent", "Clear", now=second_at)

    assert Review.objects.count() == 1 and second.pk == first.pk
    second.refresh_from_db()
    assert (second.created_at, second.updated_at, second.comment, second.earned) == (first_at, second_at, "", Decimal("6"))
    assert list(ReviewScore.objects.order_by("position").values_list("level_title", flat=True)) == ["Excellent", "Clear"]


def test_the_newest_review_gives_the_submission_its_score(submission, rubric, author_a, mentor):
    """Instructor then mentor: the submission takes the mentor's score and time; both reviews stay."""
    t1 = submission.submitted_at + datetime.timedelta(hours=1)
    t2 = t1 + datetime.timedelta(hours=1)
    review(submission, author_a, rubric, "Excellent", "Clear", now=t1)
    submission.refresh_from_db()
    assert (submission.earned, submission.possible, submission.reviewed_at) == (Decimal("6"), Decimal("6"), t1)

    review(submission, mentor, rubric, "Adequate", "Unclear", now=t2)

    submission.refresh_from_db()
    assert (submission.earned, submission.possible, submission.reviewed_at) == (Decimal("2"), Decimal("6"), t2)
    assert Review.objects.filter(submission=submission).count() == 2


def test_the_learner_is_emailed_after_commit(submission, rubric, author_a, student, django_capture_on_commit_callbacks):
    """A review e-mails the learner once the transaction commits, not before; a second review
    by the same reviewer e-mails again."""
    with django_capture_on_commit_callbacks(execute=True):
        review(submission, author_a, rubric, "Excellent", "Clear")
        assert mail.outbox == []

    assert [message.to for message in mail.outbox] == [[student.email]]
    assert mail.outbox[0].subject.strip()

    with django_capture_on_commit_callbacks(execute=True):
        review(submission, author_a, rubric, "Adequate", "Clear")
    assert len(mail.outbox) == 2


def test_a_refused_review_emails_nobody(submission, rubric, author_a, django_capture_on_commit_callbacks):
    """A review refused for a missing level sends no e-mail."""
    criteria = list(rubric.criteria.order_by("sort_order"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            review_save(submission=submission, by=author_a, choices={criteria[0].pk: criteria[0].levels.first().pk})

    assert callbacks == [] and mail.outbox == []


def test_editing_the_rubric_later_does_not_change_a_given_review(submission, rubric, author_a):
    """Renaming a level and changing its points after the review leave the review's copied
    titles and points as they were."""
    saved = review(submission, author_a, rubric, "Excellent", "Clear")
    level = RubricLevel.objects.get(criterion__rubric=rubric, title="Excellent")
    level.title, level.points = "Outstanding", Decimal("10")
    level.save()
    level.criterion.title = "Renamed criterion"
    level.criterion.save()

    score = ReviewScore.objects.get(review=saved, position=1)
    assert (score.criterion_title, score.level_title, score.points, score.max_points) == (
        "Landed-cost sheet", "Excellent", Decimal("4"), Decimal("4"),
    )
    submission.refresh_from_db()
    assert (submission.earned, submission.possible) == (Decimal("6"), Decimal("6"))


def test_the_sweep_removes_only_old_files_no_submission_points_to(enrolment, item, student, run, on_time):
    """A file left behind by a rolled-back hand-in is deleted once older than the grace period; a
    younger one, and every file of a stored submission, stay."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from courses.assignment_services import SWEEP_GRACE, submission_files_sweep
    from courses.tests.assessment_fixtures import pdf_bytes

    submission = hand_in(enrolment, item, student, files=[SimpleUploadedFile("sheet.pdf", pdf_bytes())], now=on_time)
    kept = submission.files.get().file.name
    storage = storages["private"]
    orphan = storage.save(f"submissions/{run.pk}/orphan-of-a-rollback", ContentFile(b"%PDF-1.4 left behind"))

    assert submission_files_sweep() == 0  # younger than the grace period
    assert storage.exists(orphan)

    later = timezone.now() + SWEEP_GRACE + datetime.timedelta(minutes=1)
    submission_files_sweep(now=later)

    assert not storage.exists(orphan)
    assert storage.exists(kept) and storage.open(kept).read() == pdf_bytes()

