"""A store's KPIs, their score against the project's targets, the daily snapshot's hash and the
practicum grade pinned to it (issue "Practicum II", point 6). Pure: no database."""

import dataclasses
import json
import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from practicum.kpis import (
    DEFAULT_KPI_WEIGHT_PCT,
    DEFAULT_TARGETS,
    LOWER_IS_BETTER,
    PERCENT_KINDS,
    REFERENCE_CAPITAL_MINOR,
    GradeMismatch,
    GradeRecord,
    KpiError,
    KpiInputs,
    KpiKind,
    KpiSnapshot,
    KpiTarget,
    SnapshotMismatch,
    default_targets,
    grade_record,
    kpi_breakdown,
    kpi_points,
    kpi_score,
    kpi_snapshot,
    kpi_target_check,
    kpi_values,
    money_inputs_from_ledger,
    practicum_grade,
    rubric_pct,
    weights_check,
)
from practicum import ledger
from practicum.ledger import (
    BOOK_CURRENCY,
    Account,
    AccountCode,
    AccountKind,
    balances,
    capital_contribution,
    escrow_release,
    order_payment,
    shipment,
    stock_purchase,
)
from practicum.project_models import ProjectKpi

D = Decimal
DAY = date(2026, 9, 14)
STORE = "team-a"

# A store after two weeks, figured by hand in the docstrings below.
WORKED = KpiInputs(
    revenue_minor=1_234_500, cost_of_sales_minor=600_000, shipping_minor=150_000, platform_fee_minor=61_725,
    duties_vat_minor=80_000, fx_gain_loss_minor=-2_350, other_expenses_minor=10_000,
    shoppers=1200, orders_placed=90, orders_disputed=3, parcels_delivered=80, parcels_on_time=74,
    declarations=85, declarations_accurate=83, rating=D("4.625"),
)
HOME_GOODS_WEIGHTS = {"net_profit": 40, "conversion": 20, "on_time_delivery": 20, "declaration_accuracy": 20}
WORKED_DIGEST = "2d6a98ee1d2ebaff1c91e67f2a914d35377bab81fa04b4a0501eb48a41baf02f"


# Strategies.


@st.composite
def kpi_inputs(draw):
    money = st.integers(0, 10**10)
    shoppers = draw(st.integers(0, 10**6))
    placed = draw(st.integers(0, shoppers))
    delivered = draw(st.integers(0, 10**5))
    declarations = draw(st.integers(0, 10**5))
    return KpiInputs(
        revenue_minor=draw(money), cost_of_sales_minor=draw(money), shipping_minor=draw(money),
        platform_fee_minor=draw(money), duties_vat_minor=draw(money), other_expenses_minor=draw(money),
        fx_gain_loss_minor=draw(st.integers(-10**8, 10**8)),
        shoppers=shoppers, orders_placed=placed, orders_disputed=draw(st.integers(0, placed)),
        parcels_delivered=delivered, parcels_on_time=draw(st.integers(0, delivered)),
        declarations=declarations, declarations_accurate=draw(st.integers(0, declarations)),
        rating=draw(st.none() | st.decimals(0, 5, places=3)),
    )


@st.composite
def kpi_target(draw, kind):
    if kind in PERCENT_KINDS:
        bounds = {"min_value": 0, "max_value": 100}
    elif kind == KpiKind.RATING:
        bounds = {"min_value": 0, "max_value": 5}
    else:
        bounds = {"min_value": -10**7, "max_value": 10**7}
    low, high = sorted(draw(st.lists(st.decimals(places=2, **bounds), min_size=2, max_size=2, unique=True)))
    return KpiTarget(high, low) if kind in LOWER_IS_BETTER else KpiTarget(low, high)


@st.composite
def kpi_targets(draw):
    """Targets for a random subset of the kinds; the others take their defaults."""
    kinds = draw(st.lists(st.sampled_from(list(KpiKind)), unique=True))
    return {kind: draw(kpi_target(kind)) for kind in kinds}


@st.composite
def kpi_weights(draw):
    """Int weights summing to 100 over a random non-empty subset of the kinds (a weight may be 0)."""
    kinds = draw(st.lists(st.sampled_from(list(KpiKind)), min_size=1, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=len(kinds) - 1, max_size=len(kinds) - 1)))
    bounds = [0, *cuts, 100]
    return {kind: bounds[i + 1] - bounds[i] for i, kind in enumerate(kinds)}


def kpi_number(kind):
    """A defined value of the kind, to 0.01, within its range."""
    bounds = {"min_value": -10**8, "max_value": 10**8}
    if kind in PERCENT_KINDS:
        bounds = {"min_value": 0, "max_value": 100}
    elif kind == KpiKind.RATING:
        bounds = {"min_value": 0, "max_value": 5}
    return st.decimals(places=2, **bounds)


