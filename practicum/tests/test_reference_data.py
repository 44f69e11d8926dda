"""The dated reference data: seeded from the CSVs, the row in force on a day, and admins adding
newer rows without changing the past."""

import csv
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from practicum.models import DutyRate, FxRate, LogisticsChannel, Market, SampleProduct, Warehouse
from practicum.reference_data import REFERENCE_DIR, reference_data_load
from practicum.selectors import ReferenceDataMissing, landed_cost_on, row_in_force, rows_in_force

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

KZ_TSHIRT = dict(market="KZ", hs_code="610910", goods_value=Decimal("250"), goods_currency="EUR",
                 weight_kg=Decimal("1.2"), shipping=Decimal("60"), shipping_currency="CNY", incoterm="DDP")


def admin_form_data(row):
    """The admin form's fields for a copy of `row`: money columns in major units, as an
    administrator types them."""
    from practicum.forms_admin import MONEY_COLUMNS
    from practicum.money import from_minor

    data = {}
    for field in type(row)._meta.concrete_fields:
        value = getattr(row, field.name)
        if field.name == "id" or value is None:
            continue
        if field.name in MONEY_COLUMNS:
            source = MONEY_COLUMNS[field.name][1]
            currency = source if source.isupper() else (getattr(row, source) or row.currency)
            value = from_minor(value, currency)
        data[field.name] = value
    return data


def csv_count(name):
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_migration_seeds_every_csv_row():
    """A fresh database holds every row of the reference CSVs."""
    assert Market.objects.count() == csv_count("markets.csv")
    assert DutyRate.objects.count() == csv_count("duty_rates.csv")
    assert FxRate.objects.count() == csv_count("fx_rates.csv")
    assert LogisticsChannel.objects.count() == csv_count("logistics_channels.csv")
    assert Warehouse.objects.count() == csv_count("warehouses.csv")
    assert SampleProduct.objects.count() == csv_count("products.csv")


def test_money_columns_are_stored_in_minor_units():
    """EUR 150 is 15000 cents; CNY 25 is 2500 fen; a CNY 0.03 fee is 3 fen."""
    pl = Market.objects.filter(iso2="PL").earliest("effective_from")
    assert (pl.deminimis_minor, pl.deminimis_ccy) == (15000, "EUR")
    assert LogisticsChannel.objects.get(code="CNPOST_SMALL").first_price_cny_minor == 2500
    assert Warehouse.objects.get(code="WH-PL-POZ").storage_fee_cny_minor_per_kg_day == 3


def test_loading_again_changes_nothing_and_keeps_admin_rows():
    """Reloading the CSVs is idempotent and never deletes a row an administrator added."""
    FxRate.objects.create(currency="EUR", cny_per_unit=Decimal("8.5"), effective_from=date(2027, 1, 1), source="admin")
    before = {model: model.objects.count() for model in (Market, DutyRate, FxRate, LogisticsChannel, Warehouse, SampleProduct)}
    reference_data_load()
    assert {model: model.objects.count() for model in before} == before
    assert FxRate.objects.filter(effective_from=date(2027, 1, 1)).exists()


def test_row_in_force_is_the_latest_on_or_before_the_day():
    """The EU flat duty row starts on 2026-07-01: the day before, the older row applies."""
    assert row_in_force(Market, day=date(2026, 6, 30), iso2="PL").flat_duty_per_line_minor == 0
    assert row_in_force(Market, day=date(2026, 7, 1), iso2="PL").flat_duty_per_line_minor == 300


def test_rows_in_force_keeps_one_row_per_key():
    """One row per market on a day, whatever the number of dated rows."""
    markets = rows_in_force(Market, day=date(2026, 11, 29))
    assert sorted(key[0] for key in markets) == sorted(set(Market.objects.values_list("iso2", flat=True)))


def test_a_day_without_a_row_is_an_error_not_a_default():
    """Before the first row of a market there is nothing in force, and the error says so."""
    with pytest.raises(ReferenceDataMissing, match="KZ"):
        row_in_force(Market, day=date(2025, 12, 31), iso2="KZ")


