"""Reads of the reference data. `rows_in_force` is the one place that decides which row applies
on a day; everything else (the calculator, the command, the simulation) goes through it."""

import re
from datetime import date

from django.utils.translation import gettext as _

from .customs import Consignment, DutyRateRow, FxRow, MarketRow, landed_cost
from .logistics import ChannelRow, channels_compare
from .models import DutyRate, FxRate, LogisticsChannel, Market, SampleProduct, Warehouse
from .money import from_minor


class ReferenceDataMissing(LookupError):
    """No row of a reference table is in force on the day asked for."""


def rows_in_force(model, *, day: date, **filters):
    """The row in force on `day` for each key of `model` (its `REFERENCE_KEY`) among the rows
    matching `filters`: the one with the latest `effective_from` on or before the day."""
    rows = model.objects.filter(effective_from__lte=day, **filters).order_by(*model.REFERENCE_KEY, "-effective_from")
    in_force = {}
    for row in rows:
        in_force.setdefault(tuple(getattr(row, field) for field in model.REFERENCE_KEY), row)
    return in_force


def row_in_force(model, *, day: date, **key):
    """The single row in force on `day` for a full key; a clear error when there is none."""
    rows = rows_in_force(model, day=day, **key)
    if not rows:
        described = ", ".join(f"{field} {value}" for field, value in key.items())
        raise ReferenceDataMissing(
            _("No %(table)s row for %(key)s is in force on %(day)s.") % {
                "table": model._meta.verbose_name, "key": described, "day": day.isoformat()}
        )
    (row,) = rows.values()
    return row


def markets_in_force(*, day: date):
    return sorted(rows_in_force(Market, day=day).values(), key=lambda m: m.iso2)


def channels_in_force(*, day: date):
    return sorted(rows_in_force(LogisticsChannel, day=day).values(), key=lambda c: (c.first_price_cny_minor, c.code))


def warehouses_in_force(*, day: date):
    return sorted(rows_in_force(Warehouse, day=day).values(), key=lambda w: w.code)


def sample_products_in_force(*, day: date, query: str = ""):
    """Sample products, optionally matching a query on the SKU, the HS code or either name."""
    products = sorted(rows_in_force(SampleProduct, day=day).values(), key=lambda p: p.sku)
    query = query.strip().casefold()
    if query:
        products = [p for p in products if query in p.sku.casefold() or p.hs_code.startswith(query.replace(".", ""))
                    or query in p.name_en.casefold() or query in p.name_zh.casefold()]
    return products


def duty_rates_in_force(*, market: str, day: date):
    return list(rows_in_force(DutyRate, day=day, market=market).values())


def fx_in_force(*, day: date):
    return rows_in_force(FxRate, day=day)


def market_row(market: Market):
    """A market row as the customs engine's plain value."""

    def money(minor, currency):
        return None if minor is None else from_minor(minor, currency or market.currency)

    return MarketRow(
        iso2=market.iso2, name=market.name, currency=market.currency, rule=market.rule,
        vat_rate_pct=market.vat_rate_pct,
        deminimis=money(market.deminimis_minor, market.deminimis_ccy), deminimis_ccy=market.deminimis_ccy,
        weight_limit_kg=market.weight_limit_kg,
        flat_duty_per_line=money(market.flat_duty_per_line_minor, market.flat_duty_ccy), flat_duty_ccy=market.flat_duty_ccy,
        excess_rate_pct=market.excess_rate_pct,
        over_weight_per_kg=money(market.over_weight_per_kg_minor, market.over_weight_ccy), over_weight_ccy=market.over_weight_ccy,
        effective_from=market.effective_from, source=market.source or market.notes, ref=market.ref,
    )


class ReferenceDay:
    """The reference rows in force on one day, loaded once (four queries) for the engines' plain
    values: what the simulation prices every listing of a day with, so that it and the
    calculator apply the same rows. `markets` limits the markets (and duty rates) loaded."""

    def __init__(self, *, day: date, markets=None):
        self.day = day
        filters = {} if markets is None else {"iso2__in": [m.upper() for m in markets]}
        self.markets = {iso2: row for (iso2,), row in rows_in_force(Market, day=day, **filters).items()}
        duty_filters = {} if markets is None else {"market__in": list(self.markets)}
        self.duty_rates: dict[str, list[DutyRateRow]] = {}
        for row in rows_in_force(DutyRate, day=day, **duty_filters).values():
            self.duty_rates.setdefault(row.market, []).append(DutyRateRow(
                market=row.market, hs_prefix=row.hs_prefix, duty_rate_pct=row.duty_rate_pct,
                effective_from=row.effective_from, notes=row.notes, ref=row.ref))
        self.fx = {
            currency: FxRow(currency=r.currency, cny_per_unit=r.cny_per_unit, effective_from=r.effective_from, ref=r.ref)
            for (currency,), r in fx_in_force(day=day).items()
        }
        self._channels = None

    @property
    def channels(self) -> dict[str, ChannelRow]:
        """The logistics channels in force, by code (loaded on first use)."""
        if self._channels is None:
            self._channels = {c.code: channel_row(c) for c in channels_in_force(day=self.day)}
        return self._channels

    def market(self, iso2: str) -> Market:
        try:
            return self.markets[iso2.upper()]
        except KeyError:
            raise ReferenceDataMissing(
                _("No %(table)s row for %(key)s is in force on %(day)s.") % {
                    "table": Market._meta.verbose_name, "key": f"iso2 {iso2.upper()}", "day": self.day.isoformat()}
            ) from None

    def consignment(self, *, market: str, hs_code: str, goods_value, goods_currency: str, weight_kg, shipping,
                    shipping_currency: str, incoterm: str, hs_codes=(), rule_override=None) -> Consignment:
        """The customs engine's input for one consignment on the day."""
        market_model = self.market(market)
        return Consignment(
            market=market_row(market_model), duty_rates=list(self.duty_rates.get(market_model.iso2, ())), fx=self.fx,
            hs_code=hs_code, goods_value=goods_value, goods_currency=goods_currency.upper(), weight_kg=weight_kg,
            shipping=shipping, shipping_currency=shipping_currency.upper(), incoterm=incoterm.upper(), day=self.day,
            hs_codes=tuple(hs_codes), rule_override=rule_override,
        )


