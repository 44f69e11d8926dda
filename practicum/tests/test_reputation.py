"""A store's reputation (issue "Practicum II", point 5): events folded into a Bayesian average of
pseudo-ratings from 1 to 5 stars with decay by age in simulated days, rebuilt exactly from its
events in any order, and explained event by event. Pure: no database."""

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from practicum.demand import DemandParameters
from practicum.reputation import (
    DEFAULT_TABLE,
    PseudoRating,
    ReputationError,
    ReputationEvent,
    ReputationEventKind,
    ReputationParameters,
    ReputationTally,
    event_pseudo_rating,
    events_dedupe,
    reputation_score,
    reputation_score_exact,
    score_breakdown,
    stars_round,
)

D = Decimal
F = Fraction
K = ReputationEventKind
DAY = date(2026, 9, 1)
HORIZON = 120  # days after DAY that events fall on in the properties


def _day(n: int) -> date:
    return DAY + timedelta(days=n)


def _event(kind, n=0, key=None, **extra) -> ReputationEvent:
    return ReputationEvent(kind, _day(n), key or f"{kind}-{n}", **extra)


# Strategies.


@st.composite
def events_of(draw, *, keys: int = 40, max_size: int = 25):
    """Events with distinct keys, on days DAY .. DAY + HORIZON, of every kind."""
    numbers = draw(st.lists(st.integers(0, keys), unique=True, max_size=max_size))
    events = []
    for number in numbers:
        kind = draw(st.sampled_from(list(ReputationEventKind)))
        extra = {}
        if kind == K.REVIEW:
            extra["stars"] = draw(st.integers(1, 5))
        if kind == K.DELIVERED_LATE:
            extra["days_late"] = draw(st.integers(1, 40))
        events.append(ReputationEvent(kind, _day(draw(st.integers(0, HORIZON))), f"order-{number}", **extra))
    return events


stars_decimal = st.integers(10, 50).map(lambda tenths: D(tenths).scaleb(-1))
weight_decimal = st.integers(0, 6).map(lambda halves: D(halves) / 2)


@st.composite
def parameters(draw, *, default_table: bool = False):
    table = {}
    if not default_table:
        for kind in ReputationEventKind:
            stars = None if kind == K.REVIEW else draw(stars_decimal)
            table[kind] = PseudoRating(stars, draw(weight_decimal))
    return ReputationParameters(
        prior_mean=D(draw(st.integers(100, 500))).scaleb(-2),
        prior_weight=draw(st.integers(0, 20)),
        half_life_days=draw(st.none() | st.integers(1, 365)),
        late_days_per_star=draw(st.integers(1, 30)),
        table=table,
    )


as_of_days = st.integers(HORIZON, HORIZON + 60).map(_day)


# Properties.


@given(events=events_of(), params=parameters(), as_of=as_of_days)
@settings(max_examples=150, deadline=None)
def test_score_is_between_one_and_five_stars_or_unrated(events, params, as_of):
    """Whatever the events and parameters, the score is None (unrated) or from 1.00 to 5.00, an
    exact Fraction rounded half-up to a two-place Decimal; it is None exactly when no event
    carries weight."""
    exact = reputation_score_exact(events, as_of=as_of, params=params)
    score = reputation_score(events, as_of=as_of, params=params)
    weighted = any(event_pseudo_rating(event, params)[1] > 0 for event in events)
    assert (exact is None) == (score is None) == (not weighted)
    if exact is not None:
        assert isinstance(exact, Fraction) and 1 <= exact <= 5
        assert isinstance(score, Decimal) and score.as_tuple().exponent == -2
        assert D(1) <= score <= D(5)
        assert score == stars_round(exact)


@given(events=events_of(), params=parameters(), as_of=as_of_days, data=st.data())
@settings(max_examples=100, deadline=None)
def test_order_of_events_does_not_matter(events, params, as_of, data):
    """The score is a function of the set of events: any permutation gives the same exact score."""
    shuffled = data.draw(st.permutations(events))
    assert reputation_score_exact(shuffled, as_of=as_of, params=params) == \
        reputation_score_exact(events, as_of=as_of, params=params)


