"""Steps the browser journeys share."""

import re

from playwright.sync_api import expect

DASHBOARD = re.compile(r"/dashboard/$")


def sign_in(page, *, email, password, lands_on=DASHBOARD):
    """Sign in through allauth's form; by default wait until the dashboard has loaded (pass
    `lands_on=None` when the sign-in goes elsewhere, e.g. back to a `next` address)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if lands_on is not None:
        expect(page).to_have_url(lands_on)
