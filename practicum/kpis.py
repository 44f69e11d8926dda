"""A practicum store's KPIs, their score against the project's targets, the daily KPI snapshot
with its hash, and the practicum grade pinned to that hash (issue "Practicum II", point 6).

Pure: plain values in, plain values out, no Django models and no database. The caller reads the
store's journal and orders up to a simulated day into a `KpiInputs`; `kpi_values` turns them into
the eight KPIs of `practicum.project_models.ProjectKpi.Kind` (`KpiKind` here has the same values,
which a test pins), `KpiSnapshot` records them for a store and day with a sha256, `kpi_score`
weighs them into a 0–100 score with the project's weights, and `grade_record` mixes that score
with the mentor's rubric into the practicum grade, remembering the snapshot's hash and every
parameter it used so that `GradeRecord.recompute(snapshot)` gives the same grade.

The KPIs
--------
Money is the store's books in CNY, cumulative from the run's start to the day, as ints of fen
(`money_inputs_from_ledger` reads them from `practicum.ledger.balances`, account by account);
the KPI values are Decimal yuan to the fen.

- revenue = SALES (recognised when escrow is released);
- gross profit = revenue − cost of sales (the stock shipped, at average cost): the margin on the
  goods alone. The ledger books the cost when a parcel ships and the revenue when its escrow is
  released, so parcels in transit weigh on gross profit until they are released;
- net profit = gross profit − shipping (a refused parcel's return included) − platform fee −
  import duty and VAT the store bore (DDP, an inspection's difference) − other expenses
  (customs penalties, storage, ...) + the FX result (the trading account FX_GAIN_LOSS valued at
  the day's rates, negative for a loss): the store's profit in CNY, so a loss is negative.

Rates are exact fractions shown as percentages rounded half-up to 0.01 % (the precision of
`courses.grading`), and None when their denominator is zero:

- conversion = orders placed / shoppers who saw at least one of the store's live listings (a
  shopper of the demand engine buys at most one listing, so it is at most 100 %);
- on-time delivery = parcels delivered on or before their delivery due day / parcels delivered,
  Amazon's On-Time Delivery Rate ("shipments delivered by their estimated delivery date as a
  percentage of total tracked shipments", Seller Central help 200633610). A lost parcel is not
  delivered and so not in it; it counts in the dispute rate through its "not received" dispute;
- declaration accuracy = declarations whose declared value is at least the goods price the buyer
  paid / declarations;
- dispute rate = orders with a dispute opened / orders placed, Amazon's Order Defect Rate shape
  (defective orders / orders);
- rating = the store's rating in stars (0 to 5), rounded half-up to 0.01, or None before any.

Scoring
-------
Each KPI scores 0 to 100 against a `KpiTarget(floor, target)`: 0 at the floor or worse, 100 at
the target or better, linear in between, i.e. 100 × clamp((value − floor) / (target − floor), 0, 1).
For the dispute rate, where lower is better, the floor is above the target (10 % scores 0, 1 %
scores 100) and the same formula inverts; `kpi_target_check` refuses a target pointing the wrong
way or outside the KPI's range. An undefined KPI (None: no shoppers, no parcel delivered, no
declaration, no order, no rating yet) scores 0 and keeps its weight: a store is not rewarded for
what it did not do, and cannot raise its score by avoiding an activity (by not delivering
anything, say). This is `courses.grading`'s rule for an assignment type with no item: its weight
is lost, not shared out.

`kpi_score` is Σ weight × points / 100 over the project's weighted KPIs (weights are ints
summing to exactly 100, as `ProjectKpi.weight_pct`), computed exactly and rounded once, half-up,
to 0.01. Defaults (`DEFAULT_TARGETS`, a mentor overrides any of them per project):

    revenue               floor CNY 0   target 1 × starting capital   (CNY 50,000 at the reference)
    gross profit          floor CNY 0   target 0.3 × starting capital (CNY 15,000)
    net profit            floor CNY 0   target 0.1 × starting capital (CNY 5,000): a loss scores 0
    conversion            floor 0 %     target 10 %  (one listing at the reference levels against
                                                      three alike converts 8.8 %: practicum.demand)
    on-time delivery      floor 70 %    target 97 %  (Amazon recommends an OTDR above 97 %)
    declaration accuracy  floor 80 %    target 100 % (every parcel declared at its price)
    dispute rate          floor 10 %    target 1 %   (Amazon's ODR target is under 1 %)
    rating                floor 3.00    target 4.80 stars (demand's reference rating is 4.5)

The money targets scale with the project's starting capital (`default_targets`); the constants
are those of the reference capital, CNY 50,000 (`practicum.factories.home_goods_project`).

Snapshot and grade
------------------
`KpiSnapshot(store, day, values).digest()` is sha256 over canonical JSON: sorted keys, no
whitespace, ASCII; every value a string with exactly two decimals (so Decimal("4.5") and
Decimal("4.50") hash alike) or null; a schema tag; no ids and no wall-clock time.

The practicum grade = (kpi_weight × KPI score + (100 − kpi_weight) × rubric score) / 100, both
parts 0–100, rounded half-up to 0.01. It uses the KPI score as rounded and shown, so a student
can redo the sum from the figures on the page; with both parts to 0.01 (as `kpi_score` and
`rubric_pct` give them) the grade lies between them. A project without a rubric grades on KPIs
alone (kpi_weight 100, no rubric score); `DEFAULT_KPI_WEIGHT_PCT` is 50. Arithmetic is exact
(int, Decimal, Fraction); a float anywhere is a TypeError.
"""

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from practicum.ledger import BOOK_CURRENCY, AccountCode, AccountKind
from practicum.money import from_minor, minor_digits