@given(events=events_of(), params=parameters(), as_of=as_of_days, data=st.data())
@settings(max_examples=100, deadline=None)
def test_an_event_recorded_twice_counts_once(events, params, as_of, data):
    """Repeating events (the same key and content, e.g. a retried write) changes nothing."""
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=10)) if events else []
    assert reputation_score_exact(events + repeats, as_of=as_of, params=params) == \
        reputation_score_exact(events, as_of=as_of, params=params)
    assert events_dedupe(events + repeats) == tuple(sorted(events, key=lambda e: (e.day, e.key)))


@given(events=events_of(), params=parameters(), as_of=as_of_days, data=st.data())
@settings(max_examples=100, deadline=None)
def test_incremental_fold_equals_rebuild_from_the_events(events, params, as_of, data):
    """A tally that is fed the events one by one, in any order and with repeats, gives exactly
    the score rebuilt from the list, and so does the breakdown."""
    arrival = data.draw(st.permutations(events + data.draw(st.lists(st.sampled_from(events), max_size=5))
                                        if events else []))
    tally = ReputationTally(params)
    added = [tally.add(event) for event in arrival]
    assert sum(added) == len(events) == len(tally)
    rebuilt = reputation_score_exact(events, as_of=as_of, params=params)
    assert tally.score_exact(as_of=as_of) == rebuilt
    assert tally.score(as_of=as_of) == reputation_score(events, as_of=as_of, params=params)
    assert score_breakdown(events, as_of=as_of, params=params).exact == rebuilt


@given(events=events_of(), params=parameters(default_table=True), as_of=as_of_days,
       day=st.integers(0, HORIZON).map(_day))
@settings(max_examples=150, deadline=None)
def test_an_on_time_delivery_never_lowers_the_score_and_a_lost_parcel_never_raises_it(events, params, as_of, day):
    """With the default table an on-time delivery reads as 5 stars and a lost parcel as 1, the
    ends of the scale, so adding one can only move the score up, or down, respectively (an
    unrated store counts as its prior mean), exactly and as shown."""
    before = reputation_score_exact(events, as_of=as_of, params=params)
    before = F(params.prior_mean) if before is None else before
    on_time = reputation_score_exact(events + [ReputationEvent(K.DELIVERED_ON_TIME, day, "new")], as_of=as_of,
                                     params=params)
    lost = reputation_score_exact(events + [ReputationEvent(K.LOST, day, "new")], as_of=as_of, params=params)
    assert on_time >= before >= lost
    assert stars_round(on_time) >= stars_round(before) >= stars_round(lost)


@given(events=events_of(), as_of=as_of_days, old=st.integers(0, HORIZON), gap=st.integers(1, HORIZON),
       kind=st.sampled_from([K.LOST, K.DISPUTE_LOST]))
@settings(max_examples=150, deadline=None)
def test_decay_makes_an_old_bad_event_weigh_less_than_a_recent_one(events, as_of, old, gap, kind):
    """With the default half-life a lost parcel or a lost dispute (1 star) costs strictly less the
    longer ago it happened; without decay its age does not matter."""
    recent = min(old + gap, HORIZON)
    if recent == old:
        old -= 1

    def with_bad(day_number, params=None):
        return reputation_score_exact(events + [_event(kind, day_number, key="bad")], as_of=as_of, params=params)

    assert with_bad(old) > with_bad(recent)
    assert stars_round(with_bad(old)) >= stars_round(with_bad(recent))
    no_decay = ReputationParameters(half_life_days=None)
    assert with_bad(old, no_decay) == with_bad(recent, no_decay)


