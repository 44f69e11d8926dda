"""Tenant isolation in the Wagtail admin: an editor of one organisation works only in that
organisation's page subtree and collection.

Every test drives the real admin views with the test client, signed in as `author_a` (an author
of university A, whose group `organisation_approve` gave page permissions on A's page (its
subtree; the Chinese alias follows the source page) and image/document permissions on A's
collection), against university B's
organisation page, a child page under it, B's Chinese alias, B's image and B's document. Each
denial is checked twice: on the response (Wagtail answers a refused admin request with a
redirect to the dashboard, 403 or 404) and on the database (nothing about B's content changed).
The positive tests prove the denials are not simply "no admin access at all".

Most Wagtail security advisories of 2023–2026 were gaps of exactly this kind (a view that
forgot a per-object permission check), so the list of views is deliberately long."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, PageViewRestriction, Revision
from wagtail.search import index as search_index
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from academy.home.models import StandardPage
from academy.organisations.models import Membership, OrganisationPage

Image = get_image_model()
Document = get_document_model()

pytestmark = pytest.mark.django_db


# --- The two organisations' spaces ---------------------------------------------------------


@pytest.fixture(autouse=True)
def chinese_tree(home_page, partner_index):
    """The Chinese home and partner index pages, made before any organisation is approved, so
    that approval gives every organisation page an alias in the Chinese tree."""
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    home_page.copy_for_translation(zh)
    Page.objects.get(pk=partner_index.pk).specific.copy_for_translation(zh)
    return zh


def _png(name):
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name=name)


def _space(organisation, letter):
    page = OrganisationPage.objects.get(organisation=organisation, alias_of__isnull=True)
    child = StandardPage(title=f"Org {letter} course notes", slug=f"org-{letter.lower()}-notes")
    page.add_child(instance=child)
    child.save_revision().publish()
    # A newer draft whose title only the owning organisation may see.
    child.title = f"Org {letter} unpublished draft"
    draft = child.save_revision()
    child = StandardPage.objects.get(pk=child.pk)
    alias = OrganisationPage.objects.get(alias_of=page)
    image = Image.objects.create(title=f"Org {letter} campus photo", file=_png(f"org-{letter.lower()}.png"), collection=organisation.collection)
    document = Document.objects.create(
        title=f"Org {letter} syllabus", file=ContentFile(b"confidential syllabus", name=f"org-{letter.lower()}.txt"),
        collection=organisation.collection,
    )
    return SimpleNamespace(
        organisation=organisation, page=page, child=child, draft=draft, alias=alias, image=image, document=document,
        collection=organisation.collection,
    )


@pytest.fixture
def world(university_a, university_b, author_a, author_b):
    return SimpleNamespace(a=_space(university_a, "A"), b=_space(university_b, "B"))


@pytest.fixture
def client_a(author_a):
    client = Client()
    client.force_login(author_a)
    return client


# --- Helpers --------------------------------------------------------------------------------


def assert_denied(response):
    """Wagtail answers a refused admin request with a redirect to the dashboard (and an error
    message), or with 403/404; anything else means the view ran."""
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home"), f"redirected to {response['Location']}"
    else:
        assert response.status_code in (403, 404), response.status_code


def page_state(page):
    """Everything an edit, publish, move, lock or delete of the page would change."""
    page = Page.objects.filter(pk=page.pk).first()
    if page is None:
        return None
    return {
        "title": page.title, "draft_title": page.draft_title, "slug": page.slug, "live": page.live,
        "path": page.path, "url_path": page.url_path, "locked": page.locked, "locked_by": page.locked_by_id,
        "has_unpublished_changes": page.has_unpublished_changes, "latest_revision": page.latest_revision_id,
        "live_revision": page.live_revision_id, "numchild": page.numchild, "alias_of": page.alias_of_id,
        "revisions": Revision.page_revisions.filter(object_id=str(page.pk)).count(),
        "view_restrictions": PageViewRestriction.objects.filter(page=page).count(),
    }


def edit_data(page, title, blocks=(), **extra):
    """A complete, valid edit/create form for a StandardPage or OrganisationPage (the positive
    tests post the same data and succeed, so a denial is never just a form error)."""
    data = nested_form_data({
        "title": title, "slug": page.slug if page else "new-page", "body": streamfield(list(blocks)), "comments": inline_formset([]),
    })
    data.update(extra)
    return data


PUBLISH = {"action-publish": "action-publish"}


def listed(response, *titles):
    content = response.content.decode()
    return {title: title in content for title in titles}


# --- Pages: the other organisation's page and child -----------------------------------------


def test_author_cannot_open_save_or_publish_another_organisations_pages(world, client_a):
    """An author of A cannot open the editor of B's organisation page or B's child page, save a
    draft of them, or publish them."""
    for page in (world.b.page, world.b.child):
        before = page_state(page)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        response = client_a.get(url)
        assert_denied(response)
        assert world.b.draft.content["title"] not in response.content.decode()
        assert_denied(client_a.post(url, edit_data(page, "Defaced by A")))
        assert_denied(client_a.post(url, edit_data(page, "Published by A", **PUBLISH)))
        assert page_state(page) == before
    assert not Page.objects.filter(title__in=["Defaced by A", "Published by A"]).exists()
    assert not Page.objects.filter(draft_title__in=["Defaced by A", "Published by A"]).exists()


def test_author_cannot_preview_another_organisations_pages(world, client_a):
    """An author of A cannot preview B's pages, view B's draft, or preview a new page under B."""
    for page in (world.b.page, world.b.child):
        preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
        assert_denied(client_a.post(preview_url, edit_data(page, "Preview by A")))
        response = client_a.get(preview_url)
        assert_denied(response)
        assert "Preview by A" not in response.content.decode()
        response = client_a.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
        assert_denied(response)
        assert world.b.draft.content["title"] not in response.content.decode()
    add_preview_url = reverse("wagtailadmin_pages:preview_on_add", args=["home", "standardpage", world.b.page.pk])
    assert_denied(client_a.post(add_preview_url, edit_data(None, "Preview under B")))
    response = client_a.get(add_preview_url)
    assert_denied(response)
    assert "Preview under B" not in response.content.decode()


def test_author_cannot_copy_another_organisations_pages_or_copy_into_them(world, client_a):
    """An author of A cannot copy B's pages (into A's subtree or anywhere), nor copy A's own
    page under B's page."""
    pages_before = Page.objects.count()
    for page in (world.b.page, world.b.child):
        url = reverse("wagtailadmin_pages:copy", args=[page.pk])
        assert_denied(client_a.get(url))
        assert_denied(client_a.post(url, {
            "new_title": "Copied by A", "new_slug": "copied-by-a", "new_parent_page": world.a.page.pk,
            "copy_subpages": "on", "publish_copies": "on",
        }))

    # A's own page: the copy form opens, but B's page is refused as a destination.
    url = reverse("wagtailadmin_pages:copy", args=[world.a.child.pk])
    assert client_a.get(url).status_code == 200
    b_before = page_state(world.b.page)
    response = client_a.post(url, {
        "new_title": "Planted by A", "new_slug": "planted-by-a", "new_parent_page": world.b.page.pk, "publish_copies": "on",
    })
    if response.status_code == 200:
        assert response.context["form"].errors.get("new_parent_page")
    else:
        assert_denied(response)
    assert page_state(world.b.page) == b_before
    assert Page.objects.count() == pages_before


