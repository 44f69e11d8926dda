"""Shopper demand in the practicum market simulation: how many shoppers come to a market on a
simulated day, and which listing each of them buys, if any (issue "Practicum I", point 4).

The model
---------
Arrivals. The number of shoppers in a market on a day is Poisson with mean market size × the
project's demand scale.

Choice. Each shopper chooses one alternative among the store's live listings, the project's fixed
competitor listings and not buying, by a multinomial (conditional) logit: McFadden, "Conditional
logit analysis of qualitative choice behavior", in Zarembka (ed.), Frontiers in Econometrics
(1974); Train, Discrete Choice Methods with Simulation, 2nd ed., Cambridge University Press (2009),
ch. 3. A listing of SKU s at price P (minor units of the market's currency) with door fees F (what
the buyer pays the courier under DAP: duty, VAT, handling; 0 under DDP), rating r and expected
delivery in d days has the representative utility

    V = − β_price · ln(P / R_s) + β_rating · (r − r_ref) − β_day · (d − d_ref) − β_door · ln(1 + F / P)

and not buying has V = `no_purchase_utility`. R_s is the SKU's going price in the market
(`MarketDay.reference_prices`, else the lower median of the competitor listings' P + F for the
SKU). With the log-price form β_price is about the own-price elasticity of a listing with a small
share (−β_price · (1 − share)). Because ln(P / R) + ln(1 + F / P) = ln((P + F) / R), a listing
with door fees is exactly as attractive as the same total folded into a DDP price when
β_door = β_price; β_door > β_price is the surprise-fee penalty. `DemandParameters` documents
each default and where it comes from.

A shopper buys one listing; the quantity (mostly 1) is drawn from the shopper's own stream.
Stock is not this module's business: orders come in shopper order, so that the caller can
allocate first come, first served.

Determinism and fairness
------------------------
No wall clock, no global `random`, no `hash()` (salted per process by PYTHONHASHSEED). Every
random number comes from sha256 over a canonical JSON list (run seed, purpose, market, day, ...)
(`stream`), so a day is a pure function of its inputs:

- arrivals from ("arrivals", market, day);
- each shopper's quantity from ("shopper", market, day, i);
- each shopper's taste for each alternative (the Gumbel error of the logit) from
  ("taste", market, day, i, <alternative>), where the alternative is ("competitor", listing key),
  ("none",), or ("store", SKU) for the store's listing of that SKU.

Drawing all tastes from one stream in the sorted order of the alternatives would shift the
draws of every alternative sorted after a new listing. Keying each draw by its alternative
keeps a shopper's taste for a competitor and for not buying the same whatever the store lists, and
keying the store's draw by SKU instead of the store's own keys means that every team of a run
meets the same shoppers: two teams with identical decisions get identical orders. The choice is
the argmax of V + a Gumbel error, from which Train (ch. 3) derives the logit probabilities: with
E = −ln(u) exponential, the shopper takes the alternative with the least E · exp(−V), the same
argmax. Adding or improving a listing can therefore only win shoppers from the others, never
reshuffle them.

A store that lists the same SKU twice gets one place in the choice set, for its more attractive
listing (the lower key on a tie). Otherwise the logit's independence of irrelevant alternatives
would let a team multiply its sales by duplicating a listing.

Exactness. The utilities, exp(−V) and the Poisson sampler use `decimal` at 28 digits (its ln and
exp are correctly rounded, so identical on every platform). The per-shopper comparison runs in
floats for speed, and when the two best candidates are closer than a relative 1e-9 (which
covers a libm that is off by up to a million ulps) it is redone in `decimal` at 60 digits, so
the outcome does not depend on the platform's `math.log`. A remaining exact tie goes to the first
alternative in canonical order.

Parameters are a project's settings; the reference data has no column for them
(data/reference/README.md). Money follows practicum/money.py: integers of minor units plus an
ISO 4217 code, never a float.
"""

import hashlib
import json
import math
import random
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from practicum.money import minor_digits

MAX_ARRIVALS_MEAN = 1_000_000
# Wide enough for MAX_ARRIVALS_MEAN's Poisson tail, so that generation keys sort in shopper order.
SHOPPER_DIGITS = 7

