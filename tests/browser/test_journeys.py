"""End-to-end journeys in headless Chromium against the live server: signing up with e-mail
verification, an organisation author confined to their own space in the CMS, and the language
switcher.

The live server runs in this process, with the test settings' locmem e-mail backend and eager
Celery, so the verification e-mail sent by the sign-up request is in `mail.outbox` when the
browser gets the response. Each test restores the migrations' home and partner pages
(`serialized_rollback`), which a transactional test before it would have flushed.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from . import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>]+")


def sign_in(page, *, email, password):
    helpers.sign_in(page, email=email, password=password, lands_on=None)


def test_sign_up_verify_the_address_and_reach_the_dashboard(page):
    """A visitor signs up, confirms the address with the link from the e-mail, signs in and is
    welcomed by name on the dashboard."""
    from allauth.account.models import EmailAddress

    email, password = "nur.learner@example.com", "caravan-ledger-2026"

    page.goto("/accounts/signup/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Display name").fill("Nur Learner")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    [message] = [m for m in mail.outbox if email in m.to]
    link = CONFIRM_LINK.search(message.body)
    assert link, f"no confirmation link in the e-mail:\n{message.body}"
    assert not EmailAddress.objects.get(email=email).verified

    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert EmailAddress.objects.get(email=email).verified

    sign_in(page, email=email, password=password)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nur Learner")


def test_author_sees_only_their_organisation_in_the_cms(page, author_a, university_a, university_b, password):
    """An author of university A, signed in through allauth, explores only A's page in the
    Wagtail admin; opening B's page editor is refused."""
    from academy.organisations.models import OrganisationPage

    page_a = OrganisationPage.objects.get(organisation=university_a, alias_of__isnull=True)
    page_b = OrganisationPage.objects.get(organisation=university_b, alias_of__isnull=True)

    sign_in(page, email=author_a.email, password=password)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.goto("/admin/pages/")
    # The explorer opens at the author's only editable subtree: A's organisation page.
    expect(page).to_have_url(re.compile(rf"/admin/pages/{page_a.pk}/$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text(university_a.name_en)
    expect(main).not_to_contain_text(university_b.name_en)

    page.goto(f"/admin/pages/{page_b.pk}/edit/")
    expect(page.get_by_text("Sorry, you do not have permission to access this area.")).to_be_visible()
    expect(page).not_to_have_url(re.compile(rf"/admin/pages/{page_b.pk}/edit/"))


def test_language_switcher_moves_to_the_chinese_site(page):
    """Choosing 简体中文 in the header opens the same page under /zh-hans/, in Chinese (for a
    visitor who is not signed in the switcher is links, so pages can be cached whole)."""
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("banner").get_by_role("link", name="简体中文")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("banner").get_by_role("link", name="登录")).to_be_visible()
