"""Shipping quotes from China: what a parcel (or a container) costs on each logistics channel, how
long it takes, and whether the channel takes it at all.

The tariff and the limits come from data/reference/README.md ("logistics_channels.csv") and the
rows of logistics_channels.csv (teaching values, in CNY): price = `first_price_cny` +
ceil((weight − `first_weight_g`) / `step_g`) × `step_price_cny` above the first weight, and with
`step_g` 0 one price up to `max_weight_g`, as for a 40 ft container. A channel refuses a parcel
over its maximum weight, a battery when it does not carry them (the postal channels' rule),
a market it does not serve (`*` serves all), and DDP when it cannot clear customs for the
seller. Refusals are part of the answer, not exceptions, because a comparison table shows every
channel with the reason it is out.

Pure functions over plain values: the selectors build `ChannelRow` from the row in force.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from practicum.money import quantize

CURRENCY = "CNY"
INCOTERMS = ("DDP", "DAP")
ALL_MARKETS = "*"


class LogisticsInputError(ValueError):
    """A parcel or a channel row a quote cannot be made for; the message is one line."""


@dataclass(frozen=True)
class ChannelRow:
    code: str
    name: str
    kind: str
    markets: frozenset[str]
    transit_days_min: int
    transit_days_max: int
    first_weight_g: int
    first_price_cny: Decimal
    step_g: int
    step_price_cny: Decimal
    max_weight_g: int
    ddp_capable: bool
    batteries_allowed: bool
    loss_rate_pct: Decimal
    effective_from: date
    notes: str
    ref: str

    def serves(self, market: str) -> bool:
        return ALL_MARKETS in self.markets or market in self.markets


@dataclass(frozen=True)
class Note:
    """A restriction or a refusal reason: a stable `code` for the web layer, English `text`."""

    code: str
    text: str


@dataclass(frozen=True)
class Quote:
    """A channel's answer for one parcel. `price_cny` is None when the channel refuses it
    (`available` False, `reasons` saying why); `restrictions` are the channel's standing limits."""

    channel: str
    name: str
    kind: str
    market: str
    weight_g: int
    incoterm: str
    available: bool
    price_cny: Decimal | None
    price_formula: str
    transit_days_min: int
    transit_days_max: int
    loss_rate_pct: Decimal
    restrictions: tuple[Note, ...]
    reasons: tuple[Note, ...]
    ref: str


def shipping_quote(channel: ChannelRow, *, market: str, weight_g: int, has_battery: bool, incoterm: str) -> Quote:
    """The price in CNY, transit range and restrictions of one channel for one parcel."""
    _check_parcel(market=market, weight_g=weight_g, has_battery=has_battery, incoterm=incoterm)
    _check_channel(channel)
    reasons = []
    if weight_g > channel.max_weight_g:
        reasons.append(Note("over_max_weight", f"{_kg(weight_g)} is over the {_kg(channel.max_weight_g)} limit"))
    if has_battery and not channel.batteries_allowed:
        reasons.append(Note("battery_refused", f"{channel.name} does not carry batteries"))
    if not channel.serves(market):
        reasons.append(Note("market_not_served", f"{channel.name} does not serve {market}"))
    if incoterm == "DDP" and not channel.ddp_capable:
        reasons.append(Note("ddp_not_supported", f"{channel.name} cannot clear customs DDP; ship DAP"))
    available = not reasons
    price, formula = _price(channel, weight_g) if weight_g <= channel.max_weight_g else (None, "")
    return Quote(
        channel=channel.code,
        name=channel.name,
        kind=channel.kind,
        market=market,
        weight_g=weight_g,
        incoterm=incoterm,
        available=available,
        price_cny=price if available else None,
        price_formula=formula if available else "",
        transit_days_min=channel.transit_days_min,
        transit_days_max=channel.transit_days_max,
        loss_rate_pct=channel.loss_rate_pct,
        restrictions=_restrictions(channel),
        reasons=tuple(reasons),
        ref=channel.ref,
    )