PLACES = 2
"""Decimal places of every KPI value, score and grade (fen, 0.01 %, 0.01 star, 0.01 point)."""

SNAPSHOT_SCHEMA = "practicum.kpi-snapshot/1"
WEIGHTS_TOTAL = 100
MAX_POINTS = 100
MAX_RATING = Decimal(5)
REFERENCE_CAPITAL_MINOR = 5_000_000
"""The starting capital the constant money targets are set for: CNY 50,000.00, in fen."""
DEFAULT_KPI_WEIGHT_PCT = 50
"""The KPI score's share of the practicum grade when a project does not set it; the rubric has the rest."""

Exact = int | Decimal | Fraction


class KpiError(ValueError):
    """Inputs, targets, weights, a snapshot or a grade that break a KPI rule; the message is one line."""


class SnapshotMismatch(KpiError):
    """A grade recomputed from a snapshot that is not the one it was computed from."""


class GradeMismatch(KpiError):
    """A stored grade that its own snapshot and parameters no longer give."""


class KpiKind(StrEnum):
    """The KPIs a project may weigh; the values of `ProjectKpi.Kind`."""

    REVENUE = "revenue"
    GROSS_PROFIT = "gross_profit"
    NET_PROFIT = "net_profit"
    CONVERSION = "conversion"
    ON_TIME_DELIVERY = "on_time_delivery"
    DECLARATION_ACCURACY = "declaration_accuracy"
    DISPUTE_RATE = "dispute_rate"
    RATING = "rating"


_KIND_ORDER = {kind: number for number, kind in enumerate(KpiKind)}
MONEY_KINDS = frozenset({KpiKind.REVENUE, KpiKind.GROSS_PROFIT, KpiKind.NET_PROFIT})
PERCENT_KINDS = frozenset({KpiKind.CONVERSION, KpiKind.ON_TIME_DELIVERY, KpiKind.DECLARATION_ACCURACY,
                           KpiKind.DISPUTE_RATE})
LOWER_IS_BETTER = frozenset({KpiKind.DISPUTE_RATE})

_PROFIT_KINDS = (AccountKind.INCOME, AccountKind.EXPENSE)
# By their text, so that this module does not depend on the customs entries being in the chart.
_DUTY_AND_VAT_CODES = ("IMPORT_DUTY", "IMPORT_VAT")


# Inputs and values.


@dataclass(frozen=True, kw_only=True)
class KpiInputs:
    """What one store did from the run's start up to a simulated day, as plain values.

    Money is ints of CNY fen, never negative except `fx_gain_loss_minor` (a gain positive, a loss
    negative: the negated CNY balance of FX_GAIN_LOSS). Counts are ints, and a part is never more
    than its whole (orders placed ≤ shoppers, disputed ≤ placed, on time ≤ delivered, accurate ≤
    declarations). `rating` is a Decimal from 0 to 5 stars, or None before the store has one.
    """

    revenue_minor: int = 0
    cost_of_sales_minor: int = 0
    shipping_minor: int = 0
    platform_fee_minor: int = 0
    duties_vat_minor: int = 0
    fx_gain_loss_minor: int = 0
    other_expenses_minor: int = 0
    shoppers: int = 0
    orders_placed: int = 0
    orders_disputed: int = 0
    parcels_delivered: int = 0
    parcels_on_time: int = 0
    declarations: int = 0
    declarations_accurate: int = 0
    rating: Decimal | None = None

    def __post_init__(self):
        for item in fields(self):
            if item.name == "rating":
                continue
            value = getattr(self, item.name)
            _check_int(value, item.name)
            if value < 0 and item.name != "fx_gain_loss_minor":
                raise KpiError(f"{item.name} cannot be negative ({value})")
        for part, whole in (("orders_placed", "shoppers"), ("orders_disputed", "orders_placed"),
                            ("parcels_on_time", "parcels_delivered"), ("declarations_accurate", "declarations")):
            if getattr(self, part) > getattr(self, whole):
                raise KpiError(f"{part} ({getattr(self, part)}) cannot be more than {whole} ({getattr(self, whole)})")
        if self.rating is not None:
            rating = _exact(self.rating, "rating")
            if not 0 <= rating <= MAX_RATING:
                raise KpiError(f"rating must be from 0 to {MAX_RATING} stars, not {self.rating}")
            object.__setattr__(self, "rating", Decimal(self.rating) if isinstance(self.rating, int) else self.rating)


