"""Reads of a store's overseas warehouses page (`practicum.warehouse_views`): the warehouses in
force for the project's markets, the container channels, the store's stock per warehouse, its
containers with their lines, its China stock and what it owes. A fixed number of queries,
whatever the number of containers and lines."""

from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Prefetch

from .ledger import AccountCode
from .logistics import ChannelRow
from .models import Warehouse
from .project_models import ProjectProduct
from .run_models import StockItem, Store
from .selectors import ReferenceDay, channel_row, channels_in_force
from .warehouse_models import InboundLine, InboundShipment, WarehouseStock
from .warehouse_services import CONTAINER_KINDS, LASTMILE_CHANNEL, store_payables, warehouses_on

INBOUNDS_SHOWN = 30


@dataclass(frozen=True)
class WarehousesPage:
    day: date
    warehouses: list[Warehouse]
    channels: list[ChannelRow]
    products: list[ProjectProduct]
    china: dict[int, StockItem]  # by product id
    stock: list[WarehouseStock]
    inbounds: list[InboundShipment]
    owed: dict[tuple[str, str], int]  # (payable code, currency): amount owed
    available_minor: int


def store_warehouses(*, store: Store) -> WarehousesPage:
    """Everything the warehouses page shows, on the run's day in progress (eight queries)."""
    run = store.run
    day = run.current_date
    markets = run.project.target_markets or []
    warehouses = list(warehouses_on(day=day, markets=markets).values())
    served = {w.market for w in warehouses}
    channels = [channel_row(c) for c in channels_in_force(day=day) if c.kind in CONTAINER_KINDS]
    channels = [c for c in channels if any(c.serves(m) for m in served)]
    products = list(run.project.products.all())
    china = {item.product_id: item for item in StockItem.objects.filter(store=store)}
    stock = list(WarehouseStock.objects.filter(store=store).select_related("product")
                 .order_by("warehouse", "product__sort_order", "pk"))
    inbounds = list(InboundShipment.objects.filter(store=store).order_by("-shipped_on", "-number")
                    .prefetch_related(Prefetch("lines", queryset=InboundLine.objects.select_related("product").order_by("pk")))
                    [:INBOUNDS_SHOWN])
    owed = store_payables(run=run, stores=[store])[store.key]
    available = owed.pop((AccountCode.STORE_AVAILABLE.value, "CNY"), 0)
    return WarehousesPage(day=day, warehouses=warehouses, channels=channels, products=products, china=china, stock=stock,
                          inbounds=inbounds, owed=owed, available_minor=available)


def warehouse_listing_preview(preview, *, store: Store, reference: ReferenceDay, warehouse: str):
    """A listing's preview (`store_selectors.listing_preview`) as it ships from `warehouse`: the
    terms shoppers see (`simulation.listing_terms` with the warehouse: the last mile's tariff, no
    duty, VAT or door fees) and the margin on the landed unit cost of the store's stock there
    (the catalogue cost while it has none)."""
    from .simulation import listing_terms  # the simulation imports the warehouse services

    product = preview.product
    terms = listing_terms(reference=reference, market=preview.market, hs_code=product.hs_code,
                          price_minor=preview.price_minor, declared_minor=preview.declared_minor,
                          weight_g=product.weight_grams, has_battery=product.contains_battery, incoterm="DDP",
                          channel=LASTMILE_CHANNEL, warehouse=warehouse)
    held = WarehouseStock.objects.filter(store=store, warehouse=warehouse, product=product, on_hand__gt=0).first()
    unit_cost = held.cost_minor // held.on_hand if held is not None else preview.unit_cost_minor
    margin = preview.revenue_cny_minor - preview.fee_cny_minor - unit_cost - terms.shipping_cny_minor
    return replace(preview, terms=terms, incoterm="DDP", unit_cost_minor=unit_cost,
                   shipping_cny_minor=terms.shipping_cny_minor, taxes_cny_minor=0, margin_minor=margin)


__all__ = ["WarehousesPage", "store_warehouses", "warehouse_listing_preview"]
