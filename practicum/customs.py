"""Landed cost of a cross-border consignment: import duty, import VAT/GST and the total a parcel
costs on arrival, with every figure traced to the rule and the reference rows it came from.

The rules are those of data/reference/README.md, "Landed-cost rules" (steps 1 to 4 and the rule
list), applied to the dated reference rows of markets.csv, duty_rates.csv and fx_rates.csv. Each
market rule cites the `source` column of its markets.csv row:

- EU_IOSS (PL, DE): VAT on every import since 2021-07-01 and IOSS for consignments up to EUR 150,
  https://auspost.com.au/business/shipping/international-shipping/eu-customs-changes-2021 ; the
  flat EUR 3 customs duty per distinct tariff line for consignments up to EUR 150 from
  2026-07-01, https://regfollower.com/?p=78434 .
- US_NO_DEMINIMIS (US): the USD 800 section 321 exemption suspended for all origins from
  2025-08-29 (EO 14324),
  https://www.mallorygroup.com/executive-order-suspending-duty-free-de-minimis-treatment/ .
- EAEU_200_31 (KZ, RU): 15 % of the value above EUR 200, at least EUR 2/kg above 31 kg, one
  payment in place of duty and VAT,
  https://www.pagero.com/compliance/regulatory-updates/kazakhstan (KZ) and
  https://www.silkway.news/president-of-russian-federation-signed-156927 (RU).
- THRESHOLD_DUTY_VAT_ALL (AE, SA, TH): duty above the threshold, VAT on everything,
  https://www.stackry.com/fr/duties_and_taxes (AE, SA) and
  https://www.dhl.com/discover/en-th/logistics-advice/import-export-advice/vat-faq (TH).
- MY_LVG (MY): 10 % low-value-goods tax on goods up to MYR 500 sold online,
  https://www.skrine.com/insights/alerts/december-2023/replacement-for-sales-tax-determination-of-low-val .
- ID_FOB3 (ID): duty-free only up to USD 3 FOB (PMK 199/2019),
  https://www.bakermckenzie.com/en/insight/publications/2020/01/lower-threshold-for-import-duty-indonesia .
- B2B_STANDARD: not a market rule but stock shipped in bulk to an overseas warehouse (README);
  duty and VAT paid at inbound with no de minimis.

The module is pure: it takes plain row values (built from the database by the selectors) and
never touches Django or the database, so a student's figure can be recomputed and tested alone.
The rows' values are teaching values (the README marks them illustrative), not legal advice.

Arithmetic is exact: conversions and thresholds use `fractions.Fraction`, so a threshold is
compared on the unrounded value (README step 2) and only the figures the README rounds (the
converted inputs, duty, VAT) are rounded, half-up to the market currency's minor unit.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from practicum.money import minor_digits, quantize

PIVOT_CURRENCY = "CNY"
CONVERSION_SOURCE = "README, Landed-cost rules, step 1: converted through CNY with fx_rates.csv, rounded half-up"


class Rule(StrEnum):
    EU_IOSS = "EU_IOSS"
    US_NO_DEMINIMIS = "US_NO_DEMINIMIS"
    EAEU_200_31 = "EAEU_200_31"
    THRESHOLD_DUTY_VAT_ALL = "THRESHOLD_DUTY_VAT_ALL"
    MY_LVG = "MY_LVG"
    ID_FOB3 = "ID_FOB3"
    B2B_STANDARD = "B2B_STANDARD"


INCOTERMS = ("DDP", "DAP")
WHO_PAYS = {"DDP": "seller", "DAP": "buyer"}


class CustomsInputError(ValueError):
    """A consignment or a reference row the rules cannot be applied to; the message is one line."""


# Inputs: plain values built from the reference rows in force on the day.


@dataclass(frozen=True)
class MarketRow:
    iso2: str
    name: str
    currency: str
    rule: str
    vat_rate_pct: Decimal
    deminimis: Decimal | None
    deminimis_ccy: str
    weight_limit_kg: Decimal | None
    flat_duty_per_line: Decimal | None
    flat_duty_ccy: str
    excess_rate_pct: Decimal | None
    over_weight_per_kg: Decimal | None
    over_weight_ccy: str
    effective_from: date
    source: str
    ref: str


@dataclass(frozen=True)
class DutyRateRow:
    market: str
    hs_prefix: str
    duty_rate_pct: Decimal
    effective_from: date
    notes: str
    ref: str


@dataclass(frozen=True)
class FxRow:
    currency: str
    cny_per_unit: Decimal
    effective_from: date
    ref: str


@dataclass(frozen=True)
class Consignment:
    """One consignment to one market on one day, with the reference rows in force for it.

    `duty_rates` may hold every row of the market: the row in force on `day` is picked per HS
    prefix. `hs_codes` lists the consignment's tariff lines for EU_IOSS's flat duty per line; the
    distinct 6-digit headings of `hs_code` and `hs_codes` are counted. HS codes are normalised
    on construction (dots removed), and a malformed field raises CustomsInputError here.
    """

    market: MarketRow
    duty_rates: Sequence[DutyRateRow]
    fx: Mapping[str, FxRow]
    hs_code: str
    goods_value: Decimal
    goods_currency: str
    weight_kg: Decimal
    shipping: Decimal
    shipping_currency: str
    incoterm: str
    day: date
    hs_codes: Sequence[str] = ()
    rule_override: str | None = None

    def __post_init__(self):
        if not isinstance(self.market, MarketRow):
            raise CustomsInputError(f"unknown market: expected a MarketRow, got {self.market!r}")
        object.__setattr__(self, "hs_code", normalise_hs_code(self.hs_code))
        if isinstance(self.hs_codes, str):
            raise CustomsInputError(f"hs_codes must be a sequence of HS codes, not the string {self.hs_codes!r}")
        object.__setattr__(self, "hs_codes", tuple(normalise_hs_code(code) for code in self.hs_codes) or (self.hs_code,))
        for name in ("goods_value", "weight_kg", "shipping"):
            _check_quantity(getattr(self, name), name)
        if self.incoterm not in INCOTERMS:
            raise CustomsInputError(f"incoterm {self.incoterm!r} is not one of DDP, DAP")
        if not isinstance(self.day, date):
            raise CustomsInputError(f"day must be a date, not {type(self.day).__name__}")
        if self.rule_override is not None and self.rule_override not in Rule.__members__:
            raise CustomsInputError(f"unknown rule {self.rule_override!r} (known: {', '.join(Rule)})")

    @property
    def tariff_lines(self) -> tuple[str, ...]:
        """The distinct 6-digit HS headings of the consignment, `hs_code`'s first."""
        return tuple(dict.fromkeys(code[:6] for code in (self.hs_code, *self.hs_codes)))


