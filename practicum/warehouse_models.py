"""Overseas warehouses in the practicum: stock a store ships in bulk from China to a warehouse in
a destination market, and what it holds there (issue "Practicum II", point 1).

A store restocks a warehouse of `warehouses.csv` by an `InboundShipment`: a rail or sea
container (`RAIL_FCL`, `SEA_FCL` of `logistics_channels.csv`, one price per container) carries
units taken from the store's China stock. When it arrives, customs clear it by the
`B2B_STANDARD` rule (no de minimis, duty and VAT on each line's CIF share), the warehouse
charges its inbound handling per kg, and the units join the store's `WarehouseStock` there at
their landed cost (goods, freight share, duty, VAT and handling: IAS 2.11, the costs of purchase
include import duties, transport and handling). From then on the warehouse charges storage per
kg per day, and orders of listings that ship from it go by the warehouse's last mile
(`WH_LASTMILE`) with no customs at the door: the duties were paid at inbound.

Money is an integer of minor units: fen for what the store pays in CNY, the market currency's
minor unit for duty and VAT. Days are simulated days. The writes are
`practicum.warehouse_services`.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CURRENCY_CODE


class WarehouseStock(models.Model):
    """A product's stock in one of the store's overseas warehouses. As `StockItem`: `allocated`
    units are promised to orders not yet shipped, and never more than are on hand."""

    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="warehouse_stock", help_text=_("The store that owns the stock."))
    warehouse = models.CharField(_("warehouse"), max_length=20,
                                 help_text=_("The code of the overseas warehouse (warehouses.csv), such as WH-PL-POZ."))
    product = models.ForeignKey("practicum.ProjectProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+", help_text=_("The catalogue product."))
    on_hand = models.PositiveIntegerField(_("on hand"), default=0, help_text=_("Units in the warehouse."))
    allocated = models.PositiveIntegerField(_("allocated"), default=0, help_text=_("Units promised to orders not yet shipped."))
    cost_minor = models.BigIntegerField(
        _("landed cost of stock on hand (fen)"), default=0, validators=[MinValueValidator(0)],
        help_text=_("What the units on hand cost delivered into the warehouse (goods, freight, duty, VAT, handling), in fen."))

    class Meta:
        verbose_name = _("warehouse stock")
        verbose_name_plural = _("warehouse stock")
        ordering = ["store", "warehouse", "product__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "warehouse", "product"], name="practicum_warehouse_stock_once"),
            models.CheckConstraint(condition=models.Q(allocated__lte=models.F("on_hand")),
                                   name="practicum_warehouse_stock_never_oversold"),
            models.CheckConstraint(condition=models.Q(cost_minor__gte=0), name="practicum_warehouse_stock_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.warehouse} {self.product.sku}: {self.on_hand} ({self.allocated})"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class InboundShipment(models.Model):
    """A container of the store's stock on its way from China to an overseas warehouse."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Cleared and received")

    store = models.ForeignKey("practicum.Store", verbose_name=_("store"), on_delete=models.CASCADE,
                              related_name="inbound_shipments", help_text=_("The store that ships its stock."))
    number = models.CharField(_("number"), max_length=40, help_text=_("The inbound shipment's number in the store."))
    warehouse = models.CharField(_("warehouse"), max_length=20, help_text=_("The code of the destination warehouse."))
    market = models.CharField(_("market"), max_length=2, help_text=_("The market the warehouse is in."))
    channel = models.CharField(_("channel"), max_length=30,
                               help_text=_("The container channel, rail or sea (RAIL_FCL, SEA_FCL)."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_TRANSIT,
                              help_text=_("Where the container is."))
    shipped_on = models.DateField(_("shipped on"), help_text=_("The simulated day the container left China."))
    transit_days = models.PositiveSmallIntegerField(_("transit days"),
                                                    help_text=_("The days in transit drawn within the channel's range."))
    arrives_on = models.DateField(_("arrives on"), help_text=_("The simulated day the container reaches the warehouse."))
    received_on = models.DateField(_("received on"), null=True, blank=True,
                                   help_text=_("The simulated day customs cleared it and the warehouse took the stock in."))
    weight_grams = models.PositiveBigIntegerField(_("weight (g)"), help_text=_("The goods' total weight in grams."))
    freight_minor = models.BigIntegerField(_("freight (fen)"), validators=[MinValueValidator(0)],
                                           help_text=_("The container's price by the channel's tariff, in fen."))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE],
                                help_text=_("The market's currency, which duty and VAT are assessed in."))
    duty_minor = models.BigIntegerField(_("duty (minor units)"), default=0, validators=[MinValueValidator(0)],
                                        help_text=_("The import duty assessed at inbound, in minor units of the currency."))
    vat_minor = models.BigIntegerField(_("VAT (minor units)"), default=0, validators=[MinValueValidator(0)],
                                       help_text=_("The import VAT or GST assessed at inbound, in minor units of the currency."))
    handling_minor = models.BigIntegerField(_("inbound handling (fen)"), default=0, validators=[MinValueValidator(0)],
                                            help_text=_("What the warehouse charged to take the stock in, in fen."))
    refs = models.JSONField(_("reference rows"), default=list, blank=True,
                            help_text=_("The reference rows the freight, clearance and handling used."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", help_text=_("The student who shipped it."))

    class Meta:
        verbose_name = _("inbound shipment")
        verbose_name_plural = _("inbound shipments")
        ordering = ["store", "-shipped_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["store", "number"], name="practicum_inbound_number_once")]
        indexes = [models.Index(fields=["status", "arrives_on"])]

    def __str__(self):
        return self.number


class InboundLine(models.Model):
    """One product's units in an inbound container, with its share of the freight and its own
    duty and VAT under `B2B_STANDARD`."""

    inbound = models.ForeignKey(InboundShipment, verbose_name=_("inbound shipment"), on_delete=models.CASCADE,
                                related_name="lines", help_text=_("The container the units are in."))
    product = models.ForeignKey("practicum.ProjectProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+", help_text=_("The catalogue product."))
    quantity = models.PositiveIntegerField(_("units"), validators=[MinValueValidator(1)], help_text=_("How many units."))
    weight_grams = models.PositiveBigIntegerField(_("weight (g)"), help_text=_("The line's weight in grams."))
    goods_cost_minor = models.BigIntegerField(_("cost of goods (fen)"), validators=[MinValueValidator(0)],
                                              help_text=_("The units' average cost when they left the China stock, in fen."))
    freight_share_minor = models.BigIntegerField(_("freight share (fen)"), default=0, validators=[MinValueValidator(0)],
                                                 help_text=_("The line's share of the freight by weight, in fen."))
    duty_minor = models.BigIntegerField(_("duty (minor units)"), default=0, validators=[MinValueValidator(0)],
                                        help_text=_("The line's import duty, in minor units of the market's currency."))
    vat_minor = models.BigIntegerField(_("VAT (minor units)"), default=0, validators=[MinValueValidator(0)],
                                       help_text=_("The line's import VAT, in minor units of the market's currency."))
    handling_minor = models.BigIntegerField(_("handling (fen)"), default=0, validators=[MinValueValidator(0)],
                                            help_text=_("The line's inbound handling, in fen."))
    landed_cost_minor = models.BigIntegerField(
        _("landed cost (fen)"), default=0, validators=[MinValueValidator(0)],
        help_text=_("Goods, freight share, duty and VAT in CNY and handling: what the units add to the warehouse stock."))
    lines = models.JSONField(_("breakdown"), default=list, blank=True,
                             help_text=_("The customs engine's lines for the clearance, as the calculator shows them."))

    class Meta:
        verbose_name = _("inbound line")
        verbose_name_plural = _("inbound lines")
        ordering = ["inbound", "pk"]
        constraints = [models.UniqueConstraint(fields=["inbound", "product"], name="practicum_inbound_product_once")]

    def __str__(self):
        return f"{self.product.sku} × {self.quantity}"


__all__ = ["InboundLine", "InboundShipment", "WarehouseStock"]