_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, Emin=MIN_EMIN, Emax=MAX_EMAX,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
# (2k + 1) / 2**53 with 2k + 1 < 2**53 is exact in a double and in 60 decimal digits.
_EXACT_CONTEXT = _CONTEXT.copy()
_EXACT_CONTEXT.prec = 60
_TASTE_BITS = 52
_TIE_MARGIN = 1e-9


# Parameters and inputs: plain values the selectors build from a project, a store and a day.


@dataclass(frozen=True)
class DemandParameters:
    """A practicum project's demand settings. Utility units are those of the logit's Gumbel
    error; the defaults are teaching values, chosen so that each lever moves demand visibly and
    in the direction the literature reports.

    - demand_scale = 1: shoppers per day = market size × demand_scale; a mentor's lever for a
      quieter or busier season.
    - beta_price = 3, per unit of ln(price / going price): an own-price elasticity of about −3
      for a listing with a small share, a moderate value for online retail (elasticities on price
      comparison sites run far higher: Ellison & Ellison, "Search, Obfuscation, and Price
      Elasticities on the Internet", Econometrica 2009).
    - beta_rating = 0.4 per star, around reference_rating = 4.5: one star is worth about a 14 %
      price difference (exp(0.4 / 3)). Ratings move online sales (Chevalier & Mayzlin, "The
      Effect of Word of Mouth on Sales: Online Book Reviews", Journal of Marketing Research 2006).
    - unrated_rating = 4.0: the prior for a listing without ratings. Half a star under the
      reference costs about 7 % in price terms, the order of the premium an established eBay
      identity earned over a new one in Resnick, Zeckhauser, Swanson & Lockwood, "The value of
      reputation on eBay: A controlled experiment", Experimental Economics 2006.
    - beta_delivery_day = 0.04 per day, around reference_delivery_days = 10 (a dedicated
      e-commerce line): a day is worth about 1.3 % in price, express (5 days) against postal
      (about 25 days) about 30 %. Faster delivery raises online sales (Fisher, Gallino & Xu,
      "The Value of Rapid Delivery in Omnichannel Retailing", Journal of Marketing Research
      2019, a domestic study; the per-day value across cross-border transit times is an
      extrapolation).
    - beta_door_fee = 4.5 per unit of ln(1 + door fees / price), 1.5 × beta_price: fees paid at
      the door under DAP weigh more than the same amount in a DDP price. A door fee is a second,
      separate payment after the purchase, of an amount the buyer can only estimate, to a courier
      who holds the parcel until paid; mental accounting has separate losses hurt more than the
      same loss integrated in one price (Thaler, "Mental Accounting and Consumer Choice",
      Marketing Science 1985). The evidence on fees merely shown late at checkout points the
      other way: StubHub buyers who saw fees only at the last step bought more and spent more
      (Blake, Moshary, Sweeney & Tadelis, "Price Salience and Product Choice", Marketing Science
      2021), and shoppers under-react to taxes left out of posted prices (Chetty, Looney &
      Kroft, "Salience and Taxation: Theory and Evidence", American Economic Review 2009). The
      premium here is therefore a teaching choice, not an estimate: beta_door_fee = beta_price
      makes DAP and DDP equivalent, a lower value models the under-reaction those studies find.
      Refused DAP parcels are modelled downstream, not here.
    - no_purchase_utility = 2: with one listing at the reference levels and three competitors
      alike, 35 % of shoppers buy something (4 / (4 + e²)), 8.8 % from each; arrivals are
      shoppers looking for such products, not every visit.
    - quantity_weights = (80, 15, 5): an order is for 1 unit 80 % of the time, 2 units 15 %,
      3 units 5 % (weights of 1, 2, 3 units; integers, so that the draw is exact).
    """

    demand_scale: Decimal = Decimal(1)
    beta_price: Decimal = Decimal(3)
    beta_rating: Decimal = Decimal("0.4")
    reference_rating: Decimal = Decimal("4.5")
    unrated_rating: Decimal = Decimal("4.0")
    beta_delivery_day: Decimal = Decimal("0.04")
    reference_delivery_days: int = 10
    beta_door_fee: Decimal = Decimal("4.5")
    no_purchase_utility: Decimal = Decimal(2)
    quantity_weights: tuple[int, ...] = (80, 15, 5)

    def __post_init__(self):
        for name in ("demand_scale", "beta_price", "beta_rating", "beta_delivery_day", "beta_door_fee"):
            _set_decimal(self, name, minimum=Decimal(0))
        for name in ("reference_rating", "unrated_rating"):
            _set_decimal(self, name, minimum=Decimal(0), maximum=Decimal(5))
        _set_decimal(self, "no_purchase_utility")
        _check_count(self.reference_delivery_days, "reference_delivery_days")
        weights = self.quantity_weights
        if not isinstance(weights, tuple) or not weights:
            raise TypeError(f"quantity_weights must be a non-empty tuple of ints, not {weights!r}")
        for weight in weights:
            _check_count(weight, "a quantity weight")
        if sum(weights) == 0:
            raise ValueError("quantity_weights must not all be zero")


