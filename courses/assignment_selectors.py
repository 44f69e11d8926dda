"""Reads of assignments for the learner and reviewer pages: what an assignment block of a lesson
shows its learner, which runs a person may review, the review queue, and one submission with its
files and reviews. Who may review one run is `run_reviewer_role`; `runs_reviewable_by` gives
the same answer for many runs at once. Listings cost a constant
number of queries whatever their length (pinned by tests)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from academy.organisations.models import Membership, Organisation, OrganisationPage
from academy.organisations.selectors import user_is_platform_admin

from .models import Assignment, CourseRun, Enrolment, Review, RubricCriterion, Submission
from .selectors import STAFF_ROLES, TEACHING_ROLES, course_in_default_locale, course_partners, runs_localize

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class ReviewerRole:
    role: str  # a courses.models.Review.Role
    organisation: Organisation | None


def run_reviewer_role(*, user, run) -> ReviewerRole | None:
    """How `user` may review the run's submissions: as an instructor (staff of the lead university
    or a co-author, or a platform administrator), as a mentor (staff of an enterprise partnering
    the course in any role), or not at all (None)."""
    if not (user and user.is_authenticated):
        return None
    course = course_in_default_locale(course=run.course)
    links = course_partners(course=course)
    memberships = {
        m.organisation_id: m for m in Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES,
            organisation_id__in=[link.organisation_id for link in links],
        ).select_related("organisation")
    }
    for link in links:
        if link.role in TEACHING_ROLES and link.organisation_id in memberships:
            return ReviewerRole(Review.Role.INSTRUCTOR, memberships[link.organisation_id].organisation)
    if user_is_platform_admin(user=user):
        return ReviewerRole(Review.Role.INSTRUCTOR, None)
    for link in links:
        if link.organisation_id in memberships and link.organisation.kind == Organisation.Kind.ENTERPRISE:
            return ReviewerRole(Review.Role.MENTOR, memberships[link.organisation_id].organisation)
    return None


class QueueStatus:
    """The review queue's status filter."""

    AWAITING = "awaiting"  # the newest hand-in has no review yet
    MINE = "mine"  # the newest hand-in has a review of the person asking
    ALL = "all"
    CHOICES = (AWAITING, MINE, ALL)


# The content type a downloaded file is sent with, by the type its content was checked as
# (`courses.uploads`); anything else goes as opaque bytes.
FILE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


def file_content_type(file_type):
    return FILE_CONTENT_TYPES.get(file_type, "application/octet-stream")


def accept_attribute(file_types):
    """The `accept` attribute of the file input for an assignment's file types (a hint to the
    browser's file picker; the server checks each file's content whatever it says)."""
    extensions = []
    for file_type in file_types or ():
        extensions.append(f".{file_type}")
        if file_type == "jpg":
            extensions.append(".jpeg")
    return ",".join(extensions)


def _rubric_prefetch(prefix="rubric"):
    return Prefetch(f"{prefix}__criteria", queryset=RubricCriterion.objects.prefetch_related("levels"))


def rubric_max_points(rubric):
    """The most work can earn with a rubric whose `criteria__levels` are prefetched; each loaded
    criterion gets its own best as `max_points`, for the rubric's display."""
    total = 0
    for criterion in rubric.criteria.all():
        criterion.max_points = max((level.points for level in criterion.levels.all()), default=0)
        total += criterion.max_points
    return total


# ---------------------------------------------------------------- the lesson block


def lesson_assignments(*, enrolment, item, page, run, now=None):
    """What each assignment block of a lesson shows the learner, by activity key
    (`assignment:<block id>`): the assignment as it is now with its rubric, the learner's
    submissions of that block, the due date, why another hand-in is refused (or None) and whether
    the block counts as done. Four queries whatever the number of blocks and submissions."""
    from .assignment_services import submission_allowed
    from .blocks import quiz_due_at

    if not any(key.startswith("assignment:") for key in item.activity_keys or ()):
        return {}
    now = now or timezone.now()
    blocks = [child for child in page.body if child.block_type == "assignment" and child.value.get("assignment") is not None]
    # The pinned lesson is cached with the assignments as they were then: read them afresh.
    assignments = Assignment.objects.select_related("rubric").prefetch_related(_rubric_prefetch()).in_bulk(
        [child.value["assignment"].pk for child in blocks]
    )
    submissions = list(Submission.objects.filter(enrolment=enrolment, item=item).order_by("number"))
    states = {}
    for child in blocks:
        assignment = assignments.get(child.value["assignment"].pk)
        if assignment is None:
            continue
        mine = [submission for submission in submissions if submission.block_id == child.id]
        due_at = quiz_due_at(run=run, value=child.value)
        refusal = submission_allowed(assignment=assignment, used=len(mine), due_at=due_at, now=now)
        states[f"assignment:{child.id}"] = {
            "assignment": assignment,
            "block_id": child.id,
            "submissions": mine,
            "latest": mine[-1] if mine else None,
            "used": len(mine),
            "due_at": due_at,
            "overdue": due_at is not None and now > due_at,
            "refusal": refusal,
            "can_submit": refusal is None,
            "accept": accept_attribute(assignment.file_types),
            "max_points": rubric_max_points(assignment.rubric),
            "rubric_open": not mine,  # unfolded until the learner first hands in
            "form": None,  # the bound form, when the lesson is shown again after a refused hand-in
            "done": bool(mine),
        }
    return states


