"""The form of the warehouses page: a container of China stock to an overseas warehouse.
It only parses what was typed; the rules are `warehouse_services.inbound_plan`'s, whose
ValidationErrors the view puts back on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .warehouse_services import MAX_INBOUND_UNITS


class InboundShipForm(forms.Form):
    """The warehouse, the container channel and the units of each product (zero leaves a
    product out). One units field per product of the catalogue, named `units_<product id>`."""

    warehouse = forms.ChoiceField(label=_("Overseas warehouse"))
    channel = forms.ChoiceField(label=_("Container channel"),
                                help_text=_("Rail or sea. You pay a share of a consolidated container by weight."))

    def __init__(self, data=None, *, warehouses, channels, products, china, **kwargs):
        super().__init__(data, **kwargs)
        self.products = list(products)
        self.fields["warehouse"].choices = [
            (w.code, _("%(name)s (%(code)s, %(market)s)") % {"name": w.name, "code": w.code, "market": w.market})
            for w in warehouses
        ]
        self.fields["channel"].choices = [
            (c.code, _("%(name)s · %(low)s–%(high)s days · serves %(markets)s") % {
                "name": c.name, "low": c.transit_days_min, "high": c.transit_days_max,
                "markets": ", ".join(sorted(c.markets))})
            for c in channels
        ]
        for product in self.products:
            item = china.get(product.pk)
            available = item.available if item is not None else 0
            self.fields[self.units_name(product)] = forms.IntegerField(
                label=_("%(sku)s units") % {"sku": product.sku}, required=False, min_value=0, max_value=MAX_INBOUND_UNITS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                help_text=_("%(available)s available in China, %(weight)s g each.") % {
                    "available": available, "weight": product.weight_grams})

    @staticmethod
    def units_name(product) -> str:
        return f"units_{product.pk}"

    def units_fields(self):
        return [self[self.units_name(product)] for product in self.products]

    def quantities(self) -> dict[int, int]:
        """{product id: units} of the valid form, products with no units left out."""
        return {product.pk: self.cleaned_data.get(self.units_name(product)) or 0 for product in self.products
                if self.cleaned_data.get(self.units_name(product))}
