"""Writes of the learning side: partner permissions, runs and their content, enrolment with
approval, invitations and a waitlist, and progress.

Seats are counted under a row lock on the run (`select_for_update`), so two learners racing for
the last seat cannot both get it on PostgreSQL; SQLite serialises writes anyway."""

import csv
import datetime
import io
import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
# Lazy: the address is built when the e-mail is rendered, in the recipient's language.
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Locale, Page

from academy.mail import mail_queue
from academy.page_cache import page_cache_clear
from academy.organisations.models import Organisation
from academy.organisations.selectors import user_is_platform_admin

from .blocks import lesson_activity_keys, lesson_graded_items
from .models import (
    ActivityResponse,
    CompetencyEvidence,
    CourseOrganisation,
    CoursePage,
    CourseRun,
    Enrolment,
    EnrolmentStatusChange,
    Invitation,
    LessonCompletion,
    LessonPage,
    ModulePage,
    RunContentItem,
)
from .selectors import course_in_default_locale, run_outline_forget, user_can_manage_course, user_is_lead_staff
from .transitions import ENROLMENT_TRANSITIONS, IllegalTransition, transition_check

# What a co-author organisation's editors may do in the course's subtree: what they may do in
# their own organisation's subtree.
CO_AUTHOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
ROLES_THAT_EDIT = {CourseOrganisation.Role.CO_AUTHOR}
INVITATIONS_MAX_LINES = 2000
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- partners and permissions


def course_partners_check(*, course, parent, rows, by):
    """Validate a course's partner list before it is saved: `rows` are (organisation, role)."""
    owner = getattr(getattr(parent, "specific", parent), "organisation", None)
    errors = []
    seen = set()
    for organisation, role in rows:
        if organisation.pk in seen:
            errors.append(_("%(name)s is listed twice; give each organisation one role.") % {"name": organisation.name_en})
        seen.add(organisation.pk)
        if role == CourseOrganisation.Role.LEAD_UNIVERSITY and (owner is None or organisation.pk != owner.pk):
            errors.append(_("Only %(name)s, whose page the course sits under, can be the lead university.") % {
                "name": owner.name_en if owner else "?"})
        if organisation.status != Organisation.Status.APPROVED:
            errors.append(_("%(name)s is not an approved organisation.") % {"name": organisation.name_en})
    if by is not None and not by.is_superuser and course.pk is not None and owner is not None:
        before = set(CourseOrganisation.objects.filter(course_id=course.pk).values_list("organisation_id", "role"))
        after = {(organisation.pk, role) for organisation, role in rows}
        if before != after and not user_is_lead_staff(user=by, organisation=owner):
            errors.append(_("Only the lead university's staff change who co-runs this course."))
    if errors:
        raise ValidationError(errors)


def course_permissions_sync(*, course):
    """Give each co-author organisation's Wagtail group page permissions on the course's subtree
    (in every language) and take them away from organisations that are no longer co-authors.
    Practicum partners and certifiers get none: they do not edit lessons."""
    course = course_in_default_locale(course=course)
    owner = course.owner_organisation
    if owner is not None:
        # The university the course sits under is its lead, whether or not an editor listed it.
        CourseOrganisation.objects.filter(course=course, role=CourseOrganisation.Role.LEAD_UNIVERSITY).exclude(organisation=owner).delete()
        CourseOrganisation.objects.update_or_create(
            course=course, organisation=owner, defaults={"role": CourseOrganisation.Role.LEAD_UNIVERSITY},
            create_defaults={"role": CourseOrganisation.Role.LEAD_UNIVERSITY, "sort_order": -1},
        )
    pages = list(Page.objects.filter(translation_key=course.translation_key))
    wanted_groups = {
        link.organisation.group_id
        for link in CourseOrganisation.objects.filter(course=course, role__in=ROLES_THAT_EDIT).select_related("organisation")
        if link.organisation.group_id and link.organisation.status == Organisation.Status.APPROVED
    }
    from django.contrib.auth.models import Permission

    permissions = list(Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=CO_AUTHOR_PAGE_PERMISSIONS))
    with transaction.atomic():
        GroupPagePermission.objects.filter(page__in=pages, group__organisation__isnull=False).exclude(group_id__in=wanted_groups).delete()
        existing = set(GroupPagePermission.objects.filter(page__in=pages, group_id__in=wanted_groups).values_list("group_id", "page_id", "permission_id"))
        GroupPagePermission.objects.bulk_create([
            GroupPagePermission(group_id=group_id, page=page, permission=permission)
            for group_id in wanted_groups for page in pages for permission in permissions
            if (group_id, page.pk, permission.pk) not in existing
        ])


