"""Dated reference data for the trade rules: markets and their customs rule, duty rates by HS
prefix, FX rates, logistics channels, overseas warehouses and the sample products.

Every row has `effective_from`: the row in force on a day is the one with the latest
`effective_from` on or before that day, per key (`REFERENCE_KEY`); see
`practicum.selectors.rows_in_force`. Rows are never edited into the past: a new rate is a new
row with a later date, so results before that date do not change. Amounts of money are integers
in the minor unit of their currency (Babel's precision); rates and percentages are Decimals.
The seed rows come from data/reference/*.csv (see its README for sources).
"""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 4217 code of three capital letters."))
HS_PREFIX = RegexValidator(r"^(\*|\d{2,10})$", _("Use 2 to 10 digits of an HS code, or * for the market's default."))
NON_NEGATIVE = MinValueValidator(0)


class CustomsRule(models.TextChoices):
    EU_IOSS = "EU_IOSS", _("EU: VAT on all imports, IOSS, flat duty per line from July 2026")
    US_NO_DEMINIMIS = "US_NO_DEMINIMIS", _("US: no de minimis, duty on FOB value")
    EAEU_200_31 = "EAEU_200_31", _("EAEU: EUR 200 / 31 kg personal-import allowance")
    THRESHOLD_DUTY_VAT_ALL = "THRESHOLD_DUTY_VAT_ALL", _("Duty above a threshold, VAT on all")
    MY_LVG = "MY_LVG", _("Malaysia: low-value-goods tax")
    ID_FOB3 = "ID_FOB3", _("Indonesia: duty-free up to USD 3 FOB")
    B2B_STANDARD = "B2B_STANDARD", _("Bulk stock to an overseas warehouse")


class ReferenceRow(models.Model):
    effective_from = models.DateField(_("effective from"), help_text=_("The first day this row applies. Add a new row with a later date instead of editing a past one."))
    source = models.CharField(_("source"), max_length=500, blank=True, help_text=_("Where the figure comes from (a URL or a document)."))
    notes = models.TextField(_("notes"), blank=True)

    REFERENCE_KEY: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def ref(self):
        """A stable identifier of the row for explanations: table, key and date."""
        key = ":".join(str(getattr(self, field)) for field in self.REFERENCE_KEY)
        return f"{self._meta.model_name}:{key}:{self.effective_from.isoformat()}"


class Market(ReferenceRow):
    iso2 = models.CharField(_("country code"), max_length=2)
    name = models.CharField(_("name"), max_length=80)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE])
    rule = models.CharField(_("customs rule"), max_length=30, choices=CustomsRule.choices)
    vat_rate_pct = models.DecimalField(_("VAT / GST rate (%)"), max_digits=6, decimal_places=3, validators=[NON_NEGATIVE])
    deminimis_minor = models.BigIntegerField(_("de minimis (minor units)"), null=True, blank=True, validators=[NON_NEGATIVE],
                                             help_text=_("The de minimis threshold in minor units of its currency (cents for EUR 150.00 is 15000)."))
    deminimis_ccy = models.CharField(_("de minimis currency"), max_length=3, blank=True, validators=[CURRENCY_CODE])
    weight_limit_kg = models.DecimalField(_("weight limit (kg)"), max_digits=8, decimal_places=3, null=True, blank=True, validators=[NON_NEGATIVE])
    flat_duty_per_line_minor = models.BigIntegerField(_("flat duty per tariff line (minor units)"), null=True, blank=True, validators=[NON_NEGATIVE])
    flat_duty_ccy = models.CharField(_("flat duty currency"), max_length=3, blank=True, validators=[CURRENCY_CODE])
    excess_rate_pct = models.DecimalField(_("rate above the allowance (%)"), max_digits=6, decimal_places=3, null=True, blank=True, validators=[NON_NEGATIVE])
    over_weight_per_kg_minor = models.BigIntegerField(_("payment per kg over the limit (minor units)"), null=True, blank=True, validators=[NON_NEGATIVE])
    over_weight_ccy = models.CharField(_("over-weight currency"), max_length=3, blank=True, validators=[CURRENCY_CODE])
    as_of = models.CharField(_("checked"), max_length=10, blank=True, help_text=_("When the figures were last checked, as year-month."))

    REFERENCE_KEY = ("iso2",)

    class Meta:
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        ordering = ["iso2", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["iso2", "effective_from"], name="market_one_row_per_day")]

    def __str__(self):
        return _("%(key)s (from %(day)s)") % {"key": f"{self.iso2} {self.name}", "day": self.effective_from.isoformat()}


class DutyRate(ReferenceRow):
    market = models.CharField(_("market"), max_length=2)
    hs_prefix = models.CharField(_("HS prefix"), max_length=10, validators=[HS_PREFIX])
    duty_rate_pct = models.DecimalField(_("duty rate (%)"), max_digits=6, decimal_places=3, validators=[NON_NEGATIVE])
    kind = models.CharField(_("kind"), max_length=20, blank=True, help_text=_("“illustrative” for teaching values."))

    REFERENCE_KEY = ("market", "hs_prefix")

    class Meta:
        verbose_name = _("duty rate")
        verbose_name_plural = _("duty rates")
        ordering = ["market", "hs_prefix", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["market", "hs_prefix", "effective_from"], name="duty_rate_one_row_per_day")]

    def __str__(self):
        return _("%(key)s (from %(day)s)") % {"key": f"{self.market} {self.hs_prefix}: {self.duty_rate_pct} %", "day": self.effective_from.isoformat()}


