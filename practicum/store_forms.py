"""Forms of the student pages of a practicum run: applying, forming a team, buying stock, the
listing editor, cancelling an order and filtering the order list.

Forms only parse what was typed; the rules are the services' (`practicum.run_services`,
`practicum.order_services`), whose ValidationErrors the views put back on these forms. Money is
typed in major units of its currency and leaves the form as an int of minor units
(`practicum.money`), after checking it has no more decimals than the currency's minor unit.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .logistics import ChannelRow
from .money import format_money, from_minor, minor_digits, to_minor
from .run_models import Incoterm, Listing, Order
from .run_services import MAX_STOCK_PURCHASE


class DateInput(forms.DateInput):
    input_type = "date"


class ApplyForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why do you want to take part?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences for the mentors: what you know already and what you want to learn."),
    )


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=80,
                           help_text=_("Your store takes the same name. Other teams and the mentors see it."))


class StockBuyForm(forms.Form):
    """Units of a catalogue product bought into the store's China warehouse."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    quantity = forms.IntegerField(
        label=_("Units"), min_value=1, max_value=MAX_STOCK_PURCHASE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Paid at the unit cost from what the store may spend."),
    )

    def __init__(self, data=None, *, products, locale: str, **kwargs):
        super().__init__(data, **kwargs)
        self.products = {product.pk: product for product in products}
        self.fields["product"].choices = [
            (p.pk, _("%(sku)s · %(name)s · %(cost)s a unit") % {
                "sku": p.sku, "name": p.name, "cost": format_money(from_minor(p.unit_cost_minor, "CNY"), "CNY", locale)})
            for p in products
        ]

    def clean_product(self):
        return self.products[self.cleaned_data["product"]]


class ListingForm(forms.Form):
    """A listing of a catalogue product in one of the project's markets. The price and the
    declared value are in the market's currency of the day in progress (`currencies`)."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    market = forms.ChoiceField(label=_("Market"))
    price = forms.DecimalField(
        label=_("Price of one unit"), max_digits=14, decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("In the market's currency, such as 45.90 for PLN 45.90. Under DAP the buyer also pays the shipping."),
    )
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=Incoterm.choices, initial=Incoterm.DDP, widget=forms.RadioSelect)
    channel = forms.ChoiceField(label=_("Logistics channel"),
                                help_text=_("Preview to compare what each channel charges for this product."))
    declared_value = forms.DecimalField(
        label=_("Value declared to customs"), required=False, max_digits=14, decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Per unit, in the market's currency. Leave it empty to declare the price."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Listing.Status.choices, initial=Listing.Status.DRAFT,
                               help_text=_("Only live listings are shown to shoppers, and only while there is stock."))
    warehouse = forms.ChoiceField(
        label=_("Ships from"), required=False,
        help_text=_("China, or an overseas warehouse in the listing's market: then it goes by the warehouse's last mile "
                    "(WH_LASTMILE), DDP, and sells the stock you shipped there."))

    def __init__(self, data=None, *, products, markets, currencies: dict[str, str], channels: list[ChannelRow],
                 warehouses=(), day=None, **kwargs):
        super().__init__(data, **kwargs)
        self.day = day
        self.fields["warehouse"].choices = [("", _("China"))] + [
            (w.code, _("%(name)s (%(code)s, %(market)s)") % {"name": w.name, "code": w.code, "market": w.market})
            for w in warehouses]
        self.products = {product.pk: product for product in products}
        self.currencies = currencies
        self.fields["product"].choices = [(p.pk, f"{p.sku} · {p.name}") for p in products]
        self.fields["market"].choices = [(m.iso2, f"{m.iso2} {m.name} · {m.currency}") for m in markets]
        self.fields["channel"].choices = [
            (c.code, _("%(name)s · %(low)s–%(high)s days in transit") % {"name": c.name, "low": c.transit_days_min, "high": c.transit_days_max})
            for c in channels
        ]

    def clean_product(self):
        return self.products[self.cleaned_data["product"]]

    def clean(self):
        data = super().clean()
        currency = self.currencies.get(data.get("market"))
        if currency is None:
            return data
        data["currency"] = currency
        if self.day is not None:
            from .warehouse_services import listing_warehouse_errors  # the services import the order services

            for name, message in listing_warehouse_errors(
                    day=self.day, market=data["market"], warehouse=data.get("warehouse") or "",
                    channel=data.get("channel") or "", incoterm=data.get("incoterm") or "").items():
                self.add_error(name if name in self.fields else None, message)
        for name, target in (("price", "price_minor"), ("declared_value", "declared_value_minor")):
            amount = data.get(name)
            if amount is None:
                data[target] = None
                continue
            data[target] = self._minor(name, amount, currency)
        return data

    def _minor(self, name: str, amount: Decimal, currency: str) -> int | None:
        digits = minor_digits(currency)
        if amount <= 0:
            self.add_error(name, _("Enter an amount above zero."))
            return None
        if -amount.normalize().as_tuple().exponent > digits:
            self.add_error(name, _("%(currency)s amounts have %(digits)s decimal places at most.") % {
                "currency": currency, "digits": digits})
            return None
        return to_minor(amount, currency)


class OrderRefundForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the order cancelled?"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The buyer reads it. The payment held in escrow goes back to the buyer and the units back to stock."),
    )


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    market = forms.ChoiceField(label=_("Market"), required=False)
    placed = forms.DateField(label=_("Placed on"), required=False, widget=DateInput(format="%Y-%m-%d"))

    def __init__(self, data=None, *, markets, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Order.Status.choices]
        self.fields["market"].choices = [("", _("Any market")), *[(code, code) for code in markets]]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `store_selectors.store_orders`."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"status": data.get("status") or "", "market": data.get("market") or "", "placed_on": data.get("placed")}

    @property
    def active(self) -> bool:
        return any(self.filters().values())
