"""Admin wiring: platform administrators keep the reference data current in Wagtail (a change
of rate is a new row with a later `effective_from`; the copy action starts from the current
row, so results for earlier days stay as they were), and enterprises post practicum projects."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from academy.organisations.admin_scoping import OrganisationScopedViewSetMixin, ScopedCreateView, ScopedEditView
from courses.wagtail_hooks import ServiceCheckedSaveMixin

from .models import DutyRate, FxRate, LogisticsChannel, Market, SampleProduct, Warehouse
from .money import from_minor, to_minor
from .project_models import PracticumProject


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


# --- Practicum projects ---------------------------------------------------------------------------
#
# Each enterprise's practicum projects, confined to it by OrganisationScopedViewSetMixin, with
# KPIs, products and competitor listings as inline panels. Money is stored in minor units and
# typed in major units here (yuan for capital and costs, the market's currency for a
# competitor's price). Every save goes through practicum.project_services.project_check in the
# save's transaction.


class MajorUnitsFormMixin:
    """Shows and accepts the minor-unit money fields of `major_units` (field name → a fixed
    currency code, or the name of the form field holding the currency) in major units, converted
    exactly: an amount with more digits than the currency's minor unit is refused, not rounded."""

    major_units: dict = {}
    major_units_labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, source in self.major_units.items():
            model_field = self.fields[name]
            self.fields[name] = forms.DecimalField(
                label=self.major_units_labels.get(name, model_field.label), required=model_field.required,
                min_value=Decimal(0), max_digits=20, decimal_places=4, help_text=_("In major units of the currency, such as 12.50."),
            )
            minor = self.initial.get(name)
            currency = self._currency(source, self.initial)
            if isinstance(minor, int) and currency:
                try:
                    self.initial[name] = from_minor(minor, currency)
                except ValueError:
                    pass  # An unknown currency: show the stored number as it is.

    @staticmethod
    def _currency(source, values):
        if len(source) == 3 and source.isupper():
            return source
        return values.get(source) or ""

    def clean(self):
        cleaned_data = super().clean()
        for name, source in self.major_units.items():
            amount = cleaned_data.get(name)
            currency = self._currency(source, cleaned_data)
            if amount is None or not currency:
                continue
            try:
                cleaned_data[name] = to_minor(amount, currency)
            except ValueError as exc:
                self.add_error(name, _("%(amount)s is not an amount of %(currency)s (%(reason)s).") % {
                    "amount": amount, "currency": currency, "reason": exc})
        return cleaned_data


class PracticumProjectAdminForm(MajorUnitsFormMixin, WagtailAdminModelForm):
    major_units = {"starting_capital_minor": "CNY"}
    major_units_labels = {"starting_capital_minor": _("Starting capital (CNY)")}


class ProjectProductAdminForm(MajorUnitsFormMixin, WagtailAdminModelForm):
    major_units = {"unit_cost_minor": "CNY"}
    major_units_labels = {"unit_cost_minor": _("Unit cost (CNY)")}


class CompetitorListingAdminForm(MajorUnitsFormMixin, WagtailAdminModelForm):
    major_units = {"price_minor": "currency"}
    major_units_labels = {"price_minor": _("Price")}


class FormInlinePanel(InlinePanel):
    """An InlinePanel whose child forms are built on `form_class` (Wagtail's InlinePanel takes
    no form class of its own)."""

    def __init__(self, *args, form_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_class = form_class

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "form_class": self.form_class}

    def get_form_options(self):
        options = super().get_form_options()
        if self.form_class is not None:
            options["formsets"][self.relation_name]["form"] = self.form_class
        return options


class PracticumProjectFormMixin(ServiceCheckedSaveMixin):
    """Course runs offered are those of courses the user's organisations co-run (every run for a
    platform administrator), and the saved project is checked by `project_check`."""

    def get_form(self, form_class=None):
        from courses.models import CourseRun

        form = super().get_form(form_class)
        field = form.fields.get("course_run")
        if field is not None:
            runs = CourseRun.objects.select_related("course")
            organisations = self.scoped_organisations
            if organisations is not None:
                # A subquery rather than a join: a course co-run by two of the user's organisations
                # would otherwise be offered twice.
                partnered = CourseRun.objects.filter(course__partners__organisation__in=organisations.values("pk"))
                runs = runs.filter(pk__in=partnered.values("pk"))
            field.queryset = runs
        return form

    def saved_check(self, project):
        from .project_services import project_check

        project_check(project=project, by=self.request.user)

    def validation_error_onto(self, form, error):
        for field, messages in getattr(error, "message_dict", {None: error.messages}).items():
            form.add_error(field if field in form.fields else None, messages)