@given(events=events_of(), params=parameters(), as_of=as_of_days)
@settings(max_examples=100, deadline=None)
def test_breakdown_adds_up_to_the_score(events, params, as_of):
    """The prior mean plus every event's pull is the exact score, and the by-kind pulls as shown
    add up to the score as shown, to the hundredth."""
    breakdown = score_breakdown(events, as_of=as_of, params=params)
    assert breakdown.exact == reputation_score_exact(events, as_of=as_of, params=params)
    assert breakdown.score == reputation_score(events, as_of=as_of, params=params)
    assert [c.event for c in breakdown.contributions] == list(events_dedupe(events))
    pulls = sum((c.pull for c in breakdown.contributions), F(0))
    kinds = breakdown.by_kind()
    assert sum(summary.events for summary in kinds) == len(events)
    if breakdown.rated:
        assert F(breakdown.prior_mean) + pulls == breakdown.exact
        assert breakdown.prior_mean + sum(summary.pull_shown for summary in kinds) == breakdown.score
    else:
        assert pulls == 0 and all(summary.pull_shown == 0 for summary in kinds)


# Worked examples, computed by hand.


def test_a_store_without_weighted_events_is_unrated():
    """No event, or only disputes the store won (weight 0), leaves the store unrated: None, so
    that the demand engine's unrated_rating applies; the default prior equals that rating."""
    won = _event(K.DISPUTE_WON, 3)
    assert reputation_score([], as_of=DAY) is None
    assert reputation_score([won], as_of=_day(5)) is None
    assert ReputationTally().score(as_of=DAY) is None
    breakdown = score_breakdown([won], as_of=_day(5))
    assert not breakdown.rated and breakdown.score is None
    assert breakdown.contributions[0].pull == 0
    assert ReputationParameters().prior_mean == DemandParameters().unrated_rating == D("4.0")


def test_first_on_time_delivery():
    """Prior 4★ worth 5, one on-time delivery (5★, weight ½) on the day of the score:
    (5·4 + ½·5) / (5 + ½) = 22.5 / 5.5 = 45/11 = 4.0909… → 4.09."""
    events = [_event(K.DELIVERED_ON_TIME)]
    assert reputation_score_exact(events, as_of=DAY) == F(45, 11)
    assert reputation_score(events, as_of=DAY) == D("4.09")


def test_first_lost_parcel():
    """A new store loses its first parcel (1★, weight 1): (20 + 1) / (5 + 1) = 3.5 → 3.50."""
    assert reputation_score([_event(K.LOST)], as_of=DAY) == D("3.50")


