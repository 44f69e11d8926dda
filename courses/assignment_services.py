"""Writes of assignments: the check of an assignment an author saves, learners handing work in
(text and private files, within the assignment's rules) and reviewers scoring it with the
rubric. A review updates the submission's score, the learner's competency evidence and course
grade, and e-mails the learner."""

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.mail import mail_queue
from academy.private_storage import private_storage
from academy.organisations.admin_scoping import user_is_organisation_staff

from .assignment_selectors import run_reviewer_role
from .models import Assignment, Enrolment, Review, ReviewScore, Submission, SubmissionFile
from .rubric_services import rubric_check, rubric_spec_of
from .rubrics import RubricScoringError, rubric_score
from .uploads import UploadError, upload_check

# The model permissions an organisation's editors group needs to author assignments in the
# Wagtail admin (see migration 0010 and academy.organisations.services.GROUP_PERMISSIONS).
ASSIGNMENT_GROUP_PERMISSIONS = tuple(("courses", f"{action}_assignment") for action in ("add", "change", "delete", "view"))


def assignment_check(*, assignment, by):
    """Refuse an assignment of another organisation's rubric, an invalid rubric, one that asks
    for nothing, or one that asks for files without saying which kinds."""
    if not user_is_organisation_staff(user=by, organisation=assignment.organisation):
        raise PermissionDenied(_("Only the organisation's staff can manage its assignments."))
    if assignment.rubric.organisation_id != assignment.organisation_id:
        raise ValidationError({"rubric": _("Choose one of the organisation's own rubrics.")})
    rubric_check(rubric=assignment.rubric)
    if assignment.text_answer == Assignment.Part.NONE and assignment.files == Assignment.Part.NONE:
        raise ValidationError(_("Ask for a text answer, files, or both: learners must be able to hand something in."))
    if assignment.files != Assignment.Part.NONE and not assignment.file_types:
        raise ValidationError({"file_types": _("Choose the kinds of file learners may upload.")})


def _assignment_block_value(item, block_id):
    from .selectors import lesson_content

    page = lesson_content(item=item)
    for child in page.body if page is not None else ():
        if child.id == block_id and child.block_type == "assignment":
            return child.value
    return None


def assignment_block_value(*, item, block_id):
    """The assignment block's `assignment` (read afresh) and `due_after_days` as pinned to the
    lesson, or a ValidationError when the lesson has no such assignment."""
    if f"assignment:{block_id}" not in (item.activity_keys or []):
        raise ValidationError(_("That assignment is not part of this lesson."))
    value = _assignment_block_value(item, block_id)
    target = value.get("assignment") if value is not None else None
    assignment = Assignment.objects.select_related("rubric").filter(pk=target.pk).first() if target is not None else None
    if assignment is None:
        raise ValidationError(_("That assignment is not part of this lesson."))
    return {"assignment": assignment, "due_after_days": value.get("due_after_days"), "grading_type": value.get("grading_type")}


