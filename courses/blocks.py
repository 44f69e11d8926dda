"""The blocks a lesson is composed of. Each block renders with its own template under
`templates/blocks/lesson/`, has an icon and a preview value for the admin's block previews.

Blocks that the learner must *do* something with are activities: they expose
`activity_keys(value, block_id)`, and a lesson whose activities are all done completes by itself
(`courses.progress`): a case study's reflection, and a quiz (`QuizBlock`), done once an attempt is
submitted."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from .questions import ALL_OR_NOTHING, PARTIAL, QuestionSpecError, question_from_spec


def _country_choices():
    return [(code, name) for code, name in countries]


class FigureBlock(blocks.StructBlock):
    """An image with a caption; the image keeps its own alt text."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        template = "blocks/lesson/figure_block.html"
        icon = "image"
        label = _("Image")
        preview_value = {"caption": "A parcel label with the HS code and declared value."}


class VideoBlock(blocks.StructBlock):
    """A video from an oEmbed provider, with a transcript for learners who cannot play it."""

    video = EmbedBlock(label=_("Video address"), help_text=_("A link to the video page, such as a YouTube or Vimeo address."))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)
    transcript = blocks.TextBlock(label=_("Transcript"), required=False)

    class Meta:
        template = "blocks/lesson/video_block.html"
        icon = "media"
        label = _("Video")
        preview_value = {"caption": "Inside a bonded warehouse", "transcript": "The video's words, for reading."}


class DocumentBlock(blocks.StructBlock):
    """A file to download (a form, a regulation, a spreadsheet)."""

    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("What it is"), required=False, max_length=255)

    class Meta:
        template = "blocks/lesson/document_block.html"
        icon = "doc-full"
        label = _("Document")
        preview_value = {"description": "The customs declaration form CN23."}


class CaseStudyBlock(blocks.StructBlock):
    """A real business situation to think through, optionally with a written reflection the
    learner must submit (an activity: the lesson completes when it is done)."""

    title = blocks.CharBlock(label=_("Title"), max_length=160)
    organisation = blocks.CharBlock(label=_("Organisation"), required=False, max_length=160)
    situation = blocks.RichTextBlock(label=_("Situation"), features=["bold", "italic", "ol", "ul", "link", "h3"])
    questions = blocks.ListBlock(blocks.CharBlock(max_length=400), label=_("Questions to discuss"), min_num=0)
    takeaway = blocks.TextBlock(label=_("Takeaway"), required=False)
    reflection_required = blocks.BooleanBlock(
        label=_("Ask for a written reflection"), required=False, default=False,
        help_text=_("The learner writes an answer before the lesson counts as done."),
    )

    class Meta:
        template = "blocks/lesson/case_study_block.html"
        icon = "folder-open-inverse"
        label = _("Case study")
        preview_value = {
            "title": "A seller’s first shipment to Poland",
            "organisation": "Amber Loom Trading",
            "situation": "<p>Forty cotton T-shirts must reach Warsaw before a holiday sale.</p>",
            "questions": ["Which channel would you choose, and why?"],
            "takeaway": "Transit time is part of the price the buyer sees.",
        }

    def activity_keys(self, value, block_id):
        return [f"reflection:{block_id}"] if value.get("reflection_required") else []


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"), max_length=160)
    detail = blocks.TextBlock(label=_("Detail"), required=False)


class StepListBlock(blocks.StructBlock):
    """A procedure in numbered steps (filing a declaration, booking a consolidation)."""

    title = blocks.CharBlock(label=_("Title"), max_length=160)
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"), min_num=1)

    class Meta:
        template = "blocks/lesson/step_list_block.html"
        icon = "list-ol"
        label = _("Step list")
        preview_value = {
            "title": "Ship a parcel by e-commerce line",
            "steps": [
                {"title": "Weigh and measure", "detail": "Price depends on the chargeable weight."},
                {"title": "Declare", "detail": "HS code, value and currency on the label."},
            ],
        }