def test_a_mixed_day_and_its_breakdown():
    """All on one day (no decay): ten on-time deliveries (5★ × ½ each), a parcel 9 days late
    (3 − (9 − 1) // 7 = 2★, weight 1), a 5★ review (weight 1), a lost dispute (1★, weight 2):

        numerator   = 5·4 + 10·½·5 + 1·2 + 1·5 + 2·1 = 20 + 25 + 2 + 5 + 2 = 54
        denominator = 5 + 10·½ + 1 + 1 + 2 = 14
        score       = 54/14 = 27/7 = 3.857… → 3.86

    Pulls from the prior mean 4, each weight × (stars − 4) / 14: on-time 10·½·1/14 = 5/14
    (+0.357…), late 1·(−2)/14 (−0.142…), review 1·1/14 (+0.071…), dispute 2·(−3)/14 (−0.428…);
    4 + (5 − 2 + 1 − 6)/14 = 27/7. Shown by kind, by largest remainder so that they add up to
    3.86 − 4.00 = −0.14: hundredths floors 35, −15, 7, −43 (sum −16) and two more for the two
    largest remainders (0.714… for on-time and for late): +0.36, −0.14, +0.07, −0.43. Shown per
    event, each on-time delivery's 1/28 = 0.0357… is 0.04, ten of them 0.40 ≠ 0.36: why the
    by-kind rows are the ones that add up."""
    events = [_event(K.DELIVERED_ON_TIME, key=f"on-time-{i}") for i in range(10)] + [
        _event(K.DELIVERED_LATE, days_late=9), _event(K.REVIEW, stars=5), _event(K.DISPUTE_LOST),
    ]
    assert reputation_score_exact(events, as_of=DAY) == F(27, 7)
    assert reputation_score(events, as_of=DAY) == D("3.86")
    breakdown = score_breakdown(events, as_of=DAY)
    assert breakdown.total_weight == 14
    by_kind = {summary.kind: summary for summary in breakdown.by_kind()}
    assert list(by_kind) == [K.DELIVERED_ON_TIME, K.DELIVERED_LATE, K.DISPUTE_LOST, K.REVIEW]
    assert {kind: s.pull for kind, s in by_kind.items()} == {
        K.DELIVERED_ON_TIME: F(5, 14), K.DELIVERED_LATE: F(-2, 14), K.REVIEW: F(1, 14), K.DISPUTE_LOST: F(-6, 14)}
    assert {kind: s.pull_shown for kind, s in by_kind.items()} == {
        K.DELIVERED_ON_TIME: D("0.36"), K.DELIVERED_LATE: D("-0.14"), K.REVIEW: D("0.07"), K.DISPUTE_LOST: D("-0.43")}
    assert by_kind[K.DELIVERED_ON_TIME].events == 10 and by_kind[K.DELIVERED_ON_TIME].effective_weight == 5
    late = next(c for c in breakdown.contributions if c.event.kind == K.DELIVERED_LATE)
    assert (late.stars, late.weight, late.age_days, late.decay, late.pull_shown) == (2, 1, 0, 1, D("-0.14"))
    on_time = [c.pull_shown for c in breakdown.contributions if c.event.kind == K.DELIVERED_ON_TIME]
    assert on_time == [D("0.04")] * 10


def test_decay_with_a_one_day_half_life():
    """Half-life 1 day, so r = ½ exactly. A parcel lost on day 0 and an on-time delivery on day 2,
    scored on day 2: the loss weighs 1·(½)² = ¼, the delivery ½·1 = ½:
    (20 + ¼·1 + ½·5) / (5 + ¼ + ½) = 22.75 / 5.75 = 91/23 = 3.9565… → 3.96.
    Without decay: (20 + 1 + 2.5) / (5 + 1 + ½) = 23.5 / 6.5 = 47/13 = 3.615… → 3.62.
    Scored two days later still (day 4), with no new events, the record fades towards the prior:
    (20 + 1/16 + ½·¼·5) / (5 + 1/16 + ⅛) = (1280 + 4 + 40)/64 ÷ (320 + 4 + 8)/64 = 1324/332 =
    331/83 = 3.9879… → 3.99."""
    events = [_event(K.LOST, 0), _event(K.DELIVERED_ON_TIME, 2)]
    fast = ReputationParameters(half_life_days=1)
    assert fast.daily_retention == F(1, 2)
    assert reputation_score_exact(events, as_of=_day(2), params=fast) == F(91, 23)
    assert reputation_score(events, as_of=_day(2), params=fast) == D("3.96")
    assert reputation_score(events, as_of=_day(2), params=ReputationParameters(half_life_days=None)) == D("3.62")
    assert reputation_score_exact(events, as_of=_day(4), params=fast) == F(331, 83)
    assert reputation_score(events, as_of=_day(4), params=fast) == D("3.99")
    lost = score_breakdown(events, as_of=_day(2), params=fast).contributions[0]
    assert (lost.age_days, lost.decay, lost.effective_weight, lost.effective_weight_shown) == (2, F(1, 4), F(1, 4),
                                                                                             D("0.25"))


def test_default_half_life_is_thirty_days():
    """The default decay r = 2^(−1/30) = 0.97715996843… is kept to 9 places, 0.977159968, an
    exact rational; thirty days of it are ½ within 10⁻⁸."""
    params = ReputationParameters()
    assert params.half_life_days == 30
    assert params.daily_retention == F(977159968, 10**9)
    assert abs(params.daily_retention**30 - F(1, 2)) < F(1, 10**8)
    assert ReputationParameters(half_life_days=None).daily_retention == 1