def consignment_for(*, market: str, hs_code: str, goods_value, goods_currency: str, weight_kg, shipping,
                    shipping_currency: str, incoterm: str, day: date, hs_codes=(), rule_override=None):
    """Gather the rows in force on `day` and build the engine's input for one consignment."""

    return ReferenceDay(day=day, markets=[market]).consignment(
        market=market, hs_code=hs_code, goods_value=goods_value, goods_currency=goods_currency, weight_kg=weight_kg,
        shipping=shipping, shipping_currency=shipping_currency, incoterm=incoterm, hs_codes=hs_codes,
        rule_override=rule_override,
    )


def landed_cost_on(**kwargs):
    """The engine's breakdown for one consignment on a day (see `consignment_for`)."""

    return landed_cost(consignment_for(**kwargs))


def channel_row(channel: LogisticsChannel):
    """A logistics channel row as the tariff module's plain value."""

    return ChannelRow(
        code=channel.code, name=channel.name, kind=channel.kind, markets=frozenset(channel.markets.split()),
        transit_days_min=channel.transit_days_min, transit_days_max=channel.transit_days_max,
        first_weight_g=channel.first_weight_g, first_price_cny=from_minor(channel.first_price_cny_minor, "CNY"),
        step_g=channel.step_g, step_price_cny=from_minor(channel.step_price_cny_minor, "CNY"),
        max_weight_g=channel.max_weight_g, ddp_capable=channel.ddp_capable, batteries_allowed=channel.batteries_allowed,
        loss_rate_pct=channel.loss_rate_pct, effective_from=channel.effective_from, notes=channel.notes, ref=channel.ref,
    )


def channel_quotes_on(*, day: date, market: str, weight_g: int, has_battery: bool, incoterm: str, kinds=None):
    """Every channel in force on `day` (of the given kinds, if any) quoted for one parcel, side
    by side (available first)."""

    channels = [c for c in channels_in_force(day=day) if kinds is None or c.kind in kinds]
    return channels_compare([channel_row(c) for c in channels], market=market.upper(),
                            weight_g=weight_g, has_battery=has_battery, incoterm=incoterm.upper())


PUBLIC_REFERENCE_TABLES = {
    "market": Market, "dutyrate": DutyRate, "fxrate": FxRate,
    "logisticschannel": LogisticsChannel, "warehouse": Warehouse, "sampleproduct": SampleProduct,
}
# Which currency each minor-unit column is in (a field name, or a fixed code).
MINOR_UNIT_CURRENCY = {
    "deminimis_minor": "deminimis_ccy", "flat_duty_per_line_minor": "flat_duty_ccy",
    "over_weight_per_kg_minor": "over_weight_ccy",
}


def reference_row_detail(*, table: str, pk: int):
    """A reference row for the public page a citation links to: its fields as (label, value),
    money in major units, and every dated row of the same key (its history). None if unknown."""

    model = PUBLIC_REFERENCE_TABLES.get(table)
    row = model.objects.filter(pk=pk).first() if model else None
    if row is None:
        return None
    fields = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in ("source", "notes"):
            continue
        value = getattr(row, field.name)
        if field.name.endswith("_minor") or "_minor_" in field.name:
            currency = getattr(row, MINOR_UNIT_CURRENCY[field.name], "") if field.name in MINOR_UNIT_CURRENCY else "CNY"
            currency = currency or getattr(row, "currency", "CNY")
            # Shown in major units, so the "(minor units)" / "(fen)" part of the label goes.
            label = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", str(field.verbose_name))
            value = "" if value is None else f"{from_minor(value, currency)} {currency}"
            fields.append((label, value))
            continue
        if field.choices:
            value = getattr(row, f"get_{field.name}_display")()
        fields.append((str(field.verbose_name), "" if value is None else value))
    key = {name: getattr(row, name) for name in model.REFERENCE_KEY}
    history = list(model.objects.filter(**key).order_by("-effective_from"))
    return {"row": row, "table": model._meta.verbose_name, "fields": fields, "history": history, "table_code": table}