@dataclass(frozen=True)
class Listing:
    """One alternative a shopper can buy. `key` is stable and unique ("<store key>/<listing key>"
    for a store's listing); `store_key` is None for the project's competitor listings. Money is
    in minor units of `currency` (the market's): `price_minor` is what the buyer pays the seller,
    `door_fees_minor` what the buyer expects to pay at the door (DAP duty, VAT and handling; 0
    under DDP). `rating` is 0 to 5 stars, or None when the listing has no ratings yet (then
    `DemandParameters.unrated_rating` stands in); `delivery_days` is the expected delivery time."""

    key: str
    sku: str
    market: str
    price_minor: int
    currency: str
    rating: Decimal | None
    delivery_days: int
    door_fees_minor: int = 0
    store_key: str | None = None

    def __post_init__(self):
        for name in ("key", "sku", "market"):
            _check_text(getattr(self, name), name)
        if self.store_key is not None:
            _check_text(self.store_key, "store_key")
        _check_minor(self.price_minor, "price_minor", positive=True)
        _check_minor(self.door_fees_minor, "door_fees_minor")
        minor_digits(self.currency)
        if self.rating is not None:
            _set_decimal(self, "rating", minimum=Decimal(0), maximum=Decimal(5))
        _check_count(self.delivery_days, "delivery_days")


@dataclass(frozen=True)
class MarketDay:
    """A market on a simulated day (a date of the simulation calendar, never a wall-clock time).
    `market_size` is the mean number of shoppers a day at demand scale 1. `reference_prices` maps
    a SKU to its going price in minor units of `currency`; a SKU without one is priced against its
    competitor listings (module docstring)."""

    market: str
    day: date
    currency: str
    market_size: Decimal
    reference_prices: Mapping[str, int] = field(default_factory=dict, hash=False)

    def __post_init__(self):
        _check_text(self.market, "market")
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"day must be a simulated date (datetime.date), not {type(self.day).__name__}")
        minor_digits(self.currency)
        _set_decimal(self, "market_size", minimum=Decimal(0))
        if not isinstance(self.reference_prices, Mapping):
            raise TypeError(f"reference_prices must map a SKU to minor units, not {type(self.reference_prices).__name__}")
        for sku, price in self.reference_prices.items():
            _check_text(sku, "a reference price's SKU")
            _check_minor(price, f"the reference price of {sku}", positive=True)
        object.__setattr__(self, "reference_prices", types.MappingProxyType(dict(self.reference_prices)))

    def arrivals_mean(self, params: DemandParameters) -> Decimal:
        """Mean shoppers of the day: market size × the project's demand scale."""
        with localcontext(_CONTEXT):
            return self.market_size * params.demand_scale


# Outputs.


@dataclass(frozen=True)
class Order:
    """A shopper's purchase from the store. `generation_key` ("<market>:<day>:<shopper>:<store>",
    the shopper zero-padded so that keys sort in shopper order) is unique per store and day and
    the same every time the day is generated: use it as the idempotency key (a unique constraint)."""

    generation_key: str
    store_key: str
    listing_key: str
    market: str
    day: date
    sku: str
    quantity: int
    unit_price_minor: int
    currency: str
    shopper: int

    def __post_init__(self):
        for name in ("generation_key", "store_key", "listing_key", "market", "sku"):
            _check_text(getattr(self, name), name)
        _check_minor(self.unit_price_minor, "unit_price_minor")
        minor_digits(self.currency)
        _check_count(self.quantity, "quantity")
        if self.quantity < 1:
            raise ValueError("an order is for at least one unit")
        _check_count(self.shopper, "shopper")