def kpi_value(kind):
    return st.none() | kpi_number(kind)


snapshot_values = st.fixed_dictionaries({kind: kpi_value(kind) for kind in KpiKind})
score_pct = st.decimals(0, 100, places=2)


def _shuffled(mapping, seed):
    items = list(mapping.items())
    random.Random(seed).shuffle(items)
    return dict(items)


# The KPIs.


def test_kpi_kinds_are_the_project_kpi_kinds():
    """The module scores exactly the KPIs a project can weigh (ProjectKpi.Kind), by the same values."""
    assert [str(kind) for kind in KpiKind] == list(ProjectKpi.Kind.values)


def test_worked_example_values():
    """Revenue CNY 12,345.00 − cost of sales 6,000.00 = gross 6,345.00; − shipping 1,500.00 − fee
    617.25 − duties/VAT 800.00 − other 100.00 − FX loss 23.50 = net 3,304.25. Conversion 90/1200 =
    7.50 %, on time 74/80 = 92.50 %, accurate 83/85 = 97.647…% → 97.65, disputes 3/90 = 3.333…% →
    3.33, rating 4.625 → 4.63 (half-up)."""
    assert kpi_values(WORKED) == {
        KpiKind.REVENUE: D("12345.00"),
        KpiKind.GROSS_PROFIT: D("6345.00"),
        KpiKind.NET_PROFIT: D("3304.25"),
        KpiKind.CONVERSION: D("7.50"),
        KpiKind.ON_TIME_DELIVERY: D("92.50"),
        KpiKind.DECLARATION_ACCURACY: D("97.65"),
        KpiKind.DISPUTE_RATE: D("3.33"),
        KpiKind.RATING: D("4.63"),
    }
    assert list(kpi_values(WORKED)) == list(KpiKind)
    assert all(value.as_tuple().exponent == -2 for value in kpi_values(WORKED).values())


def test_a_rate_with_nothing_to_count_is_undefined():
    """No shoppers, parcels, declarations, orders or rating yet: the rates and the rating are None,
    money is CNY 0.00, and a net loss shows as a negative net profit."""
    values = kpi_values(KpiInputs(shipping_minor=2_500))
    assert values[KpiKind.REVENUE] == D("0.00")
    assert values[KpiKind.NET_PROFIT] == D("-25.00")
    for kind in (*PERCENT_KINDS, KpiKind.RATING):
        assert values[kind] is None


@settings(max_examples=200)
@given(kpi_inputs())
def test_profit_is_defined_as_documented(inputs):
    """Gross profit = revenue − cost of sales; net = gross − shipping − fee − duties/VAT − other
    expenses + FX gain (negative for a loss), exactly to the fen."""
    values = kpi_values(inputs)
    gross = inputs.revenue_minor - inputs.cost_of_sales_minor
    net = (gross - inputs.shipping_minor - inputs.platform_fee_minor - inputs.duties_vat_minor
           - inputs.other_expenses_minor + inputs.fx_gain_loss_minor)
    assert values[KpiKind.REVENUE] == D(inputs.revenue_minor) / 100
    assert values[KpiKind.GROSS_PROFIT] == D(gross) / 100
    assert values[KpiKind.NET_PROFIT] == D(net) / 100
    for kind in PERCENT_KINDS:
        assert values[kind] is None or D(0) <= values[kind] <= D(100)


def test_inputs_refuse_floats_and_impossible_counts():
    """Money and counts are ints (a float is a TypeError), the rating a Decimal from 0 to 5; no
    money but the FX result is negative, and no part is more than its whole."""
    with pytest.raises(TypeError, match="never floats"):
        KpiInputs(revenue_minor=100.0)
    with pytest.raises(TypeError):
        KpiInputs(shoppers=True)
    with pytest.raises(TypeError, match="Decimal"):
        KpiInputs(rating=4.5)
    with pytest.raises(KpiError, match="cannot be negative"):
        KpiInputs(shipping_minor=-1)
    with pytest.raises(KpiError, match="from 0 to 5"):
        KpiInputs(rating=D("5.01"))
    for fields in ({"shoppers": 5, "orders_placed": 6}, {"orders_placed": 2, "orders_disputed": 3},
                   {"parcels_delivered": 1, "parcels_on_time": 2}, {"declarations": 0, "declarations_accurate": 1}):
        with pytest.raises(KpiError, match="cannot be more than"):
            KpiInputs(**fields)
    assert KpiInputs(fx_gain_loss_minor=-5).fx_gain_loss_minor == -5
    assert KpiInputs(rating=4).rating == D(4)