def submission_allowed(*, assignment, used, due_at, now):
    """Why the learner cannot hand in (again) now, or None when they can."""
    if assignment.max_submissions and used >= assignment.max_submissions:
        return _("You have handed this assignment in as often as it allows.")
    if due_at is not None and now > due_at and not assignment.accept_late:
        return _("This assignment was due on %(date)s and does not accept late work.") % {"date": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")}
    return None


@transaction.atomic
def submission_create(*, enrolment, item, block_id, text, files, by, now=None) -> Submission:
    """Hand in the learner's work for the assignment of a lesson block: the text and the uploaded
    files (Django `UploadedFile`s), each file checked against the assignment's types and size. A
    `ValidationError` keyed by `text` or `files` says what is wrong, and nothing is stored."""
    from .blocks import quiz_due_at
    from .services import _active_check, lesson_activities_check

    _active_check(enrolment, by)
    if item.run_id != enrolment.run_id:
        raise ValidationError(_("That assignment is not part of this lesson."))
    # Refused here, not by the lesson's completion below: a rollback after the files are stored
    # would leave them on the private storage with no row pointing at them.
    if item.kind != item.Kind.LESSON or item.retired or item.revision_id is None:
        raise ValidationError(_("That lesson is not part of this run."))
    value = assignment_block_value(item=item, block_id=block_id)
    assignment = value["assignment"]
    now = now or timezone.now()
    # The enrolment row serialises concurrent hand-ins of one learner, so numbers never collide.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    used = Submission.objects.filter(enrolment=enrolment, block_id=block_id).count()
    due_at = quiz_due_at(run=enrolment.run, value=value)
    refusal = submission_allowed(assignment=assignment, used=used, due_at=due_at, now=now)
    if refusal:
        raise ValidationError(refusal)
    text = (text or "").strip()
    files = list(files or [])
    errors = {}
    if assignment.text_answer == Assignment.Part.NONE:
        text = ""
    elif assignment.text_answer == Assignment.Part.REQUIRED and not text:
        errors["text"] = [_("Write your answer before handing in.")]
    checked = []
    if assignment.files == Assignment.Part.NONE:
        files = []
    elif assignment.files == Assignment.Part.REQUIRED and not files:
        errors["files"] = [_("Attach at least one file.")]
    if len(files) > assignment.max_files:
        errors.setdefault("files", []).append(_("Attach %(count)s files at most.") % {"count": assignment.max_files})
    else:
        for upload in files:
            try:
                checked.append((upload, upload_check(
                    name=upload.name, size=upload.size, stream=upload, allowed=list(assignment.file_types),
                    max_bytes=assignment.max_file_mb * 1024 * 1024,
                )))
            except UploadError as error:
                errors.setdefault("files", []).append(str(error))
    if not errors and not text and not checked:
        errors["text"] = [_("Write an answer or attach a file before handing in.")]
    if errors:
        raise ValidationError(errors)
    submission = Submission.objects.create(
        enrolment=enrolment, assignment=assignment, item=item, block_id=block_id, number=used + 1, text=text,
        submitted_at=now, late=due_at is not None and now > due_at,
    )
    # Before the files are stored, for the same reason: what can still refuse runs first.
    lesson_activities_check(enrolment=enrolment, item=item, by=by)
    for upload, result in checked:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        stored = SubmissionFile(submission=submission, name=result.name, file_type=result.file_type, size=result.size, sha256=digest.hexdigest())
        stored.file.save(result.name, upload, save=False)
        stored.save()
    return submission


@transaction.atomic
def review_save(*, submission, by, choices, comments=None, comment="", now=None) -> Review:
    """Record (or replace) `by`'s review of a submission: a level for every criterion of the
    assignment's rubric (`choices`: criterion id → level id), inline feedback per criterion and
    overall. Only the run's instructors and mentors of the course's partner enterprises may
    review, and nobody their own work. The newest review gives the submission its score; the
    learner's evidence and grade follow, and the learner is e-mailed."""
    from .grade_services import enrolment_grade_recompute, rubric_evidence_record

    now = now or timezone.now()
    submission = Submission.objects.select_for_update(of=("self",)).select_related(
        "enrolment__run__course", "enrolment__user", "assignment__rubric",
    ).get(pk=submission.pk)
    role = run_reviewer_role(user=by, run=submission.enrolment.run)
    if role is None or submission.enrolment.user_id == by.pk:
        raise PermissionDenied(_("You cannot review this submission."))
    spec = rubric_spec_of(rubric=submission.assignment.rubric)
    try:
        result = rubric_score(spec, {str(key): str(value) for key, value in (choices or {}).items() if value not in (None, "")})
    except RubricScoringError as error:
        raise ValidationError(_("Choose a level for every criterion.")) from error
    comments = comments or {}
    review, created = Review.objects.get_or_create(
        submission=submission, reviewer=by,
        defaults={"reviewer_name": "", "role": role.role, "earned": 0, "possible": 0, "created_at": now, "updated_at": now},
    )
    review.reviewer_name = (by.display_name or by.email)[:200]
    review.role = role.role
    review.organisation = role.organisation
    review.comment = (comment or "").strip()
    review.earned, review.possible = result.earned, result.possible
    review.updated_at = now
    review.full_clean()
    review.save()
    review.scores.all().delete()
    competencies = {criterion.pk: criterion.competency_id for criterion in submission.assignment.rubric.criteria.all()}
    ReviewScore.objects.bulk_create([
        ReviewScore(
            review=review, criterion_id=int(score.key), position=position, criterion_title=score.title[:160],
            competency_id=competencies.get(int(score.key)), level_title=score.level_title[:80], points=score.earned,
            max_points=score.possible, comment=(comments.get(score.key) or comments.get(int(score.key)) or "").strip(),
        )
        for position, score in enumerate(result.per_criterion, start=1)
    ])
    submission.earned, submission.possible, submission.reviewed_at = result.earned, result.possible, now
    submission.save(update_fields=["earned", "possible", "reviewed_at"])
    rubric_evidence_record(submission=submission, review=review)
    enrolment_grade_recompute(enrolment=submission.enrolment)
    _review_mail(submission, review, created)
    return review


def _review_mail(submission, review, created):
    from django.urls import reverse

    learner = submission.enrolment.user
    mail_queue(
        template_prefix="courses/email/submission_reviewed",
        to=learner.email,
        language=learner.preferred_language or submission.enrolment.run.language,
        context={
            "learner": learner, "submission": submission, "review": review, "updated": not created,
            "assignment": submission.assignment, "run": submission.enrolment.run,
            "url": reverse("courses:submission", args=[submission.enrolment.run_id, submission.pk]),
        },
    )


SWEEP_GRACE = datetime.timedelta(days=1)


def submission_files_sweep(*, now=None, grace=SWEEP_GRACE) -> int:
    """Delete files under `submissions/` in private storage that no `SubmissionFile` row points
    to and that are older than `grace` (a hand-in still being saved is younger). Files are
    written before their transaction commits, so a rollback after writing (an enclosing
    transaction, a database error) leaves them behind. Returns how many were deleted."""
    storage = private_storage()
    now = now or timezone.now()
    if not storage.exists("submissions"):
        return 0
    known = set(SubmissionFile.objects.values_list("file", flat=True))
    deleted = 0
    for folder in storage.listdir("submissions")[0]:
        for name in storage.listdir(f"submissions/{folder}")[1]:
            path = f"submissions/{folder}/{name}"
            if path in known or now - storage.get_modified_time(path) < grace:
                continue
            storage.delete(path)
            deleted += 1
    return deleted