def test_author_cannot_move_another_organisations_pages_or_move_into_them(world, client_a):
    """An author of A cannot move B's pages anywhere (also not into A's subtree), nor move A's
    own page under B's pages; moving within A's subtree works."""
    second = StandardPage(title="Org A second page", slug="org-a-second")
    world.a.page.add_child(instance=second)
    second.save_revision().publish()
    b_pages = (world.b.page, world.b.child)
    before = {page.pk: page_state(page) for page in b_pages}

    for page in b_pages:
        assert_denied(client_a.get(reverse("wagtailadmin_pages:move", args=[page.pk])))
        assert_denied(client_a.post(reverse("wagtailadmin_pages:move", args=[page.pk]), {"new_parent_page": world.a.page.pk}))
        assert_denied(client_a.post(reverse("wagtailadmin_pages:move_confirm", args=[page.pk, world.a.page.pk])))
        assert_denied(client_a.post(reverse("wagtailadmin_pages:set_page_position", args=[page.pk]), {"position": "0"}))
    for destination in b_pages:
        # Wagtail 8's MoveConfirmView renders its confirmation (GET) without checking
        # can_move_to, showing both pages' draft titles; the page chooser shows every title to
        # every editor anyway. The move itself (POST) is checked by MovePageAction.
        client_a.get(reverse("wagtailadmin_pages:move_confirm", args=[second.pk, destination.pk]))
        assert_denied(client_a.post(reverse("wagtailadmin_pages:move_confirm", args=[second.pk, destination.pk])))
        assert Page.objects.get(pk=second.pk).get_parent().pk == world.a.page.pk
    assert {page.pk: page_state(page) for page in b_pages} == before

    # Within A's own subtree the same move works: the denials above are about B.
    response = client_a.post(reverse("wagtailadmin_pages:move_confirm", args=[second.pk, world.a.child.pk]))
    assert response.status_code == 302
    assert Page.objects.get(pk=second.pk).get_parent().pk == world.a.child.pk


