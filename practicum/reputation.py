"""A store's reputation in the practicum: what happened to its orders (delivered on time or late,
lost, disputed, reviewed, cancelled) folded into a star rating from 1 to 5 (issue "Practicum II",
point 5). The rating is the `rating` of the store's listings in the demand engine
(practicum/demand.py, `Listing.rating`) and is shown on the store's page with the reasons for it
(`score_breakdown`).

The model
---------
Every event is read as a pseudo-rating: a number of stars with a weight, from the table in
`ReputationParameters` (a buyer's review counts its own stars with weight 1, the unit in which
the other weights are expressed). The score is a Bayesian average: the weighted mean of the
pseudo-ratings together with a prior of `prior_mean` stars worth `prior_weight` reviews,

    score = (C · m + Σ wᵢ · dᵢ · sᵢ) / (C + Σ wᵢ · dᵢ)

with C the prior's weight, m its mean, sᵢ and wᵢ an event's stars and weight, dᵢ its decay. The
prior keeps a store with two five-star parcels from outranking one with two hundred mostly good
ones, the reason IMDb ranks its Top 250 by the "weighted rating" (v / (v + m)) · R + (m / (v + m))
· C rather than by the raw mean R of v votes (its m votes at the mean C are our C at m), and the
argument of Evan Miller, "How Not To Sort By Average Rating" (2009,
https://www.evanmiller.org/how-not-to-sort-by-average-rating.html) and "Bayesian Average
Ratings" (2012, https://www.evanmiller.org/bayesian-average-ratings.html). Every
pseudo-rating and the prior lie in [1, 5], so the score does too, whatever the events.

Recent service matters more: with a half-life of h simulated days an event of age a days (from
its day to the day the score is taken, `as_of`) weighs r^a, r = 2^(−1/h), the forgetting factor
of Jøsang & Ismail, "The Beta Reputation System", 15th Bled Electronic Commerce Conference (2002).
Marketplaces judge sellers on recent windows too: Amazon's order defect rate over the last 60
days, eBay's seller performance standards over the last 3 months (12 for small sellers). The
prior does not decay, so an old record fades back towards the prior: a store is judged on how it
serves now. `half_life_days=None` turns decay off.

Which events count and how much (the defaults of `ReputationParameters`, after eBay's and
Amazon's seller metrics: late shipment, cancellation by the seller, and disputes closed against
the seller count as defects, a dispute decided for the seller does not):

    event                          stars                      weight
    delivered on time              5                          1/2
    delivered late                 3, −1 per 7 days late      1
                                   after the first 7, ≥ 1
    lost in transit                1                          1
    dispute won by the store       5                          0 (it does not count)
    dispute lost by the store      1                          2
    dispute refunded by agreement  2                          1
    buyer's review                 its own stars, 1 to 5      1
    cancelled by the store         2                          1
    prior                          4.0 (demand's unrated)     5

Exactness and determinism
-------------------------
Events carry a simulated day (`datetime.date`, never the wall clock) and an idempotency key: the
same event twice counts once, the same key for a different event is an error. The score is a
pure function of the set of events, the day it is taken and the parameters: any order of the
events gives the same score, and `ReputationTally`, the incremental fold a caller can keep as
events arrive, equals the rebuild from the list. The arithmetic is exact (`Fraction`): the decay
r is 2^(−1/h) computed once in `decimal` (correctly rounded ln and exp at 40 digits) and rounded
to 9 decimal places, so r is rational, r^a · r^b = r^(a+b) exactly, and r^h is ½ within about
h × 10⁻⁹ (30 days: 0.49999999). No float enters: a float anywhere is a TypeError. The score is
shown rounded half-up to 2 decimal places.

A store whose events carry no weight (no event yet, or only disputes it won) is unrated: the
score is None and the demand engine uses its `unrated_rating`. The default prior mean equals the
default `unrated_rating` (4.0), so a store's first event moves it from 4.00 to what that event
says, with no jump from switching between the two.
"""