class MarketNoteBlock(blocks.StructBlock):
    """A note that holds for one destination market (a threshold, a rule, a custom), dated."""

    country = blocks.ChoiceBlock(label=_("Destination market"), choices=_country_choices)
    title = blocks.CharBlock(label=_("Title"), max_length=160)
    note = blocks.RichTextBlock(label=_("Note"), features=["bold", "italic", "ol", "ul", "link"])
    as_of = blocks.DateBlock(label=_("True as of"), required=False)

    class Meta:
        template = "blocks/lesson/market_note_block.html"
        icon = "site"
        label = _("Market note")
        preview_value = {
            "country": "PL",
            "title": "Poland: VAT from the first euro",
            "note": "<p>Since 1 July 2021 every import into the EU pays VAT.</p>",
        }


class GlossaryTermBlock(blocks.StructBlock):
    """A term and its definition, with the term in the other language for bilingual learners."""

    term = blocks.CharBlock(label=_("Term"), max_length=120)
    other_language_term = blocks.CharBlock(label=_("Term in the other language"), required=False, max_length=120)
    definition = blocks.TextBlock(label=_("Definition"))

    class Meta:
        template = "blocks/lesson/glossary_term_block.html"
        icon = "help"
        label = _("Glossary term")
        preview_value = {"term": "Incoterm DDP", "other_language_term": "完税后交货", "definition": "Delivered duty paid: the seller pays duty and VAT."}


# --- Quizzes --------------------------------------------------------------------------------------


class _OrganisationChooserBlock(blocks.ChooserBlock):
    """Chooses one of the editor's organisations' quizzes or assignments with a chooser of
    `courses.wagtail_hooks`. The model and widget are looked up lazily: this module is imported
    by the models themselves, before the models and the admin viewsets exist."""

    model_name = None
    chooser_name = None

    @cached_property
    def target_model(self):
        from django.apps import apps

        return apps.get_model("courses", self.model_name)

    @cached_property
    def widget(self):
        from . import wagtail_hooks

        return getattr(wagtail_hooks, self.chooser_name).widget_class()

    def get_form_state(self, value):
        return self.widget.get_value_data(value)


class QuizChooserBlock(_OrganisationChooserBlock):
    model_name = "Quiz"
    chooser_name = "quiz_chooser_viewset"

    class Meta:
        icon = "tasks"


class AssignmentChooserBlock(_OrganisationChooserBlock):
    model_name = "Assignment"
    chooser_name = "assignment_chooser_viewset"

    class Meta:
        icon = "doc-full"


def _grading_type_block(default):
    return blocks.CharBlock(
        label=_("Grading type"), required=False, max_length=60, default=default,
        help_text=_("The type of the run's grading policy this counts as, such as “Quiz” or “Assignment”. Leave it empty for ungraded practice."),
    )


class _AssessedBlock(blocks.StructBlock):
    """A quiz or assignment placed in a lesson: an activity keyed `<kind>:<block id>`, graded
    under its grading type. Subclasses name their `kind`, which is also the name of the chooser
    field holding the quiz or assignment."""

    kind = None

    def activity_keys(self, value, block_id):
        return [f"{self.kind}:{block_id}"]

    def graded_item(self, value, block_id):
        """What `courses.grade_services` needs of the block, pinned with the run's content: None
        for practice (no grading type) or a block whose quiz or assignment is gone."""
        grading_type = (value.get("grading_type") or "").strip()
        target = value.get(self.kind)
        if not grading_type or target is None:
            return None
        return {
            "key": f"{self.kind}:{block_id}", "kind": self.kind, "target": target.pk, "type": grading_type,
            "label": str(target), "due_after_days": value.get("due_after_days"),
        }