def test_money_inputs_come_from_the_ledger_with_the_right_signs():
    """From the journal of one sale (EUR 20.00 paid at 8.2, released at 7.8 with a 5 % fee; goods
    at cost CNY 60.00 shipped for 25.00): revenue 164.00 (a SALES credit), fee 7.80, FX loss 8.00
    (a FX_GAIN_LOSS debit); net profit 63.20 is the change in the store's net assets."""
    journal = [
        capital_contribution(key="cap", store=STORE, amount_minor=10_000_000, day=DAY),
        stock_purchase(key="stock", store=STORE, cost_minor=100_000, available_minor=10_000_000, day=DAY),
        order_payment(key="pay", order="o-1", store=STORE, currency="EUR", amount_minor=2000, day=DAY),
        shipment(key="ship", order="o-1", store=STORE, cost_of_goods_minor=6_000, inventory_minor=100_000,
                 shipping_minor=2_500, channel="post", day=DAY),
        escrow_release(key="rel", order="o-1", store=STORE, currency="EUR", amount_minor=2000, held_minor=2000,
                       payment_rate=D("8.2"), release_rate=D("7.8"), platform_fee_bps=500, day=DAY),
        capital_contribution(key="other", store="team-b", amount_minor=500, day=DAY),
    ]
    books = balances(journal)
    money = money_inputs_from_ledger(books, store=STORE)
    assert money == {"revenue_minor": 16_400, "cost_of_sales_minor": 6_000, "shipping_minor": 2_500,
                     "platform_fee_minor": 780, "duties_vat_minor": 0, "fx_gain_loss_minor": -800,
                     "other_expenses_minor": 0}
    values = kpi_values(KpiInputs(**money))
    assert values[KpiKind.GROSS_PROFIT] == D("104.00")
    assert values[KpiKind.NET_PROFIT] == D("63.20")
    net_assets = sum(amount for (account, currency), amount in books.items()
                     if account.store == STORE and currency == BOOK_CURRENCY
                     and account.code in (AccountCode.STORE_AVAILABLE, AccountCode.INVENTORY,
                                          AccountCode.LOGISTICS_PAYABLE))
    assert net_assets - 10_000_000 == 6_320
    assert values[KpiKind.NET_PROFIT] == D(_profit_on_the_books(books)) / 100


def _profit_on_the_books(books, store=STORE):
    """Minus the store's CNY income and expense balances: its profit, in fen."""
    return -sum(amount for (account, currency), amount in books.items()
                if account.store == store and currency == BOOK_CURRENCY
                and account.kind in (AccountKind.INCOME, AccountKind.EXPENSE))


def test_duties_vat_and_penalties_come_from_the_customs_accounts():
    """A DDP parcel's duty EUR 1.00 and VAT EUR 4.60 at 8 CNY/EUR are CNY 8.00 + 36.80 borne; an
    under-declaration penalty of EUR 2.00 (CNY 16.00) is another expense. The EUR 7.60 still owed
    sits in the trading account: at the same rate it is worth what was booked (no FX result, net
    profit −60.80); at 8.5 CNY/EUR it costs CNY 64.60, an FX loss of 3.80 (net −64.60)."""
    journal = [
        capital_contribution(key="cap", store=STORE, amount_minor=100_000, day=DAY),
        ledger.customs_duties(key="customs", order="o-1", store=STORE, currency="EUR", duty_minor=100,
                              vat_minor=460, penalty_minor=200, rate=D(8), day=DAY),
    ]
    books = balances(journal)
    money = money_inputs_from_ledger(books, store=STORE, cny_per_unit={"EUR": D(8)})
    assert (money["duties_vat_minor"], money["other_expenses_minor"], money["fx_gain_loss_minor"]) == (4_480, 1_600, 0)
    assert kpi_values(KpiInputs(**money))[KpiKind.NET_PROFIT] == D("-60.80")
    moved = money_inputs_from_ledger(books, store=STORE, cny_per_unit={"EUR": D("8.5")})
    assert moved["fx_gain_loss_minor"] == -380
    assert kpi_values(KpiInputs(**moved))[KpiKind.NET_PROFIT] == D("-64.60")
    with pytest.raises(KpiError, match="pass its rate"):
        money_inputs_from_ledger(books, store=STORE)


