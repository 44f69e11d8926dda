"""Loading the reference CSVs (data/reference/) into the dated reference models.

Idempotent: a row is identified by its key and `effective_from`; loading again updates those
rows and never deletes rows an administrator added. Money columns of the CSVs are in major
units and are stored as integers in minor units (Babel's precision of the currency).
Used by a data migration (with historical models) and by `manage.py reference_data_load`.
"""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.numbers import get_currency_precision

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


def _minor(value, currency):
    if value in ("", None):
        return None
    return int((Decimal(value) * (10 ** get_currency_precision(currency))).to_integral_value())


def _decimal(value):
    return None if value in ("", None) else Decimal(value)


def _day(value):
    return date.fromisoformat(value) if value else date(2025, 1, 1)


def _yes(value):
    return value.strip().lower() in {"yes", "true", "1"}


def _rows(directory, name):
    with open(Path(directory) / name, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _market(row):
    return ("iso2",), {
        "iso2": row["iso2"], "name": row["name"], "currency": row["currency"], "rule": row["rule"],
        "vat_rate_pct": Decimal(row["vat_rate_pct"]),
        "deminimis_minor": _minor(row["deminimis"], row["deminimis_ccy"] or row["currency"]),
        "deminimis_ccy": row["deminimis_ccy"],
        "weight_limit_kg": _decimal(row["weight_limit_kg"]),
        "flat_duty_per_line_minor": _minor(row["flat_duty_per_line"], row["flat_duty_ccy"] or row["currency"]),
        "flat_duty_ccy": row["flat_duty_ccy"],
        "excess_rate_pct": _decimal(row["excess_rate_pct"]),
        "over_weight_per_kg_minor": _minor(row["over_weight_per_kg"], row["over_weight_ccy"] or row["currency"]),
        "over_weight_ccy": row["over_weight_ccy"],
        "effective_from": _day(row["effective_from"]), "notes": row["notes"], "source": row["source"], "as_of": row["as_of"],
    }


def _duty_rate(row):
    return ("market", "hs_prefix"), {
        "market": row["market"], "hs_prefix": row["hs_prefix"], "duty_rate_pct": Decimal(row["duty_rate_pct"]),
        "kind": row["kind"], "effective_from": _day(row["effective_from"]), "notes": row["notes"],
    }


def _fx_rate(row):
    return ("currency",), {
        "currency": row["currency"], "cny_per_unit": Decimal(row["cny_per_unit"]), "kind": row["kind"],
        "effective_from": _day(row["effective_from"]), "as_of": row["as_of"],
    }


def _channel(row):
    return ("code",), {
        "code": row["code"], "name": row["name"], "kind": row["kind"], "markets": row["markets"],
        "transit_days_min": int(row["transit_days_min"]), "transit_days_max": int(row["transit_days_max"]),
        "first_weight_g": int(row["first_weight_g"]), "first_price_cny_minor": _minor(row["first_price_cny"], "CNY"),
        "step_g": int(row["step_g"]), "step_price_cny_minor": _minor(row["step_price_cny"], "CNY"),
        "max_weight_g": int(row["max_weight_g"]), "ddp_capable": _yes(row["ddp_capable"]),
        "batteries_allowed": _yes(row["batteries_allowed"]), "loss_rate_pct": Decimal(row["loss_rate_pct"]),
        "effective_from": _day(row["effective_from"]), "notes": row["notes"],
    }


def _warehouse(row):
    return ("code",), {
        "code": row["code"], "name": row["name"], "market": row["market"],
        "storage_fee_cny_minor_per_kg_day": _minor(row["storage_fee_cny_per_kg_day"], "CNY"),
        "inbound_handling_cny_minor_per_kg": _minor(row["inbound_handling_cny_per_kg"], "CNY"),
        "effective_from": _day(row["effective_from"]), "notes": row["notes"],
    }


def _product(row):
    return ("sku",), {
        "sku": row["sku"], "name_en": row["name_en"], "name_zh": row["name_zh"], "hs_code": row["hs_code"],
        "unit_cost_cny_minor": _minor(row["unit_cost_cny"], "CNY"), "weight_g": int(row["weight_g"]),
        "battery": _yes(row["battery"]), "effective_from": _day(row.get("effective_from", "")),
        "source": "data/reference/products.csv",
    }


TABLES = (
    ("Market", "markets.csv", _market),
    ("DutyRate", "duty_rates.csv", _duty_rate),
    ("FxRate", "fx_rates.csv", _fx_rate),
    ("LogisticsChannel", "logistics_channels.csv", _channel),
    ("Warehouse", "warehouses.csv", _warehouse),
    ("SampleProduct", "products.csv", _product),
)


def reference_data_load(*, get_model=None, directory=REFERENCE_DIR):
    """Create or update every CSV row; returns {model name: rows read}."""
    if get_model is None:
        from django.apps import apps

        def get_model(name):
            return apps.get_model("practicum", name)

    counts = {}
    for model_name, filename, convert in TABLES:
        model = get_model(model_name)
        count = 0
        for row in _rows(directory, filename):
            key_fields, values = convert(row)
            lookup = {field: values.pop(field) for field in (*key_fields, "effective_from")}
            model.objects.update_or_create(**lookup, defaults=values)
            count += 1
        counts[model_name] = count
    return counts