@dataclass(frozen=True)
class DemandDay:
    """One market-day for one store: the shoppers who came (`arrivals`), what each chose
    (`choices[i]` is the listing key shopper i bought, None for not buying; competitors' choices
    included, for market shares) and the store's orders in shopper order."""

    market: str
    day: date
    store_key: str | None
    arrivals: int
    choices: tuple[str | None, ...]
    orders: tuple[Order, ...]

    @property
    def digest(self) -> str:
        return orders_digest(self.orders)

    def sales(self) -> dict[str | None, int]:
        """Shoppers per chosen listing key (None: no purchase), keys in sorted order."""
        counts: dict[str | None, int] = {}
        for choice in self.choices:
            counts[choice] = counts.get(choice, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (item[0] is not None, item[0] or "")))


# Random streams.


def stream(seed: str, *parts: str | int) -> random.Random:
    """A random stream determined by the run seed and the parts (purpose, market, day, ...):
    `random.Random` seeded with the integer of sha256 over the canonical JSON list
    [seed, *parts]. Independent of PYTHONHASHSEED, the process and the platform."""
    return random.Random(int.from_bytes(hashlib.sha256(_encode(seed, *parts)).digest(), "big"))


def poisson(rng: random.Random, mean: Decimal | int) -> int:
    """A Poisson(mean) draw by inversion with sequential search (Devroye, Non-Uniform Random
    Variate Generation, 1986, section X.3.3), in 28-digit `decimal`, so that it is exact to far
    below the 64-bit uniform's resolution and identical on every platform. O(mean) steps: the
    engine then simulates each arrival anyway, so this is never the slow part."""
    mean = _decimal(mean, "mean")
    if mean < 0 or mean > MAX_ARRIVALS_MEAN:
        raise ValueError(f"the mean must be between 0 and {MAX_ARRIVALS_MEAN}, not {mean}")
    bits = rng.getrandbits(64)
    if mean == 0:
        return 0
    with localcontext(_CONTEXT):
        uniform = Decimal(2 * bits + 1) / Decimal(2**65)
        term = (-mean).exp()
        cumulative = term
        # Far beyond any reachable tail; only a guard against an endless loop.
        limit = int(mean + 50 * mean.sqrt()) + 100
        count = 0
        while cumulative < uniform and count < limit:
            count += 1
            term = term * mean / count
            cumulative += term
        return count


def arrivals(*, seed: str, market_day: MarketDay, params: DemandParameters) -> int:
    """The number of shoppers in the market on the day: the same for every team of the run."""
    rng = stream(seed, "arrivals", market_day.market, market_day.day.isoformat())
    return poisson(rng, market_day.arrivals_mean(params))


# Choice.


def listing_utility(listing: Listing, *, reference_price_minor: int, params: DemandParameters) -> Decimal:
    """The listing's representative utility V (module docstring), in 28-digit decimal."""
    _check_minor(reference_price_minor, "reference_price_minor", positive=True)
    rating = params.unrated_rating if listing.rating is None else listing.rating
    with localcontext(_CONTEXT):
        price = Decimal(listing.price_minor)
        utility = -params.beta_price * (price / reference_price_minor).ln()
        utility += params.beta_rating * (rating - params.reference_rating)
        utility -= params.beta_delivery_day * (listing.delivery_days - params.reference_delivery_days)
        if listing.door_fees_minor:
            utility -= params.beta_door_fee * ((price + listing.door_fees_minor) / price).ln()
        return +utility


def choice_shares(
    *, market_day: MarketDay, store_listings: Iterable[Listing], competitor_listings: Iterable[Listing],
    params: DemandParameters,
) -> dict[str | None, Decimal]:
    """The logit's probability that a shopper chooses each listing (None: not buying); a store's
    second listing of a SKU that is not in the choice set gets 0. For dashboards and tests."""
    alternatives, dominated = _choice_set(market_day, store_listings, competitor_listings, params)
    with localcontext(_CONTEXT):
        weights = {alt.listing_key: alt.utility.exp() for alt in alternatives}
        total = sum(weights.values(), Decimal(0))
        shares = {key: weight / total for key, weight in weights.items()}
    shares.update(dict.fromkeys(dominated, Decimal(0)))
    return shares