def test_an_income_account_without_a_kpi_figure_is_not_dropped():
    """An income balance other than sales and FX would be lost from the profit: it raises."""
    books = {(Account(AccountCode.STORE_CAPITAL, STORE), BOOK_CURRENCY): -500,
             (Account(AccountCode.SALES, STORE), BOOK_CURRENCY): -300}
    assert money_inputs_from_ledger(books, store=STORE)["revenue_minor"] == 300

    class Other:
        code, store, kind = "GRANTS", STORE, AccountKind.INCOME

    with pytest.raises(KpiError, match="GRANTS"):
        money_inputs_from_ledger({**books, (Other(), BOOK_CURRENCY): -100}, store=STORE)


# Targets and scores.


def test_worked_example_points_against_the_default_targets():
    """Against the defaults: revenue 12,345 / 50,000 = 24.69; gross 6,345 / 15,000 = 42.30; net
    3,304.25 / 5,000 = 66.085 → 66.09; conversion 7.5 / 10 = 75.00; on time (92.5 − 70) / 27 =
    83.33; declarations (97.65 − 80) / 20 = 88.25; disputes (10 − 3.33) / 9 = 74.11 (lower is
    better); rating (4.63 − 3) / 1.8 = 90.56."""
    values = kpi_values(WORKED)
    assert {kind: kpi_points(kind, values[kind]) for kind in KpiKind} == {
        KpiKind.REVENUE: D("24.69"),
        KpiKind.GROSS_PROFIT: D("42.30"),
        KpiKind.NET_PROFIT: D("66.09"),
        KpiKind.CONVERSION: D("75.00"),
        KpiKind.ON_TIME_DELIVERY: D("83.33"),
        KpiKind.DECLARATION_ACCURACY: D("88.25"),
        KpiKind.DISPUTE_RATE: D("74.11"),
        KpiKind.RATING: D("90.56"),
    }


def test_points_are_clamped_at_the_floor_and_the_target():
    """At or beyond the target a KPI scores 100, at or below the floor 0; for the dispute rate
    the floor is the high value."""
    assert kpi_points(KpiKind.CONVERSION, D("12.00")) == D("100.00")
    assert kpi_points(KpiKind.ON_TIME_DELIVERY, D("70.00")) == D("0.00")
    assert kpi_points(KpiKind.ON_TIME_DELIVERY, D("10.00")) == D("0.00")
    assert kpi_points(KpiKind.NET_PROFIT, D("-500.00")) == D("0.00")
    assert kpi_points(KpiKind.DISPUTE_RATE, D("0.00")) == D("100.00")
    assert kpi_points(KpiKind.DISPUTE_RATE, D("1.00")) == D("100.00")
    assert kpi_points(KpiKind.DISPUTE_RATE, D("5.50")) == D("50.00")
    assert kpi_points(KpiKind.DISPUTE_RATE, D("25.00")) == D("0.00")
    credit_for_a_small_loss = KpiTarget(D(-1000), D(1000))
    assert kpi_points(KpiKind.NET_PROFIT, D("-500.00"), credit_for_a_small_loss) == D("25.00")


def test_worked_example_score_with_the_home_goods_weights():
    """Net profit 40 %, conversion, on-time delivery and declaration accuracy 20 % each:
    0.4 × 66.085 + 0.2 × 75 + 0.2 × 83.333… + 0.2 × 88.25 = 75.750666… → 75.75, computed exactly
    and rounded once; the breakdown shows each share rounded."""
    values = kpi_values(WORKED)
    assert kpi_score(values, HOME_GOODS_WEIGHTS) == D("75.75")
    lines = kpi_breakdown(values, HOME_GOODS_WEIGHTS)
    assert [(line.kind, line.weight_pct, line.points, line.weighted) for line in lines] == [
        (KpiKind.NET_PROFIT, 40, D("66.09"), D("26.43")),
        (KpiKind.CONVERSION, 20, D("75.00"), D("15.00")),
        (KpiKind.ON_TIME_DELIVERY, 20, D("83.33"), D("16.67")),
        (KpiKind.DECLARATION_ACCURACY, 20, D("88.25"), D("17.65")),
    ]
    assert lines[0].target == DEFAULT_TARGETS[KpiKind.NET_PROFIT]


def test_an_undefined_kpi_scores_zero_and_keeps_its_weight():
    """A store with CNY 25,000 of revenue but no shopper counted yet: conversion is undefined and
    scores 0 with its 50 % weight kept, not shared out, so the score is 50 % × 50 = 25.00."""
    values = kpi_values(KpiInputs(revenue_minor=2_500_000))
    assert values[KpiKind.CONVERSION] is None
    assert kpi_points(KpiKind.CONVERSION, None) == D("0.00")
    assert kpi_score(values, {"revenue": 50, "conversion": 50}) == D("25.00")