# Output.


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Amount.amount must be a Decimal, not {type(self.amount).__name__}")

    def __str__(self):
        return f"{_decimal_str(quantize(self.amount, self.currency))} {self.currency}"

    def to_json(self) -> dict:
        return {"amount": _decimal_str(quantize(self.amount, self.currency)), "currency": self.currency}


@dataclass(frozen=True)
class Line:
    """One figure of a landed cost: a stable `code` for the web layer to translate by, an English
    `label`, the amount, the rule applied, the computation in words with its numbers, the rule's
    source and the reference rows used."""

    code: str
    label: str
    amount: Decimal
    currency: str
    rule: str
    formula: str
    source: str
    refs: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "amount": _decimal_str(quantize(self.amount, self.currency)),
            "currency": self.currency,
            "rule": self.rule,
            "source": self.source,
            "formula": self.formula,
            "refs": list(self.refs),
        }


LINE_LABELS = {
    "goods": "Goods value",
    "shipping": "International shipping",
    "duty": "Import duty",
    "vat": "Import VAT / GST",
    "total": "Landed total",
}


@dataclass(frozen=True)
class LandedCost:
    """The landed cost in the market's currency. `lines` are goods, shipping, duty, vat and total
    (total = the sum of the other four, exactly); `in_cny` are the same lines converted into CNY
    for display, each rounded on its own, so they need not add up to the CNY total to the fen."""

    market: str
    currency: str
    rule: str
    incoterm: str
    who_pays_duty: str
    day: date
    customs_value: Amount
    duty: Amount
    vat: Amount
    landed_total: Amount
    de_minimis_applied: bool
    lines: tuple[Line, ...]
    in_cny: tuple[Line, ...]

    def line(self, code: str) -> Line:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)

    def lines_in(self, currency: str, fx: Mapping[str, FxRow]) -> tuple[Line, ...]:
        """The lines converted exactly into another currency and rounded half-up, for display."""
        return _convert_lines(self.lines, currency, _Rates(fx, self.day))

    def to_json(self) -> dict:
        return {
            "market": self.market,
            "currency": self.currency,
            "rule": self.rule,
            "customs_value": self.customs_value.to_json(),
            "duty": self.duty.to_json(),
            "vat": self.vat.to_json(),
            "landed_total": self.landed_total.to_json(),
            "lines": [line.to_json() for line in self.lines],
            "incoterm": self.incoterm,
            "who_pays": self.who_pays_duty,
            "day": self.day.isoformat(),
            "de_minimis_applied": self.de_minimis_applied,
        }