def generate_day(
    *, seed: str, market_day: MarketDay, store_listings: Iterable[Listing], competitor_listings: Iterable[Listing],
    params: DemandParameters | None = None,
) -> DemandDay:
    """The shoppers of one market-day facing one store's live listings and the project's
    competitor listings, and the store's orders, in shopper order.

    A pure function of its arguments: generating a day twice gives the same orders with the same
    generation keys, and every team of a run (same `seed`) meets the same shoppers, so identical
    listings give identical orders whatever the store's and listings' keys. Input order does not
    matter. All store listings must belong to one store; all listings to the day's market and
    currency. `params` defaults to `DemandParameters()`.
    """
    _check_text(seed, "seed")
    params = DemandParameters() if params is None else params
    store_listings = tuple(store_listings)
    alternatives, _ = _choice_set(market_day, store_listings, competitor_listings, params)
    store_key = store_listings[0].store_key if store_listings else None
    market, day = market_day.market, market_day.day.isoformat()
    count = arrivals(seed=seed, market_day=market_day, params=params)
    choices: list[str | None] = []
    orders: list[Order] = []
    for shopper in range(count):
        prefix = "[" + ",".join(_atoms((seed, "taste", market, day, shopper))) + ","
        chosen = _choose(prefix, alternatives)
        choices.append(chosen.listing_key)
        if chosen.listing is not None and chosen.listing.store_key is not None:
            orders.append(_order(seed, market_day, store_key, chosen.listing, shopper, params))
    return DemandDay(market=market, day=market_day.day, store_key=store_key, arrivals=count,
                     choices=tuple(choices), orders=tuple(orders))


def generate_market_day(
    *, seed: str, market_day: MarketDay, stores: Mapping[str, Iterable[Listing]], competitor_listings: Iterable[Listing],
    params: DemandParameters | None = None,
) -> dict[str, DemandDay]:
    """`generate_day` for every store of a run in one market-day at once: {store key: its
    DemandDay}, each equal to what `generate_day` gives for that store alone.

    Every team meets the same shoppers, whose taste for an alternative is keyed by the
    alternative (a competitor, not buying, or a SKU), never by the store. So each shopper's taste
    draws and quantity are computed once and shared by all the stores; only the comparison with
    each store's own utilities is per store. A near tie is settled by `_choose` exactly as
    `generate_day` settles it. `stores` maps a store key to that store's listings (non-empty)."""
    _check_text(seed, "seed")
    params = DemandParameters() if params is None else params
    competitor_listings = tuple(competitor_listings)
    choice_sets = {}
    for store_key, listings in stores.items():
        listings = tuple(listings)
        if not listings or any(listing.store_key != store_key for listing in listings):
            raise ValueError(f"the listings of store {store_key!r} must be non-empty and carry its key")
        choice_sets[store_key] = _choice_set(market_day, listings, competitor_listings, params)[0]
    market, day = market_day.market, market_day.day.isoformat()
    count = arrivals(seed=seed, market_day=market_day, params=params)
    choices: dict[str, list[str | None]] = {store_key: [] for store_key in choice_sets}
    orders: dict[str, list[Order]] = {store_key: [] for store_key in choice_sets}
    for shopper in range(count):
        prefix = "[" + ",".join(_atoms((seed, "taste", market, day, shopper))) + ","
        exponential: dict[str, float] = {}  # E = −ln(u) of each alternative's taste draw, by suffix
        for store_key, alternatives in choice_sets.items():
            chosen = _choose(prefix, alternatives, exponential)
            choices[store_key].append(chosen.listing_key)
            if chosen.listing is not None and chosen.listing.store_key is not None:
                orders[store_key].append(_order(seed, market_day, store_key, chosen.listing, shopper, params))
    return {
        store_key: DemandDay(market=market, day=market_day.day, store_key=store_key, arrivals=count,
                             choices=tuple(choices[store_key]), orders=tuple(orders[store_key]))
        for store_key in choice_sets
    }