def channels_compare(
    channels: Iterable[ChannelRow], *, market: str, weight_g: int, has_battery: bool, incoterm: str
) -> list[Quote]:
    """A quote from every channel, side by side: the available ones cheapest first (then the
    fastest), then the refused ones in the order given, with their reasons."""
    quotes = [
        shipping_quote(channel, market=market, weight_g=weight_g, has_battery=has_battery, incoterm=incoterm)
        for channel in channels
    ]
    available = sorted((q for q in quotes if q.available), key=lambda q: (q.price_cny, q.transit_days_max, q.channel))
    return available + [q for q in quotes if not q.available]


def _price(channel: ChannelRow, weight_g: int) -> tuple[Decimal, str]:
    first = f"CNY {channel.first_price_cny}"
    if channel.step_g == 0:
        return quantize(channel.first_price_cny, CURRENCY), f"{first}, one price up to {_kg(channel.max_weight_g)}"
    if weight_g <= channel.first_weight_g:
        return quantize(channel.first_price_cny, CURRENCY), f"{first} for the first {channel.first_weight_g} g"
    over = weight_g - channel.first_weight_g
    steps = -(-over // channel.step_g)  # ceiling division on integers
    price = quantize(channel.first_price_cny + steps * channel.step_price_cny, CURRENCY)
    formula = (f"{first} for the first {channel.first_weight_g} g + ceil({over} g / {channel.step_g} g) = {steps}"
               f" step{'s' if steps > 1 else ''} × CNY {channel.step_price_cny} = CNY {price}")
    return price, formula


def _restrictions(channel: ChannelRow) -> tuple[Note, ...]:
    notes = [Note("max_weight", f"up to {_kg(channel.max_weight_g)}")]
    if channel.step_g == 0:
        notes.append(Note("container", "one price per container (restocking an overseas warehouse)"))
    if not channel.batteries_allowed:
        notes.append(Note("no_batteries", "no batteries"))
    if not channel.ddp_capable:
        notes.append(Note("dap_only", "DAP only: the buyer clears customs"))
    if ALL_MARKETS not in channel.markets:
        notes.append(Note("markets", f"serves {', '.join(sorted(channel.markets))} only"))
    return tuple(notes)


def _check_parcel(*, market, weight_g, has_battery, incoterm) -> None:
    if isinstance(weight_g, bool) or not isinstance(weight_g, int) or weight_g <= 0:
        raise LogisticsInputError(f"weight must be a positive integer of grams, not {weight_g!r}")
    if not isinstance(market, str) or not market or market == ALL_MARKETS:
        raise LogisticsInputError(f"market must be a market code such as 'PL', not {market!r}")
    if not isinstance(has_battery, bool):
        raise LogisticsInputError(f"has_battery must be True or False, not {has_battery!r}")
    if incoterm not in INCOTERMS:
        raise LogisticsInputError(f"incoterm {incoterm!r} is not one of DDP, DAP")


def _check_channel(channel: ChannelRow) -> None:
    if not isinstance(channel, ChannelRow):
        raise LogisticsInputError(f"expected a ChannelRow, not {type(channel).__name__}")
    for name in ("first_weight_g", "step_g", "max_weight_g"):
        value = getattr(channel, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise LogisticsInputError(f"channel row {channel.ref} has a {name} that is not a non-negative integer: {value!r}")
    for name in ("first_price_cny", "step_price_cny"):
        value = getattr(channel, name)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise LogisticsInputError(f"channel row {channel.ref} has a {name} that is not a non-negative Decimal: {value!r}")
    if not isinstance(channel.markets, (set, frozenset)):
        raise LogisticsInputError(f"channel row {channel.ref} markets must be a frozenset of codes, not {channel.markets!r}")


def _kg(grams: int) -> str:
    return f"{(Decimal(grams) / 1000).normalize():,f} kg"
