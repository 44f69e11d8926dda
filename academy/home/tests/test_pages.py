"""The home page and standard pages: where they may be created, and that they render every
section block, in English and in Chinese."""

from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import translation
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page

from academy.home.blocks import SectionStreamBlock
from academy.home.models import HomePage, StandardPage
from academy.organisations.factories import OrganisationFactory
from academy.organisations.models import OrganisationPage, PartnerIndexPage

pytestmark = pytest.mark.django_db




def _image():
    buffer = BytesIO()
    PILImage.new("RGB", (64, 48), "teal").save(buffer, "PNG")
    return get_image_model().objects.create(title="Caravan at dawn", file=ImageFile(buffer, name="caravan.png"))


def _every_block(image):
    return [
        ("hero", {"eyebrow": "Belt and Road talent", "heading": "Learn where it is practised", "lead": "Co-run courses.",
                  "primary_label": "Create an account", "primary_url": "/accounts/signup/",
                  "secondary_label": "Meet our partners", "secondary_url": "/partners/"}),
        ("features", {"heading": "The hard parts", "features": [
            {"title": "Logistics", "text": "Postal lines and rail."}, {"title": "Customs", "text": "HS codes and duty."}]}),
        ("text", {"heading": "About the academy", "body": "<p>Universities and <b>enterprises</b> teach together.</p>"}),
        ("partners", {"heading": "Co-run by partners", "intro": "Every course has a lead university."}),
        ("image", {"image": image, "caption": "A caravan at dawn"}),
        ("call_to_action", {"heading": "Teach with us", "text": "Register your organisation.",
                            "button_label": "Register an organisation", "button_url": "/organisations/apply/"}),
    ]


# --- Where pages may be created --------------------------------------------------------------


def test_home_page_goes_only_under_the_root(pages):
    """A home page is created under the tree's root and under no content page."""
    pages.assertAllowedParentPageTypes(HomePage, {Page})
    pages.assertCanCreateAt(Page, HomePage)
    for parent in (HomePage, StandardPage, PartnerIndexPage, OrganisationPage):
        pages.assertCanNotCreateAt(parent, HomePage)


def test_there_is_one_home_page_per_parent(home_page):
    """With the home page in place, the root takes no second one."""
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_standard_page_goes_under_home_organisation_and_standard_pages(pages):
    """Standard pages sit under the home page, an organisation's page or another standard page,
    and never under the partner index or the root."""
    pages.assertAllowedParentPageTypes(StandardPage, {HomePage, OrganisationPage, StandardPage})
    pages.assertAllowedSubpageTypes(StandardPage, {StandardPage})
    pages.assertCanCreateAt(HomePage, StandardPage)
    pages.assertCanCreateAt(OrganisationPage, StandardPage)
    pages.assertCanNotCreateAt(PartnerIndexPage, StandardPage)
    pages.assertCanNotCreateAt(Page, StandardPage)


# --- Rendering -------------------------------------------------------------------------------


def test_home_page_renders_every_section_block(pages, client, home_page, university_a, enterprise):
    """The home page renders a body with every block type, the partner strip listing the
    approved organisations and never a pending one."""
    OrganisationFactory(name_en="Pending Polytechnic")
    body = _every_block(_image())
    assert {name for name, _value in body} == set(SectionStreamBlock().child_blocks), "a block type is not covered"
    home_page.body = body
    home_page.save_revision().publish()

    pages.assertPageIsRenderable(home_page)
    html = client.get("/").content.decode()

    for text in ("Learn where it is practised", "Meet our partners", "HS codes and duty.", "<b>enterprises</b>",
                 "Co-run by partners", "A caravan at dawn", "Register an organisation", "Alpha University of Commerce",
                 "Gamma Trading"):
        assert text in html, text
    assert "<img" in html and "caravan" in html
    assert "Pending Polytechnic" not in html


def test_partner_strip_says_so_when_there_are_no_partners(client, home_page):
    """Without approved organisations the strip shows its empty message, not an empty grid."""
    home_page.body = [("partners", {"heading": "Co-run by partners"})]
    home_page.save_revision().publish()

    assert "No partner organisations yet." in client.get("/").content.decode()


def test_every_section_block_has_a_template_and_an_icon():
    """Each section block renders with a template that exists and has its own icon in the editor."""
    from django.template.loader import get_template

    for name, block in SectionStreamBlock().child_blocks.items():
        assert block.meta.template, name
        get_template(block.meta.template)
        assert block.meta.icon != "placeholder", name


def test_standard_pages_render_under_the_home_page_and_an_organisation_page(pages, home_page, university_a):
    """A standard page renders with its title and body both under the home page and under an
    organisation's page."""
    for parent in (home_page, university_a.pages.get(alias_of__isnull=True)):
        page = StandardPage(title=f"About {parent.title}", body=[("text", {"heading": "Who we are", "body": "<p>Traders.</p>"})])
        parent.add_child(instance=page)
        page.save_revision().publish()

        pages.assertPageIsRenderable(page)
        html = pages.client.get(page.url).content.decode()
        assert f"About {parent.title}" in html and "Who we are" in html


def test_chinese_home_page_renders_in_chinese(client, home_page):
    """/zh-hans/ renders with the document language set to Chinese, and once the Chinese catalogue
    is compiled its interface strings are Chinese."""
    response = client.get("/zh-hans/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    catalogue = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    if not catalogue.exists():
        pytest.skip(f"No compiled Chinese catalogue at {catalogue} yet.")
    with translation.override("zh-hans"):
        sign_in = translation.gettext("Sign in")
        skip_link = translation.gettext("Skip to content")
    assert sign_in != "Sign in" and sign_in in html
    assert skip_link != "Skip to content" and skip_link in html
