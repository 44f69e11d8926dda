"""The public landed-cost calculator page: a GET form over the same engine as `manage.py landed_cost`,
with every line traced to its rule and reference rows, and the channels compared for the parcel."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practicum.models import DutyRate, FxRate
from practicum.money import format_money

pytestmark = pytest.mark.django_db

URL = "/practicum/landed-cost/"
README_DAY = "2026-11-29"
KZ_TSHIRT = {
    "calculate": "1", "market": "KZ", "hs": "610910", "value": "250", "currency": "EUR", "weight": "1.2",
    "incoterm": "DDP", "shipping_mode": "own", "shipping": "60", "shipping_currency": "CNY", "day": README_DAY,
}


def get(client, **overrides):
    params = {**KZ_TSHIRT, **overrides}
    return client.get(URL, {k: v for k, v in params.items() if v is not None})


def text(response):
    return response.content.decode()


def test_url_is_the_contract():
    """The calculator lives at /practicum/landed-cost/ under the name `landed_cost`."""
    assert reverse("landed_cost") == URL


def test_empty_page_renders_for_anyone(client):
    """An anonymous visitor gets the empty form (no result yet), with today's date as the default day."""
    response = client.get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "Landed-cost calculator" in body
    for name in ("market", "hs", "value", "currency", "weight", "battery", "incoterm", "shipping_mode", "channel",
                 "shipping", "shipping_currency", "day"):
        assert f'name="{name}"' in body
    assert f'value="{timezone.localdate().isoformat()}"' in body
    assert response.context["calculation"] is None


def test_header_links_to_the_calculator(client):
    """Every page's navigation offers the calculator."""
    assert f'href="{URL}"' in text(client.get(URL))


def test_readme_example_matches_the_command(client):
    """The README's KZ T-shirt (EUR 250, CNY 60 own shipping, 1.2 kg, DDP) lands at 155,107.14 KZT,
    and every line on the page is the figure `landed_cost --json` prints for the same input."""
    response = get(client)
    assert response.status_code == 200
    body = text(response)
    assert format_money(Decimal("155107.14"), "KZT", "en") in body

    out = StringIO()
    call_command("landed_cost", "--market", "KZ", "--hs", "610910", "--value", "250", "--currency", "EUR",
                 "--weight-kg", "1.2", "--shipping", "60", "--shipping-currency", "CNY", "--incoterm", "DDP",
                 "--day", README_DAY, "--json", stdout=out)
    command = json.loads(out.getvalue())
    page_lines = {line.code: line for line in response.context["calculation"].lines}
    assert [line["code"] for line in command["lines"]] == list(page_lines)
    for line in command["lines"]:
        assert page_lines[line["code"]].amount == Decimal(line["amount"])
        assert format_money(Decimal(line["amount"]), line["currency"], "en") in body
    assert command["landed_total"] == {"amount": "155107.14", "currency": "KZT"}
    assert "The seller pays the duty and VAT" in body


def test_breakdown_explains_each_line_with_its_rule_and_rows(client):
    """Each line shows its formula in words and the reference rows it used; the public sees the rows
    as text (table, key, date, source), never a link into the admin."""
    body = text(get(client))
    assert "15 % × (146,428.57 − 117,142.857…) KZT" in body
    assert "Kazakhstan (EAEU)" in body
    assert "FX rate · EUR" in body and "in force from 2025-01-01" in body
    assert "https://www.pagero.com/compliance/regulatory-updates/kazakhstan" in body
    assert "/admin/" not in body
    assert "In CNY" in body


def test_staff_get_admin_links_to_the_rows(client, platform_admin):
    """A platform admin can open each reference row in the Wagtail admin from the breakdown."""
    from practicum.models import Market

    client.force_login(platform_admin)
    kz = Market.objects.get(iso2="KZ", effective_from=date(2026, 1, 1))
    assert reverse("reference-markets:inspect", args=[kz.pk]) in text(get(client))


def test_dap_says_the_buyer_pays_at_the_door(client):
    """Under DAP the duty and VAT are the buyer's, paid at the door."""
    assert "The buyer pays the duty and VAT at the door" in text(get(client, incoterm="DAP"))