class QuizBlock(_AssessedBlock):
    """A quiz of the organisation's question banks, taken in the lesson (an activity: the lesson
    completes when an attempt is submitted). The value holds the quiz reference only; questions
    and answers stay in the quiz, and learners see them through `courses.questions.learner_view`."""

    kind = "quiz"
    quiz = QuizChooserBlock(label=_("Quiz"))
    due_after_days = blocks.IntegerBlock(
        label=_("Due after (days)"), required=False, min_value=0,
        help_text=_("Days after the run starts when the quiz is due. Leave it empty for the end of the run."),
    )
    grading_type = _grading_type_block("Quiz")

    class Meta:
        template = "blocks/lesson/quiz_block.html"
        icon = "tasks"
        label = _("Quiz")
        preview_value = {"due_after_days": 14}


class AssignmentBlock(_AssessedBlock):
    """An assignment handed in from the lesson and reviewed with its rubric (an activity: the
    lesson completes when the work is handed in). The value holds the assignment reference only."""

    kind = "assignment"
    assignment = AssignmentChooserBlock(label=_("Assignment"))
    due_after_days = blocks.IntegerBlock(
        label=_("Due after (days)"), required=False, min_value=0,
        help_text=_("Days after the run starts when the assignment is due. Leave it empty for the end of the run."),
    )
    grading_type = _grading_type_block("Assignment")

    class Meta:
        template = "blocks/lesson/assignment_block.html"
        icon = "doc-full"
        label = _("Assignment")
        preview_value = {"due_after_days": 21}


def quiz_due_at(*, run, value):
    """When the quiz (or assignment) of a block is due in `run`: `due_after_days` after the run
    starts, or the run's end."""
    days = value.get("due_after_days")
    if days is not None and run.starts_at:
        return run.starts_at + datetime.timedelta(days=days)
    return run.ends_at


class LessonStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        label=_("Text"), icon="pilcrow", template="blocks/lesson/rich_text_block.html",
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        preview_value="<p>A paragraph of the lesson.</p>",
    )
    image = FigureBlock()
    video = VideoBlock()
    document = DocumentBlock()
    case_study = CaseStudyBlock()
    step_list = StepListBlock()
    market_note = MarketNoteBlock()
    glossary_term = GlossaryTermBlock()
    quiz = QuizBlock()
    assignment = AssignmentBlock()

    class Meta:
        label = _("Lesson content")


def lesson_activity_keys(body):
    """The activity keys of a lesson body, in order."""
    keys = []
    for child in body:
        block = child.block
        if hasattr(block, "activity_keys"):
            keys.extend(block.activity_keys(child.value, child.id))
    return keys


def lesson_graded_items(body):
    """The graded quizzes and assignments of a lesson body, in order (see `_graded_item`)."""
    items = []
    for child in body:
        if hasattr(child.block, "graded_item"):
            entry = child.block.graded_item(child.value, child.id)
            if entry is not None:
                items.append(entry)
    return items


# --- Question bank authoring ----------------------------------------------------------------------
#
# The authoring form of a question (`courses.models.Question.content`): a StreamField holding
# exactly one block, whose type is the question kind of `courses.questions`. Each block's fields
# map one to one onto that kind's spec; `spec_from_value` gives the spec and `value_from_spec`
# the block value back, so a stored version can be turned into content again. These blocks are
# never rendered to learners (a learner sees `courses.questions.learner_view` only), so they have
# no template and no preview.
#
# Option, pair and item ids: authors may type a short id or leave it blank, in which case `clean`
# generates a random one. An id is kept as typed when the question is edited, so a learner's
# answers stay comparable across versions. Generated ids are random rather than derived from the
# position or from another id, because the learner sees them: a matching answer's id computed
# from its prompt's id would give the answer away.

_SCORING_CHOICES = [(PARTIAL, _("Partial credit")), (ALL_OR_NOTHING, _("All or nothing"))]
_DECIMAL = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_DECIMAL_MESSAGE = _("Enter a plain decimal number with “.” as the separator, such as 12.5.")
_ID_HELP = _(
    "A short id such as a, b or c. Leave it blank to have one generated; keep it unchanged when "
    "editing, so that learners' answers stay comparable across versions."
)


def _generated_id():
    return secrets.token_hex(4)