def test_a_mentors_targets_replace_the_defaults_kind_by_kind():
    """A target given for a kind replaces its default; the other kinds keep theirs."""
    values = kpi_values(WORKED)
    targets = {KpiKind.CONVERSION: KpiTarget(D(0), D(15))}
    assert kpi_score(values, {"conversion": 50, "dispute_rate": 50}, targets) == D("62.06")  # (50 + 74.111…) / 2


def test_default_targets_scale_with_the_starting_capital():
    """Money targets are 1, 0.3 and 0.1 × the starting capital; a project without capital gets the
    reference capital's (CNY 50,000) targets; rates and rating do not depend on it."""
    assert default_targets(starting_capital_minor=REFERENCE_CAPITAL_MINOR) == DEFAULT_TARGETS
    assert DEFAULT_TARGETS[KpiKind.REVENUE] == KpiTarget(D(0), D(50_000))
    doubled = default_targets(starting_capital_minor=10_000_000)
    assert doubled[KpiKind.REVENUE] == KpiTarget(D(0), D(100_000))
    assert doubled[KpiKind.GROSS_PROFIT] == KpiTarget(D(0), D(30_000))
    assert doubled[KpiKind.NET_PROFIT] == KpiTarget(D(0), D(10_000))
    assert doubled[KpiKind.DISPUTE_RATE] == KpiTarget(D(10), D(1))
    assert default_targets(starting_capital_minor=0) == DEFAULT_TARGETS
    assert default_targets(starting_capital_minor=1)[KpiKind.NET_PROFIT] == KpiTarget(D(0), D("0.001"))
    for kind, target in DEFAULT_TARGETS.items():
        kpi_target_check(kind, target)


def test_targets_must_point_the_kpis_way_and_stay_in_range():
    """A floor equal to its target, a dispute-rate target above its floor, a conversion target
    above 100 % or a rating target above 5 stars is refused; so is a float."""
    with pytest.raises(KpiError, match="must differ"):
        KpiTarget(D(5), D(5))
    with pytest.raises(TypeError):
        KpiTarget(0.0, D(1))
    with pytest.raises(KpiError, match="below its floor"):
        kpi_target_check(KpiKind.DISPUTE_RATE, KpiTarget(D(1), D(10)))
    with pytest.raises(KpiError, match="above its floor"):
        kpi_target_check(KpiKind.REVENUE, KpiTarget(D(10), D(1)))
    with pytest.raises(KpiError, match="from 0 to 100"):
        kpi_target_check(KpiKind.CONVERSION, KpiTarget(D(0), D(120)))
    with pytest.raises(KpiError, match="from 0 to 5"):
        kpi_target_check(KpiKind.RATING, KpiTarget(D(3), D(6)))
    with pytest.raises(KpiError, match="below its floor"):
        kpi_score(kpi_values(WORKED), HOME_GOODS_WEIGHTS, {"dispute_rate": KpiTarget(D(1), D(10))})


def test_weights_are_ints_summing_to_100_over_known_kinds():
    """The weights of a project add up to exactly 100; an unknown kind, a float or a weighted kind
    without a value is refused."""
    values = kpi_values(WORKED)
    with pytest.raises(KpiError, match="add up to 99"):
        kpi_score(values, {"revenue": 49, "rating": 50})
    with pytest.raises(KpiError, match="unknown KPI"):
        kpi_score(values, {"profit": 100})
    with pytest.raises(TypeError, match="never floats"):
        kpi_score(values, {"revenue": 50.0, "rating": 50})
    with pytest.raises(KpiError, match="has no value"):
        kpi_score({"revenue": D(1)}, {"revenue": 50, "rating": 50})
    with pytest.raises(TypeError):
        kpi_score({"revenue": 1.5}, {"revenue": 100})
    assert list(weights_check({"rating": 60, "revenue": 40})) == [KpiKind.REVENUE, KpiKind.RATING]


@settings(max_examples=200)
@given(kpi_inputs(), kpi_weights(), kpi_targets())
def test_scores_stay_between_0_and_100(inputs, weights, targets):
    """Every KPI's points and the weighted score are from 0 to 100, to 0.01."""
    values = kpi_values(inputs)
    for kind in KpiKind:
        assert D(0) <= kpi_points(kind, values[kind], targets.get(kind)) <= D(100)
    score = kpi_score(values, weights, targets)
    assert D(0) <= score <= D(100)
    assert score.as_tuple().exponent == -2


@settings(max_examples=200)
@given(kpi_inputs(), st.integers(0, 10**10), kpi_targets())
def test_more_revenue_never_lowers_a_money_score(inputs, more, targets):
    """More revenue, all else equal, never lowers the revenue, gross profit or net profit score."""
    before = kpi_values(inputs)
    after = kpi_values(dataclasses.replace(inputs, revenue_minor=inputs.revenue_minor + more))
    for kind in (KpiKind.REVENUE, KpiKind.GROSS_PROFIT, KpiKind.NET_PROFIT):
        assert kpi_points(kind, after[kind], targets.get(kind)) >= kpi_points(kind, before[kind], targets.get(kind))


