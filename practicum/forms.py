from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calculator import SHIPPING_CHANNEL, SHIPPING_OWN, ReferenceOnDay, earliest_reference_day, reference_on
from .customs import CustomsInputError, normalise_hs_code


class DateInput(forms.DateInput):
    input_type = "date"


class LandedCostForm(forms.Form):
    """The calculator's inputs. A GET form, so a result is a link; the choices are the rows in
    force on the day asked about."""

    market = forms.ChoiceField(label=_("Market"), help_text=_("The country the parcel is imported into."))
    hs = forms.CharField(label=_("HS code"), max_length=13,
                         help_text=_("6 to 10 digits; dots are allowed (6109.10). Find one with the product search."),
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}))
    value = forms.DecimalField(label=_("Declared value"), min_value=Decimal(0), max_digits=14, decimal_places=4,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    currency = forms.ChoiceField(label=_("Currency of the declared value"))
    weight = forms.DecimalField(label=_("Weight (kg)"), min_value=Decimal("0.001"), max_digits=10, decimal_places=3,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    battery = forms.BooleanField(label=_("The parcel contains a battery"), required=False)
    incoterm = forms.ChoiceField(
        label=_("Incoterm"), widget=forms.RadioSelect, initial="DDP",
        choices=[("DDP", _("DDP: the seller pays duty and VAT")), ("DAP", _("DAP: the buyer pays at the door"))],
    )
    shipping_mode = forms.ChoiceField(
        label=_("Shipping cost"), widget=forms.RadioSelect, initial=SHIPPING_CHANNEL,
        choices=[(SHIPPING_CHANNEL, _("From a shipping channel's tariff")), (SHIPPING_OWN, _("My own shipping cost"))],
    )
    channel = forms.ChoiceField(label=_("Shipping channel"), required=False)
    shipping = forms.DecimalField(label=_("My shipping cost"), required=False, min_value=Decimal(0), max_digits=14,
                                  decimal_places=4, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    shipping_currency = forms.ChoiceField(label=_("Currency of my shipping cost"), required=False)
    day = forms.DateField(label=_("Day"), help_text=_("The rates and rules in force on this day apply."),
                          widget=DateInput(format="%Y-%m-%d"))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        day = self._day_asked() or timezone.localdate()
        reference = reference_on(day=day)
        if not reference.markets:
            # A day before any row: offer today's choices so the form stays usable; clean_day says why.
            reference = reference_on(day=timezone.localdate())
        self.reference: ReferenceOnDay = reference
        self.fields["market"].choices = [(m.iso2, f"{m.name} · {m.currency}") for m in reference.markets]
        currencies = [(code, code) for code in reference.currencies]
        self.fields["currency"].choices = currencies
        self.fields["shipping_currency"].choices = [("", "—"), *currencies]
        self.fields["channel"].choices = [(c.code, c.name) for c in reference.channels]
        self.fields["day"].initial = timezone.localdate
        if not self.is_bound:
            self.fields["currency"].initial = "CNY"
            self.fields["shipping_currency"].initial = "CNY"

    def _day_asked(self) -> date | None:
        """The day the submitted form asks about: the choices are the rows in force on it."""
        if not self.is_bound:
            return None
        try:
            return self.fields["day"].clean(self.data.get(self.add_prefix("day")))
        except forms.ValidationError:
            return None

    def clean_hs(self):
        try:
            return normalise_hs_code(self.cleaned_data["hs"])
        except CustomsInputError:
            raise forms.ValidationError(
                _("Enter an HS code of 6 to 10 digits, such as 610910 or 6109.10."), code="malformed_hs") from None

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day != self.reference.day:
            first = earliest_reference_day()
            if first is None:
                raise forms.ValidationError(_("No reference data has been loaded yet."), code="no_reference")
            raise forms.ValidationError(
                _("No customs rules are in force on %(day)s: the reference data starts on %(first)s."),
                code="before_reference", params={"day": day.isoformat(), "first": first.isoformat()})
        return day

    def clean(self):
        data = super().clean()
        if data.get("shipping_mode") == SHIPPING_OWN:
            if data.get("shipping") is None and "shipping" not in self.errors:
                self.add_error("shipping", _("Enter your shipping cost, or choose a shipping channel."))
            if not data.get("shipping_currency") and "shipping_currency" not in self.errors:
                self.add_error("shipping_currency", _("Choose the currency of your shipping cost."))
        elif data.get("shipping_mode") == SHIPPING_CHANNEL and not data.get("channel") and "channel" not in self.errors:
            self.add_error("channel", _("Choose a shipping channel, or enter your own shipping cost."))
        return data


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the sample products"), required=False, max_length=60,
                        help_text=_("By SKU, HS code, English or Chinese name, e.g. “T-shirt”, “T恤” or “6109”."),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