def _id_block(label=None):
    return blocks.CharBlock(label=label or _("Id"), required=False, max_length=40, help_text=_ID_HELP)


def _text(value):
    return value if isinstance(value, str) else ""


class _GeneratedIdsBlock(blocks.StructBlock):
    """A struct whose listed id fields get a random id when left blank."""

    id_fields = ()
    # Never shown to learners, so there is nothing to preview in the block picker.
    is_previewable = False

    def clean(self, value):
        value = super().clean(value)
        for name in self.id_fields:
            if not (value.get(name) or "").strip():
                value[name] = _generated_id()
        return value


class ChoiceOptionBlock(_GeneratedIdsBlock):
    """One option of a single- or multiple-choice question, with the feedback shown when chosen."""

    id = _id_block()
    text = blocks.CharBlock(label=_("Text"), max_length=500)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False, default=False)
    feedback = blocks.TextBlock(label=_("Feedback when chosen"), required=False)

    id_fields = ("id",)

    class Meta:
        icon = "radio-full"
        label = _("Option")
        preview_value = None


class MatchPairBlock(_GeneratedIdsBlock):
    """A prompt and the answer that matches it."""

    prompt_id = _id_block(_("Prompt id"))
    prompt = blocks.CharBlock(label=_("Prompt"), max_length=500)
    answer_id = _id_block(_("Answer id"))
    answer = blocks.CharBlock(label=_("Matching answer"), max_length=500)

    id_fields = ("prompt_id", "answer_id")

    class Meta:
        icon = "link"
        label = _("Pair")
        preview_value = None


class MatchDistractorBlock(_GeneratedIdsBlock):
    """An extra answer that matches no prompt."""

    answer_id = _id_block(_("Answer id"))
    answer = blocks.CharBlock(label=_("Answer"), max_length=500)

    id_fields = ("answer_id",)

    class Meta:
        icon = "cross"
        label = _("Extra wrong answer")
        preview_value = None


class OrderItemBlock(_GeneratedIdsBlock):
    """One item of an ordering question; the list's order is the correct order."""

    id = _id_block()
    text = blocks.CharBlock(label=_("Text"), max_length=500)

    id_fields = ("id",)

    class Meta:
        icon = "order"
        label = _("Item")
        preview_value = None


def _combined_feedback_blocks():
    return [
        ("feedback_correct", blocks.TextBlock(label=_("Feedback when correct"), required=False)),
        ("feedback_partial", blocks.TextBlock(label=_("Feedback when partly correct"), required=False)),
        ("feedback_incorrect", blocks.TextBlock(label=_("Feedback when incorrect"), required=False)),
    ]