# ---------------------------------------------------------------- runs and their content


def _manage_check(user, course):
    if not user_can_manage_course(user=user, course=course):
        raise PermissionDenied(_("You do not teach this course."))


RUN_FIELDS = (
    "title", "language", "pacing", "starts_at", "ends_at", "enrolment_opens_at", "enrolment_closes_at", "capacity", "enrolment_mode",
)


@transaction.atomic
def run_create(*, course, by, publish_content=True, **fields) -> CourseRun:
    course = course_in_default_locale(course=course)
    _manage_check(by, course)
    unknown = set(fields) - set(RUN_FIELDS)
    if unknown:
        raise TypeError(f"Not run fields: {', '.join(sorted(unknown))}")
    run = CourseRun(course=course, created_by=by, **fields)
    run.full_clean()
    run.save()
    if publish_content:
        run_content_publish(run=run, by=by)
    # The catalog lists runs open for enrolment; anonymous visitors get it from the page cache.
    transaction.on_commit(page_cache_clear)
    return run


@transaction.atomic
def run_update(*, run, by, **fields) -> CourseRun:
    _manage_check(by, run.course)
    unknown = set(fields) - set(RUN_FIELDS)
    if unknown:
        raise TypeError(f"Not run fields: {', '.join(sorted(unknown))}")
    run = CourseRun.objects.select_for_update().get(pk=run.pk)
    for name, value in fields.items():
        setattr(run, name, value)
    run.full_clean()
    run.save()
    waitlist_promote(run=run)
    transaction.on_commit(page_cache_clear)
    return run


def _published_revision(page):
    """The revision learners should see of a page: its live revision, or for an alias (a page
    not yet translated) the live revision of the page it mirrors."""
    source = page.alias_of.specific if page.alias_of_id else page
    revision = source.live_revision
    if revision is None:
        raise ValidationError(_("“%(title)s” has never been published.") % {"title": page.title})
    return revision


@transaction.atomic
def run_content_publish(*, run, by) -> int:
    """Pin the newest published revision of every module and lesson to the run. Items of pages
    that left the course are retired, not deleted, so learners keep their records. Returns how
    many lessons the run now teaches."""
    run = CourseRun.objects.select_for_update().select_related("course").get(pk=run.pk)
    _manage_check(by, run.course)
    locale = Locale.objects.filter(language_code=run.language).first()
    course = run.course.get_translation_or_none(locale) if locale else None
    course = course or run.course
    items = list(run.content_items.all())
    # Items whose page was deleted have no page left to match: they all retire.
    existing = {item.page_id: item for item in items if item.page_id is not None}
    orphans = [item for item in items if item.page_id is None and not item.retired]
    seen = set()
    position = 0
    for module in ModulePage.objects.child_of(course).live().order_by("path").select_related("alias_of"):
        position += 1
        module_item = _item_upsert(run, existing, module, RunContentItem.Kind.MODULE, position, None)
        seen.add(module.pk)
        for lesson in LessonPage.objects.child_of(module).live().order_by("path").select_related("alias_of"):
            position += 1
            _item_upsert(run, existing, lesson, RunContentItem.Kind.LESSON, position, module_item)
            seen.add(lesson.pk)
    retired = [item for page_id, item in existing.items() if page_id not in seen and not item.retired] + orphans
    for item in retired:
        item.retired = True
        item.save(update_fields=["retired"])
    run.content_published_at = timezone.now()
    run.content_published_by = by
    run.save(update_fields=["content_published_at", "content_published_by"])
    transaction.on_commit(lambda: run_outline_forget(run_ids=[run.pk]))
    from .grade_services import run_grades_recompute

    run_grades_recompute(run=run)
    return run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False, revision__isnull=False).count()