def test_newer_fx_row_changes_results_from_its_day_only():
    """An admin's new EUR rate changes the landed cost from its effective day on, not before."""
    before = landed_cost_on(day=date(2026, 11, 29), **KZ_TSHIRT)
    FxRate.objects.create(currency="EUR", cny_per_unit=Decimal("9.0"), effective_from=date(2026, 11, 30), source="admin")
    same_day = landed_cost_on(day=date(2026, 11, 29), **KZ_TSHIRT)
    next_day = landed_cost_on(day=date(2026, 11, 30), **KZ_TSHIRT)
    assert same_day.to_json() == before.to_json()
    assert next_day.landed_total.amount > before.landed_total.amount


def test_command_gives_the_readme_example_as_json(capsys):
    """`landed_cost --json` for the README's Kazakhstan T-shirt gives its figures."""
    call_command("landed_cost", "--market", "KZ", "--hs", "610910", "--value", "250", "--currency", "EUR",
                 "--weight-kg", "1.2", "--shipping", "60", "--shipping-currency", "CNY", "--incoterm", "DDP",
                 "--day", "2026-11-29", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["market"] == "KZ" and data["currency"] == "KZT" and data["rule"] == "EAEU_200_31"
    assert data["customs_value"] == {"amount": "150714.28", "currency": "KZT"}
    assert data["duty"]["amount"] == "4392.86"
    assert data["vat"]["amount"] == "0.00"
    assert data["landed_total"] == {"amount": "155107.14", "currency": "KZT"}
    for line in data["lines"]:
        assert {"code", "label", "amount", "currency", "rule", "source"} <= set(line)


@pytest.mark.parametrize("override, message", [
    ({"--market": "XX"}, "XX"),
    ({"--hs": "61A910"}, "HS"),
    ({"--value": "-5"}, "negative"),
    ({"--value": "abc"}, "--value"),
    ({"--currency": "ZZZ"}, "ZZZ"),
    ({"--incoterm": "FOB"}, "FOB"),
    ({"--day": "2026-13-01"}, "--day"),
])
def test_command_refuses_bad_input_with_one_line(override, message):
    """Bad input is a CommandError with a one-line message naming the problem."""
    options = {"--market": "KZ", "--hs": "610910", "--value": "250", "--currency": "EUR", "--weight-kg": "1.2",
               "--shipping": "60", "--shipping-currency": "CNY", "--incoterm": "DDP", "--day": "2026-11-29"}
    options.update(override)
    with pytest.raises(CommandError) as error:
        call_command("landed_cost", *[part for item in options.items() for part in item])
    assert "\n" not in str(error.value)
    assert message.lower() in str(error.value).lower()


def test_command_exit_status_and_stderr_on_bad_input(tmp_path):
    """Run as a program, bad input exits non-zero with one line on stderr."""
    db = tmp_path / "cli.db"
    env = {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "academy.settings.test", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "landed_cost", "--market", "XX", "--hs", "610910", "--value", "1", "--currency", "EUR",
         "--weight-kg", "1", "--shipping", "1", "--shipping-currency", "CNY", "--incoterm", "DDP", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""


def test_platform_admin_adds_a_vat_row_in_wagtail_and_results_follow(client, platform_admin):
    """A platform admin adds a KZ market row with a new VAT rate in the Wagtail admin; from that
    date on the engine uses it (an EAEU parcel over the allowance pays no VAT, so the check is the
    row in force), and the day before still uses the old row."""
    current = row_in_force(Market, day=date(2026, 11, 29), iso2="KZ")
    client.force_login(platform_admin)
    add_url = reverse("reference-markets:add")
    data = admin_form_data(current)
    data.update({"vat_rate_pct": "17", "effective_from": "2027-01-01", "notes": "new rate"})
    response = client.post(add_url, data)
    assert response.status_code == 302, response.content[:2000]
    assert row_in_force(Market, day=date(2027, 1, 1), iso2="KZ").vat_rate_pct == Decimal("17")
    assert row_in_force(Market, day=date(2026, 12, 31), iso2="KZ").vat_rate_pct == Decimal("16")


def test_reference_data_admin_is_closed_to_organisation_editors(client, author_a):
    """Only platform administrators keep reference data: an author cannot open it."""
    client.force_login(author_a)
    response = client.get(reverse("reference-markets:index"))
    assert response.status_code in (302, 403)


def test_public_reference_row_page_shows_values_source_and_history(client, django_assert_max_num_queries):
    """A citation's link opens the row for anyone: money in major units, the source, and every
    dated row of the same market (the EU flat duty's two rows)."""
    row = row_in_force(Market, day=date(2026, 8, 1), iso2="PL")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reference_row", args=["market", row.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "150.00 EUR" in text and "3.00 EUR" in text
    assert row.source in text
    assert len(response.context["history"]) == Market.objects.filter(iso2="PL").count() == 2


def test_public_reference_row_page_refuses_unknown_tables_and_ids(client):
    """Only the reference tables are published, and an unknown id is a 404."""
    assert client.get(reverse("reference_row", args=["user", 1])).status_code == 404
    assert client.get(reverse("reference_row", args=["market", 999999])).status_code == 404


def test_admin_vat_change_in_wagtail_moves_the_calculator_from_its_date(client, platform_admin):
    """A platform admin adds a Polish row with VAT 25 % from 2027-01-01 in the Wagtail admin;
    the calculator page shows the new VAT from that day and the old one the day before."""
    current = row_in_force(Market, day=date(2026, 12, 31), iso2="PL")
    client.force_login(platform_admin)
    data = admin_form_data(current)
    data.update({"vat_rate_pct": "25", "effective_from": "2027-01-01", "source": "admin test"})
    assert client.post(reverse("reference-markets:add"), data).status_code == 302
    client.logout()

    def vat_on(day):
        response = client.get(reverse("landed_cost"), {
            "market": "PL", "hs": "610910", "value": "120", "currency": "EUR", "weight": "0.4",
            "shipping_mode": "own", "shipping": "60", "shipping_currency": "CNY", "incoterm": "DDP",
            "day": day, "calculate": "1",
        })
        assert response.status_code == 200
        return response.context["calculation"].landed.vat.amount

    before, after = vat_on("2026-12-31"), vat_on("2027-01-01")
    assert after > before
    expected = landed_cost_on(market="PL", hs_code="610910", goods_value=Decimal("120"), goods_currency="EUR",
                              weight_kg=Decimal("0.4"), shipping=Decimal("60"), shipping_currency="CNY",
                              incoterm="DDP", day=date(2027, 1, 1))
    assert after == expected.vat.amount


def test_admin_types_money_in_major_units_and_it_is_stored_in_minor_units(client, platform_admin):
    """The de minimis shows as 150.00 (EUR) in the admin form and a typed 175.50 is stored as
    17550 cents; an amount finer than the currency's minor unit is refused with a message."""
    current = row_in_force(Market, day=date(2026, 8, 1), iso2="PL")
    client.force_login(platform_admin)
    form = client.get(reverse("reference-markets:edit", args=[current.pk])).context["form"]
    assert form.initial["deminimis_minor"] == Decimal("150.00")

    data = admin_form_data(current)
    data.update({"deminimis_minor": "175.50", "effective_from": "2027-02-01"})
    assert client.post(reverse("reference-markets:add"), data).status_code == 302
    assert row_in_force(Market, day=date(2027, 2, 1), iso2="PL").deminimis_minor == 17550

    data.update({"deminimis_minor": "175.505", "effective_from": "2027-03-01"})
    response = client.post(reverse("reference-markets:add"), data)
    assert response.status_code == 200 and "deminimis_minor" in response.context["form"].errors
    assert not Market.objects.filter(iso2="PL", effective_from=date(2027, 3, 1)).exists()
