"""The question bank: an organisation's banks of questions, each question authored in the
Wagtail admin and recorded as immutable numbered versions.

A version holds the question's kind and spec in the JSON shape of `courses.questions`, which
validates and scores it. Editing a question that changes its spec records a new version and
leaves the earlier ones untouched, so an attempt that pinned a version keeps exactly the
question it showed (the way Moodle keeps question versions since 4.0:
https://docs.moodle.org/en/Question_bank#Question_versions). The writes are
`courses.assessment_services`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField

from courses.blocks import QuestionContentBlock


class QuestionBank(models.Model):
    """A named collection of an organisation's questions, such as “Customs basics”."""

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="question_banks",
        help_text=_("The organisation whose staff write and use these questions."),
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True, help_text=_("What the questions of this bank cover, for other authors."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["organisation__name_en", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="question_bank_title_unique_per_organisation"),
        ]

    def __str__(self):
        return self.title


class TaggedQuestion(TaggedItemBase):
    """The tags of a question (a plain foreign key: questions are not clusterable models)."""

    content_object = models.ForeignKey("courses.Question", verbose_name=_("question"), on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("question tag")
        verbose_name_plural = _("question tags")


class Question(models.Model):
    """A question as its authors edit it. `content` holds exactly one block, whose type is the
    question kind; `current_version` is the newest recorded version of it."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("question bank"), on_delete=models.PROTECT, related_name="questions",
        help_text=_("The bank the question belongs to; only your organisations' banks are offered."),
    )
    title = models.CharField(
        _("title"), max_length=200,
        help_text=_("An internal name shown in lists, such as “Incoterms: who pays duty under DDP”. Learners never see it."),
    )
    content = StreamField(
        QuestionContentBlock(), verbose_name=_("question"), min_num=1, max_num=1,
        help_text=_("Choose the kind of question, then write it. Saving a change records a new version; earlier attempts keep the version they saw."),
    )
    tags = TaggableManager(
        verbose_name=_("tags"), through=TaggedQuestion, blank=True,
        help_text=_("Words to find the question by, separated by commas."),
    )
    competencies = models.ManyToManyField(
        "courses.Competency", verbose_name=_("competencies"), blank=True, related_name="questions",
        help_text=_("The competencies a correct answer gives evidence of."),
    )
    current_version = models.ForeignKey(
        "courses.QuestionVersion", verbose_name=_("current version"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The newest recorded version, which new quizzes use."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("bank"),
        FieldPanel("title"),
        FieldPanel("content"),
        FieldPanel("tags"),
        FieldPanel("competencies"),
    ]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank__title", "title", "pk"]

    def __str__(self):
        return self.title

    @property
    def kind(self):
        """The question kind: the type of the content's one block ("" while it has none)."""
        for child in self.content or ():
            return child.block_type
        return ""

    @property
    def kind_label(self):
        return dict(QuestionVersion.Kind.choices).get(self.kind, self.kind)

    @property
    def tag_list(self):
        """The tag names, comma-separated (prefetch `tags` when listing)."""
        return ", ".join(sorted(tag.name for tag in self.tags.all()))

    @property
    def current_version_number(self):
        return self.current_version.number if self.current_version_id else None


class QuestionVersion(models.Model):
    """One recorded version of a question: immutable once created, since attempts pin it."""

    class Kind(models.TextChoices):
        """The kinds of `courses.questions.QUESTION_KINDS`, in its order, with their labels."""

        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        NUMERIC = "numeric", _("Number")
        SHORT_TEXT = "short_text", _("Short text")
        MATCHING = "matching", _("Matching")
        ORDERING = "ordering", _("Ordering")

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"), help_text=_("1 for the first version, counting up with each change."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    spec = models.JSONField(_("specification"), help_text=_("The question in the JSON shape of courses.questions, validated by it."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.question} (v{self.number})"