def test_author_cannot_delete_or_unpublish_another_organisations_pages(world, client_a):
    """An author of A cannot delete or unpublish B's pages."""
    for page in (world.b.child, world.b.page):
        before = page_state(page)
        assert before["live"] is True
        for name, data in (("delete", {}), ("unpublish", {"include_descendants": "on"})):
            url = reverse(f"wagtailadmin_pages:{name}", args=[page.pk])
            assert_denied(client_a.get(url))
            assert_denied(client_a.post(url, data))
        assert page_state(page) == before


def test_author_cannot_add_pages_under_another_organisation(world, client_a):
    """An author of A cannot add (or add and publish) a child page under B's pages."""
    for parent in (world.b.page, world.b.child):
        before = page_state(parent)
        assert_denied(client_a.get(reverse("wagtailadmin_pages:add_subpage", args=[parent.pk])))
        url = reverse("wagtailadmin_pages:add", args=["home", "standardpage", parent.pk])
        assert_denied(client_a.get(url))
        assert_denied(client_a.post(url, edit_data(None, "Added by A", slug="added-by-a", **PUBLISH)))
        assert_denied(client_a.post(url, edit_data(None, "Added by A", slug="added-by-a")))
        assert page_state(parent) == before
    assert not Page.objects.filter(slug="added-by-a").exists()


def test_author_cannot_lock_unlock_or_restrict_another_organisations_pages(world, client_a, author_b):
    """An author of A can neither lock B's pages, lift a lock B's author holds, nor put a view
    restriction on B's pages."""
    for page in (world.b.page, world.b.child):
        before = page_state(page)
        assert_denied(client_a.post(reverse("wagtailadmin_pages:lock", args=[page.pk])))
        privacy = reverse("wagtailadmin_pages:set_privacy", args=[page.pk])
        assert_denied(client_a.get(privacy))
        assert_denied(client_a.post(privacy, {"restriction_type": "login"}))
        assert page_state(page) == before

    client_b = Client()
    client_b.force_login(author_b)
    assert client_b.post(reverse("wagtailadmin_pages:lock", args=[world.b.child.pk])).status_code == 302
    locked = page_state(world.b.child)
    assert locked["locked"] is True and locked["locked_by"] == author_b.pk
    assert_denied(client_a.post(reverse("wagtailadmin_pages:unlock", args=[world.b.child.pk])))
    assert page_state(world.b.child) == locked


