"""Factories for programs, courses, modules, lessons and runs (wagtail-factories for pages). The
demo data and the tests build with the same factories.

`course_tree` builds a published course with modules and lessons under an organisation's page;
`open_run` opens a run of it through the service, so the run's content is pinned as a real
instructor's run would be."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone

from .models import Competency, CourseOrganisation, CoursePage, CourseRun, LessonPage, ModulePage, ProgramPage


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CMP.{n}")
    name_en = factory.Sequence(lambda n: f"Competency {n}")
    name_zh = factory.Sequence(lambda n: f"能力{n}")


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "What the course teaches, in a sentence."
    about = "<p>Who the course is for.</p>"
    level = "introductory"
    effort_hours = 10
    markets = ["PL"]


class ModulePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Module {n}")
    summary = "A group of lessons."


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"Lesson {n}")
    summary = "One idea, worked through."
    duration_minutes = 15
    body = [("rich_text", "<p>The text of the lesson.</p>")]


class ProgramPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ProgramPage

    title = factory.Sequence(lambda n: f"Program {n}")
    summary = "Several courses towards one role."


def _publish(page, user=None):
    page.save_revision(user=user).publish(user=user)
    return page


def course_tree(*, organisation, modules=2, lessons=2, partners=(), title=None, publish=True, **fields):
    """A course under `organisation`'s page with `modules` × `lessons` lessons, the organisation
    as lead university and `partners` as (organisation, role) pairs; published unless told not to."""
    from academy.organisations.models import OrganisationPage

    parent = OrganisationPage.objects.get(organisation=organisation, alias_of__isnull=True)
    course = CoursePageFactory.build(**({"title": title} if title else {}), **fields)
    parent.add_child(instance=course)
    CourseOrganisation.objects.create(course=course, organisation=organisation, role=CourseOrganisation.Role.LEAD_UNIVERSITY, sort_order=0)
    for order, (partner, role) in enumerate(partners, start=1):
        CourseOrganisation.objects.create(course=course, organisation=partner, role=role, sort_order=order)
    for m in range(modules):
        module = ModulePageFactory.build(title=f"{course.title} · module {m + 1}")
        course.add_child(instance=module)
        for n in range(lessons):
            lesson = LessonPageFactory.build(title=f"{course.title} · lesson {m + 1}.{n + 1}")
            module.add_child(instance=lesson)
            if publish:
                _publish(lesson)
        if publish:
            _publish(module)
    if publish:
        # Publish the course last: its partner permissions are synced on publish.
        _publish(course)
    return CoursePage.objects.get(pk=course.pk)


def run_dates(*, now=None, starts_in_days=-7, length_days=90, **overrides):
    now = now or timezone.now()
    starts = now + datetime.timedelta(days=starts_in_days)
    values = {
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(days=length_days),
        "enrolment_opens_at": starts - datetime.timedelta(days=30),
        "enrolment_closes_at": starts + datetime.timedelta(days=length_days - 1),
    }
    values.update(overrides)
    return values


def open_run(*, course, by, title="Spring 2027", language="en", capacity=None, enrolment_mode=CourseRun.EnrolmentMode.OPEN, **overrides):
    """A run whose enrolment is open now, created through the service (content pinned)."""
    from .services import run_create

    return run_create(
        course=course, by=by, title=title, language=language, capacity=capacity, enrolment_mode=enrolment_mode,
        pacing=CourseRun.Pacing.INSTRUCTOR_PACED, **run_dates(**overrides),
    )


def question_with_version(*, bank, kind, spec, by, title="A question"):
    """A question of `bank` with its first version recorded, as the admin saves it."""
    from .assessment_services import question_version_record
    from .models import Question
    from .question_authoring import question_content_from_spec

    question = Question.objects.create(bank=bank, title=title, content=question_content_from_spec(kind, spec))
    question_version_record(question=question, by=by)
    return Question.objects.get(pk=question.pk)


def quiz_with_questions(*, organisation, questions, by, title="Customs check", **fields):
    """A quiz of `organisation` with `questions` in order, one mark each, checked as the admin checks it."""
    from .assessment_services import quiz_check
    from .models import Quiz, QuizQuestion

    quiz = Quiz.objects.create(organisation=organisation, title=title, created_by=by, **fields)
    for order, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    quiz_check(quiz=quiz, by=by)
    return quiz


def quiz_lesson(*, course, quiz, block_id="quiz0001", title="Check your understanding", due_after_days=None, reflection=False):
    """A published lesson in the course's first module whose body is a quiz block (and, when
    asked, a case study asking for a reflection too)."""
    import uuid

    body = [{"type": "quiz", "id": block_id, "value": {"quiz": quiz.pk, "due_after_days": due_after_days}}]
    if reflection:
        body.append({"type": "case_study", "id": str(uuid.uuid4()), "value": {
            "title": "A first shipment", "organisation": "", "situation": "<p>Forty T-shirts.</p>",
            "questions": [], "takeaway": "", "reflection_required": True,
        }})
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lesson = LessonPageFactory.build(title=title, body=body)
    module.add_child(instance=lesson)
    _publish(lesson)
    return LessonPage.objects.get(pk=lesson.pk)


def rubric_with_criteria(*, organisation, by=None, title="Landed-cost sheet review", criteria=None):
    """A rubric of `organisation`, checked as the admin checks it. `criteria` is a list of
    (title, competency or None, [(level title, points), ...]); by default two criteria of three
    levels (4, 2 and 0 points)."""
    from decimal import Decimal

    from .models import Rubric, RubricCriterion, RubricLevel
    from .rubric_services import rubric_check

    criteria = criteria or [
        ("Duty and VAT worked out", None, [("Excellent", 4), ("Partly right", 2), ("Missing", 0)]),
        ("Sources cited", None, [("Excellent", 4), ("Partly right", 2), ("Missing", 0)]),
    ]
    rubric = Rubric.objects.create(organisation=organisation, title=title, created_by=by)
    for order, (criterion_title, competency, levels) in enumerate(criteria):
        criterion = RubricCriterion.objects.create(rubric=rubric, title=criterion_title, competency=competency, sort_order=order)
        for level_order, (level_title, points) in enumerate(levels):
            RubricLevel.objects.create(criterion=criterion, title=level_title, points=Decimal(points), sort_order=level_order)
    rubric_check(rubric=rubric)
    return rubric


def assignment_with_rubric(*, organisation, by, rubric=None, title="Landed-cost sheet", **fields):
    """An assignment of `organisation` with `rubric` (a default one when omitted), checked as the
    admin checks it; PDF and PNG uploads allowed unless `file_types` says otherwise."""
    from .assignment_services import assignment_check
    from .models import Assignment

    fields.setdefault("file_types", ["pdf", "png"])
    fields.setdefault("instructions", "Work out the landed cost of the parcel and hand in your sheet.")
    rubric = rubric or rubric_with_criteria(organisation=organisation, by=by)
    assignment = Assignment.objects.create(organisation=organisation, title=title, rubric=rubric, created_by=by, **fields)
    assignment_check(assignment=assignment, by=by)
    return assignment


def assignment_lesson(*, course, assignment, block_id="asg00001", title="Hand in your work", due_after_days=None, grading_type="Assignment"):
    """A published lesson in the course's first module whose body is an assignment block."""
    body = [{"type": "assignment", "id": block_id, "value": {
        "assignment": assignment.pk, "due_after_days": due_after_days, "grading_type": grading_type,
    }}]
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lesson = LessonPageFactory.build(title=title, body=body)
    module.add_child(instance=lesson)
    _publish(lesson)
    return LessonPage.objects.get(pk=lesson.pk)
