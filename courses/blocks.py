"""The blocks a lesson is composed of. Each block renders with its own template under
`templates/blocks/lesson/`, has an icon and a preview value for the admin's block previews.

Blocks that the learner must *do* something with are activities: they expose
`activity_keys(value, block_id)`, and a lesson whose activities are all done completes by itself
(`courses.progress`). The assessment issue adds quiz and assignment activities the same way."""

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


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
