"""The landed-cost calculator in headless Chromium: a student ships a T-shirt to Kazakhstan and
compares ePacket with express under DDP and DAP, then reads the same page on a 360 px phone.

The reference rows come from the migrations; `serialized_rollback` puts them back after a
transactional test before this one flushed the database.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

URL = "/practicum/landed-cost/"


def calculate(page, *, incoterm, channel):
    form = page.locator("#calculator")
    form.get_by_label(re.compile(rf"{incoterm}: the")).check()
    form.get_by_label("From a shipping channel's tariff").check()
    form.get_by_label("Shipping channel", exact=True).select_option(label=channel)
    form.get_by_role("button", name="Calculate the landed cost").click()
    expect(page.get_by_role("heading", name=re.compile("Landed cost in Kazakhstan"))).to_be_visible()


def test_student_compares_epacket_and_express_for_a_t_shirt_to_kazakhstan(page):
    """The student finds the T-shirt's HS code by its Chinese name, fills the KZ case, learns that
    ePacket refuses DDP, sees ePacket's and express's totals under DAP and DDP, and the channel table."""
    page.goto(URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Landed-cost calculator")

    page.get_by_label("Search the sample products").fill("T恤")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name=re.compile("Cotton T-shirt")).click()
    form = page.locator("#calculator")
    expect(form.get_by_label("HS code", exact=True)).to_have_value("610910")

    form.get_by_label("Market", exact=True).select_option("KZ")
    form.get_by_label("Declared value", exact=True).fill("250")
    form.get_by_label("Currency of the declared value").select_option("EUR")
    form.get_by_label("Weight (kg)").fill("1.2")
    form.get_by_label("Day", exact=True).fill("2026-11-29")

    calculate(page, incoterm="DDP", channel="ePacket")
    results = page.locator("#results")
    expect(results).to_contain_text("ePacket will not take this parcel")
    expect(results).to_contain_text("cannot clear customs for the seller (DDP)")

    calculate(page, incoterm="DAP", channel="ePacket")
    expect(results).to_contain_text("The buyer pays the duty and VAT at the door")
    expect(results.locator(".calc-summary .stat__value").first).to_have_text(re.compile(r"KZT\s?159,892\.86"))

    calculate(page, incoterm="DDP", channel="International express courier")
    expect(results).to_contain_text("The seller pays the duty and VAT")
    expect(results.locator(".calc-summary .stat__value").first).to_have_text(re.compile(r"KZT\s?172,250\.00"))
    channels = results.locator("table.calc-channels")
    expect(channels.get_by_role("row", name=re.compile("International express courier"))).to_contain_text("3–7 days")
    expect(channels.get_by_role("row", name=re.compile("^ePacket"))).to_contain_text("refused")
    expect(page).to_have_url(re.compile(r"channel=EXPRESS"))

    # The same result on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    expect(results.locator(".calc-summary .stat__value").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 360px screen"
