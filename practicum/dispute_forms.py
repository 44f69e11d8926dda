"""Forms of a store's disputes: filtering the list, and the three answers (refund the claim,
offer a partial refund, contest with evidence).

Forms only parse what was typed; the rules are `practicum.dispute_services`', whose
ValidationErrors the views put back on these forms. An amount is typed in major units of the
order's currency and leaves the form as an int of minor units, checked for the currency's
decimal places as the listing editor checks a price (`practicum.money`).
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .dispute_models import Dispute
from .dispute_services import Evidence
from .money import minor_digits, to_minor

# The answers a store may post, by the name of the button's `action`.
ACTIONS = ("refund", "offer", "contest")


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Dispute.Status.choices]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `dispute_views.store_disputes_page`."""
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data.get("status") or ""}

    @property
    def active(self) -> bool:
        return any(self.filters().values())


class DisputeRefundForm(forms.Form):
    """Refund the buyer's claim: nothing to type, the button says what happens."""


class DisputeOfferForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Partial refund"), max_digits=14, decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("In the order's currency, more than nothing and less than the claim. The buyer accepts half the claim or more."),
    )

    def __init__(self, data=None, *, currency: str, **kwargs):
        super().__init__(data, **kwargs)
        self.currency = currency
        self.fields["amount"].label = _("Partial refund (%(currency)s)") % {"currency": currency}

    def clean_amount(self) -> int:
        amount: Decimal = self.cleaned_data["amount"]
        digits = minor_digits(self.currency)
        if amount <= 0:
            raise forms.ValidationError(_("Enter an amount above zero."))
        if -amount.normalize().as_tuple().exponent > digits:
            raise forms.ValidationError(_("%(currency)s amounts have %(digits)s decimal places at most.") % {
                "currency": self.currency, "digits": digits})
        return to_minor(amount, self.currency)


class DisputeContestForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer to the buyer and the platform"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say why the claim is wrong. The platform decides two days later on the evidence you attach."),
    )
    evidence = forms.MultipleChoiceField(
        label=_("Evidence"), required=False, choices=Evidence.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what you attach counts: tracking shows the parcel arrived, photos show what was packed."),
    )


__all__ = ["ACTIONS", "DisputeContestForm", "DisputeFilterForm", "DisputeOfferForm", "DisputeRefundForm"]
