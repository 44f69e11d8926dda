"""Admin wiring: platform administrators keep the reference data current in Wagtail. A change
of rate is a new row with a later `effective_from` (the copy action starts from the current
row), so results for earlier days stay as they were."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import DutyRate, FxRate, LogisticsChannel, Market, SampleProduct, Warehouse


class ReferenceViewSet(ModelViewSet):
    copy_view_enabled = True
    inspect_view_enabled = True
    list_filter = ["effective_from"]
    reference_fields = ["effective_from", "source", "notes"]

    @property
    def form_fields(self):
        """The row's own fields first, then when it applies and where it comes from."""
        own = [f.name for f in self.model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in self.reference_fields]
        return own + self.reference_fields

    def get_form_class(self, for_update=False):
        from django.forms import modelform_factory

        from .forms_admin import major_units_form

        fields = self.form_fields
        return modelform_factory(self.model, form=major_units_form(self.model, fields),
                                 formfield_callback=self.formfield_for_dbfield, fields=fields)


class MarketViewSet(ReferenceViewSet):
    name = "reference-markets"
    model = Market
    icon = "globe"
    list_display = ["iso2", "name", "currency", "rule", "vat_rate_pct", "effective_from"]
    list_filter = ["rule", "effective_from"]
    search_fields = ["iso2", "name"]


class DutyRateViewSet(ReferenceViewSet):
    name = "reference-duty-rates"
    model = DutyRate
    icon = "percent"
    list_display = ["market", "hs_prefix", "duty_rate_pct", "effective_from", "notes"]
    list_filter = ["market", "effective_from"]
    search_fields = ["market", "hs_prefix", "notes"]


class FxRateViewSet(ReferenceViewSet):
    name = "reference-fx-rates"
    model = FxRate
    icon = "resubmit"
    list_display = ["currency", "cny_per_unit", "effective_from", "kind"]
    list_filter = ["currency", "effective_from"]
    search_fields = ["currency"]


class LogisticsChannelViewSet(ReferenceViewSet):
    name = "reference-channels"
    model = LogisticsChannel
    icon = "site"
    list_display = ["code", "name", "kind", "markets", "effective_from"]
    search_fields = ["code", "name"]


class WarehouseViewSet(ReferenceViewSet):
    name = "reference-warehouses"
    model = Warehouse
    icon = "home"
    list_display = ["code", "name", "market", "effective_from"]
    search_fields = ["code", "name"]


class SampleProductViewSet(ReferenceViewSet):
    name = "reference-products"
    model = SampleProduct
    icon = "tag"
    list_display = ["sku", "name_en", "name_zh", "hs_code", "weight_g", "battery"]
    search_fields = ["sku", "name_en", "name_zh", "hs_code"]


class ReferenceDataGroup(ModelViewSetGroup):
    menu_label = _("Reference data")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (MarketViewSet, DutyRateViewSet, FxRateViewSet, LogisticsChannelViewSet, WarehouseViewSet, SampleProductViewSet)


@hooks.register("register_admin_viewset")
def register_reference_data():
    return ReferenceDataGroup()