@settings(max_examples=200)
@given(kpi_inputs(), st.data(), kpi_targets())
def test_more_disputes_never_raise_the_dispute_score(inputs, data, targets):
    """More disputed orders among the same orders never raise the dispute-rate score."""
    more = data.draw(st.integers(0, inputs.orders_placed - inputs.orders_disputed))
    target = targets.get(KpiKind.DISPUTE_RATE)
    before = kpi_values(inputs)[KpiKind.DISPUTE_RATE]
    after = kpi_values(dataclasses.replace(inputs, orders_disputed=inputs.orders_disputed + more))[KpiKind.DISPUTE_RATE]
    assert kpi_points(KpiKind.DISPUTE_RATE, after, target) <= kpi_points(KpiKind.DISPUTE_RATE, before, target)


@settings(max_examples=200)
@given(st.sampled_from(list(KpiKind)), st.data())
def test_points_move_the_kpis_way(kind, data):
    """For every kind a better value never scores less: higher for all but the dispute rate,
    lower for it."""
    target = data.draw(kpi_target(kind))
    low, high = sorted(data.draw(st.lists(kpi_number(kind), min_size=2, max_size=2)))
    worse, better = (high, low) if kind in LOWER_IS_BETTER else (low, high)
    assert kpi_points(kind, better, target) >= kpi_points(kind, worse, target)


@settings(max_examples=200)
@given(kpi_inputs(), kpi_weights(), kpi_targets(), st.integers(0, 2**32))
def test_the_order_of_weights_and_targets_does_not_matter(inputs, weights, targets, seed):
    """Weights and targets are mappings: listing them in another order gives the same score and
    the same breakdown, in KPI order."""
    values = kpi_values(inputs)
    shuffled = (_shuffled(values, seed), _shuffled(weights, seed + 1), _shuffled(targets, seed + 2))
    assert kpi_score(*shuffled) == kpi_score(values, weights, targets)
    assert kpi_breakdown(*shuffled) == kpi_breakdown(values, weights, targets)
    assert [line.kind for line in kpi_breakdown(values, weights, targets)] == [k for k in KpiKind if k in weights]


# The snapshot.


def test_the_worked_snapshot_digest_is_pinned():
    """The canonical JSON of the worked store's snapshot and its sha256 are fixed: a change to the
    canonical form or to the KPIs' arithmetic shows here first (and would orphan stored grades)."""
    snapshot = kpi_snapshot(store=STORE, day=DAY, inputs=WORKED)
    assert snapshot.canonical_json() == (
        '{"day":"2026-09-14","schema":"practicum.kpi-snapshot/1","store":"team-a","values":{'
        '"conversion":"7.50","declaration_accuracy":"97.65","dispute_rate":"3.33","gross_profit":"6345.00",'
        '"net_profit":"3304.25","on_time_delivery":"92.50","rating":"4.63","revenue":"12345.00"}}'
    )
    assert snapshot.digest() == WORKED_DIGEST


def test_a_snapshot_hashes_values_not_their_spelling():
    """Decimal("4.5") and Decimal("4.50"), or an int, hash alike; None is null; a value with more
    than two decimals, a float, an unknown kind or a wall-clock datetime is refused."""
    one = KpiSnapshot(STORE, DAY, {"rating": D("4.5"), "revenue": D(12), "conversion": None})
    two = KpiSnapshot(STORE, DAY, {KpiKind.CONVERSION: None, KpiKind.REVENUE: 12, KpiKind.RATING: D("4.50")})
    assert one == two and one.digest() == two.digest() and hash(one) == hash(two)
    assert one.canonical()["values"] == {"conversion": None, "rating": "4.50", "revenue": "12.00"}
    assert KpiSnapshot(STORE, DAY, {"net_profit": D("-0.00")}).canonical()["values"] == {"net_profit": "0.00"}
    assert KpiSnapshot(STORE, DAY, {"net_profit": D("-0.5")}).canonical()["values"] == {"net_profit": "-0.50"}
    with pytest.raises(KpiError, match="more than 2 decimals"):
        KpiSnapshot(STORE, DAY, {"rating": D("4.625")})
    with pytest.raises(TypeError):
        KpiSnapshot(STORE, DAY, {"rating": 4.5})
    with pytest.raises(KpiError, match="unknown KPI"):
        KpiSnapshot(STORE, DAY, {"happiness": D(1)})
    with pytest.raises(TypeError, match="simulated day"):
        KpiSnapshot(STORE, datetime(2026, 9, 14, 12), {})
    with pytest.raises(KpiError, match="no floats"):
        KpiSnapshot.from_canonical('{"day":"2026-09-14","schema":"practicum.kpi-snapshot/1","store":"a",'
                                   '"values":{"rating":4.5}}')