def _item_upsert(run, existing, page, kind, position, module_item):
    revision = _published_revision(page)
    content = revision.as_object()
    values = {
        "kind": kind, "revision": revision, "position": position, "module": module_item, "title": content.title,
        "retired": False,
        "required": getattr(content, "required", True),
        "duration_minutes": getattr(content, "duration_minutes", 0) or 0,
        "activity_keys": lesson_activity_keys(content.body) if kind == RunContentItem.Kind.LESSON else [],
        "graded_items": lesson_graded_items(content.body) if kind == RunContentItem.Kind.LESSON else [],
    }
    item = existing.get(page.pk)
    if item is None:
        return RunContentItem.objects.create(run=run, page=page, **values)
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    return item


ASSESSED_BLOCK_TYPES = ("quiz", "assignment")


@transaction.atomic
def lesson_block_ids_renew(*, page, by) -> int:
    """Give the quiz and assignment blocks of a copied page (and of its copied lessons) ids of
    their own. Wagtail keeps StreamField block ids when it copies a page, and attempts,
    submissions and grades are keyed by block id, so a copy would otherwise share them with its
    original in any run that teaches both. A live copy stays live with the new ids. Returns how
    many blocks were renewed."""
    renewed = 0
    for lesson in LessonPage.objects.descendant_of(page, inclusive=True):
        latest = lesson.get_latest_revision_as_object()
        blocks = [child for child in latest.body if child.block_type in ASSESSED_BLOCK_TYPES]
        if not blocks:
            continue
        for child in blocks:
            child.id = str(uuid.uuid4())
        was_live = lesson.live and lesson.live_revision_id == lesson.latest_revision_id
        revision = latest.save_revision(user=by, log_action=True)
        if was_live:
            revision.publish(user=by)
        renewed += len(blocks)
    return renewed


# ---------------------------------------------------------------- enrolment


def _status_set(enrolment, target, *, by, note=""):
    transition_check(ENROLMENT_TRANSITIONS, enrolment.status, target)
    EnrolmentStatusChange.objects.create(enrolment=enrolment, from_status=enrolment.status, to_status=target, changed_by=by, note=note)
    enrolment.status = target
    now = timezone.now()
    if target == Enrolment.Status.ACTIVE:
        enrolment.activated_at = now
    if target == Enrolment.Status.WAITLISTED:
        enrolment.queued_at = now
    enrolment.save()


def _seat_free(run):
    if run.capacity is None:
        return True
    return run.enrolments.filter(status=Enrolment.Status.ACTIVE).count() < run.capacity


def _run_locked(run):
    return CourseRun.objects.select_for_update().select_related("course").get(pk=run.pk)


def _enrolment_for(run, user):
    """The learner's enrolment in the run, new or reused (a learner who left may come back)."""
    enrolment = Enrolment.objects.filter(run=run, user=user).first()
    if enrolment is None:
        return Enrolment(run=run, user=user, status="")
    if enrolment.status in (Enrolment.Status.ACTIVE, Enrolment.Status.PENDING, Enrolment.Status.WAITLISTED):
        raise ValidationError(_("You are already enrolled in this run or waiting for a place."))
    return enrolment


def _enter(enrolment, target, *, by, source):
    """Create or move an enrolment into `target`, recording the change."""
    enrolment.source = source
    if enrolment.pk is None:
        enrolment.status = ""
        try:
            with transaction.atomic():
                enrolment.status = target
                if target == Enrolment.Status.ACTIVE:
                    enrolment.activated_at = timezone.now()
                if target == Enrolment.Status.WAITLISTED:
                    enrolment.queued_at = timezone.now()
                enrolment.save()
        except IntegrityError:
            raise ValidationError(_("You are already enrolled in this run or waiting for a place.")) from None
        EnrolmentStatusChange.objects.create(enrolment=enrolment, from_status="", to_status=target, changed_by=by)
    else:
        _status_set(enrolment, target, by=by)
    return enrolment