class FxRate(ReferenceRow):
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE])
    cny_per_unit = models.DecimalField(_("CNY per unit"), max_digits=18, decimal_places=8, validators=[MinValueValidator(0)])
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    as_of = models.CharField(_("checked"), max_length=10, blank=True)

    REFERENCE_KEY = ("currency",)

    class Meta:
        verbose_name = _("FX rate")
        verbose_name_plural = _("FX rates")
        ordering = ["currency", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "effective_from"], name="fx_rate_one_row_per_day"),
            models.CheckConstraint(condition=models.Q(cny_per_unit__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self):
        return _("%(key)s (from %(day)s)") % {"key": f"1 {self.currency} = {self.cny_per_unit} CNY", "day": self.effective_from.isoformat()}


class LogisticsChannel(ReferenceRow):
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20)
    markets = models.CharField(_("markets served"), max_length=200, help_text=_("Country codes separated by spaces, or * for every market."))
    transit_days_min = models.PositiveIntegerField(_("transit days (min)"))
    transit_days_max = models.PositiveIntegerField(_("transit days (max)"))
    first_weight_g = models.PositiveIntegerField(_("first weight (g)"))
    first_price_cny_minor = models.BigIntegerField(_("first weight price (fen)"), validators=[NON_NEGATIVE])
    step_g = models.PositiveIntegerField(_("step (g)"), help_text=_("0 for one price up to the maximum weight, as for a container."))
    step_price_cny_minor = models.BigIntegerField(_("price per step (fen)"), validators=[NON_NEGATIVE])
    max_weight_g = models.PositiveIntegerField(_("maximum weight (g)"))
    ddp_capable = models.BooleanField(_("can clear DDP"), default=False)
    batteries_allowed = models.BooleanField(_("accepts batteries"), default=False)
    loss_rate_pct = models.DecimalField(_("loss rate (%)"), max_digits=6, decimal_places=3, validators=[NON_NEGATIVE])

    REFERENCE_KEY = ("code",)

    class Meta:
        verbose_name = _("logistics channel")
        verbose_name_plural = _("logistics channels")
        ordering = ["code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="channel_one_row_per_day")]

    def __str__(self):
        return _("%(key)s (from %(day)s)") % {"key": self.name, "day": self.effective_from.isoformat()}


class Warehouse(ReferenceRow):
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    market = models.CharField(_("market"), max_length=2)
    storage_fee_cny_minor_per_kg_day = models.BigIntegerField(_("storage fee per kg per day (fen)"), validators=[NON_NEGATIVE])
    inbound_handling_cny_minor_per_kg = models.BigIntegerField(_("inbound handling per kg (fen)"), validators=[NON_NEGATIVE])

    REFERENCE_KEY = ("code",)

    class Meta:
        verbose_name = _("overseas warehouse")
        verbose_name_plural = _("overseas warehouses")
        ordering = ["code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="warehouse_one_row_per_day")]

    def __str__(self):
        return _("%(key)s (from %(day)s)") % {"key": self.name, "day": self.effective_from.isoformat()}


class SampleProduct(ReferenceRow):
    sku = models.CharField(_("SKU"), max_length=40)
    name_en = models.CharField(_("name in English"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, validators=[RegexValidator(r"^\d{6,10}$", _("Use 6 to 10 digits."))])
    unit_cost_cny_minor = models.BigIntegerField(_("unit cost (fen)"), validators=[NON_NEGATIVE])
    weight_g = models.PositiveIntegerField(_("weight (g)"))
    battery = models.BooleanField(_("contains a battery"), default=False)

    REFERENCE_KEY = ("sku",)

    class Meta:
        verbose_name = _("sample product")
        verbose_name_plural = _("sample products")
        ordering = ["sku", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["sku", "effective_from"], name="sample_product_one_row_per_day")]

    def __str__(self):
        return f"{self.sku} {self.name_en}"


# Practicum projects live in their own module; imported here so Django finds their models.
from .project_models import CompetitorListing, PracticumProject, ProjectKpi, ProjectProduct  # noqa: E402,F401
from .run_models import (  # noqa: E402,F401
    LedgerEntry, LedgerPosting, Listing, Order, OrderLine, OrderTransition, PracticumRun, RunParticipant, SimulationDay,
    SimulationJob, StockItem, Store, Team,
)
from .shipment_models import CustomsDeclaration, Shipment, TrackingEvent  # noqa: E402,F401
from .warehouse_models import InboundLine, InboundShipment, WarehouseStock  # noqa: E402,F401
from .dispute_models import Dispute, DisputeEvent  # noqa: E402,F401
from .review_models import KpiSnapshotRecord, PracticumGrade, PracticumPass, ReputationRecord  # noqa: E402,F401