def kpi_values(inputs: KpiInputs) -> dict[KpiKind, Decimal | None]:
    """The eight KPIs of `inputs` in `KpiKind` order (module docstring, "The KPIs"): money in
    CNY yuan to the fen, rates in percent to 0.01 (None with a zero denominator), the rating in
    stars to 0.01 (None when there is none)."""
    if not isinstance(inputs, KpiInputs):
        raise TypeError(f"kpi_values takes KpiInputs, not {type(inputs).__name__}")
    gross = inputs.revenue_minor - inputs.cost_of_sales_minor
    net = (gross - inputs.shipping_minor - inputs.platform_fee_minor - inputs.duties_vat_minor
           - inputs.other_expenses_minor + inputs.fx_gain_loss_minor)
    return {
        KpiKind.REVENUE: from_minor(inputs.revenue_minor, BOOK_CURRENCY),
        KpiKind.GROSS_PROFIT: from_minor(gross, BOOK_CURRENCY),
        KpiKind.NET_PROFIT: from_minor(net, BOOK_CURRENCY),
        KpiKind.CONVERSION: _percent(inputs.orders_placed, inputs.shoppers),
        KpiKind.ON_TIME_DELIVERY: _percent(inputs.parcels_on_time, inputs.parcels_delivered),
        KpiKind.DECLARATION_ACCURACY: _percent(inputs.declarations_accurate, inputs.declarations),
        KpiKind.DISPUTE_RATE: _percent(inputs.orders_disputed, inputs.orders_placed),
        KpiKind.RATING: None if inputs.rating is None else _rounded(Fraction(inputs.rating)),
    }


def money_inputs_from_ledger(balances: Mapping, *, store: str, cny_per_unit: Mapping | None = None) -> dict[str, int]:
    """The money fields of `KpiInputs` from `practicum.ledger.balances(journal)` ({(Account,
    currency): signed balance}) of the journal up to the day, the income and expense accounts of
    `store`:

    - revenue_minor: SALES (a credit balance, so negated);
    - cost_of_sales_minor, shipping_minor, platform_fee_minor: COST_OF_SALES, SHIPPING,
      PLATFORM_FEE (debit balances);
    - duties_vat_minor: IMPORT_DUTY + IMPORT_VAT, the duty and VAT the store bore;
    - other_expenses_minor: every other expense account (a customs penalty, storage, ...), so
      that an expense account added to the chart later still lowers net profit;
    - fx_gain_loss_minor: the trading account FX_GAIN_LOSS valued at the day's rates, negated (a
      credit is a gain). Its CNY balance alone is the exchange difference only when its
      market-currency legs cancel (escrow releases); duty and VAT owed in a market currency
      leave an open position there, valued at `cny_per_unit` ({currency: CNY per unit, the FX
      row of the day}), as IAS 21.23 retranslates a monetary item at the closing rate. Selinger's
      trading-account rule (`practicum.ledger`): the gain is what the account's balances are
      worth in CNY today. Rounded half-up to the fen once; a missing rate raises KpiError.

    Net profit is then minus the store's income and expense balances, valued at those rates.
    An income account other than SALES and FX_GAIN_LOSS has no KPI field yet: a balance on one
    raises KpiError rather than being dropped from the profit. Only FX_GAIN_LOSS holds other
    currencies among these accounts (the others are CNY only).
    """
    rates = dict(cny_per_unit or {})
    totals: dict[str, int] = defaultdict(int)
    kinds = {}
    fx_value = Fraction(0)  # the trading account's worth in CNY fen, exactly
    for (account, currency), amount in balances.items():
        if account.store != store or account.kind not in _PROFIT_KINDS:
            continue
        if currency == BOOK_CURRENCY:
            totals[str(account.code)] += amount
            kinds[str(account.code)] = account.kind
        elif amount and account.code == AccountCode.FX_GAIN_LOSS:
            if currency not in rates:
                raise KpiError(f"FX_GAIN_LOSS of store {store} holds {currency}: pass its rate in cny_per_unit")
            rate = _exact(rates[currency], f"the CNY rate of {currency}")
            fx_value += amount * rate * Fraction(10 ** minor_digits(BOOK_CURRENCY), 10 ** minor_digits(currency))
        elif amount:
            raise KpiError(f"{account.code} of store {store} holds {currency}; only FX_GAIN_LOSS may")
    fx_value += totals.pop(AccountCode.FX_GAIN_LOSS, 0)
    money = {
        "revenue_minor": -totals.pop(AccountCode.SALES, 0),
        "cost_of_sales_minor": totals.pop(AccountCode.COST_OF_SALES, 0),
        "shipping_minor": totals.pop(AccountCode.SHIPPING, 0),
        "platform_fee_minor": totals.pop(AccountCode.PLATFORM_FEE, 0),
        "duties_vat_minor": sum(totals.pop(code, 0) for code in _DUTY_AND_VAT_CODES),
        "fx_gain_loss_minor": _round_half_up(-fx_value),
        "other_expenses_minor": 0,
    }
    for code, amount in sorted(totals.items()):
        if kinds[code] != AccountKind.EXPENSE:
            raise KpiError(f"income account {code} of store {store} has no KPI figure; add one before grading with it")
        money["other_expenses_minor"] += amount
    return money