def normalise_hs_code(value: str) -> str:
    """The HS code as 6 to 10 ASCII digits, dots removed ("6109.10" → "610910")."""
    digits = value.strip().replace(".", "") if isinstance(value, str) else ""
    if not (6 <= len(digits) <= 10 and digits.isascii() and digits.isdigit()):
        raise CustomsInputError(f"malformed HS code {value!r}: expected 6 to 10 digits (dots allowed)")
    return digits


def landed_cost(consignment: Consignment) -> LandedCost:
    """Duty, VAT and landed total of the consignment under its market's rule (or `rule_override`)."""
    c = consignment
    market = c.market
    rule = _rule_of(c)
    currency = market.currency
    _check_currency(currency, f"market row {market.ref}")
    if market.effective_from > c.day:
        raise CustomsInputError(f"market row {market.ref} takes effect on {market.effective_from}, after {c.day}")
    rates = _Rates(c.fx, c.day)

    # Step 1: convert and round the inputs.
    goods_exact, goods_refs = rates.convert(Fraction(c.goods_value), c.goods_currency, currency)
    shipping_exact, shipping_refs = rates.convert(Fraction(c.shipping), c.shipping_currency, currency)
    ctx = _Context(
        consignment=c,
        rule=rule,
        currency=currency,
        rates=rates,
        goods=quantize(goods_exact, currency),
        shipping=quantize(shipping_exact, currency),
    )
    assessment = _RULES[rule](ctx)

    duty, vat = assessment.duty, assessment.vat
    total = quantize(Fraction(ctx.goods) + Fraction(ctx.shipping) + Fraction(duty) + Fraction(vat), currency)
    source = _rule_source(rule, market)
    lines = (
        Line("goods", LINE_LABELS["goods"], ctx.goods, currency, rule,
             _conversion_formula("declared goods", c.goods_value, c.goods_currency, currency, goods_exact, rates),
             CONVERSION_SOURCE, goods_refs),
        Line("shipping", LINE_LABELS["shipping"], ctx.shipping, currency, rule,
             _conversion_formula("international shipping", c.shipping, c.shipping_currency, currency, shipping_exact, rates),
             CONVERSION_SOURCE, shipping_refs),
        Line("duty", LINE_LABELS["duty"], duty, currency, rule, assessment.duty_formula, source,
             _union((market.ref,), assessment.duty_refs)),
        Line("vat", LINE_LABELS["vat"], vat, currency, rule, assessment.vat_formula, source,
             _union((market.ref,), assessment.vat_refs)),
    )
    total_formula = (
        f"goods {_money(ctx.goods, currency)} + shipping {_money(ctx.shipping, currency)} + duty {_money(duty, currency)}"
        f" + VAT {_money(vat, currency)} = {_money(total, currency)} {currency}"
    )
    lines += (Line("total", LINE_LABELS["total"], total, currency, rule, total_formula, source,
                   _union(*(line.refs for line in lines))),)
    return LandedCost(
        market=market.iso2,
        currency=currency,
        rule=rule,
        incoterm=c.incoterm,
        who_pays_duty=WHO_PAYS[c.incoterm],
        day=c.day,
        customs_value=Amount(assessment.customs_value, currency),
        duty=Amount(duty, currency),
        vat=Amount(vat, currency),
        landed_total=Amount(total, currency),
        de_minimis_applied=assessment.de_minimis_applied,
        lines=lines,
        in_cny=_convert_lines(lines, PIVOT_CURRENCY, rates),
    )