# ---------------------------------------------------------------- who reviews what


def runs_reviewable_by(*, user):
    """The runs whose submissions `user` may review, newest first, each with its course in the
    reader's language: as for `run_reviewer_role`, runs of courses whose lead university (by
    page or by partner row) or co-author employs them, runs of courses an enterprise that employs
    them partners in any role, or every run for a platform administrator. Four queries at most."""
    if not (user and user.is_authenticated):
        return []
    if user_is_platform_admin(user=user):
        runs = CourseRun.objects.all()
    else:
        memberships = list(
            Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES)
            .values_list("organisation_id", "organisation__kind")
        )
        if not memberships:
            return []
        organisation_ids = [organisation_id for organisation_id, _kind in memberships]
        enterprise_ids = [organisation_id for organisation_id, kind in memberships if kind == Organisation.Kind.ENTERPRISE]
        q = Q(course__partners__organisation_id__in=organisation_ids, course__partners__role__in=TEACHING_ROLES)
        if enterprise_ids:
            q |= Q(course__partners__organisation_id__in=enterprise_ids)
        # The lead university is the organisation whose page the course sits under, partner row or not.
        for path in OrganisationPage.objects.filter(organisation_id__in=organisation_ids).values_list("path", flat=True):
            q |= Q(course__path__startswith=path)
        runs = CourseRun.objects.filter(q)
    return runs_localize(runs.distinct().select_related("course").order_by("-starts_at", "-pk"))


# ---------------------------------------------------------------- the review queue


def review_queue(*, user, runs, run_id=None, status=QueueStatus.AWAITING, page_number=1):
    """A page (`QUEUE_PAGE_SIZE`) of the submissions to review in `runs` (from
    `runs_reviewable_by`), or in the one of them `run_id` names: only each learner's newest
    hand-in of each assignment block (an older one is superseded), of learners enrolled now,
    never the person's own. `status` keeps those awaiting a first review (oldest first, as a
    queue), those the person reviewed, or all (newest first). Each row carries `run` and
    `reviewed_by_me`. Two queries whatever the page's length."""
    runs_by_id = {run.pk: run for run in runs}
    run_ids = [run_id] if run_id in runs_by_id else list(runs_by_id)
    newer = Submission.objects.filter(enrolment=OuterRef("enrolment"), block_id=OuterRef("block_id"), number__gt=OuterRef("number"))
    submissions = (
        Submission.objects.filter(enrolment__run_id__in=run_ids, enrolment__status=Enrolment.Status.ACTIVE)
        .exclude(enrolment__user=user)
        .exclude(Exists(newer))
        .annotate(reviewed_by_me=Exists(Review.objects.filter(submission=OuterRef("pk"), reviewer=user)))
        .select_related("enrolment__user", "assignment", "item")
        .only(
            "pk", "number", "submitted_at", "late", "earned", "possible", "reviewed_at", "block_id",
            "enrolment__id", "enrolment__run_id", "enrolment__user__id", "enrolment__user__email",
            "enrolment__user__display_name", "enrolment__user__name_latin", "enrolment__user__first_name",
            "enrolment__user__last_name", "assignment__id", "assignment__title", "item__id", "item__title",
        )
    )
    if status == QueueStatus.AWAITING:
        submissions = submissions.filter(reviewed_at__isnull=True).order_by("submitted_at", "pk")
    elif status == QueueStatus.MINE:
        submissions = submissions.filter(reviewed_by_me=True).order_by("-submitted_at", "-pk")
    else:
        submissions = submissions.order_by("-submitted_at", "-pk")
    page = Paginator(submissions, QUEUE_PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    for submission in page.object_list:
        submission.run = runs_by_id[submission.enrolment.run_id]
    return page


# ---------------------------------------------------------------- one submission


def submission_in_run(*, run, submission_id):
    """The submission of a learner of `run` with what its pages show (its learner, assignment and
    rubric, lesson, files, and reviews with their scores and organisations), or None."""
    return (
        Submission.objects.filter(pk=submission_id, enrolment__run=run)
        .select_related("enrolment__user", "assignment__rubric", "item")
        .prefetch_related(
            "files",
            _rubric_prefetch("assignment__rubric"),
            Prefetch("reviews", queryset=Review.objects.select_related("organisation").prefetch_related("scores").order_by("created_at", "pk")),
        )
        .first()
    )


def submission_viewer_role(*, user, submission, run):
    """How `user` may see a submission of `run`: "learner" for its own learner while enrolled,
    their `ReviewerRole` for a reviewer of the run, or None (they see nothing of it)."""

    if not (user and user.is_authenticated):
        return None
    enrolment = submission.enrolment
    if enrolment.user_id == user.pk:
        return "learner" if enrolment.status == Enrolment.Status.ACTIVE else None
    return run_reviewer_role(user=user, run=run)


def learner_submissions_of_block(*, submission):
    """Every hand-in of the same learner for the same assignment block, in order (the history)."""
    return list(
        Submission.objects.filter(enrolment_id=submission.enrolment_id, block_id=submission.block_id)
        .only("pk", "number", "submitted_at", "late", "earned", "possible", "reviewed_at").order_by("number")
    )
