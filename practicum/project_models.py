"""Practicum projects: what an enterprise's mentors post for students to work on.

A project belongs to an approved enterprise and says what the students' stores will do: a brief,
the target markets (codes of the `Market` reference rows), the product catalogue the students
may sell (cost in CNY, weight, HS code, battery), the starting capital in CNY, the KPIs the
teams are measured by with their weights (summing to 100 %), an optional rubric of the same
enterprise, the dates, an optional course run it belongs to, a few fixed competitor listings per market that
`practicum.demand` puts next to the students' listings, and the simulation's settings.

Money is an integer of minor units of its currency (HOUSE_RULES, "Names and models"): fen for
the CNY amounts, the market currency's minor unit for a competitor's price; the admin shows
and accepts major units (`practicum.wagtail_hooks`). The rules a saved project must satisfy
are `practicum.project_services.project_check`; practicum runs, teams and stores come later.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from academy.fields import CheckboxListField

from .models import CURRENCY_CODE

HS_CODE = RegexValidator(r"^\d{6,10}$", _("Use 6 to 10 digits of an HS code, without dots."))


def market_code_choices():
    """(code, "code name") for every market code of the reference data, the newest name of each.
    Read when a form is built, so a market added later is offered without a restart."""
    from .models import Market

    names = {}
    for iso2, name in Market.objects.order_by("iso2", "-effective_from").values_list("iso2", "name"):
        names.setdefault(iso2, name)
    return [(code, f"{code} {name}") for code, name in names.items()]


class MarketCodesField(CheckboxListField):
    """A list of market codes of the reference data, edited as checkboxes."""

    list_choices = staticmethod(market_code_choices)


class PracticumProject(ClusterableModel):
    """An enterprise's practicum project, such as “Launch our home goods line in Kazakhstan and Poland”."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="practicum_projects",
        limit_choices_to={"kind": "enterprise", "status": "approved"},
        help_text=_("The enterprise that posts the project; its mentors maintain it."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("The project's name, shown to students."))
    title_zh = models.CharField(
        _("title in Chinese"), max_length=100, blank=True,
        help_text=_("The project's name in Chinese, printed on the Chinese half of its practicum certificates."),
    )
    brief = RichTextField(_("brief"), help_text=_("What the enterprise asks the students to achieve, and any constraints."))
    target_markets = MarketCodesField(
        _("target markets"), default=list,
        help_text=_("The markets the students' stores sell to. Choose at least one."),
    )
    starting_capital_minor = models.BigIntegerField(
        _("starting capital (fen)"), validators=[MinValueValidator(0)],
        help_text=_("The capital each team starts with, in fen (CNY 100,000.00 is 10000000)."),
    )
    rubric = models.ForeignKey(
        "courses.Rubric", verbose_name=_("rubric"), null=True, blank=True, on_delete=models.PROTECT, related_name="practicum_projects",
        help_text=_("The rubric mentors assess the teams' work with. It must be one of the enterprise's own rubrics."),
    )
    starts_on = models.DateField(_("starts on"), help_text=_("The first day of the project."))
    ends_on = models.DateField(_("ends on"), help_text=_("The last day of the project. It must come after the first day."))
    course_run = models.ForeignKey(
        "courses.CourseRun", verbose_name=_("course run"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="practicum_projects",
        help_text=_("The run of a course the enterprise co-runs that this project belongs to, if any."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
        help_text=_("Only published projects are offered to students. An archived project is kept for the record."),
    )
    # The simulation's settings (practicum.demand.DemandParameters documents each default).
    market_size = models.PositiveIntegerField(
        _("shoppers per market and day"), default=40, validators=[MaxValueValidator(10_000)],
        help_text=_("How many shoppers look for the project's products in each market on an average simulated day."),
    )
    beta_price = models.DecimalField(
        _("price sensitivity"), max_digits=5, decimal_places=2, default=Decimal(3), validators=[MinValueValidator(0)],
        help_text=_("How strongly shoppers avoid a price above the going price (about the price elasticity; 3 by default)."),
    )
    beta_rating = models.DecimalField(
        _("rating sensitivity"), max_digits=5, decimal_places=2, default=Decimal("0.4"), validators=[MinValueValidator(0)],
        help_text=_("How much one star of rating is worth to shoppers (0.4 by default)."),
    )
    beta_delivery_day = models.DecimalField(
        _("delivery time sensitivity"), max_digits=5, decimal_places=3, default=Decimal("0.04"), validators=[MinValueValidator(0)],
        help_text=_("How much each day of delivery time puts shoppers off (0.04 by default)."),
    )
    beta_door_fee = models.DecimalField(
        _("door fee sensitivity"), max_digits=5, decimal_places=2, default=Decimal("4.5"), validators=[MinValueValidator(0)],
        help_text=_("How strongly shoppers avoid duty and VAT to pay at the door under DAP (4.5 by default, above the price sensitivity)."),
    )
    no_purchase_utility = models.DecimalField(
        _("appeal of not buying"), max_digits=5, decimal_places=2, default=Decimal(2),
        help_text=_("How attractive leaving without buying is; higher means fewer shoppers buy (2 by default)."),
    )
    platform_fee_bps = models.PositiveIntegerField(
        _("platform fee (basis points)"), default=500, validators=[MaxValueValidator(10_000)],
        help_text=_("The platform's commission on released sales, in hundredths of a percent (500 is 5 %)."),
    )
    auto_release_days = models.PositiveSmallIntegerField(
        _("auto-release after (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Escrow is released this many simulated days after delivery when the buyer has not confirmed it."),
    )
    # Customs in the flow (practicum II): the parameters no reference table has (README of the
    # reference data), as teaching values a mentor may tune.
    dap_refusal_base_pct = models.DecimalField(
        _("DAP refusal: base (%)"), max_digits=5, decimal_places=2, default=Decimal(3),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The chance that a buyer refuses a DAP parcel at the door even with nothing to pay (3 % by default)."),
    )
    dap_refusal_slope_pct = models.DecimalField(
        _("DAP refusal: per share of door fees (%)"), max_digits=6, decimal_places=2, default=Decimal(60),
        validators=[MinValueValidator(0)],
        help_text=_("How much the refusal chance rises with the door fees as a share of the goods price: with 60 (the "
                    "default), fees of a quarter of the price add 15 points."),
    )
    inspection_base_pct = models.DecimalField(
        _("inspection: base (%)"), max_digits=5, decimal_places=2, default=Decimal(2),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The chance that customs open an honestly declared parcel (2 % by default)."),
    )
    inspection_slope_pct = models.DecimalField(
        _("inspection: per share under-declared (%)"), max_digits=6, decimal_places=2, default=Decimal(80),
        validators=[MinValueValidator(0)],
        help_text=_("How much the inspection chance rises with the share of the goods price left undeclared: with 80 "
                    "(the default), declaring half the price adds 40 points."),
    )
    inspection_penalty_pct = models.DecimalField(
        _("under-declaration penalty (%)"), max_digits=6, decimal_places=2, default=Decimal(50),
        validators=[MinValueValidator(0)],
        help_text=_("The penalty on an inspected under-declared parcel, as a share of the duty and VAT it tried to avoid (50 % by default)."),
    )
    inspection_delay_days = models.PositiveSmallIntegerField(
        _("under-declaration delay (days)"), default=5, validators=[MaxValueValidator(60)],
        help_text=_("How many days customs hold an inspected under-declared parcel (5 by default); an honest one is held one day."),
    )
    # Disputes and reviews (practicum II): teaching values a mentor may tune.
    dispute_not_received_pct = models.DecimalField(
        _("dispute: parcel not received (%)"), max_digits=5, decimal_places=2, default=Decimal(40),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The chance that a buyer whose parcel has not arrived a few days after the promised day opens a dispute (40 % by default)."),
    )
    dispute_late_per_day_pct = models.DecimalField(
        _("dispute: per day late (%)"), max_digits=5, decimal_places=2, default=Decimal(4),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How much the chance of a dispute over a late parcel rises with each day late (4 points by default, at most 60 %)."),
    )
    dispute_not_as_described_pct = models.DecimalField(
        _("dispute: not as described (%)"), max_digits=5, decimal_places=2, default=Decimal(2),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The chance that a buyer finds a delivered parcel not as described (2 % by default; higher for parcels customs opened)."),
    )
    dispute_response_days = models.PositiveSmallIntegerField(
        _("days to answer a dispute"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("How many simulated days a store has to answer a dispute before it is resolved for the buyer (3 by default)."),
    )
    review_pct = models.DecimalField(
        _("buyers who review (%)"), max_digits=5, decimal_places=2, default=Decimal(30),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The chance that a buyer leaves a review once the order is completed (30 % by default)."),
    )
    # The practicum grade.
    kpi_weight_pct = models.PositiveSmallIntegerField(
        _("KPI share of the grade (%)"), default=50, validators=[MaxValueValidator(100)],
        help_text=_("How much of the practicum grade the KPI score carries; the mentor's rubric carries the rest (50 % by default; 100 without a rubric)."),
    )
    pass_grade_pct = models.PositiveSmallIntegerField(
        _("pass mark"), default=60, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The practicum grade a team needs to pass, out of 100 (60 by default)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+", help_text=_("The person who posted the project."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the project was posted."))

    class Meta:
        verbose_name = _("practicum project")
        verbose_name_plural = _("practicum projects")
        ordering = ["-starts_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="practicum_project_ends_after_start"),
            models.CheckConstraint(condition=models.Q(starting_capital_minor__gte=0), name="practicum_project_capital_not_negative"),
        ]

    def __str__(self):
        return self.title


class ProjectKpi(Orderable):
    """One measure of a team's result and its weight in the project's score."""

    class Kind(models.TextChoices):
        REVENUE = "revenue", _("Revenue")
        GROSS_PROFIT = "gross_profit", _("Gross profit")
        NET_PROFIT = "net_profit", _("Net profit")
        CONVERSION = "conversion", _("Conversion rate")
        ON_TIME_DELIVERY = "on_time_delivery", _("On-time delivery")
        DECLARATION_ACCURACY = "declaration_accuracy", _("Customs declaration accuracy")
        DISPUTE_RATE = "dispute_rate", _("Dispute rate")
        RATING = "rating", _("Buyer rating")

    project = ParentalKey(
        PracticumProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="kpis",
        help_text=_("The project this KPI measures."),
    )
    kind = models.CharField(_("KPI"), max_length=30, choices=Kind.choices, help_text=_("What is measured."))
    weight_pct = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of the score this KPI carries. The weights of a project add up to 100."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="practicum_project_kpi_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.weight_pct} %"


class ProjectProduct(Orderable):
    """A product of the project's catalogue that the students' stores may buy and sell."""

    project = ParentalKey(
        PracticumProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="products",
        help_text=_("The project whose catalogue lists this product."),
    )
    sku = models.CharField(_("SKU"), max_length=40, help_text=_("The product's code, unique within the project."))
    name = models.CharField(_("name"), max_length=120, help_text=_("The product's name, shown to students."))
    hs_code = models.CharField(_("HS code"), max_length=10, validators=[HS_CODE], help_text=_("The tariff code customs classify the product by, 6 to 10 digits."))
    unit_cost_minor = models.BigIntegerField(
        _("unit cost (fen)"), validators=[MinValueValidator(0)],
        help_text=_("What a store pays the enterprise for one unit, in fen (CNY 12.50 is 1250)."),
    )
    weight_grams = models.PositiveIntegerField(
        _("weight (g)"), validators=[MinValueValidator(1)], help_text=_("The packed weight of one unit in grams."),
    )
    contains_battery = models.BooleanField(
        _("contains a battery"), default=False, help_text=_("Whether the product contains a battery; not every logistics channel takes one."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["project", "sku"], name="practicum_project_sku_once")]

    def __str__(self):
        return f"{self.sku} {self.name}"


class CompetitorListing(Orderable):
    """A fixed competitor's offer of one of the project's products in one of its markets, which
    shoppers of the simulation weigh against the students' listings (`practicum.demand.Listing`)."""

    class Incoterm(models.TextChoices):
        DDP = "DDP", _("DDP: the seller pays duty and VAT")
        DAP = "DAP", _("DAP: the buyer pays duty and VAT at the door")

    project = ParentalKey(
        PracticumProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="competitor_listings",
        help_text=_("The project whose market simulation includes this listing."),
    )
    market = models.CharField(_("market"), max_length=2, help_text=_("The code of one of the project's target markets."))
    sku = models.CharField(_("SKU"), max_length=40, help_text=_("The SKU of one of the project's products."))
    price_minor = models.BigIntegerField(
        _("price (minor units)"), validators=[MinValueValidator(1)],
        help_text=_("What the buyer pays the competitor, in minor units of the currency."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, validators=[CURRENCY_CODE],
        help_text=_("The market's currency as an ISO 4217 code, such as PLN for Poland."),
    )
    rating = models.DecimalField(
        _("rating"), max_digits=3, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("The competitor's rating, from 0 to 5 stars."),
    )
    delivery_days = models.PositiveSmallIntegerField(_("delivery days"), help_text=_("How many days the competitor takes to deliver."))
    incoterm = models.CharField(
        _("Incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.DDP,
        help_text=_("Who pays duty and VAT on import."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("competitor listing")
        verbose_name_plural = _("competitor listings")

    def __str__(self):
        return f"{self.market} {self.sku} {self.price_minor} {self.currency}"


__all__ = ["CompetitorListing", "PracticumProject", "ProjectKpi", "ProjectProduct"]