@pytest.mark.parametrize(("days_late", "stars"), [(1, 3), (7, 3), (8, 2), (14, 2), (15, 1), (100, 1)])
def test_late_parcels_lose_a_star_per_week(days_late, stars):
    """A parcel up to 7 days late reads as 3 stars, one star less for each further week, never
    under 1."""
    assert event_pseudo_rating(_event(K.DELIVERED_LATE, days_late=days_late)) == (stars, 1)


def test_default_table():
    """The documented defaults: on-time 5★ × ½, late 3★ × 1, lost 1★ × 1, dispute won × 0,
    dispute lost 1★ × 2, refunded by agreement 2★ × 1, review its stars × 1, cancelled 2★ × 1."""
    assert {kind: (rule.stars, rule.weight) for kind, rule in DEFAULT_TABLE.items()} == {
        K.DELIVERED_ON_TIME: (5, D("0.5")), K.DELIVERED_LATE: (3, 1), K.LOST: (1, 1), K.DISPUTE_WON: (5, 0),
        K.DISPUTE_LOST: (1, 2), K.DISPUTE_REFUNDED: (2, 1), K.REVIEW: (None, 1), K.CANCELLED_BY_STORE: (2, 1),
    }
    assert event_pseudo_rating(_event(K.REVIEW, stars=2)) == (2, 1)


def test_a_tie_rounds_half_up():
    """Prior 4★ worth 7 and one 5★ review: (28 + 5) / 8 = 33/8 = 4.125 → 4.13 (half-up, where
    banker's rounding would give 4.12)."""
    params = ReputationParameters(prior_weight=7)
    assert reputation_score([_event(K.REVIEW, stars=5)], as_of=DAY, params=params) == D("4.13")
    assert stars_round(F(-1, 200)) == D("-0.01")


def test_table_overrides_keep_the_other_defaults():
    """A mentor's table may name only the kinds it changes; a lost parcel weighing 2:
    (20 + 2·1) / (5 + 2) = 22/7 = 3.142… → 3.14."""
    params = ReputationParameters(table={"lost": PseudoRating(1, 2)})
    assert params.table[K.LOST] == PseudoRating(D(1), D(2))
    assert params.table[K.DELIVERED_ON_TIME] == DEFAULT_TABLE[K.DELIVERED_ON_TIME]
    assert reputation_score([_event(K.LOST)], as_of=DAY, params=params) == D("3.14")


# Idempotency and validation.


def test_the_same_key_for_a_different_event_is_an_error():
    """A key names one event: reused for other content it is refused by the rebuild and the tally."""
    first = _event(K.DELIVERED_ON_TIME, 1, key="order-1:delivery")
    other = _event(K.LOST, 1, key="order-1:delivery")
    with pytest.raises(ReputationError, match="order-1:delivery is already used"):
        reputation_score([first, other], as_of=_day(1))
    tally = ReputationTally()
    assert tally.add(first) is True
    assert tally.add(first) is False
    with pytest.raises(ReputationError, match="already used"):
        tally.add(other)


def test_events_after_the_day_of_the_score_are_refused():
    """A score on a day cannot include a later day's events."""
    events = [_event(K.REVIEW, 5, stars=4)]
    with pytest.raises(ReputationError, match="later day"):
        reputation_score(events, as_of=_day(4))
    with pytest.raises(ReputationError, match="later day"):
        score_breakdown(events, as_of=_day(4))
    tally = ReputationTally()
    tally.add(events[0])
    with pytest.raises(ReputationError, match="later day"):
        tally.score(as_of=_day(4))


