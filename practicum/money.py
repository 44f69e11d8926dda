"""Money as exact decimals in a currency's minor unit.

The house rule (shared HOUSE_RULES.md, "Names and models") is that money is an integer of minor
units plus an ISO 4217 code, with the precision taken from Babel, never a float. This module is
the one place that knows a currency's minor unit (CLDR data through
`babel.numbers.get_currency_precision`: IDR, JPY and HUF have none, most currencies two) and how
to round to it: half-up, as data/reference/README.md ("Landed-cost rules", steps 1 and 3)
prescribes for every computed amount.

Amounts are `decimal.Decimal`; exact intermediate values (conversions through CNY that do not
terminate) may be `fractions.Fraction`. Rounding is done with integer arithmetic, so it does not
depend on the thread's decimal context.
"""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, is_currency

Exact = Decimal | Fraction | int


def minor_digits(currency: str) -> int:
    """The number of decimal digits of the currency's minor unit (IDR 0, EUR 2)."""
    if not isinstance(currency, str):
        _check_currency(currency)  # raises the TypeError
    return _minor_digits(currency)


@lru_cache(maxsize=1024)
def _minor_digits(currency: str) -> int:
    # Cached: a simulated day asks tens of thousands of times, and CLDR's answer for a code never
    # changes while the process runs. An unknown code raises, and exceptions are not cached.
    _check_currency(currency)
    return get_currency_precision(currency)


def quantize(amount: Exact, currency: str) -> Decimal:
    """The amount rounded half-up (away from zero on a tie) to the currency's minor unit.

    Accepts a Decimal, an int or an exact Fraction; the result always carries exactly the minor
    unit's exponent (`Decimal("5.00")`, not `Decimal("5")`) so that equal amounts print alike.
    """
    digits = minor_digits(currency)
    scaled = _exact(amount) * 10**digits
    units = _round_half_up(scaled)
    return Decimal(units) if digits == 0 else Decimal(f"{units}e-{digits}")


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount as an integer of minor units (EUR 12.34 → 1234, IDR 12345 → 12345).

    The amount must already be on the minor unit: a silent rounding here would hide an amount
    that was never quantized, so that is a ValueError (call `quantize` first).
    """
    if not isinstance(amount, Decimal):
        _reject_type(amount, "amount")
    value = _exact(amount) * 10 ** minor_digits(currency)
    if value.denominator != 1:
        raise ValueError(f"{currency} {amount} has more digits than {currency}'s minor unit; quantize() it first")
    return int(value)


def from_minor(units: int, currency: str) -> Decimal:
    """An integer of minor units as a Decimal amount (1234 EUR cents → Decimal("12.34"))."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError(f"minor units must be an int, not {type(units).__name__}")
    return quantize(Fraction(units, 10 ** minor_digits(currency)), currency)


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """The amount quantized and formatted for a locale ("pl_PL", "zh-hans", "en")."""
    if not isinstance(amount, Decimal):
        _reject_type(amount, "amount")
    try:
        parsed = Locale.parse(str(locale).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as error:
        raise ValueError(f"unknown locale {locale!r}") from error
    return format_currency(quantize(amount, currency), currency, locale=parsed)


def allocate(amount: Decimal, weights: Sequence[Exact], currency: str) -> list[Decimal]:
    """The amount split in proportion to the weights, each share on the minor unit, summing exactly.

    Used for B2B_STANDARD, where each product line of a bulk shipment carries its share of the
    freight by weight. Shares are rounded down and the leftover minor units go to the largest
    remainders (the earlier line on a tie), so no unit is created or lost.
    """
    if not weights:
        raise ValueError("allocate() needs at least one weight")
    exact_weights = [_exact(weight) for weight in weights]
    if any(weight < 0 for weight in exact_weights) or sum(exact_weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    total_units = to_minor(quantize(amount, currency), currency)
    sign = -1 if total_units < 0 else 1
    whole = sum(exact_weights)
    ideal = [abs(total_units) * weight / whole for weight in exact_weights]
    units = [int(share) for share in ideal]  # floor, shares are non-negative
    leftover = abs(total_units) - sum(units)
    by_remainder = sorted(range(len(ideal)), key=lambda i: (-(ideal[i] - units[i]), i))
    for i in by_remainder[:leftover]:
        units[i] += 1
    return [from_minor(sign * unit, currency) for unit in units]


def _check_currency(currency: str) -> None:
    if not isinstance(currency, str):
        raise TypeError(f"a currency code must be a str, not {type(currency).__name__}")
    # Babel answers a precision of 2 for any string, so the code is checked against CLDR's list.
    if len(currency) != 3 or not currency.isupper() or not is_currency(currency):
        raise ValueError(f"unknown currency code {currency!r} (expected an upper-case ISO 4217 code such as 'EUR')")


def _exact(amount: Exact) -> Fraction:
    if isinstance(amount, Fraction):
        return amount
    if isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(f"{amount} is not a finite amount")
        return Fraction(amount)
    if isinstance(amount, int) and not isinstance(amount, bool):
        return Fraction(amount)
    _reject_type(amount, "amount")


def _reject_type(value, what: str):
    if isinstance(value, float):
        raise TypeError(f"{what} {value!r} is a float; money is never a float, pass a Decimal (e.g. Decimal('{value}'))")
    raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")


def _round_half_up(value: Fraction) -> int:
    magnitude = (2 * abs(value.numerator) + value.denominator) // (2 * value.denominator)
    return -magnitude if value < 0 else magnitude
