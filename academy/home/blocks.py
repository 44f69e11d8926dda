"""StreamField blocks for the home page and general pages: sections an editor composes."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeroBlock(blocks.StructBlock):
    """A page's opening: a headline, a sentence, and up to two calls to action."""

    eyebrow = blocks.CharBlock(label=_("Eyebrow"), required=False, max_length=60)
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    lead = blocks.TextBlock(label=_("Lead sentence"), required=False)
    primary_label = blocks.CharBlock(label=_("Primary button label"), required=False, max_length=40)
    primary_url = blocks.CharBlock(label=_("Primary button link"), required=False, help_text=_("A path on this site, such as /accounts/signup/."))
    secondary_label = blocks.CharBlock(label=_("Secondary button label"), required=False, max_length=40)
    secondary_url = blocks.CharBlock(label=_("Secondary button link"), required=False)

    class Meta:
        template = "blocks/hero_block.html"
        icon = "title"
        label = _("Hero")
        preview_value = {
            "eyebrow": "Belt and Road talent",
            "heading": "Learn cross-border e-commerce where it is practised",
            "lead": "Courses co-run by universities and enterprises, a sandbox store, and certificates anyone can verify.",
            "primary_label": "Create an account",
            "primary_url": "/accounts/signup/",
        }


class FeatureBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=80)
    text = blocks.TextBlock(label=_("Text"))


class FeatureGridBlock(blocks.StructBlock):
    """A heading over a grid of short features (two to four in a row on wide screens)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    features = blocks.ListBlock(FeatureBlock(), label=_("Features"), min_num=1, max_num=8)

    class Meta:
        template = "blocks/feature_grid_block.html"
        icon = "table"
        label = _("Feature grid")
        preview_value = {
            "heading": "What you will practise",
            "features": [
                {"title": "Logistics", "text": "Postal lines, express, rail to Europe and overseas warehouses."},
                {"title": "Customs", "text": "HS codes, declared values, duty, VAT and de minimis rules."},
            ],
        }


class TextSectionBlock(blocks.StructBlock):
    """A heading and rich text."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    body = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ol", "ul", "h3"])

    class Meta:
        template = "blocks/text_section_block.html"
        icon = "doc-full"
        label = _("Text section")
        preview_value = {"heading": "About", "body": "<p>Universities and enterprises teach together.</p>"}


class PartnerStripBlock(blocks.StructBlock):
    """The approved partner organisations, gathered automatically."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        template = "blocks/partner_strip_block.html"
        icon = "group"
        label = _("Partner organisations")
        preview_value = {"heading": "Our partners"}


class ImageSectionBlock(blocks.StructBlock):
    """An image with a caption."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        template = "blocks/image_section_block.html"
        icon = "image"
        label = _("Image")


class CallToActionBlock(blocks.StructBlock):
    """A band that asks the reader to do one thing."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=40)
    button_url = blocks.CharBlock(label=_("Button link"))

    class Meta:
        template = "blocks/call_to_action_block.html"
        icon = "pick"
        label = _("Call to action")
        preview_value = {"heading": "Ready to start?", "button_label": "Sign up", "button_url": "/accounts/signup/"}


class SectionStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    features = FeatureGridBlock()
    text = TextSectionBlock()
    partners = PartnerStripBlock()
    image = ImageSectionBlock()
    call_to_action = CallToActionBlock()