def test_author_cannot_read_history_or_revisions_of_another_organisations_pages(world, client_a):
    """An author of A cannot read the history, revisions, comparisons or usage of B's pages, nor
    revert B's child page to an older revision."""
    child = world.b.child
    live_revision = Page.objects.get(pk=child.pk).live_revision
    secret = world.b.draft.content["title"]
    for url in (
        reverse("wagtailadmin_pages:history", args=[child.pk]),
        reverse("wagtailadmin_pages:history_results", args=[child.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[child.pk, world.b.draft.pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[child.pk, live_revision.pk, world.b.draft.pk]),
        reverse("wagtailadmin_pages:revisions_revert", args=[child.pk, live_revision.pk]),
        reverse("wagtailadmin_pages:usage", args=[child.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[child.pk]),
        reverse("wagtailadmin_pages:history", args=[world.b.page.pk]),
    ):
        response = client_a.get(url)
        assert_denied(response)
        assert secret not in response.content.decode(), url
    # The old revisions URL redirects to the history view, which refuses.
    response = client_a.get(reverse("wagtailadmin_pages:revisions_index", args=[child.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")

    before = page_state(child)
    response = client_a.post(
        reverse("wagtailadmin_pages:revisions_revert", args=[child.pk, live_revision.pk]),
        edit_data(child, "Reverted by A", **PUBLISH),
    )
    assert_denied(response)
    assert page_state(child) == before


def test_author_cannot_use_bulk_actions_on_another_organisations_pages(world, client_a):
    """An author of A cannot delete, unpublish, publish or move B's pages through the bulk
    actions."""
    child = world.b.child
    before = page_state(child)
    for action, data in (
        ("delete", {}),
        ("unpublish", {"include_descendants": "on"}),
        ("publish", {"include_descendants": "on"}),
        ("move", {"chooser": world.a.page.pk}),
    ):
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action]) + f"?id={child.pk}&next=/admin/"
        response = client_a.post(url, data)
        # The bulk views answer with a list of the pages the user may not touch.
        assert response.status_code in (200, 302, 403), (action, response.status_code)
        assert page_state(child) == before, action


def test_author_cannot_translate_another_organisations_pages_or_touch_their_alias(world, client_a, chinese_tree):
    """An author of A cannot submit B's page for translation, nor edit, publish, convert,
    unpublish, move, lock or delete B's alias page in the Chinese tree."""
    pages_before = Page.objects.count()
    url = reverse("simple_translation:submit_page_translation", args=[world.b.child.pk])
    assert_denied(client_a.get(url))
    assert_denied(client_a.post(url, {"locales": [chinese_tree.pk], "include_subtree": "on"}))
    assert world.b.child.get_translation_or_none(chinese_tree) is None

    alias = world.b.alias
    before = page_state(alias)
    assert before["alias_of"] == world.b.page.pk
    edit = reverse("wagtailadmin_pages:edit", args=[alias.pk])
    assert_denied(client_a.get(edit))
    assert_denied(client_a.post(edit, edit_data(alias, "别人改的", **PUBLISH)))
    for name in ("convert_alias", "delete", "unpublish", "move"):
        url = reverse(f"wagtailadmin_pages:{name}", args=[alias.pk])
        assert_denied(client_a.get(url))
        assert_denied(client_a.post(url))
    assert_denied(client_a.post(reverse("wagtailadmin_pages:lock", args=[alias.pk])))
    assert page_state(alias) == before
    assert Page.objects.count() == pages_before


def test_explorer_and_search_list_only_own_organisation_pages(world, client_a):
    """The page explorer and the admin page search list A's pages to A's author, never B's."""
    a_child = world.a.draft.content["title"]  # the explorer shows the latest draft's title
    b_titles = (world.b.page.title, world.b.child.title, world.b.draft.content["title"])
    # The partner index (parent of both), B's page and the tree root: A's author sees only what
    # they may explore. (A's group has rights on A's page in every language's tree, so its
    # explorable root is the common ancestor of those pages, above the partner index.)
    for url in (
        reverse("wagtailadmin_explore", args=[world.a.page.get_parent().pk]),
        reverse("wagtailadmin_explore", args=[world.b.page.pk]),
        reverse("wagtailadmin_explore_root"),
    ):
        response = client_a.get(url, follow=True)
        assert response.status_code == 200
        # B's page title is public (the partner index lists it); what is below it is not.
        assert not any(listed(response, *b_titles[1:]).values()), url
    response = client_a.get(reverse("wagtailadmin_explore", args=[world.a.page.pk]), follow=True)
    assert listed(response, a_child, *b_titles) == {a_child: True, **dict.fromkeys(b_titles, False)}
    response = client_a.get(reverse("wagtailadmin_explore_results", args=[world.b.page.pk]), follow=True)
    assert not any(listed(response, *b_titles[1:]).values())

    # The search index is updated after commit, which the test transaction never does.
    for page in (world.a.page, world.a.child, world.b.page, world.b.child):
        search_index.insert_or_update_object(page.specific)
    for url in (reverse("wagtailadmin_pages:search"), reverse("wagtailadmin_pages:search_results")):
        response = client_a.get(url, {"q": "Org"})
        assert response.status_code == 200
        assert listed(response, a_child, *b_titles[1:]) == {a_child: True, **dict.fromkeys(b_titles[1:], False)}, url


# --- Pages: the positive side ---------------------------------------------------------------


def test_author_can_edit_publish_and_add_pages_in_own_subtree(world, client_a):
    """An author of A can edit, publish and add pages in A's subtree (so the denials above are
    about B, not a general lack of access)."""
    assert client_a.get(reverse("wagtailadmin_home")).status_code == 200
    for page in (world.a.page, world.a.child):
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        assert client_a.get(url).status_code == 200
        response = client_a.post(url, edit_data(page, f"Draft {page.pk} by A"))
        assert response.status_code == 302
        assert Page.objects.get(pk=page.pk).draft_title == f"Draft {page.pk} by A"

    url = reverse("wagtailadmin_pages:edit", args=[world.a.child.pk])
    response = client_a.post(url, edit_data(world.a.child, "Published by A", **PUBLISH))
    assert response.status_code == 302
    published = Page.objects.get(pk=world.a.child.pk)
    assert (published.title, published.live, published.has_unpublished_changes) == ("Published by A", True, False)

    url = reverse("wagtailadmin_pages:add", args=["home", "standardpage", world.a.page.pk])
    response = client_a.post(url, edit_data(None, "New A page", slug="new-a-page", **PUBLISH))
    assert response.status_code == 302
    new_page = Page.objects.get(slug="new-a-page", alias_of__isnull=True)
    assert new_page.live and new_page.get_parent().pk == world.a.page.pk


# --- Images, documents and collections ------------------------------------------------------


def test_media_listings_and_choosers_show_only_own_collection(world, client_a):
    """The image and document indexes and choosers list A's files to A's author and never B's,
    even when asked for B's collection by id; B's files cannot be picked through the chooser."""
    # The search index is updated after commit, which the test transaction never does.
    for obj in (world.a.image, world.b.image, world.a.document, world.b.document):
        search_index.insert_or_update_object(obj)
    for model, views in (
        ("image", ("wagtailimages:index", "wagtailimages:index_results", "wagtailimages_chooser:choose", "wagtailimages_chooser:choose_results")),
        ("document", ("wagtaildocs:index", "wagtaildocs:index_results", "wagtaildocs_chooser:choose", "wagtaildocs_chooser:choose_results")),
    ):
        a, b = getattr(world.a, model).title, getattr(world.b, model).title
        for name in views:
            for params in ({}, {"q": "Org"}, {"collection_id": world.b.collection.pk}):
                response = client_a.get(reverse(name), params)
                assert response.status_code == 200, (name, params)
                assert not listed(response, b)[b], (name, params)
                if "collection_id" not in params:
                    assert listed(response, a)[a], (name, params)
    assert_denied(client_a.get(reverse("wagtailimages_chooser:chosen", args=[world.b.image.pk])))
    assert_denied(client_a.get(reverse("wagtailimages_chooser:select_format", args=[world.b.image.pk])))
    assert_denied(client_a.get(reverse("wagtaildocs_chooser:chosen", args=[world.b.document.pk])))


def test_author_cannot_edit_or_delete_another_organisations_image(world, client_a):
    """An author of A cannot open, edit, delete, preview or inspect the usage of B's image."""
    image = world.b.image
    for url in (
        reverse("wagtailimages:edit", args=[image.pk]),
        reverse("wagtailimages:delete", args=[image.pk]),
        reverse("wagtailimages:preview", args=[image.pk, "original"]),
        reverse("wagtailimages:image_usage", args=[image.pk]),
        reverse("wagtailimages:url_generator", args=[image.pk]),
    ):
        assert_denied(client_a.get(url))
    defaced = {"title": "Defaced by A", "collection": world.a.collection.pk, "tags": ""}
    assert_denied(client_a.post(reverse("wagtailimages:edit", args=[image.pk]), defaced))
    client_a.post(reverse("wagtailimages:edit_multiple", args=[image.pk]), {f"image-{image.pk}-{k}": v for k, v in defaced.items()})
    assert_denied(client_a.post(reverse("wagtailimages:delete", args=[image.pk])))
    client_a.post(reverse("wagtailimages:delete_multiple", args=[image.pk]))
    client_a.post(reverse("wagtail_bulk_action", args=["wagtailimages", "image", "delete"]) + f"?id={image.pk}")
    image = Image.objects.get(pk=image.pk)
    assert (image.title, image.collection_id) == ("Org B campus photo", world.b.collection.pk)


def test_author_cannot_move_images_across_organisations(world, client_a):
    """An author of A can upload into A's collection, but cannot upload into B's collection,
    move A's image into it, or pull B's image into A's collection (form or bulk action)."""
    add_url = reverse("wagtailimages:add")
    response = client_a.post(add_url, {"title": "Uploaded by A", "file": _png("a-upload.png"), "collection": world.a.collection.pk, "tags": ""})
    assert response.status_code == 302
    assert Image.objects.get(title="Uploaded by A").collection_id == world.a.collection.pk

    client_a.post(add_url, {"title": "Planted in B", "file": _png("b-upload.png"), "collection": world.b.collection.pk, "tags": ""})
    client_a.post(reverse("wagtailimages:add_multiple"), {"files[]": _png("b-multi.png"), "collection": world.b.collection.pk})
    client_a.post(reverse("wagtailimages:edit", args=[world.a.image.pk]), {
        "title": world.a.image.title, "collection": world.b.collection.pk, "tags": "",
    })
    bulk = reverse("wagtail_bulk_action", args=["wagtailimages", "image", "add_to_collection"])
    client_a.post(f"{bulk}?id={world.b.image.pk}", {"collection": world.a.collection.pk})
    client_a.post(f"{bulk}?id={world.a.image.pk}", {"collection": world.b.collection.pk})

    assert list(Image.objects.filter(collection=world.b.collection)) == [world.b.image]
    assert Image.objects.get(pk=world.a.image.pk).collection_id == world.a.collection.pk


def test_author_cannot_edit_delete_or_plant_documents_in_another_organisation(world, client_a):
    """An author of A cannot edit or delete B's document, nor upload a document into B's
    collection or move A's document there; uploading into A's own collection works."""
    document = world.b.document
    for url in (
        reverse("wagtaildocs:edit", args=[document.pk]),
        reverse("wagtaildocs:delete", args=[document.pk]),
        reverse("wagtaildocs:document_usage", args=[document.pk]),
    ):
        assert_denied(client_a.get(url))
    assert_denied(client_a.post(reverse("wagtaildocs:edit", args=[document.pk]), {
        "title": "Defaced by A", "collection": world.a.collection.pk, "tags": "",
    }))
    assert_denied(client_a.post(reverse("wagtaildocs:delete", args=[document.pk])))
    client_a.post(reverse("wagtail_bulk_action", args=["wagtaildocs", "document", "delete"]) + f"?id={document.pk}")
    client_a.post(reverse("wagtaildocs:add"), {
        "title": "Planted in B", "file": ContentFile(b"x", name="planted.txt"), "collection": world.b.collection.pk, "tags": "",
    })
    client_a.post(reverse("wagtaildocs:edit", args=[world.a.document.pk]), {
        "title": world.a.document.title, "collection": world.b.collection.pk, "tags": "",
    })
    document = Document.objects.get(pk=document.pk)
    assert (document.title, document.collection_id) == ("Org B syllabus", world.b.collection.pk)
    assert list(Document.objects.filter(collection=world.b.collection)) == [document]
    assert Document.objects.get(pk=world.a.document.pk).collection_id == world.a.collection.pk

    response = client_a.post(reverse("wagtaildocs:add"), {
        "title": "Uploaded by A", "file": ContentFile(b"x", name="mine.txt"), "collection": world.a.collection.pk, "tags": "",
    })
    assert response.status_code == 302
    assert Document.objects.get(title="Uploaded by A").collection_id == world.a.collection.pk


def test_author_cannot_put_another_organisations_image_on_own_page(world, client_a):
    """An author of A can put A's image on A's page, but posting the id of B's image (which
    the chooser never offers) is refused: B's image does not appear on A's page or its preview."""
    def with_image(image):
        block = ("image", {"image": {"image": image.pk, "alt_text": "A photo", "decorative": False}, "caption": ""})
        return edit_data(world.a.child, "Page with an image", blocks=[block], **PUBLISH)

    def body_image_ids():
        page = StandardPage.objects.get(pk=world.a.child.pk)
        return [block.value["image"].pk for block in page.body if block.block_type == "image"]

    edit = reverse("wagtailadmin_pages:edit", args=[world.a.child.pk])
    assert client_a.post(edit, with_image(world.a.image)).status_code == 302
    assert body_image_ids() == [world.a.image.pk]

    before = page_state(world.a.child)
    client_a.post(edit, with_image(world.b.image))
    assert body_image_ids() == [world.a.image.pk], "B's image was published on A's page"
    assert page_state(world.a.child) == before
    # The preview would render B's image for A's author.
    response = client_a.post(reverse("wagtailadmin_pages:preview_on_edit", args=[world.a.child.pk]), with_image(world.b.image))
    assert not response.json()["is_valid"], "B's image was accepted for preview on A's page"


def test_organisations_admin_viewset_is_for_platform_admins_only(world, client_a, org_admin_a, platform_admin):
    """An organisation's author or admin cannot list, inspect or edit organisations (their own
    or B's) in the Wagtail viewset; a platform administrator can."""
    b = world.b.organisation
    urls = (
        reverse("organisations:index"),
        reverse("organisations:inspect", args=[b.pk]),
        reverse("organisations:edit", args=[b.pk]),
        reverse("organisations:edit", args=[world.a.organisation.pk]),
        reverse("organisations:delete", args=[b.pk]),
    )
    for user in (None, org_admin_a):
        client = client_a if user is None else Client()
        if user is not None:
            client.force_login(user)
        for url in urls:
            assert_denied(client.get(url))
        assert_denied(client.post(reverse("organisations:edit", args=[b.pk]), {
            "kind": b.kind, "name_en": "Renamed by A", "name_zh": b.name_zh, "slug": b.slug, "country": "CN",
        }))
        assert_denied(client.post(reverse("organisations:delete", args=[b.pk])))
    b.refresh_from_db()
    assert b.name_en == "Beta University of Trade"

    admin = Client()
    admin.force_login(platform_admin)
    assert admin.get(reverse("organisations:index")).status_code == 200
    assert admin.get(reverse("organisations:edit", args=[b.pk])).status_code == 200


def test_collections_admin_is_closed_to_authors(world, client_a):
    """An author of A cannot reach the collections admin, nor rename, delete or restrict B's
    collection."""
    collection = world.b.collection
    response = client_a.get(reverse("wagtailadmin_collections:index"))
    assert_denied(response)
    assert collection.name not in response.content.decode()
    edit = reverse("wagtailadmin_collections:edit", args=[collection.pk])
    assert_denied(client_a.get(edit))
    assert_denied(client_a.post(edit, {"name": "Renamed by A", "parent": Collection.get_first_root_node().pk}))
    assert_denied(client_a.post(reverse("wagtailadmin_collections:delete", args=[collection.pk])))
    assert_denied(client_a.post(reverse("wagtailadmin_collections:set_privacy", args=[collection.pk]), {"restriction_type": "login"}))
    collection.refresh_from_db()
    assert collection.name == world.b.organisation.name_en
    assert not collection.view_restrictions.exists()


# --- Who gets into the admin at all ---------------------------------------------------------


def _organisation_page(organisation):
    return OrganisationPage.objects.get(organisation=organisation, alias_of__isnull=True)


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login")), response["Location"]


def test_student_has_no_admin_access(university_a, student, client):
    """A student (no membership) is sent to the login page from every admin view and changes
    nothing."""
    page = _organisation_page(university_a)
    client.force_login(student)
    before = page_state(page)
    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailimages:index"),
        reverse("wagtaildocs:index"),
    ):
        assert_sent_to_login(client.get(url))
    assert_sent_to_login(client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), edit_data(page, "By a student", **PUBLISH)))
    assert page_state(page) == before


def test_enterprise_mentor_cannot_edit_university_pages(university_a, university_b, mentor, enterprise):
    """A mentor of an enterprise edits the enterprise's page but no university's."""
    client = Client()
    client.force_login(mentor)
    own = _organisation_page(enterprise)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).status_code == 200
    for page in (_organisation_page(university_a), _organisation_page(university_b)):
        before = page_state(page)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        assert_denied(client.get(url))
        assert_denied(client.post(url, edit_data(page, "By the mentor", **PUBLISH)))
        assert page_state(page) == before