# Targets.


@dataclass(frozen=True)
class KpiTarget:
    """The value that scores 0 (`floor`) and the value that scores 100 (`target`), in the KPI's
    unit: CNY yuan, percent or stars. For a lower-is-better KPI the floor is the higher one."""

    floor: Decimal
    target: Decimal

    def __post_init__(self):
        for name in ("floor", "target"):
            value = getattr(self, name)
            _exact(value, f"a KPI target's {name}")
            if isinstance(value, Fraction):
                # Stored targets are read back from their decimal text (GradeRecord.as_dict).
                raise TypeError(f"a KPI target's {name} must be an int or a Decimal, not the Fraction {value}")
            object.__setattr__(self, name, Decimal(value))
        if self.floor == self.target:
            raise KpiError(f"a KPI target's floor and target must differ (both {self.target})")

    @property
    def lower_is_better(self) -> bool:
        return self.target < self.floor


def kpi_target_check(kind: KpiKind, target: KpiTarget) -> None:
    """Raise KpiError unless `target` fits `kind`: pointing the KPI's way (the target above the
    floor, below it for the dispute rate), within 0–100 % for a rate and 0–5 stars for the rating.
    Money targets may be any amount (a net profit floor below zero gives credit for a small loss)."""
    kind = _kind(kind)
    if not isinstance(target, KpiTarget):
        raise TypeError(f"the target of {kind} must be a KpiTarget, not {type(target).__name__}")
    if target.lower_is_better != (kind in LOWER_IS_BETTER):
        way = "below" if kind in LOWER_IS_BETTER else "above"
        raise KpiError(f"the target of {kind} must be {way} its floor (floor {target.floor}, target {target.target})")
    bounds = {**dict.fromkeys(PERCENT_KINDS, (0, MAX_POINTS)), KpiKind.RATING: (0, MAX_RATING)}.get(kind)
    if bounds and not all(bounds[0] <= value <= bounds[1] for value in (target.floor, target.target)):
        raise KpiError(f"the floor and target of {kind} must be from {bounds[0]} to {bounds[1]}"
                       f" (floor {target.floor}, target {target.target})")


_MONEY_TARGET_SHARES = {KpiKind.REVENUE: Fraction(1), KpiKind.GROSS_PROFIT: Fraction(3, 10),
                        KpiKind.NET_PROFIT: Fraction(1, 10)}


def default_targets(*, starting_capital_minor: int) -> Mapping[KpiKind, KpiTarget]:
    """The default target of every KPI for a project starting with `starting_capital_minor` fen:
    money targets are 1, 0.3 and 0.1 times the capital for revenue, gross and net profit (floors
    at CNY 0); rates and rating as in the module docstring. A project without capital gets the
    reference capital's targets, since a target of CNY 0 would equal its floor."""
    _check_int(starting_capital_minor, "starting_capital_minor")
    if starting_capital_minor < 0:
        raise KpiError(f"starting_capital_minor cannot be negative ({starting_capital_minor})")
    capital = Fraction(starting_capital_minor or REFERENCE_CAPITAL_MINOR, 10**PLACES)
    targets = {kind: KpiTarget(Decimal(0), _decimal(capital * share)) for kind, share in _MONEY_TARGET_SHARES.items()}
    targets.update(_RATE_AND_RATING_TARGETS)
    return MappingProxyType({kind: targets[kind] for kind in KpiKind})


# Scoring.