# The rules. Each returns the rounded duty and VAT with their formulas; README steps 2 to 4.


@dataclass(frozen=True)
class _Assessment:
    customs_value: Decimal
    duty: Decimal
    duty_formula: str
    vat: Decimal
    vat_formula: str
    de_minimis_applied: bool
    duty_refs: tuple[str, ...] = ()
    vat_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Threshold:
    within: bool
    text: str
    refs: tuple[str, ...]


class _Rates:
    """Exact conversion through CNY with the fx rows in force on the day (README step 1)."""

    def __init__(self, fx: Mapping[str, FxRow], day: date):
        if not isinstance(fx, Mapping):
            raise CustomsInputError(f"fx must be a mapping of currency to FxRow, not {type(fx).__name__}")
        self.fx = fx
        self.day = day

    def cny_per_unit(self, currency: str) -> tuple[Fraction, tuple[str, ...]]:
        _check_currency(currency, "a consignment amount")
        row = self.fx.get(currency)
        if row is None:
            if currency == PIVOT_CURRENCY:  # the pivot is 1 CNY per CNY by definition
                return Fraction(1), ()
            raise CustomsInputError(f"unknown currency {currency}: no exchange rate in force on {self.day}")
        if not isinstance(row, FxRow) or row.currency != currency:
            raise CustomsInputError(f"fx[{currency!r}] is not the FxRow of {currency}: {row!r}")
        if row.effective_from > self.day:
            raise CustomsInputError(f"fx row {row.ref} takes effect on {row.effective_from}, after {self.day}")
        if not isinstance(row.cny_per_unit, Decimal) or not row.cny_per_unit.is_finite() or row.cny_per_unit <= 0:
            raise CustomsInputError(f"fx row {row.ref} has no positive Decimal cny_per_unit: {row.cny_per_unit!r}")
        if currency == PIVOT_CURRENCY and row.cny_per_unit != 1:
            raise CustomsInputError(f"fx row {row.ref} must be 1 CNY per CNY, not {row.cny_per_unit}")
        return Fraction(row.cny_per_unit), (row.ref,)

    def convert(self, value: Fraction, source: str, target: str) -> tuple[Fraction, tuple[str, ...]]:
        """`value` in `source` exactly in `target`, unrounded, with the fx refs used."""
        if source == target:
            _check_currency(source, "a consignment amount")
            return value, ()
        source_rate, source_refs = self.cny_per_unit(source)
        target_rate, target_refs = self.cny_per_unit(target)
        return value * source_rate / target_rate, source_refs + target_refs

    def explain(self, source: str, target: str) -> str:
        if source == target:
            return f"(already in {target})"
        # The pivot's own factor (1 CNY/CNY) is left out of the sentence.
        steps = []
        if source != PIVOT_CURRENCY:
            steps.append(f"× {_plain(self.fx_rate(source))} CNY/{source}")
        if target != PIVOT_CURRENCY:
            steps.append(f"÷ {_plain(self.fx_rate(target))} CNY/{target}")
        return " ".join(steps)

    def fx_rate(self, currency: str) -> Decimal:
        row = self.fx.get(currency)
        return row.cny_per_unit if row is not None else Decimal(1)