@settings(max_examples=200)
@given(snapshot_values, st.integers(0, 2**32))
def test_the_digest_is_stable_across_key_order(values, seed):
    """The same values listed in any order give the same digest, and the snapshot read back from
    its canonical JSON has it too."""
    snapshot = KpiSnapshot(STORE, DAY, values)
    assert KpiSnapshot(STORE, DAY, _shuffled(values, seed)).digest() == snapshot.digest()
    restored = KpiSnapshot.from_canonical(snapshot.canonical_json())
    assert restored == snapshot and restored.digest() == snapshot.digest()


@settings(max_examples=300)
@given(snapshot_values, st.sampled_from(list(KpiKind)), st.data())
def test_the_digest_changes_when_any_value_changes(values, kind, data):
    """Changing any one value (to another number, or between a number and None), the store or
    the day changes the digest."""
    snapshot = KpiSnapshot(STORE, DAY, values)
    if values[kind] is None:
        other = data.draw(kpi_number(kind))
    else:
        other = data.draw(kpi_value(kind).filter(lambda v: v is None or v != values[kind]))
    assert KpiSnapshot(STORE, DAY, {**values, kind: other}).digest() != snapshot.digest()
    assert KpiSnapshot("team-b", DAY, values).digest() != snapshot.digest()
    assert KpiSnapshot(STORE, date(2026, 9, 15), values).digest() != snapshot.digest()


# The grade.


def test_worked_example_grade():
    """KPI score 75.75 weighing 60 % and rubric 80.00 weighing 40 %: 45.45 + 32.00 = 77.45."""
    assert practicum_grade(kpi_score=D("75.75"), rubric_score_pct=D(80), kpi_weight_pct=60) == D("77.45")


def test_the_grade_rounds_half_up():
    """(70.25 + 80.00) / 2 = 75.125 → 75.13 half-up (75.12 under banker's rounding)."""
    assert practicum_grade(kpi_score=D("70.25"), rubric_score_pct=D(80), kpi_weight_pct=50) == D("75.13")


def test_a_project_without_a_rubric_grades_on_kpis_alone():
    """With the KPI score weighing 100 % no rubric score is needed; otherwise it is."""
    assert practicum_grade(kpi_score=D("61.5"), rubric_score_pct=None, kpi_weight_pct=100) == D("61.50")
    with pytest.raises(KpiError, match="rubric score is needed"):
        practicum_grade(kpi_score=D(60), rubric_score_pct=None, kpi_weight_pct=60)
    with pytest.raises(KpiError, match="from 0 to 100"):
        practicum_grade(kpi_score=D(101), rubric_score_pct=D(50), kpi_weight_pct=60)
    with pytest.raises(TypeError):
        practicum_grade(kpi_score=60.0, rubric_score_pct=D(50), kpi_weight_pct=60)
    with pytest.raises(TypeError):
        practicum_grade(kpi_score=D(60), rubric_score_pct=D(50), kpi_weight_pct=D(60))


def test_rubric_points_become_a_percentage():
    """7 of 9 rubric points are 77.78 %; a rubric worth nothing cannot grade."""
    assert rubric_pct(D(7), D(9)) == D("77.78")
    assert rubric_pct(12, 12) == D("100.00")
    with pytest.raises(KpiError, match="cannot grade"):
        rubric_pct(0, 0)
    with pytest.raises(KpiError):
        rubric_pct(D(10), D(9))


@settings(max_examples=300)
@given(score_pct, score_pct, st.integers(0, 100))
def test_the_grade_lies_between_its_two_parts(kpi, rubric, weight):
    """Whatever the weights, the grade is between the KPI score and the rubric score."""
    grade = practicum_grade(kpi_score=kpi, rubric_score_pct=rubric, kpi_weight_pct=weight)
    assert min(kpi, rubric) <= grade <= max(kpi, rubric)
    if weight == 100:
        assert grade == kpi
    if weight == 0:
        assert grade == rubric


def _worked_record(**overrides):
    snapshot = kpi_snapshot(store=STORE, day=DAY, inputs=WORKED)
    fields = {"weights": HOME_GOODS_WEIGHTS, "kpi_weight_pct": 60, "rubric_score_pct": D(80)} | overrides
    return snapshot, grade_record(snapshot, **fields)