@transaction.atomic
def enrolment_request(*, user, run, now=None) -> Enrolment:
    """Self-service enrolment: a seat if the run is open and has one, the waitlist if it is full,
    a request to approve if an instructor approves enrolments."""
    now = now or timezone.now()
    run = _run_locked(run)
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to enrol."))
    if run.enrolment_mode == CourseRun.EnrolmentMode.INVITATION:
        raise ValidationError(_("This run takes learners by invitation only."))
    if now < run.enrolment_opens_at:
        raise ValidationError(_("Enrolment for this run has not opened yet."))
    if now > run.enrolment_closes_at:
        raise ValidationError(_("Enrolment for this run has closed."))
    enrolment = _enrolment_for(run, user)
    if run.enrolment_mode == CourseRun.EnrolmentMode.APPROVAL:
        return _enter(enrolment, Enrolment.Status.PENDING, by=user, source=Enrolment.Source.APPROVAL)
    target = Enrolment.Status.ACTIVE if _seat_free(run) else Enrolment.Status.WAITLISTED
    return _enter(enrolment, target, by=user, source=Enrolment.Source.SELF)


@transaction.atomic
def enrolment_approve(*, enrolment, by) -> Enrolment:
    run = _run_locked(enrolment.run)
    _manage_check(by, run.course)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.PENDING:
        # The table lets a withdrawn or rejected learner back in, but only by their own request
        # or an invitation: approving is the answer to a pending request, nothing else.
        raise IllegalTransition(f"Only a pending request can be approved, not a {enrolment.status} enrolment.")
    target = Enrolment.Status.ACTIVE if _seat_free(run) else Enrolment.Status.WAITLISTED
    _status_set(enrolment, target, by=by)
    _enrolment_mail(enrolment, "approved" if target == Enrolment.Status.ACTIVE else "waitlisted")
    return enrolment


@transaction.atomic
def enrolment_reject(*, enrolment, by, note="") -> Enrolment:
    _manage_check(by, enrolment.run.course)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _status_set(enrolment, Enrolment.Status.REJECTED, by=by, note=note)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment, by) -> Enrolment:
    """Unenrol (the learner, or an instructor for them). A seat that frees goes to the first
    learner on the waitlist. Completions are kept in case the learner comes back."""
    run = _run_locked(enrolment.run)
    if by.pk != enrolment.user_id:
        _manage_check(by, run.course)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _status_set(enrolment, Enrolment.Status.WITHDRAWN, by=by)
    waitlist_promote(run=run)
    return enrolment


def waitlist_promote(*, run) -> list:
    """Give free seats to waitlisted learners, first come first served. Call with the run locked."""
    promoted = []
    while _seat_free(run):
        waiting = run.enrolments.select_for_update().filter(status=Enrolment.Status.WAITLISTED).order_by("queued_at", "pk").first()
        if waiting is None:
            break
        _status_set(waiting, Enrolment.Status.ACTIVE, by=None, note="promoted from the waitlist")
        _enrolment_mail(waiting, "promoted")
        promoted.append(waiting)
    return promoted


def _enrolment_mail(enrolment, event):
    user = enrolment.user
    mail_queue(
        template_prefix=f"courses/email/enrolment_{event}",
        to=user.email,
        language=getattr(user, "preferred_language", None),
        context={"enrolment": enrolment, "run": enrolment.run, "user": user, "url": reverse_lazy("courses:run", args=[enrolment.run_id])},
    )


# ---------------------------------------------------------------- invitations


@dataclass
class InvitationReport:
    sent: list = field(default_factory=list)  # (line, email)
    skipped: list = field(default_factory=list)  # (line, email, reason)
    errors: list = field(default_factory=list)  # (line, text, message)


