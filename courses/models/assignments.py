"""Assignments of a lesson, learners' submissions with their private files, and the reviews of
those submissions against the assignment's rubric.

An assignment is an organisation's task, like a quiz: instructions, what a learner hands in (a
text answer, files, or both, with the file types and sizes allowed), how often they may hand it
in, and the rubric reviewers score it with (Canvas's and Moodle's assignment with a rubric). It
is placed in a lesson by the assignment block of `courses.blocks`, which sets its due date in
the run. A learner's hand-ins are numbered submissions; the newest counts. Reviewers, the run's
instructors and mentors of the course's partner enterprises, each record at most one review of
a submission, with a level and an inline comment per criterion; the newest review gives the
submission its score. Criterion titles, levels and points are copied into the review, so editing
the rubric later never changes a review already given. The writes are
`courses.assignment_services`; who may see what is checked there and in `courses.views`."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from academy.fields import CheckboxListField
from academy.private_storage import private_storage

# What a learner may upload at most, whatever an assignment says (the form refuses bigger files
# before reading them whole). Deployments in front of a proxy set its body limit above this.
ASSIGNMENT_MAX_FILE_MB = 20

# File types an assignment may accept: extension → (label, how `courses.uploads` checks the content).
FILE_TYPE_CHOICES = [
    ("pdf", "PDF"),
    ("docx", "Word (.docx)"),
    ("xlsx", "Excel (.xlsx)"),
    ("pptx", "PowerPoint (.pptx)"),
    ("png", "PNG"),
    ("jpg", "JPEG"),
    ("txt", _("Plain text")),
    ("csv", "CSV"),
    ("zip", "ZIP"),
]


class FileTypesField(CheckboxListField):
    """A list of `FILE_TYPE_CHOICES` keys, edited as checkboxes."""

    list_choices = FILE_TYPE_CHOICES


class Assignment(models.Model):
    """An organisation's assignment, such as “Landed-cost sheet for a Polish buyer”."""

    class Part(models.TextChoices):
        NONE = "none", _("Not asked")
        OPTIONAL = "optional", _("Optional")
        REQUIRED = "required", _("Required")

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="assignments",
        help_text=_("The organisation whose staff maintain the assignment; only its rubrics can be used."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("The assignment's name, shown to learners."))
    instructions = models.TextField(_("instructions"), help_text=_("What learners must do and hand in."))
    rubric = models.ForeignKey(
        "courses.Rubric", verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="assignments",
        help_text=_("Reviewers score submissions with it; learners see it before they submit."),
    )
    text_answer = models.CharField(_("text answer"), max_length=10, choices=Part.choices, default=Part.OPTIONAL)
    files = models.CharField(_("files"), max_length=10, choices=Part.choices, default=Part.OPTIONAL)
    file_types = FileTypesField(
        _("file types allowed"), default=list, blank=True,
        help_text=_("The kinds of file learners may upload. Each file's content is checked, not only its name."),
    )
    max_files = models.PositiveSmallIntegerField(
        _("files at most"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    max_file_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(ASSIGNMENT_MAX_FILE_MB)],
    )
    max_submissions = models.PositiveSmallIntegerField(
        _("submissions allowed"), default=2,
        help_text=_("How many times a learner may hand the work in; the newest counts. 0 means no limit."),
    )
    accept_late = models.BooleanField(
        _("accept late work"), default=True, help_text=_("Whether work may be handed in after the due date; it is marked late."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldPanel("organisation"),
        FieldPanel("title"),
        FieldPanel("instructions"),
        FieldPanel("rubric"),
        MultiFieldPanel([
            FieldPanel("text_answer"), FieldPanel("files"), FieldPanel("file_types"), FieldPanel("max_files"), FieldPanel("max_file_mb"),
        ], heading=_("What learners hand in")),
        MultiFieldPanel([FieldPanel("max_submissions"), FieldPanel("accept_late")], heading=_("Submissions")),
    ]

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["organisation__name_en", "title", "pk"]

    def __str__(self):
        return self.title


class Submission(models.Model):
    """One hand-in of an assignment by a learner, numbered from 1; the newest one counts."""

    enrolment = models.ForeignKey("courses.Enrolment", verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="submissions")
    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="submissions")
    item = models.ForeignKey("courses.RunContentItem", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="submissions")
    block_id = models.CharField(_("lesson block"), max_length=64, help_text=_("The id of the assignment block in the lesson."))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text answer"), blank=True, max_length=20000)
    submitted_at = models.DateTimeField(_("submitted at"))
    late = models.BooleanField(_("late"), default=False)
    earned = models.DecimalField(_("points earned"), max_digits=8, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(_("points possible"), max_digits=8, decimal_places=2, null=True, blank=True)
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["enrolment", "block_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "block_id", "number"], name="submission_number_unique"),
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.assignment} #{self.number}"


def _submission_file_name(instance, filename):
    # A random name: the original name is kept in the row, never on disk or in a URL.
    return f"submissions/{instance.submission.enrolment.run_id}/{uuid.uuid4().hex}"


class SubmissionFile(models.Model):
    """A file of a submission, on private storage: served only by `courses.views.submission_file`
    to the learner and the run's reviewers."""

    submission = models.ForeignKey(Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), storage=private_storage, upload_to=_submission_file_name, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    file_type = models.CharField(_("file type"), max_length=10, choices=FILE_TYPE_CHOICES)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("submission file")
        verbose_name_plural = _("submission files")
        ordering = ["submission", "pk"]

    def __str__(self):
        return self.name


class Review(models.Model):
    """A reviewer's scoring of a submission with the assignment's rubric, and their feedback."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("Instructor")
        MENTOR = "mentor", _("Enterprise mentor")

    submission = models.ForeignKey(Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, on_delete=models.SET_NULL, related_name="reviews_given")
    reviewer_name = models.CharField(_("reviewer's name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The organisation the reviewer reviewed for; empty for a platform administrator."),
    )
    comment = models.TextField(_("overall feedback"), blank=True, max_length=10000)
    earned = models.DecimalField(_("points earned"), max_digits=8, decimal_places=2)
    possible = models.DecimalField(_("points possible"), max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(_("reviewed at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["submission", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="review_once_per_reviewer"),
        ]

    def __str__(self):
        return f"{self.submission} · {self.reviewer_name}"


class ReviewScore(models.Model):
    """The level a review chose for one criterion, copied from the rubric, with inline feedback."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "courses.RubricCriterion", verbose_name=_("criterion"), null=True, on_delete=models.SET_NULL, related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    criterion_title = models.CharField(_("criterion"), max_length=160)
    competency = models.ForeignKey(
        "courses.Competency", verbose_name=_("competency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    level_title = models.CharField(_("level"), max_length=80)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    max_points = models.DecimalField(_("points possible"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("feedback"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="review_score_position_unique"),
        ]

    def __str__(self):
        return f"{self.criterion_title}: {self.level_title}"