def _order(seed: str, market_day: MarketDay, store_key: str, listing: Listing, shopper: int, params: DemandParameters) -> Order:
    market, day = market_day.market, market_day.day.isoformat()
    return Order(
        generation_key=f"{market}:{day}:{shopper:0{SHOPPER_DIGITS}d}:{store_key}",
        store_key=store_key,
        listing_key=listing.key,
        market=market,
        day=market_day.day,
        sku=listing.sku,
        quantity=_quantity(stream(seed, "shopper", market, day, shopper), params.quantity_weights),
        unit_price_minor=listing.price_minor,
        currency=listing.currency,
        shopper=shopper,
    )


def orders_digest(orders: Iterable[Order]) -> str:
    """sha256 (hex) over the orders in canonical form (issue "Practicum I", point 7): sorted by
    generation key, each as simulated day, market, shopper number, SKU, quantity, unit price in
    minor units and currency, in compact JSON with sorted keys. No database ids, store or listing
    keys, or wall-clock times, so two teams with the same orders have the same digest, whatever
    order the orders come in; the day and shopper tell two days with alike orders apart."""
    orders = list(orders)
    for order in orders:
        if not isinstance(order, Order):
            raise TypeError(f"orders_digest() takes Order values, not {type(order).__name__}")
    orders.sort(key=lambda order: order.generation_key)
    for before, after in zip(orders, orders[1:]):
        if before.generation_key == after.generation_key:
            raise ValueError(f"two orders share the generation key {before.generation_key!r}")
    canonical = [
        {"day": o.day.isoformat(), "market": o.market, "shopper": o.shopper, "sku": o.sku, "quantity": o.quantity,
         "unit_price_minor": o.unit_price_minor, "currency": o.currency}
        for o in orders
    ]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# Internals.


@dataclass(frozen=True)
class _Alternative:
    parts: tuple[str, ...]  # ("competitor", key), ("none",) or ("store", sku): what the taste is keyed by
    listing: Listing | None
    utility: Decimal
    inverse_weight: Decimal  # exp(−V), 28 digits
    inverse_weight_float: float
    suffix: str  # the end of the taste draw's canonical JSON

    @property
    def listing_key(self) -> str | None:
        return None if self.listing is None else self.listing.key


def _choice_set(market_day, store_listings, competitor_listings, params):
    if not isinstance(market_day, MarketDay):
        raise TypeError(f"market_day must be a MarketDay, not {type(market_day).__name__}")
    if not isinstance(params, DemandParameters):
        raise TypeError(f"params must be DemandParameters, not {type(params).__name__}")
    store_listings, competitor_listings = tuple(store_listings), tuple(competitor_listings)
    everything = store_listings + competitor_listings
    for listing in everything:
        if not isinstance(listing, Listing):
            raise TypeError(f"expected a Listing, not {type(listing).__name__}")
        if listing.market != market_day.market or listing.currency != market_day.currency:
            raise ValueError(f"listing {listing.key} is for {listing.market} in {listing.currency}, "
                             f"not {market_day.market} in {market_day.currency}")
    keys = [listing.key for listing in everything]
    if len(set(keys)) != len(keys):
        raise ValueError("listing keys must be unique")
    store_keys = {listing.store_key for listing in store_listings}
    if len(store_keys) > 1 or None in store_keys:
        raise ValueError("store_listings must all carry the same (non-empty) store_key")
    if any(listing.store_key is not None for listing in competitor_listings):
        raise ValueError("competitor listings have no store_key")

    def alternative(parts, listing, utility):
        with localcontext(_CONTEXT):
            inverse = (-utility).exp()
        return _Alternative(parts, listing, utility, inverse, float(inverse), ",".join(_atoms(parts)) + "]")

    def utility(listing):
        reference = _reference_price(listing.sku, market_day, competitor_listings)
        return listing_utility(listing, reference_price_minor=reference, params=params)

    alternatives = [alternative(("none",), None, params.no_purchase_utility)]
    alternatives += [alternative(("competitor", rival.key), rival, utility(rival)) for rival in competitor_listings]
    best: dict[str, tuple[Decimal, Listing]] = {}
    dominated = []
    for listing in sorted(store_listings, key=lambda listing: listing.key):
        value = utility(listing)
        current = best.get(listing.sku)
        if current is None or value > current[0]:
            if current is not None:
                dominated.append(current[1].key)
            best[listing.sku] = (value, listing)
        else:
            dominated.append(listing.key)
    alternatives += [alternative(("store", sku), listing, value) for sku, (value, listing) in best.items()]
    alternatives.sort(key=lambda alt: alt.parts)
    return tuple(alternatives), tuple(dominated)