@transaction.atomic
def invitations_import(*, run, by, text) -> InvitationReport:
    """Invite every address of a CSV (first column; a header line is allowed). Each bad line is
    reported with its number and the reason; the good lines are invited all the same."""
    _manage_check(by, run.course)
    report = InvitationReport()
    # A binary file (a spreadsheet saved as .xlsx, an image) may still decode as GB 18030; its
    # control characters give it away.
    if _NOT_TEXT.search(text or ""):
        raise ValidationError(_("This is not a text file. Save the list as CSV (comma-separated values) and upload that."))
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ValidationError(_("The file could not be read as CSV: %(error)s") % {"error": error}) from None
    if len(lines) > INVITATIONS_MAX_LINES:
        raise ValidationError(_("The file has %(count)s lines; send at most %(max)s at a time.") % {
            "count": len(lines), "max": INVITATIONS_MAX_LINES})
    seen = set()
    for number, row in enumerate(lines, start=1):
        value = (row[0] if row else "").strip()
        if not value:
            if any(cell.strip() for cell in row):
                # Not blank, so not to be dropped silently: the address is in the wrong column.
                report.errors.append((number, ",".join(row).strip(), _("The first column is empty; put the e-mail address there.")))
            continue
        if number == 1 and "@" not in value:
            continue  # a header
        email = value.lower()
        try:
            validate_email(email)
        except ValidationError:
            report.errors.append((number, value, _("Not an e-mail address.")))
            continue
        if email in seen:
            report.skipped.append((number, email, _("Already listed above.")))
            continue
        seen.add(email)
        if Enrolment.objects.filter(run=run, user__email__iexact=email, status=Enrolment.Status.ACTIVE).exists():
            report.skipped.append((number, email, _("Already enrolled.")))
            continue
        invitation, created = Invitation.objects.get_or_create(run=run, email=email, defaults={"invited_by": by})
        if not created and invitation.status == Invitation.Status.ACCEPTED:
            report.skipped.append((number, email, _("Already accepted an invitation.")))
            continue
        if not created:
            invitation.status = Invitation.Status.SENT
            invitation.invited_by = by
            invitation.save(update_fields=["status", "invited_by"])
        invitation_send(invitation=invitation)
        report.sent.append((number, email))
    return report


def invitation_send(*, invitation):
    from academy.people.models import User

    existing = User.objects.filter(email__iexact=invitation.email).first()
    mail_queue(
        template_prefix="courses/email/invitation",
        to=invitation.email,
        language=getattr(existing, "preferred_language", None) or invitation.run.language,
        context={
            "invitation": invitation, "run": invitation.run, "has_account": existing is not None,
            "url": reverse_lazy("courses:invitation_accept", args=[invitation.token]),
        },
    )