def test_epacket_under_ddp_is_refused_with_the_reason(client):
    """ePacket cannot clear customs for the seller: under DDP the page says so instead of a total,
    and still compares every channel."""
    response = get(client, shipping_mode="channel", channel="EPACKET", shipping=None, shipping_currency=None)
    assert response.status_code == 200
    calculation = response.context["calculation"]
    assert calculation.refused and calculation.landed is None
    body = text(response)
    assert "ePacket will not take this parcel" in body
    assert "cannot clear customs for the seller (DDP)" in body
    assert "International express courier" in body


def test_epacket_refuses_a_battery_even_under_dap(client):
    """Postal channels refuse batteries."""
    body = text(get(client, shipping_mode="channel", channel="EPACKET", incoterm="DAP", battery="on",
                    shipping=None, shipping_currency=None))
    assert "ePacket will not take this parcel" in body
    assert "refuses batteries" in body


def test_epacket_under_dap_prices_from_its_tariff(client):
    """Without a battery and under DAP, ePacket carries the 1.2 kg parcel: CNY 28 + 11 steps × CNY 9 = CNY 127."""
    response = get(client, shipping_mode="channel", channel="EPACKET", incoterm="DAP")
    shipping = next(line for line in response.context["calculation"].lines if line.code == "shipping")
    assert shipping.amount_cny == Decimal("127.00")


def test_express_prices_the_parcel_from_its_tariff(client):
    """Express: CNY 180 for the first 500 g + ceil(700 / 500) = 2 steps × CNY 60 = CNY 300, which is
    the engine's shipping input, exactly as the command computes with --shipping 300 CNY."""
    response = get(client, shipping_mode="channel", channel="EXPRESS", shipping=None, shipping_currency=None)
    calculation = response.context["calculation"]
    assert not calculation.refused
    shipping = next(line for line in calculation.lines if line.code == "shipping")
    assert shipping.amount_cny == Decimal("300.00")
    assert "International express courier tariff: CNY 180" in shipping.formula
    assert any(c.key == "EXPRESS" for c in shipping.citations)

    out = StringIO()
    call_command("landed_cost", "--market", "KZ", "--hs", "610910", "--value", "250", "--currency", "EUR",
                 "--weight-kg", "1.2", "--shipping", "300", "--shipping-currency", "CNY", "--incoterm", "DDP",
                 "--day", README_DAY, "--json", stdout=out)
    command = json.loads(out.getvalue())
    assert calculation.total.amount == Decimal(command["landed_total"]["amount"])
    assert format_money(Decimal(command["landed_total"]["amount"]), "KZT", "en") in text(response)


@pytest.mark.parametrize("query", ["T恤", "t恤", "610910", "t-shirt", "TSHIRT"])
def test_product_search_fills_the_form(client, query):
    """The product search finds the cotton T-shirt by Chinese name, HS code, English name or SKU, and
    its link fills the HS code and weight into the form without JavaScript."""
    response = client.get(URL, {"q": query, "market": "KZ", "value": "250"})
    body = text(response)
    assert "Cotton T-shirt" in body and "纯棉T恤" in body
    [item] = [p for p in response.context["products"] if p["product"].sku == "TSHIRT-COT"]
    assert "hs=610910" in item["url"] and "weight=0.18" in item["url"] and "market=KZ" in item["url"]

    filled = client.get(URL + item["url"].split("#")[0])
    assert filled.context["calculation"] is None
    body = text(filled)
    assert 'value="610910"' in body and 'value="0.18"' in body and 'value="250"' in body


def test_product_search_links_carry_the_battery(client):
    """A product with a battery ticks the battery box when chosen."""
    response = client.get(URL, {"q": "851830"})
    [item] = response.context["products"]
    assert "battery=on" in item["url"]
    body = text(client.get(URL + item["url"].split("#")[0]))
    assert re.search(r'<input[^>]*name="battery"[^>]*checked', body)