class PracticumProjectCreateView(PracticumProjectFormMixin, ScopedCreateView):
    pass


class PracticumProjectEditView(PracticumProjectFormMixin, ScopedEditView):
    pass


class PracticumProjectViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = PracticumProject
    icon = "site"
    menu_label = _("Practicum projects")
    name = "practicum_projects"
    organisation_field = "organisation"
    # The organisation field offers approved enterprises only (the model's limit_choices_to).
    organisation_form_fields = {"organisation": "", "rubric": "organisation"}
    add_view_class = PracticumProjectCreateView
    edit_view_class = PracticumProjectEditView
    edit_handler = ObjectList([
        FieldPanel("organisation"),
        FieldPanel("title"),
        FieldPanel("title_zh"),
        FieldPanel("brief"),
        FieldPanel("target_markets"),
        FieldPanel("starting_capital_minor"),
        MultiFieldPanel([InlinePanel("kpis", label=_("KPI"))], heading=_("KPIs and their weights")),
        MultiFieldPanel([
            FormInlinePanel("products", label=_("Product"), form_class=ProjectProductAdminForm, panels=[
                FieldRowPanel([FieldPanel("sku"), FieldPanel("name")]),
                FieldRowPanel([FieldPanel("hs_code"), FieldPanel("unit_cost_minor"), FieldPanel("weight_grams"), FieldPanel("contains_battery")]),
            ]),
        ], heading=_("Product catalogue")),
        MultiFieldPanel([
            FormInlinePanel("competitor_listings", label=_("Competitor listing"), form_class=CompetitorListingAdminForm, panels=[
                FieldRowPanel([FieldPanel("market"), FieldPanel("sku"), FieldPanel("incoterm")]),
                FieldRowPanel([FieldPanel("price_minor"), FieldPanel("currency"), FieldPanel("rating"), FieldPanel("delivery_days")]),
            ]),
        ], heading=_("Competitor listings")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("market_size"), FieldPanel("platform_fee_bps"), FieldPanel("auto_release_days")]),
            FieldRowPanel([FieldPanel("beta_price"), FieldPanel("beta_rating"), FieldPanel("beta_delivery_day")]),
            FieldRowPanel([FieldPanel("beta_door_fee"), FieldPanel("no_purchase_utility")]),
            FieldRowPanel([FieldPanel("inspection_base_pct"), FieldPanel("inspection_slope_pct")]),
            FieldRowPanel([FieldPanel("inspection_penalty_pct"), FieldPanel("inspection_delay_days")]),
            FieldRowPanel([FieldPanel("dap_refusal_base_pct"), FieldPanel("dap_refusal_slope_pct")]),
            FieldRowPanel([FieldPanel("dispute_not_received_pct"), FieldPanel("dispute_late_per_day_pct"),
                           FieldPanel("dispute_not_as_described_pct")]),
            FieldRowPanel([FieldPanel("dispute_response_days"), FieldPanel("review_pct")]),
        ], heading=_("Market simulation"), classname="collapsed"),
        FieldPanel("rubric"),
        FieldRowPanel([FieldPanel("kpi_weight_pct"), FieldPanel("pass_grade_pct")]),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("course_run"),
        FieldPanel("status"),
    ], base_form_class=PracticumProjectAdminForm)
    list_display = ["title", "organisation", "status", "starts_on", "ends_on"]
    # No list filters: the organisation filter's choices would show other organisations' names.
    search_fields = ["title"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "organisation", "title", "title_zh", "brief", "target_markets", "starting_capital_minor", "rubric", "starts_on", "ends_on",
        "course_run", "status", "created_by", "created_at",
    ]
    # A copy would need its KPIs, products and competitor listings copied too; not offered yet.
    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=PracticumProject.objects.select_related("organisation"), **kwargs)


class PracticumViewSetGroup(ModelViewSetGroup):
    """What an enterprise posts for students to practise on."""

    menu_label = _("Practicum")
    menu_icon = "site"
    menu_order = 275
    items = (PracticumProjectViewSet,)


@hooks.register("register_admin_viewset")
def register_practicum_viewsets():
    return PracticumViewSetGroup()