@dataclass(frozen=True)
class _Context:
    consignment: Consignment
    rule: str
    currency: str
    rates: _Rates
    goods: Decimal  # G_M
    shipping: Decimal  # S_M

    @property
    def market(self) -> MarketRow:
        return self.consignment.market

    @property
    def cif(self) -> Decimal:
        return quantize(Fraction(self.goods) + Fraction(self.shipping), self.currency)

    @property
    def fob(self) -> Decimal:
        return self.goods

    @property
    def vat_rate(self) -> Decimal:
        rate = self.market.vat_rate_pct
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0:
            raise CustomsInputError(f"market row {self.market.ref} has no non-negative Decimal vat_rate_pct: {rate!r}")
        return rate

    def parameter(self, name: str) -> Decimal:
        """A rule parameter of the market row, required by the rule being applied."""
        value = getattr(self.market, name)
        if value is None:
            raise CustomsInputError(f"market row {self.market.ref} has no {name}, which rule {self.rule} needs")
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise CustomsInputError(f"market row {self.market.ref} has a {name} that is not a non-negative Decimal: {value!r}")
        return value

    def to_market(self, value: Decimal, currency: str) -> tuple[Fraction, tuple[str, ...]]:
        """A fixed amount converted exactly into the market's currency (README step 2)."""
        return self.rates.convert(Fraction(value), currency, self.currency)

    def de_minimis(self, *, include_shipping: bool, what: str) -> _Threshold:
        """The declared value (G, or G + S) compared exactly with the de minimis in its own
        currency; a value equal to the threshold is within (README step 2)."""
        c = self.consignment
        threshold = self.parameter("deminimis")
        threshold_ccy = self.market.deminimis_ccy
        value, refs = self.rates.convert(Fraction(c.goods_value), c.goods_currency, threshold_ccy)
        if include_shipping:
            shipping, shipping_refs = self.rates.convert(Fraction(c.shipping), c.shipping_currency, threshold_ccy)
            value, refs = value + shipping, _union(refs, shipping_refs)
        within = value <= Fraction(threshold)
        text = (f"{what} {threshold_ccy} {_show(value, threshold_ccy)} {'≤' if within else '>'}"
                f" the {threshold_ccy} {_plain(threshold)} de minimis")
        return _Threshold(within, text, refs)

    def duty_rate(self) -> DutyRateRow:
        """The duty row of the longest HS prefix in force, else the market's "*" row (README step 4)."""
        row = _duty_row(self.consignment.duty_rates, self.market.iso2, self.consignment.hs_code, self.consignment.day)
        if row is None:
            raise CustomsInputError(
                f"no duty rate for HS {self.consignment.hs_code} in market {self.market.iso2} on {self.consignment.day}"
                f" (no matching prefix and no '*' row), which rule {self.rule} needs"
            )
        return row

    def ad_valorem(self, base_name: str, base: Decimal, reason: str) -> tuple[Decimal, str, tuple[str, ...]]:
        row = self.duty_rate()
        exact = Fraction(row.duty_rate_pct) / 100 * Fraction(base)
        prefix = "the market's default duty row *" if row.hs_prefix.strip() == "*" else f"duty row {row.hs_prefix}"
        what = f"HS {self.consignment.hs_code}, {prefix}" + (f": {row.notes}" if row.notes else "")
        formula = (f"{_pct(row.duty_rate_pct)} × {base_name} {_money(base, self.currency)} {self.currency}"
                   f" {_equals(exact, self.currency)} ({what}); {reason}")
        return quantize(exact, self.currency), formula, (row.ref,)

    def vat_on_cif_and_duty(self, duty: Decimal, reason: str = "") -> tuple[Decimal, str]:
        exact = Fraction(self.vat_rate) / 100 * (Fraction(self.cif) + Fraction(duty))
        formula = (f"{_pct(self.vat_rate)} × (CIF {_money(self.cif, self.currency)} + duty {_money(duty, self.currency)})"
                   f" {self.currency} {_equals(exact, self.currency)}")
        return quantize(exact, self.currency), formula + (f"; {reason}" if reason else "")

    def zero(self) -> Decimal:
        return quantize(0, self.currency)