def kpi_points(kind: KpiKind, value: Exact | None, target: KpiTarget | None = None) -> Decimal:
    """What one KPI value scores, 0 to 100 to 0.01 (half-up) against `target` (its default when
    None); an undefined value (None) scores 0."""
    kind = _kind(kind)
    target = DEFAULT_TARGETS[kind] if target is None else target
    kpi_target_check(kind, target)
    return _rounded(_points(_value(kind, value), target))


@dataclass(frozen=True)
class KpiLine:
    """One weighted KPI of a score: its value, weight and target, the points it earned and its
    share of the score (points × weight / 100), both rounded for display."""

    kind: KpiKind
    value: Decimal | None
    weight_pct: int
    target: KpiTarget
    points: Decimal
    weighted: Decimal


def kpi_breakdown(values: Mapping, weights: Mapping, targets: Mapping | None = None) -> tuple[KpiLine, ...]:
    """The lines of `kpi_score(values, weights, targets)`, in `KpiKind` order whatever the order of
    the mappings; their `weighted` figures are rounded, so their sum may differ from the score in
    the last digit."""
    lines, _ = _score(values, weights, targets)
    return lines


def kpi_score(values: Mapping, weights: Mapping, targets: Mapping | None = None) -> Decimal:
    """The store's KPI score, 0 to 100 to 0.01 (half-up): Σ weight × points / 100 over the kinds
    in `weights` ({kind: int weight_pct}, summing to 100), computed exactly and rounded once.

    `values` maps each weighted kind to its value or None (`kpi_values`, `KpiSnapshot.values`);
    `targets` maps kinds to a `KpiTarget`, and a kind it leaves out takes its `DEFAULT_TARGETS`
    entry (pass `default_targets(starting_capital_minor=...)` merged with the mentor's own).
    """
    _, total = _score(values, weights, targets)
    return _rounded(total)


def weights_check(weights: Mapping) -> dict[KpiKind, int]:
    """`weights` with `KpiKind` keys in `KpiKind` order; KpiError unless every kind is known and
    every weight an int from 0 to 100, and they sum to exactly 100 (a float is a TypeError)."""
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights must be a mapping of KPI kind to weight_pct, not {type(weights).__name__}")
    checked = {}
    for key, weight in weights.items():
        kind = _kind(key)
        if kind in checked:
            raise KpiError(f"{kind} is weighted twice")
        _check_int(weight, f"the weight of {kind}")
        if not 0 <= weight <= WEIGHTS_TOTAL:
            raise KpiError(f"the weight of {kind} must be from 0 to {WEIGHTS_TOTAL} %, not {weight}")
        checked[kind] = weight
    total = sum(checked.values())
    if total != WEIGHTS_TOTAL:
        raise KpiError(f"the KPI weights add up to {total} %; they must add up to exactly {WEIGHTS_TOTAL} %")
    return {kind: checked[kind] for kind in KpiKind if kind in checked}


def targets_resolve(targets: Mapping | None, kinds) -> dict[KpiKind, KpiTarget]:
    """The target of each of `kinds`: from `targets`, else its default. Every target given is
    checked, weighted or not, so a mistyped one is not silently ignored."""
    given = {}
    for key, target in (targets or {}).items():
        kind = _kind(key)
        kpi_target_check(kind, target)
        given[kind] = target
    resolved = {}
    for kind in kinds:
        target = given.get(kind, DEFAULT_TARGETS[kind])
        kpi_target_check(kind, target)
        resolved[kind] = target
    return resolved


def _score(values: Mapping, weights: Mapping, targets: Mapping | None) -> tuple[tuple[KpiLine, ...], Fraction]:
    checked = weights_check(weights)
    resolved = targets_resolve(targets, checked)
    by_kind = _values_by_kind(values)
    lines, total = [], Fraction(0)
    for kind, weight in checked.items():
        if kind not in by_kind:
            raise KpiError(f"{kind} is weighted but has no value (pass None for an undefined one)")
        value = by_kind[kind]
        points = _points(value, resolved[kind])
        share = points * weight / WEIGHTS_TOTAL
        total += share
        lines.append(KpiLine(kind, value, weight, resolved[kind], _rounded(points), _rounded(share)))
    return tuple(lines), total


def _points(value: Exact | None, target: KpiTarget) -> Fraction:
    """100 × clamp((value − floor) / (target − floor), 0, 1), exactly; 0 for an undefined value."""
    if value is None:
        return Fraction(0)
    progress = (Fraction(value) - Fraction(target.floor)) / (Fraction(target.target) - Fraction(target.floor))
    return MAX_POINTS * min(max(progress, Fraction(0)), Fraction(1))


# Snapshot.