@pytest.mark.parametrize("build", [
    lambda: ReputationEvent(K.REVIEW, DAY, "r", stars=4.0),
    lambda: ReputationEvent(K.DELIVERED_LATE, DAY, "l", days_late=3.0),
    lambda: ReputationParameters(prior_mean=4.0),
    lambda: ReputationParameters(prior_weight=5.0),
    lambda: ReputationParameters(half_life_days=30.0),
    lambda: ReputationParameters(late_days_per_star=7.0),
    lambda: PseudoRating(4.5, D(1)),
    lambda: PseudoRating(D(4), 0.5),
    lambda: stars_round(4.125),
], ids=["review stars", "days late", "prior mean", "prior weight", "half-life", "late days per star",
        "table stars", "table weight", "rounding"])
def test_a_float_is_a_type_error(build):
    """Exactness: no float enters the score's path; passing one is a TypeError."""
    with pytest.raises(TypeError, match="float"):
        build()


@pytest.mark.parametrize(("build", "message"), [
    (lambda: ReputationEvent(K.REVIEW, DAY, "r"), "stars must be an int"),
    (lambda: ReputationEvent(K.REVIEW, DAY, "r", stars=6), "stars must be 1 to 5"),
    (lambda: ReputationEvent(K.REVIEW, DAY, "r", stars=True), "stars must be an int"),
    (lambda: ReputationEvent(K.LOST, DAY, "x", stars=3), "only a review has stars"),
    (lambda: ReputationEvent(K.DELIVERED_LATE, DAY, "l", days_late=0), "at least 1"),
    (lambda: ReputationEvent(K.LOST, DAY, "x", days_late=2), "only a late delivery"),
    (lambda: ReputationEvent("misplaced", DAY, "x"), "unknown reputation event kind"),
    (lambda: ReputationEvent(K.LOST, datetime(2026, 9, 1, 12), "x"), "simulated day"),
    (lambda: ReputationEvent(K.LOST, DAY, " x"), "malformed event key"),
    (lambda: ReputationParameters(prior_mean=D("3.333")), "at most 2 decimal places"),
    (lambda: ReputationParameters(prior_mean=D("5.5")), "1 to 5 stars"),
    (lambda: ReputationParameters(prior_weight=-1), "must not be negative"),
    (lambda: ReputationParameters(half_life_days=0), "half_life_days must be 1 to"),
    (lambda: ReputationParameters(late_days_per_star=0), "at least 1"),
    (lambda: ReputationParameters(table={K.REVIEW: PseudoRating(5, 1)}), "own stars"),
    (lambda: ReputationParameters(table={K.LOST: PseudoRating(None, 1)}), "own stars"),
    (lambda: ReputationParameters(table={"vanished": PseudoRating(1, 1)}), "unknown event kind"),
    (lambda: PseudoRating(D(0), 1), "1 to 5 stars"),
    (lambda: PseudoRating(D(2), -1), "must not be negative"),
    (lambda: PseudoRating(D("NaN"), 1), "finite"),
    (lambda: reputation_score([], as_of=datetime(2026, 9, 1)), "simulated day"),
    (lambda: reputation_score(["lost"], as_of=DAY), "ReputationEvent"),
    (lambda: reputation_score([], as_of=DAY, params=DemandParameters()), "ReputationParameters"),
])
def test_invalid_input_is_refused_with_a_one_line_message(build, message):
    """Malformed events and parameters raise a ReputationError (or a TypeError for a wrong type)
    with a one-line message naming what is wrong."""
    with pytest.raises((ReputationError, TypeError), match=message) as raised:
        build()
    assert "\n" not in str(raised.value)


def test_values_are_normalised():
    """A kind given as its string value becomes the enum member; parameters keep Decimals, and
    are immutable."""
    event = ReputationEvent("delivered_late", DAY, "order-9:delivery", days_late=2)
    assert event.kind is K.DELIVERED_LATE
    params = ReputationParameters(prior_weight=3)
    assert isinstance(params.prior_weight, Decimal)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.prior_mean = D(3)
    with pytest.raises(TypeError):
        params.table[K.LOST] = PseudoRating(1, 5)