def _eu_ioss(ctx: _Context) -> _Assessment:
    threshold = ctx.de_minimis(include_shipping=False, what="goods")
    if threshold.within:
        per_line = ctx.parameter("flat_duty_per_line")
        flat_ccy = ctx.market.flat_duty_ccy
        per_line_exact, refs = ctx.to_market(per_line, flat_ccy)
        lines = ctx.consignment.tariff_lines
        exact = per_line_exact * len(lines)
        conversion = "" if flat_ccy == ctx.currency else f" (= {_show(per_line_exact, ctx.currency)} {ctx.currency})"
        duty_formula = (f"flat {flat_ccy} {_plain(per_line)} per tariff line{conversion} × {len(lines)} distinct"
                        f" 6-digit HS code{'s' if len(lines) > 1 else ''} ({', '.join(lines)}) {_equals(exact, ctx.currency)}"
                        f", because {threshold.text}")
        duty, duty_refs = quantize(exact, ctx.currency), _union(threshold.refs, refs)
    else:
        duty, duty_formula, rate_refs = ctx.ad_valorem("CIF", ctx.cif, f"because {threshold.text}")
        duty_refs = _union(threshold.refs, rate_refs)
    ioss = threshold.within and ctx.consignment.incoterm == "DDP"
    vat_note = "IOSS: the seller collects this VAT at checkout and customs charges none" if ioss else ""
    vat, vat_formula = ctx.vat_on_cif_and_duty(duty, vat_note)
    return _Assessment(ctx.cif, duty, duty_formula, vat, vat_formula, threshold.within, duty_refs)


def _us_no_deminimis(ctx: _Context) -> _Assessment:
    duty, duty_formula, refs = ctx.ad_valorem(
        "FOB", ctx.fob, "no de minimis, and international freight is not part of the customs value")
    vat_formula = f"0 {ctx.currency}: {ctx.rule} charges no import VAT"
    return _Assessment(ctx.fob, duty, duty_formula, ctx.zero(), vat_formula, False, refs)


def _eaeu_200_31(ctx: _Context) -> _Assessment:
    c = ctx.consignment
    threshold = ctx.de_minimis(include_shipping=False, what="goods")
    weight_limit = ctx.parameter("weight_limit_kg")
    within_weight = c.weight_kg <= weight_limit
    weight_text = f"{_plain(c.weight_kg)} kg {'≤' if within_weight else '>'} {_plain(weight_limit)} kg"
    if threshold.within and within_weight:
        duty = ctx.zero()
        duty_formula = f"0 {ctx.currency}, because {threshold.text} and {weight_text}"
        vat_formula = f"0 {ctx.currency}: within the de minimis, no VAT"
        return _Assessment(ctx.cif, duty, duty_formula, ctx.zero(), vat_formula, True, threshold.refs)
    rate = ctx.parameter("excess_rate_pct")
    threshold_m, threshold_refs = ctx.to_market(ctx.parameter("deminimis"), ctx.market.deminimis_ccy)
    per_kg = ctx.parameter("over_weight_per_kg")
    per_kg_m, per_kg_refs = ctx.to_market(per_kg, ctx.market.over_weight_ccy)
    excess = Fraction(rate) / 100 * max(Fraction(ctx.goods) - threshold_m, Fraction(0))
    over_kg = max(c.weight_kg - weight_limit, Decimal(0))
    overweight = per_kg_m * Fraction(over_kg)
    exact = max(excess, overweight)
    duty_formula = (
        f"max({_pct(rate)} × ({_money(ctx.goods, ctx.currency)} − {_show(threshold_m, ctx.currency)}) {ctx.currency}"
        f" above the {ctx.market.deminimis_ccy} {_plain(ctx.parameter('deminimis'))} threshold,"
        f" {ctx.market.over_weight_ccy} {_plain(per_kg)}/kg (= {_show(per_kg_m, ctx.currency)} {ctx.currency})"
        f" × {_plain(over_kg)} kg above {_plain(weight_limit)} kg)"
        f" {_equals(exact, ctx.currency)}, because {threshold.text} and {weight_text};"
        f" one combined payment replaces duty and VAT"
    )
    refs = _union(threshold.refs, threshold_refs, per_kg_refs)
    vat_formula = f"0 {ctx.currency}: the {ctx.rule} combined payment replaces VAT"
    return _Assessment(ctx.cif, quantize(exact, ctx.currency), duty_formula, ctx.zero(), vat_formula, False, refs)