import math
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

MIN_STARS = 1
MAX_STARS = 5
SCORE_PLACES = 2
RETENTION_PLACES = 9
MAX_HALF_LIFE_DAYS = 3650

_DECAY_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN)


class ReputationError(ValueError):
    """An event, a set of events or parameters that break a reputation rule; the message is one line."""


# Validation: one-line errors, and a TypeError for a float wherever a number is expected.


def _check_day(value, what: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a simulated day (datetime.date), not {type(value).__name__}")


def _check_int(value, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__} {value!r}")


def _decimal(value, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        hint = f" (pass Decimal('{value}'))" if isinstance(value, float) else ""
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}{hint}")
    value = Decimal(value)
    if not value.is_finite():
        raise ReputationError(f"{what} must be finite, not {value}")
    return value


def _star_value(value, what: str) -> Decimal:
    value = _decimal(value, what)
    if not MIN_STARS <= value <= MAX_STARS:
        raise ReputationError(f"{what} must be {MIN_STARS} to {MAX_STARS} stars, not {value}")
    return value


def _exact(value, what: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    decimal_value = _decimal(value, what)
    return Fraction(decimal_value)


class ReputationEventKind(StrEnum):
    DELIVERED_ON_TIME = "delivered_on_time"
    DELIVERED_LATE = "delivered_late"
    LOST = "lost"
    DISPUTE_WON = "dispute_won"  # decided for the store
    DISPUTE_LOST = "dispute_lost"  # decided for the buyer
    DISPUTE_REFUNDED = "dispute_refunded"  # the store refunded by agreement, in full or in part
    REVIEW = "review"
    CANCELLED_BY_STORE = "cancelled_by_store"  # before shipping


@dataclass(frozen=True)
class ReputationEvent:
    """One thing that happened to one of the store's orders, on a simulated day.

    `key` is the idempotency key ("<order>:delivered", "<order>:review"): an event recorded twice
    counts once. `stars` (an int from 1 to 5) is given for a REVIEW and only for it; `days_late`
    (an int, at least 1) for DELIVERED_LATE and only for it.
    """

    kind: ReputationEventKind
    day: date
    key: str
    stars: int | None = None
    days_late: int | None = None

    def __post_init__(self):
        try:
            object.__setattr__(self, "kind", ReputationEventKind(self.kind))
        except ValueError:
            raise ReputationError(f"unknown reputation event kind {self.kind!r}"
                                  f" (known: {', '.join(ReputationEventKind)})") from None
        _check_day(self.day, "an event's day")
        if not isinstance(self.key, str):
            raise TypeError(f"an event's key must be a str, not {type(self.key).__name__}")
        if not self.key or self.key != self.key.strip():
            raise ReputationError(f"malformed event key {self.key!r}: non-empty, without surrounding spaces")
        if self.kind == ReputationEventKind.REVIEW:
            _check_int(self.stars, f"review {self.key}: stars")
            if not MIN_STARS <= self.stars <= MAX_STARS:
                raise ReputationError(f"review {self.key}: stars must be {MIN_STARS} to {MAX_STARS}, not {self.stars}")
        elif self.stars is not None:
            _check_int(self.stars, f"event {self.key}: stars")
            raise ReputationError(f"event {self.key}: only a review has stars, not a {self.kind} event")
        if self.kind == ReputationEventKind.DELIVERED_LATE:
            _check_int(self.days_late, f"late delivery {self.key}: days_late")
            if self.days_late < 1:
                raise ReputationError(f"late delivery {self.key}: days_late must be at least 1, not {self.days_late}")
        elif self.days_late is not None:
            _check_int(self.days_late, f"event {self.key}: days_late")
            raise ReputationError(f"event {self.key}: only a late delivery has days_late, not a {self.kind} event")


@dataclass(frozen=True)
class PseudoRating:
    """How an event kind reads as a rating: `stars` from 1 to 5 and a `weight` (≥ 0, in reviews).

    For REVIEW `stars` is None (the review's own stars count); for DELIVERED_LATE it is the stars
    of a parcel up to `late_days_per_star` days late. Both are Decimals or ints, never floats.
    """

    stars: Decimal | None
    weight: Decimal

    def __post_init__(self):
        if self.stars is not None:
            object.__setattr__(self, "stars", _star_value(self.stars, "a pseudo-rating's stars"))
        object.__setattr__(self, "weight", _decimal(self.weight, "a pseudo-rating's weight"))
        if self.weight < 0:
            raise ReputationError(f"a pseudo-rating's weight must not be negative, not {self.weight}")


K = ReputationEventKind
DEFAULT_TABLE: Mapping[ReputationEventKind, PseudoRating] = types.MappingProxyType({
    K.DELIVERED_ON_TIME: PseudoRating(Decimal(5), Decimal("0.5")),
    K.DELIVERED_LATE: PseudoRating(Decimal(3), Decimal(1)),
    K.LOST: PseudoRating(Decimal(1), Decimal(1)),
    K.DISPUTE_WON: PseudoRating(Decimal(5), Decimal(0)),
    K.DISPUTE_LOST: PseudoRating(Decimal(1), Decimal(2)),
    K.DISPUTE_REFUNDED: PseudoRating(Decimal(2), Decimal(1)),
    K.REVIEW: PseudoRating(None, Decimal(1)),
    K.CANCELLED_BY_STORE: PseudoRating(Decimal(2), Decimal(1)),
})
del K


@dataclass(frozen=True)
class ReputationParameters:
    """A practicum project's reputation settings; the reference data has no column for them, so
    they are teaching values a mentor may tune (issue "Practicum II": documented defaults).

    - prior_mean = 4.0 stars: where a store starts and where an old record fades back to. Equal
      to `DemandParameters.unrated_rating`, so that becoming rated is not a jump. At most two
      decimal places, since it is shown as the first line of the breakdown.
    - prior_weight = 5 reviews: the prior counts as five reviews, so one bad parcel moves a new
      store's score visibly (4.00 → 3.50 for a lost parcel) but a week of good service weighs
      more than the prior. 0 gives the plain weighted mean of the events.
    - half_life_days = 30: an event's weight halves every 30 simulated days, so the last six
      weeks or so carry most of the weight (the mean age of the weights is h / ln 2 ≈ 43 days),
      close to Amazon's 60-day order defect window, and a team that fixes its logistics can
      recover within a practicum of three or four months. None: no decay.
    - late_days_per_star = 7: a parcel up to a week late reads as the table's late stars (3), a
      star less for each further week, never under 1.
    - table: the pseudo-rating of each event kind (module docstring). Kinds left out keep their
      default (`DEFAULT_TABLE`), so `table={ReputationEventKind.LOST: PseudoRating(1, 2)}`
      changes the weight of a lost parcel only. Why the defaults: an on-time delivery is what was
      promised, but most buyers who got one say nothing, so it weighs half a review; a late or a
      lost parcel is what buyers complain of; a dispute the store lost counts double (eBay counts
      a case closed without the seller's resolution as a defect), one it settled by a refund is
      half as bad and one it won is no defect at all; cancelling a paid order is a defect on
      Amazon (pre-fulfilment cancel rate).
    """

    prior_mean: Decimal = Decimal("4.0")
    prior_weight: Decimal = Decimal(5)
    half_life_days: int | None = 30
    late_days_per_star: int = 7
    table: Mapping[ReputationEventKind, PseudoRating] = field(default_factory=lambda: DEFAULT_TABLE, hash=False)

    def __post_init__(self):
        prior_mean = _star_value(self.prior_mean, "prior_mean")
        if prior_mean != prior_mean.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
            raise ReputationError(f"prior_mean must have at most {SCORE_PLACES} decimal places, not {prior_mean}")
        object.__setattr__(self, "prior_mean", prior_mean)
        object.__setattr__(self, "prior_weight", _decimal(self.prior_weight, "prior_weight"))
        if self.prior_weight < 0:
            raise ReputationError(f"prior_weight must not be negative, not {self.prior_weight}")
        if self.half_life_days is not None:
            _check_int(self.half_life_days, "half_life_days")
            if not 1 <= self.half_life_days <= MAX_HALF_LIFE_DAYS:
                raise ReputationError(f"half_life_days must be 1 to {MAX_HALF_LIFE_DAYS} (or None for no decay),"
                                      f" not {self.half_life_days}")
        _check_int(self.late_days_per_star, "late_days_per_star")
        if self.late_days_per_star < 1:
            raise ReputationError(f"late_days_per_star must be at least 1, not {self.late_days_per_star}")
        if not isinstance(self.table, Mapping):
            raise TypeError(f"table must map event kinds to PseudoRating, not {type(self.table).__name__}")
        table = dict(DEFAULT_TABLE)
        for kind, rating in self.table.items():
            try:
                kind = ReputationEventKind(kind)
            except ValueError:
                raise ReputationError(f"table: unknown event kind {kind!r}") from None
            if not isinstance(rating, PseudoRating):
                raise TypeError(f"table[{kind}] must be a PseudoRating, not {type(rating).__name__}")
            if (rating.stars is None) != (kind == ReputationEventKind.REVIEW):
                raise ReputationError(f"table[{kind}]: a review counts its own stars (stars=None);"
                                      " every other kind needs stars")
            table[kind] = rating
        object.__setattr__(self, "table", types.MappingProxyType(table))

    @property
    def daily_retention(self) -> Fraction:
        """r = 2^(−1/half-life) to 9 decimal places, exact as a Fraction; 1 without decay."""
        if self.half_life_days is None:
            return Fraction(1)
        return _retention(self.half_life_days)


@lru_cache(maxsize=64)
def _retention(half_life_days: int) -> Fraction:
    with localcontext(_DECAY_CONTEXT) as ctx:
        value = (-(Decimal(2).ln() / half_life_days)).exp()
        return Fraction(value.quantize(Decimal(1).scaleb(-RETENTION_PLACES), rounding=ROUND_HALF_EVEN, context=ctx))


def event_pseudo_rating(event: ReputationEvent,
                        params: ReputationParameters | None = None) -> tuple[Fraction, Fraction]:
    """(stars, weight) the event counts as, before decay: the table's, the review's own stars, or
    for a late parcel the table's stars less one per `late_days_per_star` days beyond the first
    `late_days_per_star`, never under 1 (defaults: 1–7 days late 3, 8–14 days 2, 15 or more 1)."""
    if not isinstance(event, ReputationEvent):
        raise TypeError(f"expected a ReputationEvent, not {type(event).__name__}")
    params = _params(params)
    rule = params.table[event.kind]
    if event.kind == ReputationEventKind.REVIEW:
        stars = Fraction(event.stars)
    elif event.kind == ReputationEventKind.DELIVERED_LATE:
        stars = max(Fraction(MIN_STARS), Fraction(rule.stars) - (event.days_late - 1) // params.late_days_per_star)
    else:
        stars = Fraction(rule.stars)
    return stars, Fraction(rule.weight)


# Rebuilding from the events.


def events_dedupe(events: Iterable[ReputationEvent]) -> tuple[ReputationEvent, ...]:
    """The events in (day, key) order, each key once; a key used by two different events raises
    ReputationError."""
    seen: dict[str, ReputationEvent] = {}
    for event in events:
        if not isinstance(event, ReputationEvent):
            raise TypeError(f"expected a ReputationEvent, not {type(event).__name__}")
        previous = seen.get(event.key)
        if previous is None:
            seen[event.key] = event
        elif previous != event:
            raise ReputationError(f"event key {event.key} is already used by a different event")
    return tuple(sorted(seen.values(), key=lambda event: (event.day, event.key)))


def reputation_score_exact(events: Iterable[ReputationEvent], *, as_of: date,
                           params: ReputationParameters | None = None) -> Fraction | None:
    """The exact score on the simulated day `as_of` (not before any event's day), or None when
    no event carries weight (the store is unrated)."""
    params = _params(params)
    _check_day(as_of, "as_of")
    events = events_dedupe(events)
    _check_as_of(events, as_of)
    # Horner's scheme over the days: the sums are carried forward to each later day, decayed by
    # r per day, and the decay of a day's events is applied once for the whole day.
    retention = params.daily_retention
    weighted_stars = weight = Fraction(0)
    rated = False
    current: date | None = None
    for event in events:
        stars, event_weight = event_pseudo_rating(event, params)
        if current is not None and event.day != current:
            factor = retention ** (event.day - current).days
            weighted_stars, weight = weighted_stars * factor, weight * factor
        current = event.day
        weighted_stars += event_weight * stars
        weight += event_weight
        rated = rated or event_weight > 0
    if not rated:
        return None
    factor = retention ** (as_of - current).days
    return _bayesian_average(params, weighted_stars * factor, weight * factor)


def reputation_score(events: Iterable[ReputationEvent], *, as_of: date,
                     params: ReputationParameters | None = None) -> Decimal | None:
    """The store's score on the simulated day `as_of`, from 1.00 to 5.00 rounded half-up to two
    places, or None when no event carries weight (then the demand engine's `unrated_rating`
    applies). Events may come in any order and repeat (by key); none may be after `as_of`."""
    exact = reputation_score_exact(events, as_of=as_of, params=params)
    return None if exact is None else stars_round(exact)


class ReputationTally:
    """The incremental fold of a store's events, for a caller that adds them as they happen:
    `add` each event (a repeat of a key is skipped and returns False), then `score(as_of=...)`.
    Equal to `reputation_score` over the same events in any order, exactly.

    The sums are kept decayed to the latest day seen: an event on a later day first decays them
    by r per day, an earlier one is added with its own decay; both are exact, so the order of
    the additions does not matter.
    """

    def __init__(self, params: ReputationParameters | None = None):
        self.params = _params(params)
        self._retention = self.params.daily_retention
        self._events: dict[str, ReputationEvent] = {}
        self.day: date | None = None  # the day the sums are decayed to
        self.weighted_stars = Fraction(0)
        self.weight = Fraction(0)
        self.rated_events = 0  # events with a positive table weight

    def __len__(self) -> int:
        return len(self._events)

    def add(self, event: ReputationEvent) -> bool:
        """Fold the event in; False when its key was already folded with the same event."""
        if not isinstance(event, ReputationEvent):
            raise TypeError(f"expected a ReputationEvent, not {type(event).__name__}")
        previous = self._events.get(event.key)
        if previous is not None:
            if previous != event:
                raise ReputationError(f"event key {event.key} is already used by a different event")
            return False
        stars, weight = event_pseudo_rating(event, self.params)
        if self.day is None:
            self.day = event.day
        elif event.day > self.day:
            factor = self._retention ** (event.day - self.day).days
            self.weighted_stars, self.weight = self.weighted_stars * factor, self.weight * factor
            self.day = event.day
        decayed = weight * self._retention ** (self.day - event.day).days
        self.weighted_stars += decayed * stars
        self.weight += decayed
        self.rated_events += 1 if weight > 0 else 0
        self._events[event.key] = event
        return True

    def score_exact(self, *, as_of: date) -> Fraction | None:
        _check_day(as_of, "as_of")
        if self.day is not None and as_of < self.day:
            raise ReputationError(f"the score on {as_of} cannot include events of {self.day}, a later day")
        if not self.rated_events:
            return None
        factor = self._retention ** (as_of - self.day).days
        return _bayesian_average(self.params, self.weighted_stars * factor, self.weight * factor)

    def score(self, *, as_of: date) -> Decimal | None:
        exact = self.score_exact(as_of=as_of)
        return None if exact is None else stars_round(exact)


# Why the score is what it is.


@dataclass(frozen=True)
class Contribution:
    """One event's part in the score on the breakdown's day. `pull` is how far it moves the
    score from the prior mean, in stars: effective weight × (stars − prior mean) / total weight,
    so the prior mean plus every event's pull is the exact score. `pull_shown` is the pull
    rounded half-up to 0.01 on its own (identical events show identical pulls; the rounded pulls
    may miss the rounded score by a few hundredths: `ReputationBreakdown.by_kind` adds up
    exactly). Pulls are computed when read, so that a page showing the latest events does not pay
    for a long history."""

    event: ReputationEvent
    stars: Fraction
    weight: Fraction
    age_days: int
    decay: Fraction  # r ** age_days
    prior_mean: Fraction
    total_weight: Fraction  # of the breakdown: the prior's weight + every event's effective weight

    @property
    def effective_weight(self) -> Fraction:
        return self.weight * self.decay

    @property
    def pull(self) -> Fraction:
        if self.weight == 0:  # also every event of an unrated store, whose total may be 0
            return Fraction(0)
        return self.effective_weight * (self.stars - self.prior_mean) / self.total_weight

    @property
    def stars_shown(self) -> Decimal:
        return stars_round(self.stars)

    @property
    def effective_weight_shown(self) -> Decimal:
        return stars_round(self.effective_weight)

    @property
    def pull_shown(self) -> Decimal:
        return stars_round(self.pull)


@dataclass(frozen=True)
class KindSummary:
    """The events of one kind together: how many, their effective weight and their pull; the
    `pull_shown` of all kinds and the prior mean add up to the shown score exactly."""

    kind: ReputationEventKind
    events: int
    effective_weight: Fraction
    pull: Fraction
    pull_shown: Decimal


@dataclass(frozen=True)
class ReputationBreakdown:
    """"Why is my rating 4.12": the prior, each event's contribution in (day, key) order, and the
    exact and shown score on `as_of` (None for both when the store is unrated)."""

    as_of: date
    prior_mean: Decimal
    prior_weight: Decimal
    daily_retention: Fraction
    contributions: tuple[Contribution, ...]
    total_weight: Fraction  # the prior's weight + every event's effective weight
    exact: Fraction | None
    score: Decimal | None

    @property
    def rated(self) -> bool:
        return self.exact is not None

    def by_kind(self) -> tuple[KindSummary, ...]:
        """One row per event kind present, in the order of `ReputationEventKind`, with pulls
        rounded to 0.01 by the largest remainder method so that prior mean + Σ shown pulls equals
        the shown score (when unrated every pull is 0)."""
        groups: dict[ReputationEventKind, list[Contribution]] = {}
        for contribution in self.contributions:
            groups.setdefault(contribution.event.kind, []).append(contribution)
        kinds = [kind for kind in ReputationEventKind if kind in groups]
        prior_mean = Fraction(self.prior_mean)
        weights = [_decayed_sum((c.age_days, c.decay, c.weight) for c in groups[kind]) for kind in kinds]
        pulls = [
            _decayed_sum((c.age_days, c.decay, c.weight * (c.stars - prior_mean)) for c in groups[kind])
            / self.total_weight if self.rated else Fraction(0)
            for kind in kinds
        ]
        target = 0 if self.score is None else _hundredths(Fraction(self.score - self.prior_mean))
        shown = _apportion(pulls, target)
        return tuple(
            KindSummary(kind, len(groups[kind]), weight, pull, Decimal(units).scaleb(-SCORE_PLACES))
            for kind, weight, pull, units in zip(kinds, weights, pulls, shown)
        )


def score_breakdown(events: Iterable[ReputationEvent], *, as_of: date,
                    params: ReputationParameters | None = None) -> ReputationBreakdown:
    """Each event's contribution to the score on `as_of` (module docstring), for the store's
    page. Its `exact` equals `reputation_score_exact` and its `score` `reputation_score`."""
    params = _params(params)
    _check_day(as_of, "as_of")
    events = events_dedupe(events)
    _check_as_of(events, as_of)
    retention = params.daily_retention
    decays: dict[int, Fraction] = {}  # by age: a run has far fewer days than events
    rows = []
    for event in events:
        stars, weight = event_pseudo_rating(event, params)
        age = (as_of - event.day).days
        if age not in decays:
            decays[age] = retention**age
        rows.append((event, stars, weight, age, decays[age]))
    prior_mean, prior_weight = Fraction(params.prior_mean), Fraction(params.prior_weight)
    total = prior_weight + _decayed_sum((age, decay, weight) for _, _, weight, age, decay in rows)
    rated = any(weight > 0 for _, _, weight, _, _ in rows)
    exact = None
    if rated:
        weighted_stars = _decayed_sum((age, decay, weight * stars) for _, stars, weight, age, decay in rows)
        exact = (prior_weight * prior_mean + weighted_stars) / total
    return ReputationBreakdown(
        as_of=as_of, prior_mean=params.prior_mean, prior_weight=params.prior_weight, daily_retention=retention,
        contributions=tuple(Contribution(event, stars, weight, age, decay, prior_mean, total)
                            for event, stars, weight, age, decay in rows),
        total_weight=total, exact=exact, score=None if exact is None else stars_round(exact),
    )


def stars_round(value: Fraction | Decimal | int) -> Decimal:
    """The value rounded half-up (away from zero on a tie) to 0.01, as a Decimal with two places."""
    return Decimal(_hundredths(_exact(value, "the value"))).scaleb(-SCORE_PLACES)


# Helpers.


def _bayesian_average(params: ReputationParameters, weighted_stars: Fraction, weight: Fraction) -> Fraction:
    prior_weight = Fraction(params.prior_weight)
    return (prior_weight * Fraction(params.prior_mean) + weighted_stars) / (prior_weight + weight)


def _decayed_sum(terms: Iterable[tuple[int, Fraction, Fraction]]) -> Fraction:
    """Σ decay × value over (age, decay, value) terms, summing the values of each age first: the
    values have small denominators, the decays large ones, so this keeps the big arithmetic to
    one product per age."""
    by_age: dict[int, tuple[Fraction, Fraction]] = {}
    for age, decay, value in terms:
        _, subtotal = by_age.get(age, (decay, Fraction(0)))
        by_age[age] = (decay, subtotal + value)
    return sum((decay * subtotal for decay, subtotal in by_age.values()), Fraction(0))


def _hundredths(value: Fraction) -> int:
    """The value in hundredths, rounded half-up (away from zero on a tie)."""
    scaled = value * 10**SCORE_PLACES
    units = (abs(scaled) * 2 + 1) // 2
    return int(units if scaled >= 0 else -units)


def _apportion(values: list[Fraction], target: int) -> list[int]:
    """Hundredths for each value, adding up to `target`: each value's floor, then one more for
    the largest fractional parts (the first on a tie)."""
    floors = [math.floor(value * 10**SCORE_PLACES) for value in values]
    remainders = [value * 10**SCORE_PLACES - low for value, low in zip(values, floors)]
    extra = target - sum(floors)
    if not 0 <= extra <= len(values):
        raise AssertionError(f"cannot apportion {target} hundredths over {values}")
    order = sorted(range(len(values)), key=lambda i: (-remainders[i], i))
    for i in order[:extra]:
        floors[i] += 1
    return floors


def _params(params) -> ReputationParameters:
    if params is None:
        return DEFAULT_PARAMETERS
    if not isinstance(params, ReputationParameters):
        raise TypeError(f"params must be ReputationParameters, not {type(params).__name__}")
    return params


def _check_as_of(events: tuple[ReputationEvent, ...], as_of: date) -> None:
    if events and events[-1].day > as_of:
        raise ReputationError(f"the score on {as_of} cannot include event {events[-1].key} of {events[-1].day},"
                              " a later day")


DEFAULT_PARAMETERS = ReputationParameters()