@dataclass(frozen=True)
class KpiSnapshot:
    """A store's KPI values at the end of a simulated day, hashed by `digest()`.

    `store` is the store's key in the run, `day` a simulated date; `values` maps KPI kinds (or
    their string values) to a Decimal with at most two decimals, or None. Kept in `KpiKind` order,
    read-only."""

    store: str
    day: date
    values: Mapping

    def __post_init__(self):
        if not isinstance(self.store, str):
            raise TypeError(f"a snapshot's store key must be a str, not {type(self.store).__name__}")
        if not self.store or self.store != self.store.strip():
            raise KpiError(f"malformed store key {self.store!r}: non-empty, without surrounding spaces")
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"a snapshot's day must be a date (a simulated day), not {type(self.day).__name__}")
        values = _values_by_kind(self.values)
        for kind, value in values.items():
            if value is not None and Fraction(value) * 10**PLACES % 1:
                raise KpiError(f"the {kind} value {value} has more than {PLACES} decimals; round it first")
        normalised = {kind: None if values[kind] is None else _rounded(Fraction(values[kind]))
                      for kind in KpiKind if kind in values}
        object.__setattr__(self, "values", MappingProxyType(normalised))

    def __hash__(self):
        return hash((self.store, self.day, tuple(self.values.items())))

    def __eq__(self, other):
        if not isinstance(other, KpiSnapshot):
            return NotImplemented
        return (self.store, self.day, dict(self.values)) == (other.store, other.day, dict(other.values))

    def canonical(self) -> dict:
        """The snapshot as the JSON-ready dict its digest is taken over."""
        return {
            "schema": SNAPSHOT_SCHEMA,
            "store": self.store,
            "day": self.day.isoformat(),
            "values": {str(kind): None if value is None else _fixed(value) for kind, value in self.values.items()},
        }

    def canonical_json(self) -> str:
        """The canonical JSON text: sorted keys, no whitespace, ASCII."""
        return json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    def digest(self) -> str:
        """sha256 (hex) over `canonical_json()`."""
        return hashlib.sha256(self.canonical_json().encode("ascii")).hexdigest()

    @classmethod
    def from_canonical(cls, data: Mapping | str) -> "KpiSnapshot":
        """The snapshot `canonical()` (or its JSON text) describes, as stored; its digest is the stored one's."""
        if isinstance(data, str):
            data = json.loads(data, parse_float=_refuse_float)
        if not isinstance(data, Mapping) or data.get("schema") != SNAPSHOT_SCHEMA:
            raise KpiError(f"not a KPI snapshot of schema {SNAPSHOT_SCHEMA}")
        try:
            day = date.fromisoformat(data["day"])
            values = {key: None if value is None else Decimal(value) for key, value in data["values"].items()}
            return cls(store=data["store"], day=day, values=values)
        except (KeyError, TypeError, ArithmeticError, AttributeError) as error:
            raise KpiError(f"malformed KPI snapshot: {error!r}") from None


def kpi_snapshot(*, store: str, day: date, inputs: KpiInputs) -> KpiSnapshot:
    """The snapshot of `store`'s KPIs computed from `inputs` (its figures up to `day`)."""
    return KpiSnapshot(store=store, day=day, values=kpi_values(inputs))


# Grade.


def practicum_grade(*, kpi_score: Exact, rubric_score_pct: Exact | None, kpi_weight_pct: int) -> Decimal:
    """(kpi_weight × KPI score + (100 − kpi_weight) × rubric score) / 100, rounded half-up to
    0.01; both scores 0–100. With `kpi_weight_pct` 100 the rubric score may be None (a project
    without a rubric)."""
    _check_int(kpi_weight_pct, "kpi_weight_pct")
    if not 0 <= kpi_weight_pct <= WEIGHTS_TOTAL:
        raise KpiError(f"kpi_weight_pct must be from 0 to {WEIGHTS_TOTAL}, not {kpi_weight_pct}")
    kpi = _score_pct(kpi_score, "kpi_score")
    if rubric_score_pct is None:
        if kpi_weight_pct != WEIGHTS_TOTAL:
            raise KpiError(f"a rubric score is needed when the rubric weighs {WEIGHTS_TOTAL - kpi_weight_pct} %")
        rubric = Fraction(0)
    else:
        rubric = _score_pct(rubric_score_pct, "rubric_score_pct")
    return _rounded((kpi * kpi_weight_pct + rubric * (WEIGHTS_TOTAL - kpi_weight_pct)) / WEIGHTS_TOTAL)