def _duty_above_threshold_vat_on_all(ctx: _Context, *, include_shipping: bool, what: str) -> _Assessment:
    """No duty up to the de minimis, ad valorem duty on CIF above it; VAT on every import."""
    threshold = ctx.de_minimis(include_shipping=include_shipping, what=what)
    if threshold.within:
        duty, refs = ctx.zero(), threshold.refs
        duty_formula = f"0 {ctx.currency}, because {threshold.text}"
    else:
        duty, duty_formula, rate_refs = ctx.ad_valorem("CIF", ctx.cif, f"because {threshold.text}")
        refs = _union(threshold.refs, rate_refs)
    vat, vat_formula = ctx.vat_on_cif_and_duty(duty, "VAT on every import")
    return _Assessment(ctx.cif, duty, duty_formula, vat, vat_formula, threshold.within, refs)


def _threshold_duty_vat_all(ctx: _Context) -> _Assessment:
    return _duty_above_threshold_vat_on_all(ctx, include_shipping=True, what="goods + shipping")


def _my_lvg(ctx: _Context) -> _Assessment:
    threshold = ctx.de_minimis(include_shipping=False, what="goods")
    if threshold.within:
        exact = Fraction(ctx.vat_rate) / 100 * Fraction(ctx.goods)
        vat_formula = (f"{_pct(ctx.vat_rate)} low-value-goods tax × goods {_money(ctx.goods, ctx.currency)} {ctx.currency}"
                       f" {_equals(exact, ctx.currency)}, collected by the seller, because {threshold.text}")
        duty_formula = f"0 {ctx.currency}, because {threshold.text}"
        return _Assessment(ctx.cif, ctx.zero(), duty_formula, quantize(exact, ctx.currency), vat_formula, True,
                           threshold.refs, threshold.refs)
    duty, duty_formula, rate_refs = ctx.ad_valorem("CIF", ctx.cif, f"because {threshold.text}")
    vat, vat_formula = ctx.vat_on_cif_and_duty(duty)
    return _Assessment(ctx.cif, duty, duty_formula, vat, vat_formula, False, _union(threshold.refs, rate_refs),
                       threshold.refs)


def _id_fob3(ctx: _Context) -> _Assessment:
    return _duty_above_threshold_vat_on_all(ctx, include_shipping=False, what="goods (FOB)")


def _b2b_standard(ctx: _Context) -> _Assessment:
    reason = "bulk stock to an overseas warehouse, no de minimis; paid at inbound"
    duty, duty_formula, refs = ctx.ad_valorem("CIF", ctx.cif, reason)
    vat, vat_formula = ctx.vat_on_cif_and_duty(duty, "paid at inbound; parcels later shipped from the warehouse pay none")
    return _Assessment(ctx.cif, duty, duty_formula, vat, vat_formula, False, refs)


_RULES = {
    Rule.EU_IOSS: _eu_ioss,
    Rule.US_NO_DEMINIMIS: _us_no_deminimis,
    Rule.EAEU_200_31: _eaeu_200_31,
    Rule.THRESHOLD_DUTY_VAT_ALL: _threshold_duty_vat_all,
    Rule.MY_LVG: _my_lvg,
    Rule.ID_FOB3: _id_fob3,
    Rule.B2B_STANDARD: _b2b_standard,
}


# Helpers.


def _rule_of(c: Consignment) -> str:
    code = c.rule_override or c.market.rule
    if code not in Rule.__members__:
        raise CustomsInputError(f"unknown rule {code!r} for market row {c.market.ref} (known: {', '.join(Rule)})")
    return Rule(code).value


