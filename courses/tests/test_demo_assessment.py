"""The demo's assessment (`courses.demo`, loaded by `manage.py load_demo_data`): every demo course
has a quiz of several question types and an assignment with a competency-linked rubric, in
English and in Chinese; every run has a saved grading policy; the demo student has a reviewed
submission but no pass; the demo graduate passed a run with a grade. (That loading again adds
nothing, and --reset rebuilds the same, is academy/tests/test_demo_data.py's test.)"""

from decimal import Decimal
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from wagtail.models import Locale

from courses.demo import ASSIGNMENT_BLOCK_ID, QUIZ_BLOCK_ID
from courses.grade_services import run_graded_items, run_policy_rows
from courses.models import (
    Assignment,
    CourseGradeRecord,
    CoursePage,
    CoursePass,
    CourseRun,
    Enrolment,
    GradeCutoff,
    LessonPage,
    QuizAttempt,
    Review,
    RunContentItem,
    Submission,
)


def _load(*args):
    call_command("load_demo_data", *args, stdout=StringIO())


def _block(item, block_type):
    """The value of the first `block_type` block of the lesson as pinned to the run."""
    return next(child.value for child in item.revision.as_object().body if child.block_type == block_type)


def _item(run, key):
    lessons = run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False).order_by("position")
    return next(item for item in lessons if key in (item.activity_keys or []))


def _enrolment(email, slug):
    return Enrolment.objects.select_related("run").get(user__email=email, run__course__slug=slug, run__language="en")


