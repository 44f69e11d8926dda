"""Fixed-question quizzes of a lesson and the learners' attempts at them.

A quiz is an organisation's ordered list of questions from its banks, each worth some marks,
and optionally questions drawn at random from a bank for each attempt (Moodle's "random
question"), with an attempt limit, an optional time limit and review options saying when a learner sees
correctness, marks and the right answers (Moodle's "review options",
https://docs.moodle.org/en/Quiz_settings#Review_options, simplified to three moments as Open edX's
"show answer" setting does). An attempt pins the version of each question it shows, so editing a
question later never changes an attempt already started. The writes are
`courses.assessment_services`; when a learner may see what is `courses.review`."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


class Quiz(ClusterableModel):
    """An organisation's quiz: questions with marks, and the rules of attempting it."""

    class Review(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately after the attempt")
        AFTER_DUE = "after_due", _("After the due date")
        NEVER = "never", _("Never")

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="quizzes",
        help_text=_("The organisation whose staff maintain the quiz; only its questions can be used."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("The quiz's name, shown to learners."))
    instructions = models.TextField(_("instructions"), blank=True, help_text=_("What learners read before they start."))
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempt limit"), default=1, help_text=_("How many attempts a learner may start; 0 means no limit."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit in minutes"), null=True, blank=True,
        help_text=_("Leave it empty for no time limit. Answers sent after the limit are not counted."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False, help_text=_("Each attempt shows the questions in its own order."))
    shuffle_options = models.BooleanField(_("shuffle options"), default=True, help_text=_("Each attempt shows the options of a question in its own order."))
    show_correctness = models.CharField(
        _("show whether answers were right"), max_length=20, choices=Review.choices, default=Review.IMMEDIATELY,
    )
    show_marks = models.CharField(_("show marks"), max_length=20, choices=Review.choices, default=Review.IMMEDIATELY)
    show_answers = models.CharField(_("show the right answers"), max_length=20, choices=Review.choices, default=Review.AFTER_DUE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldPanel("organisation"),
        FieldPanel("title"),
        FieldPanel("instructions"),
        MultiFieldPanel([
            FieldPanel("attempt_limit"), FieldPanel("time_limit_minutes"), FieldPanel("shuffle_questions"), FieldPanel("shuffle_options"),
        ], heading=_("Attempts")),
        MultiFieldPanel([FieldPanel("show_correctness"), FieldPanel("show_marks"), FieldPanel("show_answers")], heading=_("Review options")),
        InlinePanel("slots", label=_("Questions")),
        InlinePanel("draws", label=_("Random questions")),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["organisation__name_en", "title", "pk"]

    def __str__(self):
        return self.title

    @property
    def review_options(self):
        return {"correctness": self.show_correctness, "marks": self.show_marks, "answers": self.show_answers}


class QuizQuestion(Orderable):
    """One question of a quiz, in the quiz's order, worth `marks`."""

    quiz = ParentalKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        "courses.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="quiz_slots",
        help_text=_("A question of one of your organisation's banks."),
    )
    marks = models.DecimalField(_("marks"), max_digits=6, decimal_places=2, default=1, help_text=_("What a fully right answer earns."))

    panels = [FieldPanel("question"), FieldPanel("marks")]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self):
        return f"{self.quiz} · {self.question}"


class QuizDraw(Orderable):
    """Questions drawn at random for each attempt: `count` of the bank's questions, each worth
    `marks`. Every attempt draws its own, fixed by the attempt's seed, and never a question the
    quiz already asks."""

    quiz = ParentalKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="draws")
    bank = models.ForeignKey(
        "courses.QuestionBank", verbose_name=_("question bank"), on_delete=models.PROTECT, related_name="quiz_draws",
        help_text=_("One of your organisation's banks to draw from."),
    )
    count = models.PositiveSmallIntegerField(_("how many"), default=1, validators=[MinValueValidator(1)])
    marks = models.DecimalField(_("marks each"), max_digits=6, decimal_places=2, default=1, help_text=_("What each fully right answer earns."))

    panels = [FieldPanel("bank"), FieldPanel("count"), FieldPanel("marks")]

    class Meta(Orderable.Meta):
        verbose_name = _("random question draw")
        verbose_name_plural = _("random question draws")

    def __str__(self):
        return f"{self.quiz} · {self.count} × {self.bank}"


class QuizAttempt(models.Model):
    """A learner's attempt at the quiz of one lesson block of their run."""

    enrolment = models.ForeignKey("courses.Enrolment", verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="attempts")
    item = models.ForeignKey("courses.RunContentItem", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="quiz_attempts")
    block_id = models.CharField(_("lesson block"), max_length=64, help_text=_("The id of the quiz block in the lesson."))
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("1 for the learner's first attempt at this quiz block."))
    seed = models.CharField(_("seed"), max_length=64, editable=False, help_text=_("Fixes the order of questions and options of the attempt."))
    started_at = models.DateTimeField(_("started at"))
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    earned = models.DecimalField(_("marks earned"), max_digits=8, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(_("marks possible"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["enrolment", "block_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "block_id", "number"], name="quiz_attempt_number_unique"),
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.quiz} #{self.number}"


class AttemptAnswer(models.Model):
    """One question of an attempt: the version shown, its marks, the response saved and its score."""

    attempt = models.ForeignKey(QuizAttempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers")
    # PROTECT: a past attempt keeps the exact version it showed.
    version = models.ForeignKey("courses.QuestionVersion", verbose_name=_("question version"), on_delete=models.PROTECT, related_name="attempt_answers")
    position = models.PositiveSmallIntegerField(_("position"))
    marks = models.DecimalField(_("marks"), max_digits=6, decimal_places=2)
    response = models.JSONField(_("response"), null=True, blank=True)
    fraction = models.DecimalField(_("fraction"), max_digits=7, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("attempt answer")
        verbose_name_plural = _("attempt answers")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_answer_position_unique"),
        ]

    def __str__(self):
        return f"{self.attempt} · {self.position}"