def _reference_price(sku: str, market_day: MarketDay, competitor_listings: Sequence[Listing]) -> int:
    if sku in market_day.reference_prices:
        return market_day.reference_prices[sku]
    totals = sorted(rival.price_minor + rival.door_fees_minor for rival in competitor_listings if rival.sku == sku)
    if not totals:
        raise ValueError(f"no going price for {sku} in {market_day.market}: give MarketDay.reference_prices "
                         "or a competitor listing of the SKU")
    return totals[(len(totals) - 1) // 2]


def _choose(prefix: str, alternatives: Sequence[_Alternative], exponential: dict[str, float] | None = None) -> _Alternative:
    """The alternative with the least E · exp(−V), E = −ln(u) exponential per alternative.
    `exponential` caches E by the alternative's suffix across stores meeting the same shopper."""
    if len(alternatives) == 1:
        return alternatives[0]
    if exponential is None:
        exponential = {}
    keys = []
    for alt in alternatives:
        e = exponential.get(alt.suffix)
        if e is None:
            e = exponential[alt.suffix] = -math.log((2 * _taste_bits(prefix + alt.suffix) + 1) * 2.0**-53)
        keys.append(e * alt.inverse_weight_float)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    first, second = keys[order[0]], keys[order[1]]
    if second - first > _TIE_MARGIN * first:
        return alternatives[order[0]]
    draws = [_taste_bits(prefix + alt.suffix) for alt in alternatives]
    with localcontext(_EXACT_CONTEXT):
        exact = [-(Decimal(2 * k + 1) / Decimal(2**53)).ln() * alt.inverse_weight for k, alt in zip(draws, alternatives)]
    return alternatives[min(range(len(exact)), key=lambda i: (exact[i], i))]


def _taste_bits(encoded: str) -> int:
    digest = hashlib.sha256(encoded.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - _TASTE_BITS)


def _quantity(rng: random.Random, weights: tuple[int, ...]) -> int:
    draw = rng.randrange(sum(weights))
    for quantity, weight in enumerate(weights, start=1):
        if draw < weight:
            return quantity
        draw -= weight
    raise AssertionError("unreachable: the draw is below the sum of the weights")


def _encode(seed: str, *parts: str | int) -> bytes:
    _check_text(seed, "seed")
    return ("[" + ",".join(_atoms((seed, *parts))) + "]").encode("ascii")


def _atoms(parts) -> list[str]:
    """Each part as canonical JSON (ASCII); only strings and ints, so that the encoding is unique."""
    atoms = []
    for part in parts:
        if isinstance(part, str) or (isinstance(part, int) and not isinstance(part, bool)):
            atoms.append(json.dumps(part, ensure_ascii=True))
        else:
            raise TypeError(f"stream parts are strings or ints, not {type(part).__name__} ({part!r})")
    return atoms


# Validation.


def _check_text(value, name: str) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty str, not {value!r}")


def _check_minor(value, name: str, *, positive: bool = False) -> None:
    if isinstance(value, float):
        raise TypeError(f"{name} {value!r} is a float; money is an int of minor units, never a float")
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of minor units, not {type(value).__name__} ({value!r})")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'positive' if positive else 'non-negative'}, not {value}")


def _check_count(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__} ({value!r})")
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value}")


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        hint = " (pass a Decimal, e.g. Decimal('0.4'))" if isinstance(value, float) else ""
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}{hint}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, not {value}")
    return value


def _set_decimal(instance, name: str, *, minimum: Decimal | None = None, maximum: Decimal | None = None) -> None:
    value = _decimal(getattr(instance, name), name)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, not {value}")
    object.__setattr__(instance, name, value)