@transaction.atomic
def invitation_accept(*, invitation, user) -> Enrolment:
    """Accept an invitation with the account of the address it was sent to. An invitation skips
    the enrolment window and the approval step, not the capacity: a full run waitlists."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.REVOKED:
        raise ValidationError(_("This invitation was withdrawn."))
    addresses = {user.email.lower()} | {
        address.lower() for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    }
    if invitation.email.lower() not in addresses:
        raise PermissionDenied(_("This invitation was sent to another e-mail address. Sign in with that address to accept it."))
    run = _run_locked(invitation.run)
    if timezone.now() > run.ends_at:
        raise ValidationError(_("This run has ended."))
    enrolment = Enrolment.objects.filter(run=run, user=user).first()
    if enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE:
        pass
    else:
        enrolment = enrolment or Enrolment(run=run, user=user, status="")
        if enrolment.status == Enrolment.Status.WAITLISTED and not _seat_free(run):
            pass
        else:
            target = Enrolment.Status.ACTIVE if _seat_free(run) else Enrolment.Status.WAITLISTED
            enrolment = _enter(enrolment, target, by=user, source=Enrolment.Source.INVITATION)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    return enrolment


# ---------------------------------------------------------------- progress


def _active_check(enrolment, user):
    if enrolment.user_id != user.pk or enrolment.status != Enrolment.Status.ACTIVE:
        raise PermissionDenied(_("You are not enrolled in this run."))


VISIT_RESOLUTION = datetime.timedelta(minutes=10)


def lesson_visit(*, enrolment, item, now=None) -> None:
    """Remember the lesson last opened, for “continue where you left off”. Reopening the same
    lesson within `VISIT_RESOLUTION` writes nothing: a read should not cost a write each time."""
    now = now or timezone.now()
    if enrolment.last_item_id == item.pk and enrolment.last_visited_at and now - enrolment.last_visited_at < VISIT_RESOLUTION:
        return
    Enrolment.objects.filter(pk=enrolment.pk).update(last_item=item, last_visited_at=now)
    enrolment.last_item_id, enrolment.last_visited_at = item.pk, now


@transaction.atomic
def lesson_complete(*, enrolment, item, by, how=LessonCompletion.How.EXPLICIT) -> LessonCompletion:
    """Mark a lesson done (once), add competency evidence, and record the run as completed when
    every required lesson is done."""
    _active_check(enrolment, by)
    if item.run_id != enrolment.run_id or item.kind != RunContentItem.Kind.LESSON or item.retired or item.revision_id is None:
        raise ValidationError(_("That lesson is not part of this run."))
    completion, created = LessonCompletion.objects.get_or_create(enrolment=enrolment, item=item, defaults={"how": how})
    if created:
        _lesson_evidence_add(enrolment, item)
        _run_completion_check(enrolment)
    return completion


def _lesson_evidence_add(enrolment, item):
    page = item.page
    lesson = LessonPage.objects.filter(pk=page.alias_of_id or page.pk).prefetch_related("competencies").first()
    if lesson is None:
        return
    CompetencyEvidence.objects.bulk_create(
        [
            CompetencyEvidence(
                user_id=enrolment.user_id, competency=competency, kind=CompetencyEvidence.Kind.LESSON,
                source_key=f"lesson:{page.translation_key}", label=item.title[:255],
            )
            for competency in lesson.competencies.all()
        ],
        ignore_conflicts=True,
    )


def _run_completion_check(enrolment):
    required = set(enrolment.run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False, revision__isnull=False, required=True).values_list("pk", flat=True))
    done = set(enrolment.completions.values_list("item_id", flat=True))
    if required and required <= done and enrolment.completed_at is None:
        enrolment.completed_at = timezone.now()
        enrolment.save(update_fields=["completed_at"])
        from .grade_services import course_pass_check

        course_pass_check(enrolment=enrolment)


@transaction.atomic
def activity_response_submit(*, enrolment, item, activity_key, text, by) -> ActivityResponse:
    """Save a learner's answer to one activity of a lesson; the lesson completes by itself when
    all its activities are done."""
    _active_check(enrolment, by)
    if item.run_id != enrolment.run_id or activity_key not in (item.activity_keys or []):
        raise ValidationError(_("That activity is not part of this lesson."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write an answer before sending it.")})
    response, _created = ActivityResponse.objects.update_or_create(
        enrolment=enrolment, item=item, activity_key=activity_key, defaults={"text": text}
    )
    lesson_activities_check(enrolment=enrolment, item=item, by=by)
    return response


def lesson_activities_done(*, enrolment, item) -> set:
    """The activity keys of a lesson the learner has done: reflections written, quizzes with a
    submitted attempt and assignments handed in."""
    from .models import QuizAttempt, Submission

    done = set(ActivityResponse.objects.filter(enrolment=enrolment, item=item).values_list("activity_key", flat=True))
    submitted = QuizAttempt.objects.filter(enrolment=enrolment, item=item, submitted_at__isnull=False).values_list("block_id", flat=True)
    handed_in = Submission.objects.filter(enrolment=enrolment, item=item).values_list("block_id", flat=True)
    return done | {f"quiz:{block_id}" for block_id in submitted} | {f"assignment:{block_id}" for block_id in handed_in}


def lesson_activities_check(*, enrolment, item, by) -> None:
    """Complete the lesson when every one of its activities is done."""
    from .progress import activities_done

    if activities_done(activity_keys=item.activity_keys, done_keys=lesson_activities_done(enrolment=enrolment, item=item)):
        lesson_complete(enrolment=enrolment, item=item, by=by, how=LessonCompletion.How.ACTIVITIES)

