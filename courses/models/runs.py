"""Course runs (cohorts), the content each run teaches, enrolment and progress.

A run teaches a snapshot: one `RunContentItem` per module and lesson, pinning the page revision
published to the run. Authors keep editing pages; learners see the new text only when someone
publishes the newest revisions to the run (courses.services.run_content_publish). Enrolment status
changes follow `courses.transitions.ENROLMENT_TRANSITIONS` and are recorded."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from academy.organisations.models import StatusChangeBase


class CourseRun(models.Model):
    class Pacing(models.TextChoices):
        SELF_PACED = "self_paced", _("Self-paced")
        INSTRUCTOR_PACED = "instructor_paced", _("Instructor-paced")

    class EnrolmentMode(models.TextChoices):
        OPEN = "open", _("Anyone may enrol")
        APPROVAL = "approval", _("An instructor approves each request")
        INVITATION = "invitation", _("By invitation only")

    course = models.ForeignKey("courses.CoursePage", verbose_name=_("course"), on_delete=models.CASCADE, related_name="runs")
    title = models.CharField(_("title"), max_length=120, help_text=_("How learners tell runs apart, such as “Spring 2027”."))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en", help_text=_("The language the run teaches in; its lessons come from the course in that language."))
    pacing = models.CharField(_("pacing"), max_length=20, choices=Pacing.choices, default=Pacing.INSTRUCTOR_PACED)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    enrolment_opens_at = models.DateTimeField(_("enrolment opens"))
    enrolment_closes_at = models.DateTimeField(_("enrolment closes"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("How many learners may take part. Leave empty for no limit; when full, new learners join a waitlist."))
    enrolment_mode = models.CharField(_("enrolment"), max_length=20, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN)
    content_published_at = models.DateTimeField(_("content published"), null=True, blank=True, editable=False)
    content_published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("content published by"), null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course run")
        verbose_name_plural = _("course runs")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="run_ends_after_start"),
            models.CheckConstraint(condition=Q(enrolment_closes_at__gt=models.F("enrolment_opens_at")), name="run_enrolment_closes_after_opening"),
        ]

    def __str__(self):
        return f"{self.course.title} — {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("courses:run", args=[self.pk])

    @property
    def display_course(self):
        """The course in the reader's language when a listing attached it
        (`courses.selectors.runs_localize`), else the course of the default language."""
        return getattr(self, "_local_course", None) or self.course

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A run ends after it starts.")
        if self.enrolment_opens_at and self.enrolment_closes_at and self.enrolment_closes_at <= self.enrolment_opens_at:
            errors["enrolment_closes_at"] = _("Enrolment closes after it opens.")
        if self.enrolment_closes_at and self.ends_at and self.enrolment_closes_at > self.ends_at:
            errors["enrolment_closes_at"] = _("Enrolment closes before the run ends.")
        if errors:
            raise ValidationError(errors)

    def enrolment_is_open(self, now):
        return self.enrolment_opens_at <= now <= self.enrolment_closes_at


class RunContentItem(models.Model):
    """One module or lesson as published to a run: the page (in the run's language), the revision
    learners see, and the title and position at publication, so an outline needs one query."""

    class Kind(models.TextChoices):
        MODULE = "module", _("Module")
        LESSON = "lesson", _("Lesson")

    run = models.ForeignKey(CourseRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="content_items")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Deleting a page (and with it its revisions) must stay possible for authors: the item then
    # loses its page and revision and leaves the outline, and learners' completions stay.
    page = models.ForeignKey("wagtailcore.Page", verbose_name=_("page"), null=True, on_delete=models.SET_NULL, related_name="+")
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("revision"), null=True, on_delete=models.SET_NULL, related_name="+")
    module = models.ForeignKey("self", verbose_name=_("module"), null=True, blank=True, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=255)
    required = models.BooleanField(_("required"), default=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=0)
    activity_keys = models.JSONField(_("activities"), default=list, blank=True)
    graded_items = models.JSONField(
        _("graded items"), default=list, blank=True,
        help_text=_("The lesson's graded quizzes and assignments as published (courses.blocks.lesson_graded_items)."),
    )
    retired = models.BooleanField(
        _("retired"), default=False,
        help_text=_("No longer in the course when content was last published; kept so learners' records stay."),
    )

    class Meta:
        verbose_name = _("run content item")
        verbose_name_plural = _("run content items")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "page"], name="run_content_page_once"),
        ]

    def __str__(self):
        return f"{self.run_id} · {self.position} · {self.title}"


class Enrolment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        WAITLISTED = "waitlisted", _("On the waitlist")
        ACTIVE = "active", _("Enrolled")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Unenrolled")

    class Source(models.TextChoices):
        SELF = "self", _("Self-service")
        APPROVAL = "approval", _("Approved request")
        INVITATION = "invitation", _("Invitation")

    run = models.ForeignKey(CourseRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SELF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("joined the waitlist"), null=True, blank=True, help_text=_("Waitlisted learners are promoted in this order."))
    activated_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_item = models.ForeignKey(RunContentItem, verbose_name=_("last lesson opened"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_visited_at = models.DateTimeField(_("last visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["run", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], name="enrolment_once_per_run"),
        ]
        indexes = [models.Index(fields=["run", "status"])]

    def __str__(self):
        return f"{self.user} · {self.run} ({self.get_status_display()})"


class EnrolmentStatusChange(StatusChangeBase):
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("enrolment status change")
        verbose_name_plural = _("enrolment status changes")


def _invitation_token():
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation to a run sent to an e-mail address, accepted through a link whether or not
    the address has an account yet."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    run = models.ForeignKey(CourseRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=_invitation_token, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "email"], name="invitation_once_per_address"),
        ]

    def __str__(self):
        return f"{self.email} → {self.run}"


class LessonCompletion(models.Model):
    class How(models.TextChoices):
        EXPLICIT = "explicit", _("Marked complete")
        ACTIVITIES = "activities", _("Activities done")

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="completions")
    item = models.ForeignKey(RunContentItem, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="completions")
    how = models.CharField(_("how"), max_length=20, choices=How.choices)
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "item"], name="lesson_completed_once"),
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.item.title}"


class ActivityResponse(models.Model):
    """What a learner did for one activity of a lesson (a written reflection on a case study)."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="activity_responses")
    item = models.ForeignKey(RunContentItem, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="activity_responses")
    activity_key = models.CharField(_("activity"), max_length=80)
    text = models.TextField(_("answer"), max_length=5000)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        verbose_name = _("activity response")
        verbose_name_plural = _("activity responses")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "item", "activity_key"], name="activity_response_once"),
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.activity_key}"
