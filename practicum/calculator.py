"""The landed-cost calculator's read: one parcel to one market on one day, its breakdown by the
customs engine and the logistics channels compared side by side.

It combines `practicum.customs` (the rules of data/reference/README.md, "Landed-cost rules") and
`practicum.logistics` (the channel tariffs of logistics_channels.csv) through the selectors, the
same way `manage.py landed_cost` does, so the page and the command agree figure for figure. When
the shipping cost comes from a channel, the channel's tariff price in CNY is the engine's
shipping input, exactly as if it had been typed in CNY.

Every figure carries citations of the reference rows it used, resolved from the rows already read
for the day, so the number of queries does not grow with the number of rows.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import ceil

from django.db.models import Min
from django.urls import reverse

from .customs import PIVOT_CURRENCY, LandedCost
from .logistics import Quote
from .models import FxRate, LogisticsChannel, Market
from .money import quantize
from .selectors import (
    ReferenceDataMissing,
    channel_quotes_on,
    channels_in_force,
    duty_rates_in_force,
    fx_in_force,
    landed_cost_on,
    markets_in_force,
    sample_products_in_force,
)

# A single parcel goes by post, a dedicated line or express; rail and sea containers and the
# overseas warehouses' last mile are for stock shipped in bulk (the practicum's warehouses).
PARCEL_CHANNEL_KINDS = frozenset({"postal", "line", "express"})

SHIPPING_CHANNEL = "channel"
SHIPPING_OWN = "own"

# The Wagtail admin viewset of each reference table (practicum/wagtail_hooks.py).
ADMIN_VIEWSETS = {
    "market": "reference-markets",
    "dutyrate": "reference-duty-rates",
    "fxrate": "reference-fx-rates",
    "logisticschannel": "reference-channels",
}


@dataclass(frozen=True)
class ReferenceOnDay:
    """The rows in force on a day that the calculator's form offers as choices."""

    day: date
    markets: tuple[Market, ...]
    fx: dict[str, FxRate]
    channels: tuple[LogisticsChannel, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted(self.fx))

    def market(self, iso2: str) -> Market | None:
        return next((m for m in self.markets if m.iso2 == iso2), None)

    def channel(self, code: str) -> LogisticsChannel | None:
        return next((c for c in self.channels if c.code == code), None)


def reference_on(*, day: date) -> ReferenceOnDay:
    """Markets, FX rows and channels in force on `day` (three queries)."""
    return ReferenceOnDay(
        day=day,
        markets=tuple(markets_in_force(day=day)),
        fx={currency: row for (currency,), row in fx_in_force(day=day).items()},
        channels=tuple(c for c in channels_in_force(day=day) if c.kind in PARCEL_CHANNEL_KINDS),
    )


def products_matching(*, day: date, query: str):
    """Sample products in force matching the query (SKU, HS code or either name); none for an
    empty query."""
    return sample_products_in_force(day=day, query=query) if query.strip() else []


def earliest_reference_day() -> date | None:
    """The first day any market rule is in force, for the error on an earlier day."""
    return Market.objects.aggregate(first=Min("effective_from"))["first"]


@dataclass(frozen=True)
class Citation:
    """A reference row as a reader can find it: table, key, first day, source and the admin's
    inspect page (shown to staff only)."""

    ref: str
    table: str
    key: str
    effective_from: date
    source: str
    admin_url: str
    public_url: str


@dataclass(frozen=True)
class BreakdownLine:
    """One line of the landed cost in the market's currency and in CNY, with how it was found."""

    code: str
    label: str
    amount: Decimal
    currency: str
    amount_cny: Decimal
    formula: str
    cny_formula: str
    rule: str
    source: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class ChannelOption:
    """A channel's quote for the parcel, its price also in the market's currency."""

    quote: Quote
    price_market: Decimal | None
    chosen: bool


@dataclass(frozen=True)
class Calculation:
    market: Market
    currency: str
    incoterm: str
    day: date
    shipping_mode: str
    chosen: ChannelOption | None
    options: tuple[ChannelOption, ...]
    landed: LandedCost | None = None
    lines: tuple[BreakdownLine, ...] = field(default=())

    @property
    def refused(self) -> bool:
        """The chosen channel will not carry the parcel, so there is no shipping cost to add."""
        return self.chosen is not None and not self.chosen.quote.available

    @property
    def total(self) -> BreakdownLine | None:
        return next((line for line in self.lines if line.code == "total"), None)