class QuestionKindBlock(blocks.StructBlock):
    """The fields every question kind has: the prompt first, its own fields, then Moodle's
    combined feedback. `clean` validates the whole spec with `courses.questions`, so an author
    sees the module's message (such as "needs exactly one correct option") on the block."""

    kind = ""
    # Never rendered to learners (they see courses.questions.learner_view), so no preview.
    is_previewable = False

    prompt = blocks.TextBlock(label=_("Prompt"), help_text=_("The question as the learner reads it."))

    def __init__(self, local_blocks=None, **kwargs):
        super().__init__([*(local_blocks or ()), *_combined_feedback_blocks()], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            question_from_spec(self.kind, self.spec_from_value(value))
        except QuestionSpecError as error:
            raise StructBlockValidationError(non_block_errors=[ValidationError(str(error))]) from error
        return value

    def spec_from_value(self, value):
        """The spec of `courses.questions` for this block's value, every field spelled out."""
        return {
            "prompt": _text(value.get("prompt")),
            **self._own_spec(value),
            "feedback_correct": _text(value.get("feedback_correct")),
            "feedback_partial": _text(value.get("feedback_partial")),
            "feedback_incorrect": _text(value.get("feedback_incorrect")),
        }

    def value_from_spec(self, spec):
        """The block value (as raw JSON data) holding `spec`; the reverse of `spec_from_value`."""
        return {
            "prompt": spec.get("prompt", ""),
            **self._own_value(spec),
            "feedback_correct": spec.get("feedback_correct", ""),
            "feedback_partial": spec.get("feedback_partial", ""),
            "feedback_incorrect": spec.get("feedback_incorrect", ""),
        }


def _options_spec(options):
    return [
        {"id": _text(o.get("id")), "text": _text(o.get("text")), "correct": bool(o.get("correct")), "feedback": _text(o.get("feedback"))}
        for o in options or ()
    ]


def _options_value(options):
    return [
        {"id": o["id"], "text": o["text"], "correct": bool(o.get("correct")), "feedback": o.get("feedback", "")}
        for o in options
    ]


class SingleChoiceQuestionBlock(QuestionKindBlock):
    """A question with one correct option (Moodle's multiple choice, one answer only)."""

    kind = "single_choice"
    options = blocks.ListBlock(ChoiceOptionBlock(), label=_("Options"), min_num=2, help_text=_("Mark exactly one option as correct."))

    class Meta:
        icon = "radio-full"
        label = _("Single choice")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        return {"options": _options_spec(value.get("options"))}

    def _own_value(self, spec):
        return {"options": _options_value(spec["options"])}


class MultipleChoiceQuestionBlock(QuestionKindBlock):
    """A question with one or more correct options, scored all-or-nothing or with Moodle's
    partial credit."""

    kind = "multiple_choice"
    options = blocks.ListBlock(ChoiceOptionBlock(), label=_("Options"), min_num=2, help_text=_("Mark every correct option."))
    scoring = blocks.ChoiceBlock(choices=_SCORING_CHOICES, default=PARTIAL, label=_("Scoring"))

    class Meta:
        icon = "list-ul"
        label = _("Multiple choice")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        return {"options": _options_spec(value.get("options")), "scoring": value.get("scoring") or PARTIAL}

    def _own_value(self, spec):
        return {"options": _options_value(spec["options"]), "scoring": spec.get("scoring", PARTIAL)}


class TrueFalseQuestionBlock(QuestionKindBlock):
    """A statement the learner marks true or false."""

    kind = "true_false"
    answer = blocks.ChoiceBlock(choices=[("true", _("True")), ("false", _("False"))], label=_("Correct answer"))
    feedback_true = blocks.TextBlock(label=_("Feedback when the learner answers true"), required=False)
    feedback_false = blocks.TextBlock(label=_("Feedback when the learner answers false"), required=False)

    class Meta:
        icon = "tick"
        label = _("True or false")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        # A value that is neither is passed on as such, so the module names the field.
        answer = {"true": True, "false": False}.get(value.get("answer"), value.get("answer"))
        return {"answer": answer, "feedback_true": _text(value.get("feedback_true")), "feedback_false": _text(value.get("feedback_false"))}

    def _own_value(self, spec):
        return {
            "answer": "true" if spec["answer"] else "false",
            "feedback_true": spec.get("feedback_true", ""),
            "feedback_false": spec.get("feedback_false", ""),
        }


class NumericQuestionBlock(QuestionKindBlock):
    """A number, correct within an absolute or relative tolerance (Moodle's numerical question
    without units)."""

    kind = "numeric"
    answer = blocks.RegexBlock(regex=_DECIMAL, error_messages={"invalid": _DECIMAL_MESSAGE}, label=_("Answer"), max_length=40)
    tolerance = blocks.RegexBlock(
        regex=_DECIMAL, error_messages={"invalid": _DECIMAL_MESSAGE}, label=_("Tolerance"), max_length=40, default="0",
        help_text=_("How far from the answer a response may be and still count; 0 for the exact answer."),
    )
    tolerance_kind = blocks.ChoiceBlock(
        choices=[("absolute", _("Absolute (the same unit as the answer)")), ("relative", _("Relative (0.05 means within 5 %)"))],
        default="absolute", label=_("Tolerance is"),
    )

    class Meta:
        icon = "calculator"
        label = _("Number")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        return {
            "answer": (value.get("answer") or "").strip(),
            "tolerance": (value.get("tolerance") or "0").strip(),
            "tolerance_kind": value.get("tolerance_kind") or "absolute",
        }

    def _own_value(self, spec):
        return {"answer": spec["answer"], "tolerance": spec.get("tolerance", "0"), "tolerance_kind": spec.get("tolerance_kind", "absolute")}


class ShortTextQuestionBlock(QuestionKindBlock):
    """A short typed answer compared with the accepted answers (Moodle's short answer)."""

    kind = "short_text"
    accepted = blocks.ListBlock(blocks.CharBlock(max_length=255, label=_("Accepted answer")), label=_("Accepted answers"), min_num=1)
    case_sensitive = blocks.BooleanBlock(label=_("Case matters"), required=False, default=False)
    whitespace = blocks.ChoiceBlock(
        choices=[("collapse", _("Ignore extra spaces")), ("exact", _("Spaces must match exactly"))],
        default="collapse", label=_("Spaces"),
    )

    class Meta:
        icon = "edit"
        label = _("Short text")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        return {
            "accepted": [_text(a) for a in value.get("accepted") or ()],
            "case_sensitive": bool(value.get("case_sensitive")),
            "whitespace": value.get("whitespace") or "collapse",
        }

    def _own_value(self, spec):
        return {"accepted": list(spec["accepted"]), "case_sensitive": bool(spec.get("case_sensitive")), "whitespace": spec.get("whitespace", "collapse")}


class MatchingQuestionBlock(QuestionKindBlock):
    """Prompts each matched with one answer, with optional extra wrong answers (Moodle's
    matching)."""

    kind = "matching"
    pairs = blocks.ListBlock(MatchPairBlock(), label=_("Pairs"), min_num=2)
    distractors = blocks.ListBlock(MatchDistractorBlock(), label=_("Extra wrong answers"), min_num=0, default=[])
    scoring = blocks.ChoiceBlock(choices=_SCORING_CHOICES, default=PARTIAL, label=_("Scoring"))

    class Meta:
        icon = "link"
        label = _("Matching")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        return {
            "pairs": [
                {k: _text(p.get(k)) for k in ("prompt_id", "prompt", "answer_id", "answer")} for p in value.get("pairs") or ()
            ],
            "distractors": [{k: _text(d.get(k)) for k in ("answer_id", "answer")} for d in value.get("distractors") or ()],
            "scoring": value.get("scoring") or PARTIAL,
        }

    def _own_value(self, spec):
        return {
            "pairs": [dict(p) for p in spec["pairs"]],
            "distractors": [dict(d) for d in spec.get("distractors", ())],
            "scoring": spec.get("scoring", PARTIAL),
        }


class OrderingQuestionBlock(QuestionKindBlock):
    """Items the learner puts in order; they are listed here in the correct order."""

    kind = "ordering"
    items = blocks.ListBlock(OrderItemBlock(), label=_("Items in the correct order"), min_num=2)
    scoring = blocks.ChoiceBlock(choices=_SCORING_CHOICES, default=PARTIAL, label=_("Scoring"))

    class Meta:
        icon = "order"
        label = _("Ordering")
        preview_value = None
        form_classname = "question-block"

    def _own_spec(self, value):
        return {
            "items": [{"id": _text(i.get("id")), "text": _text(i.get("text"))} for i in value.get("items") or ()],
            "scoring": value.get("scoring") or PARTIAL,
        }

    def _own_value(self, spec):
        return {"items": [dict(i) for i in spec["items"]], "scoring": spec.get("scoring", PARTIAL)}


class QuestionContentBlock(blocks.StreamBlock):
    """One child per question kind of `courses.questions`; a question holds exactly one."""

    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()
    numeric = NumericQuestionBlock()
    short_text = ShortTextQuestionBlock()
    matching = MatchingQuestionBlock()
    ordering = OrderingQuestionBlock()

    class Meta:
        label = _("Question")
        min_num = 1
        max_num = 1