def test_a_grade_is_pinned_to_its_snapshot_and_recomputes_to_the_same_value():
    """The record keeps the snapshot's digest, the weights, the resolved targets, the rubric score
    and the KPI share; recomputing from the same snapshot, even one read back from its stored
    JSON, gives the same record."""
    snapshot, record = _worked_record()
    assert record.snapshot_digest == WORKED_DIGEST
    assert (record.kpi_score, record.grade) == (D("75.75"), D("77.45"))
    assert dict(record.targets) == {kind: DEFAULT_TARGETS[kind] for kind in HOME_GOODS_WEIGHTS}
    assert record.recompute(snapshot) == record
    record.verify(snapshot)
    stored = KpiSnapshot.from_canonical(snapshot.canonical_json())
    restored = GradeRecord.from_dict(record.as_dict())
    assert restored == record
    restored.verify(stored)


def test_a_stored_grade_record_reads_back_whatever_the_order_of_its_keys():
    """PostgreSQL's jsonb does not keep an object's key order (it sorts keys by length, then
    bytes): a record read back with its weights and targets in another order is still the same
    record and still verifies."""
    snapshot, record = _worked_record()
    data = record.as_dict()
    shuffled = {**data, "weights": dict(reversed(list(data["weights"].items()))),
                "targets": dict(sorted(data["targets"].items(), key=lambda item: (len(item[0]), item[0])))}
    assert list(shuffled["weights"]) != list(data["weights"])
    restored = GradeRecord.from_dict(json.loads(json.dumps(shuffled)))
    assert restored == record
    restored.verify(snapshot)


def test_a_grade_recomputed_from_another_snapshot_raises():
    """A snapshot of another day, store or value has another digest: recomputing raises rather
    than grading figures the grade was not computed from."""
    _, record = _worked_record()
    changed = kpi_snapshot(store=STORE, day=DAY, inputs=dataclasses.replace(WORKED, orders_disputed=4))
    with pytest.raises(SnapshotMismatch, match=WORKED_DIGEST):
        record.recompute(changed)
    with pytest.raises(SnapshotMismatch):
        record.verify(kpi_snapshot(store=STORE, day=date(2026, 9, 15), inputs=WORKED))


def test_a_tampered_grade_fails_verification():
    """A stored grade or KPI score that its snapshot and parameters do not give is caught."""
    snapshot, record = _worked_record()
    with pytest.raises(GradeMismatch, match="77.45"):
        dataclasses.replace(record, grade=D("90.00")).verify(snapshot)
    with pytest.raises(GradeMismatch):
        dataclasses.replace(record, kpi_score=D("80.00")).verify(snapshot)


def test_a_grade_keeps_the_targets_it_was_computed_with():
    """Recomputing uses the record's own targets, not whatever the defaults are now: a grade
    computed with a mentor's conversion target of 15 % recomputes with it."""
    snapshot, record = _worked_record(targets={KpiKind.CONVERSION: KpiTarget(D(0), D(15))})
    assert record.kpi_score == D("70.75")  # 0.4 × 66.085 + 0.2 × 50 + 0.2 × 83.333… + 0.2 × 88.25
    assert record.recompute(snapshot) == record
    assert record.as_dict()["targets"]["conversion"] == {"floor": "0", "target": "15"}


def test_the_default_kpi_share_is_half():
    """Without a KPI share of its own a project weighs KPIs and rubric equally."""
    _, record = _worked_record(kpi_weight_pct=DEFAULT_KPI_WEIGHT_PCT)
    assert DEFAULT_KPI_WEIGHT_PCT == 50
    assert record.grade == D("77.88")  # (75.75 + 80) / 2 = 77.875 → 77.88


@settings(max_examples=100)
@given(kpi_inputs(), kpi_weights(), kpi_targets(), st.integers(0, 100), score_pct)
def test_any_grade_recomputes_from_its_stored_snapshot(inputs, weights, targets, kpi_weight, rubric):
    """For any store, weights, targets and rubric score, the grade recomputes to the same record
    from the snapshot read back from its canonical JSON, and survives storage as a dict."""
    snapshot = kpi_snapshot(store=STORE, day=DAY, inputs=inputs)
    record = grade_record(snapshot, weights=weights, targets=targets, kpi_weight_pct=kpi_weight,
                          rubric_score_pct=rubric)
    stored = KpiSnapshot.from_canonical(snapshot.canonical_json())
    assert record.recompute(stored) == record
    GradeRecord.from_dict(record.as_dict()).verify(stored)
    assert min(record.kpi_score, rubric) <= record.grade <= max(record.kpi_score, rubric)
