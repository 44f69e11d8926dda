"""Parcels shipped from the China warehouse, their tracking and their customs declarations
(issue "Practicum II", points 1 to 3).

One `Shipment` per shipped order: the channel it went by, its weight and tariff, the transit days
drawn from the run's seed, the promised and expected delivery days, whether it is lost (drawn
with the channel's `loss_rate_pct`) and where it is (`Shipment.Status`, moved only by
`practicum.shipment_services` through its transition table `SHIPMENT_TRANSITIONS`).
`TrackingEvent` rows are the stages the seed describes: label → consolidation and inspection at
the international centre → export → destination customs → last mile → delivered (or lost, or
refused at the door and returned to the warehouse).

One `CustomsDeclaration` per parcel: what the store declared (HS code, value and currency,
IOSS, Incoterm) when the parcel left, and what the trade-rules engine assessed on the day the
parcel reached destination customs (`practicum.customs.landed_cost`: customs value, duty and
VAT in the market's currency, the rule and the reference rows used, the breakdown lines as the
calculator shows them), whether customs inspected it, found it under-declared, and the penalty.

Money is an integer of minor units: fen for the tariff and the cost of goods, the market
currency's minor unit (`CustomsDeclaration.currency`) for the customs figures. Days are
simulated days.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CURRENCY_CODE
from .run_models import Incoterm


class Shipment(models.Model):
    """A shopper's order on its way from the China warehouse, by a parcel channel."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Cleared customs, out for delivery")
        DELIVERED = "delivered", _("Delivered")
        LOST = "lost", _("Lost")
        RETURNING = "returning", _("Refused, on its way back")
        RETURNED = "returned", _("Returned to the warehouse")

    order = models.OneToOneField("practicum.Order", verbose_name=_("order"), on_delete=models.CASCADE,
                                 related_name="shipment", help_text=_("The order the parcel carries."))
    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="shipments", help_text=_("The store that shipped the parcel."))
    channel = models.CharField(_("logistics channel"), max_length=30, help_text=_("The code of the channel the parcel went by."))
    weight_grams = models.PositiveIntegerField(_("weight (g)"), help_text=_("The parcel's packed weight in grams."))
    tariff_minor = models.BigIntegerField(_("tariff (fen)"), default=0, validators=[MinValueValidator(0)],
                                          help_text=_("What the carrier charges for the parcel, in fen."))
    cost_of_goods_minor = models.BigIntegerField(
        _("cost of goods (fen)"), default=0, validators=[MinValueValidator(0)],
        help_text=_("The average cost of the units in the parcel when it left, in fen; what returns to stock if it comes back."))
    transit_days = models.PositiveSmallIntegerField(_("transit days"), help_text=_("The days in transit drawn within the channel's range."))
    shipped_on = models.DateField(_("shipped on"), help_text=_("The simulated day the parcel left the warehouse."))
    customs_on = models.DateField(_("at customs on"), help_text=_("The simulated day the parcel reaches destination customs."))
    promised_on = models.DateField(_("promised for"), help_text=_("The delivery day the listing promised the shopper."))
    expected_on = models.DateField(_("expected on"), help_text=_("The day the parcel is expected at the door, delays included."))
    return_due_on = models.DateField(_("back on"), null=True, blank=True,
                                     help_text=_("The day a refused parcel is back in the warehouse."))
    lost = models.BooleanField(_("lost"), default=False,
                               help_text=_("Whether the parcel is lost on the way (drawn with the channel's loss rate); a lost parcel never arrives."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_TRANSIT,
                              help_text=_("Where the parcel is."))

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["store", "shipped_on", "pk"]
        indexes = [models.Index(fields=["store", "status"]), models.Index(fields=["status", "customs_on"])]

    def __str__(self):
        return f"{self.channel} · {self.order_id}"


class TrackingEvent(models.Model):
    """One stage of a parcel's journey, on its simulated day (append-only)."""

    class Stage(models.TextChoices):
        LABEL = "label", _("Label created")
        CONSOLIDATION = "consolidation", _("Consolidated and inspected at the international centre")
        EXPORT = "export", _("Exported")
        CUSTOMS = "customs", _("At destination customs")
        INSPECTION = "inspection", _("Inspected by customs")
        LAST_MILE = "last_mile", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        LOST = "lost", _("Lost")
        REFUSED = "refused", _("Refused at the door")
        RETURNED = "returned", _("Back in the warehouse")

    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="events",
                                 help_text=_("The parcel tracked."))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, help_text=_("What happened to the parcel."))
    day = models.DateField(_("simulated day"), help_text=_("The simulated day of the stage."))
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("What the carrier or customs say, in a sentence."))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["shipment", "day", "pk"]

    def __str__(self):
        return f"{self.day} {self.stage}"