def test_suspending_the_organisation_removes_its_authors_admin_access(university_a, client_a, platform_admin):
    """After `organisation_suspend`, A's author can no longer enter the admin or edit A's page."""
    from academy.organisations.services import organisation_suspend

    page = _organisation_page(university_a)
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert client_a.get(edit).status_code == 200
    organisation_suspend(organisation=university_a, by=platform_admin)
    before = page_state(page)
    for url in (reverse("wagtailadmin_home"), edit, reverse("wagtailimages:index")):
        assert_sent_to_login(client_a.get(url))
    assert_sent_to_login(client_a.post(edit, edit_data(page, "After suspension", **PUBLISH)))
    assert page_state(page) == before


def test_removed_member_loses_admin_access(university_a, client_a, author_a, org_admin_a):
    """After `membership_remove`, the former author can no longer enter the admin or edit A's
    page."""
    from academy.organisations.services import membership_remove

    page = _organisation_page(university_a)
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert client_a.get(edit).status_code == 200
    membership_remove(membership=Membership.objects.get(user=author_a, organisation=university_a), by=org_admin_a)
    before = page_state(page)
    for url in (reverse("wagtailadmin_home"), edit):
        assert_sent_to_login(client_a.get(url))
    assert_sent_to_login(client_a.post(edit, edit_data(page, "After removal", **PUBLISH)))
    assert page_state(page) == before