@pytest.mark.parametrize(("overrides", "field", "kept"), [
    ({"value": "-5"}, "value", 'value="-5"'),
    ({"hs": "61A910"}, "hs", 'value="61A910"'),
    ({"hs": "6109"}, "hs", 'value="6109"'),
    ({"market": "XX"}, "market", 'value="250"'),
    ({"day": "2020-01-01"}, "day", 'value="2020-01-01"'),
    ({"weight": "0"}, "weight", 'value="0"'),
    ({"shipping": ""}, "shipping", 'value="610910"'),
    ({"shipping_mode": "channel", "channel": ""}, "channel", 'value="610910"'),
])
def test_bad_input_shows_field_errors_and_keeps_the_input(client, overrides, field, kept):
    """Bad input is a field error on a 200 page that keeps what was typed, never a result or a 500."""
    response = get(client, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert response.context["calculation"] is None
    assert kept in text(response)
    assert 'class="field field--error' in text(response)


def test_a_day_before_any_row_says_where_the_data_starts(client):
    """Asking about a day before the reference data explains the first day it covers."""
    body = text(get(client, day="2020-01-01"))
    assert "No customs rules are in force on 2020-01-01: the reference data starts on 2025-01-01." in body


def test_engine_errors_are_form_errors(client):
    """When the engine cannot apply the rules (here: no FX row for the market's currency), the page
    shows its message as a form error instead of failing."""
    FxRate.objects.filter(currency="KZT").delete()
    response = get(client)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "KZT" in response.context["form"].non_field_errors()[0]
    assert response.context["calculation"] is None


def test_chinese_page_is_translated(client):
    """/zh-hans/ serves the calculator with Chinese labels and the same figures."""
    response = client.get("/zh-hans" + URL, {**KZ_TSHIRT, "incoterm": "DAP"})
    assert response.status_code == 200
    body = text(response)
    for label in ("到岸成本计算器", "目标市场", "HS 编码", "申报价值", "物流渠道", "贸易术语", "关税", "增值税"):
        assert label in body, label
    assert format_money(Decimal("155107.14"), "KZT", "zh-hans") in body
    assert "买家" in body


def count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def test_query_count_is_pinned_and_does_not_grow_with_reference_rows(client, django_assert_max_num_queries):
    """A full result (breakdown, channels, product search) takes a fixed number of queries, however
    many duty rows the market has."""
    params = {**KZ_TSHIRT, "shipping_mode": "channel", "channel": "EXPRESS", "q": "t"}
    count_queries(client, params)  # warm the per-process caches (site root, partners link)
    with django_assert_max_num_queries(12):
        client.get(URL, params)
    before = count_queries(client, params)
    DutyRate.objects.bulk_create(
        DutyRate(market="KZ", hs_prefix=f"{10 + i:02d}", duty_rate_pct=Decimal("5"), effective_from=date(2025, 1, 1))
        for i in range(20)
    )
    assert count_queries(client, params) == before


def test_new_fx_row_from_an_admin_changes_tomorrow_not_today(client, platform_admin):
    """A platform admin adds an EUR rate in force from tomorrow in the Wagtail admin: the calculator's
    result for tomorrow follows it, today's result stays as it was."""
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    before_today = get(client, day=today.isoformat()).context["calculation"].total.amount
    before_tomorrow = get(client, day=tomorrow.isoformat()).context["calculation"].total.amount
    assert before_today == before_tomorrow

    client.force_login(platform_admin)
    response = client.post(reverse("reference-fx-rates:add"), {
        "currency": "EUR", "cny_per_unit": "9.0000", "kind": "illustrative", "as_of": "2026-11",
        "effective_from": tomorrow.isoformat(), "source": "admin", "notes": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FxRate.objects.filter(currency="EUR", effective_from=tomorrow).exists()
    client.logout()

    assert get(client, day=today.isoformat()).context["calculation"].total.amount == before_today
    after_tomorrow = get(client, day=tomorrow.isoformat()).context["calculation"].total.amount
    assert after_tomorrow != before_tomorrow
    goods = next(line for line in get(client, day=tomorrow.isoformat()).context["calculation"].lines if line.code == "goods")
    assert "9 CNY/EUR" in goods.formula


def test_chinese_page_defaults_to_today_in_the_date_input(client):
    """The date input gets an ISO date in every language (a localised date would leave it empty)."""
    assert f'value="{timezone.localdate().isoformat()}"' in text(client.get("/zh-hans" + URL))