class CustomsDeclaration(models.Model):
    """What the store declared for a parcel and what customs assessed on the day it arrived."""

    shipment = models.OneToOneField(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="declaration",
                                    help_text=_("The parcel declared."))
    hs_code = models.CharField(_("HS code"), max_length=10, help_text=_("The tariff code declared for the goods."))
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True,
                                help_text=_("Every HS code of the parcel's lines, the first one first."))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE],
                                help_text=_("The market's currency, which the values and the assessment are in."))
    declared_value_minor = models.BigIntegerField(_("declared value (minor units)"), validators=[MinValueValidator(0)],
                                                  help_text=_("The goods value the store declared, in minor units of the currency."))
    goods_value_minor = models.BigIntegerField(
        _("goods value paid (minor units)"), validators=[MinValueValidator(0)],
        help_text=_("The goods price the buyer paid (shipping excluded): the true value customs may find on inspection."))
    ioss = models.BooleanField(_("IOSS"), default=False,
                               help_text=_("Whether the store collected EU VAT at checkout under IOSS (an EU_IOSS market, DDP)."))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices, help_text=_("Who pays duty and VAT."))
    cleared_on = models.DateField(_("assessed on"), null=True, blank=True,
                                  help_text=_("The simulated day customs assessed the parcel; empty until it reaches customs."))
    rule = models.CharField(_("customs rule"), max_length=30, blank=True, help_text=_("The market's rule the engine applied."))
    customs_value_minor = models.BigIntegerField(_("customs value (minor units)"), default=0,
                                                 help_text=_("The rule's duty base, in minor units of the currency."))
    duty_minor = models.BigIntegerField(_("duty (minor units)"), default=0, help_text=_("The import duty assessed."))
    vat_minor = models.BigIntegerField(_("VAT (minor units)"), default=0, help_text=_("The import VAT or GST assessed."))
    refs = models.JSONField(_("reference rows"), default=list, blank=True,
                            help_text=_("The reference rows the assessment used."))
    lines = models.JSONField(_("breakdown"), default=list, blank=True,
                             help_text=_("The engine's landed-cost lines (rule, formula, source, rows), as the calculator shows them."))
    inspected = models.BooleanField(_("inspected"), default=False, help_text=_("Whether customs opened the parcel."))
    under_declared = models.BooleanField(_("under-declared"), default=False,
                                         help_text=_("Whether the declared value is below the goods price the buyer paid."))
    difference_minor = models.BigIntegerField(
        _("duty and VAT difference (minor units)"), default=0,
        help_text=_("The duty and VAT on the true value above those on the declared value, when an inspection found it."))
    penalty_minor = models.BigIntegerField(_("penalty (minor units)"), default=0,
                                           help_text=_("The penalty customs charged the store for under-declaring."))
    door_fees_minor = models.BigIntegerField(_("door fees (minor units)"), default=0,
                                             help_text=_("The duty and VAT the buyer is asked for at the door under DAP."))
    refused = models.BooleanField(_("refused"), default=False, help_text=_("Whether the buyer refused the parcel at the door."))

    class Meta:
        verbose_name = _("customs declaration")
        verbose_name_plural = _("customs declarations")
        ordering = ["shipment"]

    def __str__(self):
        return f"{self.hs_code} {self.declared_value_minor} {self.currency}"


__all__ = ["CustomsDeclaration", "Shipment", "TrackingEvent"]
