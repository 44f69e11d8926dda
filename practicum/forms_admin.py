"""The reference-data admin form: money columns are stored in minor units (HOUSE_RULES) but an
administrator types and reads them in major units of their currency (EUR 150.00, not 15000)."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .money import from_minor, to_minor

# Each money column: its label in major units, and where its currency comes from (a field of the
# same row, falling back to the market's `currency`; or a fixed code).
MONEY_COLUMNS = {
    "deminimis_minor": (_("de minimis"), "deminimis_ccy"),
    "flat_duty_per_line_minor": (_("flat duty per tariff line"), "flat_duty_ccy"),
    "over_weight_per_kg_minor": (_("payment per kg over the limit"), "over_weight_ccy"),
    "first_price_cny_minor": (_("first weight price (CNY)"), "CNY"),
    "step_price_cny_minor": (_("price per step (CNY)"), "CNY"),
    "storage_fee_cny_minor_per_kg_day": (_("storage fee per kg per day (CNY)"), "CNY"),
    "inbound_handling_cny_minor_per_kg": (_("inbound handling per kg (CNY)"), "CNY"),
    "unit_cost_cny_minor": (_("unit cost (CNY)"), "CNY"),
}


class MajorUnitsModelForm(forms.ModelForm):
    """Shows and accepts the money columns of `MONEY_COLUMNS` in major units."""

    money_columns: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.money_columns:
            minor = self.initial.get(name)
            if isinstance(minor, int):
                self.initial[name] = from_minor(minor, self._currency(name, self.initial))

    def _currency(self, name, values):
        source = MONEY_COLUMNS[name][1]
        if len(source) == 3 and source.isupper():
            return source
        return values.get(source) or values.get("currency") or "CNY"

    def clean(self):
        cleaned_data = super().clean()
        for name in self.money_columns:
            value = cleaned_data.get(name)
            if value is None:
                continue
            currency = self._currency(name, cleaned_data)
            try:
                cleaned_data[name] = to_minor(Decimal(value), currency)
            except (TypeError, ValueError) as exc:
                self.add_error(name, _("%(value)s is not an amount of %(currency)s (%(reason)s).") % {
                    "value": value, "currency": currency, "reason": exc})
        return cleaned_data


def major_units_form(model, fields):
    """A ModelForm base for `model` whose money columns among `fields` are in major units."""
    columns = {f.name: f for f in model._meta.concrete_fields if f.name in MONEY_COLUMNS and f.name in fields}
    declared = {
        name: forms.DecimalField(label=capfirst(MONEY_COLUMNS[name][0]), required=not field.null, min_value=Decimal(0),
                                 max_digits=18, decimal_places=4)
        for name, field in columns.items()
    }
    return type(f"{model.__name__}AdminForm", (MajorUnitsModelForm,), {**declared, "money_columns": columns})