def rubric_pct(earned: Exact, possible: Exact) -> Decimal:
    """A rubric score (`courses.rubrics.RubricScore.earned` / `.possible`) in percent, half-up to
    0.01; a rubric worth nothing cannot grade (KpiError)."""
    earned, possible = _exact(earned, "earned"), _exact(possible, "possible")
    if possible <= 0:
        raise KpiError(f"a rubric worth {possible} points cannot grade")
    if not 0 <= earned <= possible:
        raise KpiError(f"earned {earned} must be from 0 to the {possible} possible")
    return _rounded(earned / possible * MAX_POINTS)


@dataclass(frozen=True)
class GradeRecord:
    """A practicum grade and everything it was computed from: the snapshot's digest (and its
    store and day, for reading), the weights, the targets resolved for the weighted kinds (so
    later changes to the defaults do not move it), the rubric score and the KPI share.

    `recompute(snapshot)` computes the grade again from the snapshot and these parameters;
    `verify(snapshot)` raises unless that gives this very record."""

    store: str
    day: date
    snapshot_digest: str
    weights: tuple[tuple[KpiKind, int], ...]
    targets: tuple[tuple[KpiKind, KpiTarget], ...]
    kpi_weight_pct: int
    rubric_score_pct: Decimal | None
    kpi_score: Decimal
    grade: Decimal

    def recompute(self, snapshot: KpiSnapshot) -> "GradeRecord":
        """The record computed afresh from `snapshot` with this record's parameters; a snapshot
        whose digest is not `snapshot_digest` raises SnapshotMismatch."""
        if not isinstance(snapshot, KpiSnapshot):
            raise TypeError(f"a grade is recomputed from a KpiSnapshot, not {type(snapshot).__name__}")
        digest = snapshot.digest()
        if digest != self.snapshot_digest:
            raise SnapshotMismatch(f"the grade was computed from snapshot {self.snapshot_digest},"
                                   f" not {digest} ({snapshot.store}, {snapshot.day})")
        return grade_record(snapshot, weights=dict(self.weights), targets=dict(self.targets),
                            kpi_weight_pct=self.kpi_weight_pct, rubric_score_pct=self.rubric_score_pct)

    def verify(self, snapshot: KpiSnapshot) -> None:
        """Raise SnapshotMismatch for another snapshot, GradeMismatch when the recomputed score or
        grade differs from the stored one."""
        again = self.recompute(snapshot)
        if again != self:
            raise GradeMismatch(f"the stored grade {self.grade} (KPI score {self.kpi_score}) recomputes to"
                                f" {again.grade} (KPI score {again.kpi_score})")

    def as_dict(self) -> dict:
        """The record as JSON-ready values (Decimals as strings), for storage; `from_dict` reads it back."""
        return {
            "store": self.store,
            "day": self.day.isoformat(),
            "snapshot_digest": self.snapshot_digest,
            "weights": {str(kind): weight for kind, weight in self.weights},
            "targets": {str(kind): {"floor": str(t.floor), "target": str(t.target)} for kind, t in self.targets},
            "kpi_weight_pct": self.kpi_weight_pct,
            "rubric_score_pct": None if self.rubric_score_pct is None else str(self.rubric_score_pct),
            "kpi_score": str(self.kpi_score),
            "grade": str(self.grade),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "GradeRecord":
        try:
            rubric = data["rubric_score_pct"]
            return cls(
                store=data["store"],
                day=date.fromisoformat(data["day"]),
                snapshot_digest=data["snapshot_digest"],
                # In `KpiKind` order, as `grade_record` makes them: a store may not keep the keys'
                # order (PostgreSQL's jsonb sorts them), and the record compares as tuples.
                weights=tuple(sorted(((KpiKind(kind), weight) for kind, weight in data["weights"].items()),
                                     key=lambda item: _KIND_ORDER[item[0]])),
                targets=tuple(sorted(((KpiKind(kind), KpiTarget(Decimal(t["floor"]), Decimal(t["target"])))
                                      for kind, t in data["targets"].items()), key=lambda item: _KIND_ORDER[item[0]])),
                kpi_weight_pct=data["kpi_weight_pct"],
                rubric_score_pct=None if rubric is None else Decimal(rubric),
                kpi_score=Decimal(data["kpi_score"]),
                grade=Decimal(data["grade"]),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as error:
            raise KpiError(f"malformed grade record: {error!r}") from None


def grade_record(snapshot: KpiSnapshot, *, weights: Mapping, targets: Mapping | None = None,
                 kpi_weight_pct: int = DEFAULT_KPI_WEIGHT_PCT, rubric_score_pct: Exact | None) -> GradeRecord:
    """The practicum grade of `snapshot`'s store: its KPI score under `weights` and `targets`
    (`kpi_score`) mixed with `rubric_score_pct` by `practicum_grade`, pinned to the snapshot's digest."""
    if not isinstance(snapshot, KpiSnapshot):
        raise TypeError(f"a grade is computed from a KpiSnapshot, not {type(snapshot).__name__}")
    checked = weights_check(weights)
    resolved = targets_resolve(targets, checked)
    score = kpi_score(snapshot.values, checked, resolved)
    rubric = None if rubric_score_pct is None else Decimal(_decimal(_score_pct(rubric_score_pct, "rubric_score_pct")))
    return GradeRecord(
        store=snapshot.store,
        day=snapshot.day,
        snapshot_digest=snapshot.digest(),
        weights=tuple(checked.items()),
        targets=tuple(resolved.items()),
        kpi_weight_pct=kpi_weight_pct,
        rubric_score_pct=rubric,
        kpi_score=score,
        grade=practicum_grade(kpi_score=score, rubric_score_pct=rubric, kpi_weight_pct=kpi_weight_pct),
    )

# Numbers.


def _kind(key) -> KpiKind:
    try:
        return KpiKind(key)
    except ValueError:
        raise KpiError(f"unknown KPI {key!r} (known: {', '.join(KpiKind)})") from None


def _values_by_kind(values: Mapping) -> dict[KpiKind, Fraction | Decimal | int | None]:
    if not isinstance(values, Mapping):
        raise TypeError(f"KPI values must be a mapping of kind to value, not {type(values).__name__}")
    checked = {}
    for key, value in values.items():
        kind = _kind(key)
        if kind in checked:
            raise KpiError(f"{kind} has two values")
        checked[kind] = _value(kind, value)
    return checked


def _value(kind: KpiKind, value):
    if value is not None:
        _exact(value, f"the {kind} value")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(value, what: str) -> None:
    if not _is_int(value):
        hint = "; KPI figures are never floats" if isinstance(value, float) else ""
        raise TypeError(f"{what} must be an int, not {type(value).__name__} {value!r}{hint}")


def _exact(value, what: str) -> Fraction:
    """`value` (int, Decimal or Fraction) as a Fraction; a float or another type is a TypeError."""
    if _is_int(value) or isinstance(value, Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise KpiError(f"{what} must be a finite number, not {value}")
        return Fraction(value)
    hint = f"; pass Decimal('{value}')" if isinstance(value, float) else ""
    raise TypeError(f"{what} must be an int or a Decimal, not {type(value).__name__} {value!r}{hint}")


def _score_pct(value, what: str) -> Fraction:
    exact = _exact(value, what)
    if not 0 <= exact <= MAX_POINTS:
        raise KpiError(f"{what} must be from 0 to {MAX_POINTS}, not {value}")
    return exact


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else _rounded(Fraction(part * MAX_POINTS, whole))


def _round_half_up(value: Fraction) -> int:
    """`value` to the nearest int, a tie away from zero."""
    units = math.floor(abs(Fraction(value)) + Fraction(1, 2))
    return units if value >= 0 else -units


def _rounded(value: Fraction) -> Decimal:
    """`value` rounded half-up (away from zero on a tie) to `PLACES` decimals, with exactly that exponent."""
    return Decimal(_round_half_up(Fraction(value) * 10**PLACES)).scaleb(-PLACES)


def _decimal(value: Fraction) -> Decimal:
    """`value` as an exact Decimal; it must have a finite decimal expansion."""
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
        if digits > 40:
            raise KpiError(f"{value} has no finite decimal expansion")
    return Decimal(int(value * 10**digits)).scaleb(-digits)


def _fixed(value: Decimal) -> str:
    """`value` with exactly `PLACES` decimals, "-" only below zero: the canonical form in a digest."""
    units = int(Fraction(value) * 10**PLACES)
    sign = "-" if units < 0 else ""
    whole, cents = divmod(abs(units), 10**PLACES)
    return f"{sign}{whole}.{cents:0{PLACES}d}"


def _refuse_float(text: str):
    raise KpiError(f"a KPI snapshot holds no floats (found {text})")


# Defaults, built last: a KpiTarget checks its values with the helpers above.

_RATE_AND_RATING_TARGETS = {
    KpiKind.CONVERSION: KpiTarget(Decimal(0), Decimal(10)),
    KpiKind.ON_TIME_DELIVERY: KpiTarget(Decimal(70), Decimal(97)),
    KpiKind.DECLARATION_ACCURACY: KpiTarget(Decimal(80), Decimal(100)),
    KpiKind.DISPUTE_RATE: KpiTarget(Decimal(10), Decimal(1)),
    KpiKind.RATING: KpiTarget(Decimal("3.00"), Decimal("4.80")),
}

DEFAULT_TARGETS: Mapping[KpiKind, KpiTarget] = default_targets(starting_capital_minor=REFERENCE_CAPITAL_MINOR)