class DemoAssessmentTests(TestCase):
    """The demo loaded once for the tests of this class (it takes seconds), as when the command's
    transaction commits: the review e-mails are sent."""

    @classmethod
    def setUpTestData(cls):
        with cls.captureOnCommitCallbacks(execute=True):
            _load()
        cls.mails = list(mail.outbox)

    def test_every_demo_course_has_an_assignment_with_a_competency_rubric_in_both_languages(self):
        """Each course's English lesson and its Chinese translation hold an assignment block (each
        its own language's assignment, of the lead university) whose rubric has three criteria,
        each linked to a competency the course teaches and with three or four described levels;
        the assignment takes an optional text and optional files of the five office and image
        types, twice at most."""
        courses = CoursePage.objects.filter(locale__language_code="en").order_by("slug")
        assert courses.count() == 3
        for course in courses:
            lessons = [page for page in LessonPage.objects.descendant_of(course) if any(c.block_type == "assignment" for c in page.body)]
            assert len(lessons) == 1, course.slug
            lesson = lessons[0]
            translation = lesson.get_translation(Locale.objects.get(language_code="zh-hans"))
            lead = course.partners.get(role="lead_university").organisation
            titles = set()
            for page in (lesson, translation):
                block = next(child for child in page.body if child.block_type == "assignment")
                assert block.id == ASSIGNMENT_BLOCK_ID and block.value["grading_type"] == "Assignment", page.title
                assignment = Assignment.objects.select_related("rubric").get(pk=block.value["assignment"].pk)
                titles.add(assignment.title)
                assert assignment.organisation_id == assignment.rubric.organisation_id == lead.pk
                assert (assignment.text_answer, assignment.files, assignment.max_submissions) == ("optional", "optional", 2)
                assert set(assignment.file_types) == {"pdf", "docx", "xlsx", "png", "jpg"}
                assert assignment.instructions.strip()
                criteria = list(assignment.rubric.criteria.select_related("competency").prefetch_related("levels"))
                assert len(criteria) == 3, assignment.title
                for criterion in criteria:
                    assert criterion.competency is not None, criterion.title
                    assert course.competencies.filter(pk=criterion.competency_id).exists(), criterion.competency.code
                    levels = list(criterion.levels.all())
                    assert 3 <= len(levels) <= 4
                    assert all(level.description for level in levels)
                    assert max(level.points for level in levels) > 0
            assert len(titles) == 2, "the Chinese page holds the Chinese assignment"

    def test_every_demo_run_has_a_graded_quiz_of_several_question_types_and_a_saved_policy(self):
        """Every run, English and Chinese, grades one quiz and one assignment under a policy saved
        for it (not the default), whose lowest cutoff is the pass mark; each quiz asks questions of
        at least three different types."""
        runs = CourseRun.objects.select_related("course")
        assert runs.count() == 6
        for run in runs:
            types, cutoffs, is_default = run_policy_rows(run=run)
            assert not is_default, run
            assert {row["type"]: row["weight"] for row in types} == {"Quiz": Decimal("40"), "Assignment": Decimal("60")}
            assert min(row["minimum"] for row in cutoffs) == Decimal("60")
            assert [item["key"] for item in run_graded_items(run=run)] == [f"quiz:{QUIZ_BLOCK_ID}", f"assignment:{ASSIGNMENT_BLOCK_ID}"]
            quiz = _block(_item(run, f"quiz:{QUIZ_BLOCK_ID}"), "quiz")["quiz"]
            kinds = {slot.question.current_version.kind for slot in quiz.slots.select_related("question__current_version")}
            assert len(kinds) >= 3, (run, kinds)

    def test_the_demo_student_has_a_reviewed_submission_and_is_still_mid_course(self):
        """student@example.com is four of nine lessons into the logistics run, took its quiz once
        and handed in the assignment with a text and a PDF, which mentor@example.com reviewed as a
        mentor of an enterprise partner, with feedback on every criterion and overall (and the
        student was e-mailed): a grade, but no pass."""
        enrolment = _enrolment("student@example.com", "cross-border-logistics")
        lessons = enrolment.run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False).count()
        assert (enrolment.completions.count(), lessons) == (4, 9)
        assert enrolment.completed_at is None
        assert QuizAttempt.objects.filter(enrolment=enrolment, submitted_at__isnull=False).count() == 1

        submission = Submission.objects.get(enrolment=enrolment)
        assert submission.text and not submission.late
        stored = submission.files.get()
        assert stored.file_type == "pdf" and stored.file.open("rb").read(8) == b"%PDF-1.4"
        review = Review.objects.select_related("reviewer", "organisation").get(submission=submission)
        assert review.reviewer.email == "mentor@example.com" and review.role == Review.Role.MENTOR
        assert enrolment.run.course.partners.filter(organisation=review.organisation, organisation__kind="enterprise").exists()
        assert review.comment
        scores = list(review.scores.all())
        assert len(scores) == 3 and all(score.comment and score.competency_id for score in scores)
        assert submission.reviewed_at and (submission.earned, submission.possible) == (review.earned, review.possible)
        assert CourseGradeRecord.objects.filter(enrolment=enrolment).exists()
        assert not CoursePass.objects.filter(enrolment=enrolment).exists()
        assert any(message.to == ["student@example.com"] and "Landed-cost sheet for a Polish buyer" in message.subject for message in self.mails)

    def test_the_demo_graduate_passed_a_run_with_a_grade(self):
        """graduate@example.com completed every lesson of the customs run, answered its quiz right
        and had the assignment reviewed by author@example.com as an instructor: the run records a
        pass with a grade at or above the pass mark, and its letter."""
        enrolment = _enrolment("graduate@example.com", "customs-small-parcels")
        assert enrolment.completed_at is not None
        attempt = QuizAttempt.objects.get(enrolment=enrolment)
        assert attempt.earned == attempt.possible > 0
        review = Review.objects.select_related("reviewer").get(submission__enrolment=enrolment)
        assert review.reviewer.email == "author@example.com" and review.role == Review.Role.INSTRUCTOR

        course_pass = CoursePass.objects.get(enrolment=enrolment)
        pass_mark = GradeCutoff.objects.filter(run=enrolment.run).order_by("minimum").first()
        assert course_pass.percent is not None and course_pass.percent * 100 >= pass_mark.minimum
        assert course_pass.letter == enrolment.grade.letter == "A"
