"""Completing lessons (explicitly, or by doing their activities), the competency evidence it
gives, completing a run, and what a run teaches: the revisions pinned when content was last
published to it (courses.services)."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.rich_text import RichText

from courses import services
from courses.factories import LessonPageFactory, course_tree, open_run
from courses.models import (
    ActivityResponse,
    Competency,
    CompetencyEvidence,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModulePage,
    RunContentItem,
)

pytestmark = pytest.mark.django_db

How = LessonCompletion.How


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=2, lessons=2)


@pytest.fixture
def run(course, author_a):
    return open_run(course=course, by=author_a)


@pytest.fixture
def enrolment(run, student):
    return services.enrolment_request(user=student, run=run)


def lessons_of(run):
    return list(run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False).order_by("position"))


def publish(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def case_study_lesson(course, title="Choosing a channel"):
    """A lesson whose case study asks for a written reflection, published in the course's
    first module."""
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lesson = LessonPageFactory.build(title=title, body=[{
        "type": "case_study", "id": str(uuid.uuid4()),
        "value": {
            "title": "A first shipment to Poland", "organisation": "Amber Loom", "situation": "<p>Forty T-shirts.</p>",
            "questions": ["Which channel?"], "takeaway": "", "reflection_required": True,
        },
    }])
    module.add_child(instance=lesson)
    return publish(lesson)


# --- Completing a lesson ---------------------------------------------------------------------


def test_a_learner_marks_a_lesson_complete_once(enrolment, run, student):
    """Marking a lesson complete records it; marking it again changes nothing."""
    item = lessons_of(run)[0]

    first = services.lesson_complete(enrolment=enrolment, item=item, by=student)
    second = services.lesson_complete(enrolment=enrolment, item=item, by=student)

    assert first.pk == second.pk and first.how == How.EXPLICIT
    assert LessonCompletion.objects.filter(enrolment=enrolment).count() == 1


def test_only_an_enrolled_learner_completes_lessons_of_their_own_run(course, run, enrolment, student, author_a):
    """Someone else, a learner who left, or a lesson of another run: refused."""
    other_run = open_run(course=course, by=author_a, title="Autumn 2027")
    item = lessons_of(run)[0]

    with pytest.raises(PermissionDenied):
        services.lesson_complete(enrolment=enrolment, item=item, by=author_a)
    with pytest.raises(ValidationError):
        services.lesson_complete(enrolment=enrolment, item=lessons_of(other_run)[0], by=student)
    module_item = run.content_items.filter(kind=RunContentItem.Kind.MODULE).first()
    with pytest.raises(ValidationError):
        services.lesson_complete(enrolment=enrolment, item=module_item, by=student)
    services.enrolment_withdraw(enrolment=enrolment, by=student)
    with pytest.raises(PermissionDenied):
        services.lesson_complete(enrolment=Enrolment.objects.get(pk=enrolment.pk), item=item, by=student)

    assert not LessonCompletion.objects.exists()


def test_the_run_is_completed_when_every_required_lesson_is_done(course, author_a, student):
    """The enrolment is marked completed when the last required lesson is done; an optional
    lesson is not needed."""
    optional = LessonPage.objects.descendant_of(course).order_by("path").last()
    optional.required = False
    publish(optional)
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    items = lessons_of(run)
    required = [item for item in items if item.required]
    assert len(required) == 3 and len(items) == 4

    for item in required[:-1]:
        services.lesson_complete(enrolment=enrolment, item=item, by=student)
        enrolment.refresh_from_db()
        assert enrolment.completed_at is None
    services.lesson_complete(enrolment=enrolment, item=required[-1], by=student)

    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_reflection_completes_its_lesson(course, author_a, student):
    """A lesson whose case study asks for a reflection completes by itself once the learner
    sends the reflection; an empty answer or an unknown activity is refused."""
    case = case_study_lesson(course)
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    item = run.content_items.get(page=case)
    (key,) = item.activity_keys
    assert key.startswith("reflection:")

    with pytest.raises(ValidationError):
        services.activity_response_submit(enrolment=enrolment, item=item, activity_key=key, text="   ", by=student)
    with pytest.raises(ValidationError):
        services.activity_response_submit(enrolment=enrolment, item=item, activity_key="reflection:other", text="Sea freight.", by=student)
    assert not LessonCompletion.objects.exists()

    services.activity_response_submit(enrolment=enrolment, item=item, activity_key=key, text="Sea freight is too slow.", by=student)

    completion = LessonCompletion.objects.get(enrolment=enrolment, item=item)
    assert completion.how == How.ACTIVITIES
    assert ActivityResponse.objects.get(enrolment=enrolment, item=item).text == "Sea freight is too slow."


def test_changing_a_reflection_keeps_one_answer_and_one_completion(course, author_a, student):
    """A learner who rewrites their reflection replaces the answer; the lesson stays completed once."""
    case = case_study_lesson(course)
    run = open_run(course=course, by=author_a)
    enrolment = services.enrolment_request(user=student, run=run)
    item = run.content_items.get(page=case)
    (key,) = item.activity_keys

    services.activity_response_submit(enrolment=enrolment, item=item, activity_key=key, text="First thoughts.", by=student)
    services.activity_response_submit(enrolment=enrolment, item=item, activity_key=key, text="Second thoughts.", by=student)

    assert list(ActivityResponse.objects.values_list("text", flat=True)) == ["Second thoughts."]
    assert LessonCompletion.objects.filter(enrolment=enrolment, item=item).count() == 1


def test_a_lesson_without_activities_does_not_complete_by_itself(run, enrolment, student):
    """Plain lessons have no activities: only marking them complete completes them."""
    item = lessons_of(run)[0]

    assert item.activity_keys == []
    with pytest.raises(ValidationError):
        services.activity_response_submit(enrolment=enrolment, item=item, activity_key="reflection:x", text="Hello", by=student)


# --- Competency evidence ---------------------------------------------------------------------


def test_competency_evidence_is_recorded_once_per_lesson_and_competency(course, author_a, student):
    """Completing a lesson tagged with two competencies gives two pieces of evidence; completing
    it again, or the same lesson in another run, gives no more."""
    skills = list(Competency.objects.filter(parent__isnull=False).order_by("code")[:2])
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    lesson.competencies.set(skills)
    publish(lesson)
    spring = open_run(course=course, by=author_a, title="Spring")
    autumn = open_run(course=course, by=author_a, title="Autumn")

    for run in (spring, autumn):
        enrolment = services.enrolment_request(user=student, run=run)
        item = run.content_items.get(page=lesson)
        services.lesson_complete(enrolment=enrolment, item=item, by=student)
        services.lesson_complete(enrolment=enrolment, item=item, by=student)

    evidence = CompetencyEvidence.objects.filter(user=student)
    assert sorted(evidence.values_list("competency__code", flat=True)) == sorted(skill.code for skill in skills)
    assert {e.source_key for e in evidence} == {f"lesson:{lesson.translation_key}"}
    assert {e.kind for e in evidence} == {CompetencyEvidence.Kind.LESSON}


# --- What a run teaches ----------------------------------------------------------------------


def test_learners_see_the_revision_pinned_to_the_run_until_content_is_published(client, course, run, enrolment, student, author_a, django_capture_on_commit_callbacks):
    """An author edits and publishes a lesson after the run was created: its learners still
    read the old text until an instructor publishes the newest content to the run."""
    item = lessons_of(run)[0]
    lesson = LessonPage.objects.get(pk=item.page_id)
    lesson.title = "Renamed lesson"
    lesson.body = [("rich_text", RichText("<p>The rewritten text.</p>"))]
    publish(lesson)
    client.force_login(student)
    url = reverse("courses:lesson", args=[run.pk, item.pk])

    html = client.get(url).content.decode()
    assert "The text of the lesson." in html and "The rewritten text." not in html
    item.refresh_from_db()
    assert item.title != "Renamed lesson"

    with django_capture_on_commit_callbacks(execute=True):  # as when the request's transaction commits
        services.run_content_publish(run=run, by=author_a)

    html = client.get(url).content.decode()
    assert "The rewritten text." in html and "The text of the lesson." not in html
    item.refresh_from_db()
    assert item.title == "Renamed lesson" and item.revision_id == LessonPage.objects.get(pk=lesson.pk).live_revision_id


def test_a_draft_is_never_published_to_a_run(course, run, author_a):
    """Only published revisions reach a run: a saved draft does not."""
    item = lessons_of(run)[0]
    lesson = LessonPage.objects.get(pk=item.page_id)
    lesson.title = "Draft title"
    lesson.save_revision()

    services.run_content_publish(run=run, by=author_a)

    item.refresh_from_db()
    assert item.title != "Draft title" and item.revision.as_object().title != "Draft title"


def test_an_unpublished_lesson_is_retired_and_its_completions_kept(course, run, enrolment, student, author_a):
    """A lesson unpublished from the course leaves the run's outline at the next publication,
    and the learners who completed it keep their completions."""
    item = lessons_of(run)[0]
    services.lesson_complete(enrolment=enrolment, item=item, by=student)
    LessonPage.objects.get(pk=item.page_id).unpublish()

    count = services.run_content_publish(run=run, by=author_a)

    item.refresh_from_db()
    assert item.retired and count == 3
    assert LessonCompletion.objects.filter(enrolment=enrolment, item=item).exists()
    with pytest.raises(ValidationError):
        services.lesson_complete(enrolment=enrolment, item=item, by=student)


def test_a_deleted_lesson_is_retired_and_its_completions_kept(client, course, run, enrolment, student, author_a):
    """An author may delete a lesson a run teaches: it leaves the outline, its completions stay,
    and the next publication to the run marks it retired."""
    item = lessons_of(run)[0]
    services.lesson_complete(enrolment=enrolment, item=item, by=student)
    client.force_login(student)
    url = reverse("courses:lesson", args=[run.pk, item.pk])
    assert client.get(url).status_code == 200

    LessonPage.objects.get(pk=item.page_id).delete()

    item.refresh_from_db()
    assert LessonCompletion.objects.filter(enrolment=enrolment, item=item).exists()
    assert client.get(url).status_code == 404
    assert services.run_content_publish(run=run, by=author_a) == 3
    item.refresh_from_db()
    assert item.retired


def test_a_deleted_module_retires_with_all_its_lessons(course, run, author_a):
    """Deleting a whole module (its lessons go with it) retires the module and every lesson of
    it at the next publication; the other module stays."""
    module = ModulePage.objects.child_of(course).order_by("path").first()
    gone = set(run.content_items.filter(page__path__startswith=module.path).values_list("pk", flat=True))
    assert len(gone) == 3

    module.delete()

    assert services.run_content_publish(run=run, by=author_a) == 2
    assert set(run.content_items.filter(retired=True).values_list("pk", flat=True)) == gone


def test_a_lesson_added_later_reaches_the_run_when_content_is_published(course, run, author_a):
    """A new lesson is not in a running cohort until content is published to it."""
    case = case_study_lesson(course, title="A new lesson")
    assert not run.content_items.filter(page=case).exists()

    count = services.run_content_publish(run=run, by=author_a)

    assert count == 5
    assert run.content_items.get(page=case).title == "A new lesson"


def test_only_the_course_staff_publish_content_to_a_run(run, author_b, student):
    """Staff of another university and learners cannot publish content to the run."""
    run.refresh_from_db()
    before = run.content_published_at
    for outsider in (author_b, student):
        with pytest.raises(PermissionDenied):
            services.run_content_publish(run=run, by=outsider)

    run.refresh_from_db()
    assert run.content_published_at == before