def calculate(*, reference: ReferenceOnDay, market: str, hs_code: str, goods_value: Decimal, goods_currency: str,
              weight_kg: Decimal, has_battery: bool, incoterm: str, shipping_mode: str, channel: str = "",
              shipping: Decimal | None = None, shipping_currency: str = "") -> Calculation:
    """The breakdown and the channel comparison for one parcel on `reference.day`.

    With `shipping_mode` "channel" the shipping cost is the channel's tariff price in CNY; when the
    channel refuses the parcel (a battery on a postal channel, DDP on a channel that cannot clear
    customs, ...) there is no breakdown, only the comparison with the reasons. Raises the engine's
    CustomsInputError or ReferenceDataMissing on input the rules cannot be applied to.
    """
    day = reference.day
    market_row = reference.market(market)
    if market_row is None:
        raise ReferenceDataMissing(f"No market row for {market} is in force on {day.isoformat()}.")
    weight_g = max(1, ceil(weight_kg * 1000))
    quotes = channel_quotes_on(day=day, market=market, weight_g=weight_g, has_battery=has_battery, incoterm=incoterm,
                               kinds=PARCEL_CHANNEL_KINDS)
    rates = {currency: Fraction(row.cny_per_unit) for currency, row in reference.fx.items()}
    options = tuple(
        ChannelOption(quote=q, price_market=_convert(q.price_cny, market_row.currency, rates, day), chosen=shipping_mode == SHIPPING_CHANNEL and q.channel == channel)
        for q in quotes
    )
    chosen = next((o for o in options if o.chosen), None)
    if shipping_mode == SHIPPING_CHANNEL:
        if chosen is None:
            raise ReferenceDataMissing(f"No logistics channel {channel} is in force on {day.isoformat()}.")
        if not chosen.quote.available:
            return Calculation(market=market_row, currency=market_row.currency, incoterm=incoterm, day=day,
                               shipping_mode=shipping_mode, chosen=chosen, options=options)
        shipping, shipping_currency = chosen.quote.price_cny, PIVOT_CURRENCY
    landed = landed_cost_on(market=market, hs_code=hs_code, goods_value=goods_value, goods_currency=goods_currency,
                            weight_kg=weight_kg, shipping=shipping, shipping_currency=shipping_currency,
                            incoterm=incoterm, day=day)
    citations = _citations(reference, market=market)
    lines = []
    for line, cny in zip(landed.lines, landed.in_cny, strict=True):
        refs = cny.refs
        formula = line.formula
        if line.code == "shipping" and chosen is not None:
            refs = (chosen.quote.ref, *refs)
            formula = f"{chosen.quote.name} tariff: {chosen.quote.price_formula}; {formula}"
        lines.append(BreakdownLine(
            code=line.code, label=line.label, amount=line.amount, currency=line.currency, amount_cny=cny.amount,
            formula=formula, cny_formula=cny.formula, rule=line.rule, source=line.source,
            citations=tuple(citations[ref] for ref in refs if ref in citations),
        ))
    return Calculation(market=market_row, currency=market_row.currency, incoterm=incoterm, day=day,
                       shipping_mode=shipping_mode, chosen=chosen, options=options, landed=landed, lines=tuple(lines))


def _convert(amount_cny: Decimal | None, currency: str, rates: dict[str, Fraction], day: date) -> Decimal | None:
    """A CNY price in another currency through the FX row in force, rounded half-up (README step 1)."""
    if amount_cny is None:
        return None
    if currency not in rates:
        raise ReferenceDataMissing(f"No FX rate row for currency {currency} is in force on {day.isoformat()}.")
    return quantize(Fraction(amount_cny) * rates.get(PIVOT_CURRENCY, Fraction(1)) / rates[currency], currency)


def _citations(reference: ReferenceOnDay, *, market: str) -> dict[str, Citation]:
    rows = [*reference.markets, *reference.fx.values(), *reference.channels,
            *duty_rates_in_force(market=market, day=reference.day)]
    return {row.ref: citation(row) for row in rows}


def citation(row) -> Citation:
    """How a reference row is shown next to a figure it was used for."""
    model_name = row._meta.model_name
    key = " · ".join(str(getattr(row, name)) for name in row.REFERENCE_KEY)
    viewset = ADMIN_VIEWSETS.get(model_name)
    return Citation(
        ref=row.ref, table=str(row._meta.verbose_name), key=key, effective_from=row.effective_from,
        source=row.source, admin_url=reverse(f"{viewset}:inspect", args=[row.pk]) if viewset else "",
        public_url=reverse("reference_row", args=[model_name, row.pk]),
    )