def _rule_source(rule: str, market: MarketRow) -> str:
    if rule == Rule.B2B_STANDARD and market.rule != Rule.B2B_STANDARD:
        return f"README, Landed-cost rules, B2B_STANDARD; rates and VAT of {market.source}"
    return market.source


def _duty_row(rows: Sequence[DutyRateRow], market: str, hs_code: str, day: date) -> DutyRateRow | None:
    in_force: dict[str, DutyRateRow] = {}
    for row in rows:
        if not isinstance(row, DutyRateRow):
            raise CustomsInputError(f"duty_rates must hold DutyRateRow values, not {type(row).__name__}")
        if row.market != market:
            raise CustomsInputError(f"duty row {row.ref} is for market {row.market}, not {market}")
        prefix = row.hs_prefix.replace(".", "").strip()
        if row.effective_from <= day and (prefix not in in_force or in_force[prefix].effective_from < row.effective_from):
            in_force[prefix] = row
    matches = [prefix for prefix in in_force if prefix != "*" and hs_code.startswith(prefix)]
    if matches:
        return in_force[max(matches, key=len)]
    return in_force.get("*")


def _check_quantity(value, name: str) -> None:
    if not isinstance(value, Decimal):
        raise CustomsInputError(f"{name} must be a Decimal, not {type(value).__name__} {value!r}")
    if not value.is_finite() or value < 0:
        raise CustomsInputError(f"{name} must be a finite, non-negative Decimal, not {value}")


def _check_currency(currency: str, where: str) -> None:
    try:
        minor_digits(currency)
    except (TypeError, ValueError) as error:
        raise CustomsInputError(f"unknown currency {currency!r} in {where}: {error}") from None


def _conversion_formula(what: str, value: Decimal, source: str, target: str, exact: Fraction, rates: _Rates) -> str:
    return f"{what} {source} {_plain_given(value)} {rates.explain(source, target)} {_equals(exact, target)}"


def _convert_lines(lines: Sequence[Line], currency: str, rates: _Rates) -> tuple[Line, ...]:
    converted = []
    for line in lines:
        exact, refs = rates.convert(Fraction(line.amount), line.currency, currency)
        formula = (f"{_money(line.amount, line.currency)} {line.currency} {rates.explain(line.currency, currency)}"
                   f" {_equals(exact, currency)}")
        converted.append(Line(line.code, line.label, quantize(exact, currency), currency, line.rule, formula,
                              line.source, _union(line.refs, refs)))
    return tuple(converted)


def _union(*groups: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ref for group in groups for ref in group))


def _decimal_str(value: Decimal) -> str:
    return f"{value:f}"


def _money(value: Decimal | Fraction, currency: str) -> str:
    """An amount on the minor unit with thousands separators: 146,428.57."""
    return f"{quantize(value, currency):,.{minor_digits(currency)}f}"


def _show(value: Fraction, currency: str) -> str:
    """An exact value: on the minor unit when it is exact there, else one more digit and "…"
    (truncated, so the digits shown are the value's own: 117,142.857…)."""
    digits = minor_digits(currency)
    if (value * 10**digits).denominator == 1:
        return _money(value, currency)
    places = digits + 1
    truncated = int(value * 10**places)
    return f"{Decimal(f'{truncated}e-{places}'):,.{places}f}…"


def _equals(exact: Fraction, currency: str) -> str:
    """"= 64.91 PLN", or "= 64.911… → 64.91 PLN" when rounding changed the exact value."""
    rounded = quantize(exact, currency)
    if Fraction(rounded) == exact:
        return f"= {_money(rounded, currency)} {currency}"
    return f"= {_show(exact, currency)} → {_money(rounded, currency)} {currency}"


def _plain(value: Decimal) -> str:
    """A parameter without trailing zeros: 8.2, 0.00043, 1,000."""
    return f"{value.normalize():,f}"


def _plain_given(value: Decimal) -> str:
    """A declared amount as given, with thousands separators: 250.00."""
    return f"{value:,f}"


def _pct(value: Decimal) -> str:
    return f"{_plain(value)} %"
