"""Money in a currency's minor unit: precision from Babel, half-up rounding, never a float."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from practicum.money import allocate, format_money, from_minor, minor_digits, quantize, to_minor

D = Decimal


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("EUR", 2), ("PLN", 2), ("KZT", 2), ("CNY", 2), ("IDR", 0), ("JPY", 0)],
)
def test_minor_digits_come_from_babel(currency, digits):
    """The minor unit is CLDR's currency precision: IDR and JPY have none, most currencies two."""
    assert minor_digits(currency) == digits


@pytest.mark.parametrize("code", ["XYZ", "eur", "EURO", "", "E1R"])
def test_an_unknown_currency_code_is_a_value_error(code):
    """A code that is not an upper-case ISO 4217 currency raises ValueError, not a silent 2 digits."""
    with pytest.raises(ValueError, match="unknown currency code"):
        minor_digits(code)
    with pytest.raises(ValueError, match="unknown currency code"):
        quantize(D("1"), code)


def test_a_currency_code_that_is_not_a_string_is_a_type_error():
    """Passing something other than a code is a programming error."""
    with pytest.raises(TypeError):
        minor_digits(None)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (D("0.005"), "EUR", "0.01"),
        (D("0.0049999"), "EUR", "0.00"),
        (D("2.675"), "EUR", "2.68"),
        (D("-0.005"), "EUR", "-0.01"),
        (D("5"), "EUR", "5.00"),
        (D("12344.5"), "IDR", "12345"),
        (D("12344.49"), "IDR", "12344"),
        (Fraction(2, 3), "EUR", "0.67"),
        (Fraction(1, 3), "EUR", "0.33"),
        (7, "EUR", "7.00"),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    """Ties go away from zero, and the result carries the minor unit's exponent ("5.00", not "5")."""
    result = quantize(amount, currency)
    assert isinstance(result, Decimal)
    assert f"{result:f}" == expected
    assert result.as_tuple().exponent == -minor_digits(currency)


def test_quantize_is_exact_beyond_the_decimal_context_precision():
    """Rounding does not depend on the 28-digit default context: a 32-digit amount rounds exactly."""
    assert f"{quantize(D('12345678901234567890123456789.005'), 'EUR'):f}" == "12345678901234567890123456789.01"


@pytest.mark.parametrize("function", [quantize, to_minor])
def test_a_float_is_refused_with_a_type_error(function):
    """Money is never a float: a float input raises TypeError whatever its value."""
    with pytest.raises(TypeError, match="float"):
        function(0.1, "EUR")


def test_a_non_finite_amount_is_a_value_error():
    """NaN and infinities are not amounts."""
    with pytest.raises(ValueError):
        quantize(D("NaN"), "EUR")
    with pytest.raises(ValueError):
        quantize(D("Infinity"), "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [(D("12.34"), "EUR", 1234), (D("0.00"), "EUR", 0), (D("12345"), "IDR", 12345), (D("-1.50"), "PLN", -150)],
)
def test_to_minor_and_from_minor_convert_between_amounts_and_integer_units(amount, currency, units):
    """EUR 12.34 is 1234 cents; IDR has no minor unit, so IDR 12345 is 12345 units."""
    assert to_minor(amount, currency) == units
    assert from_minor(units, currency) == amount
    assert from_minor(units, currency).as_tuple().exponent == -minor_digits(currency)


def test_to_minor_refuses_an_amount_finer_than_the_minor_unit():
    """Storing EUR 12.345 would silently round; it must be quantized first."""
    with pytest.raises(ValueError, match="quantize"):
        to_minor(D("12.345"), "EUR")
    with pytest.raises(ValueError, match="quantize"):
        to_minor(D("1.5"), "IDR")


@pytest.mark.parametrize("units", [12.0, True, "12", D("12")])
def test_from_minor_takes_only_an_integer(units):
    """Minor units are an int; a float, bool, string or Decimal is a TypeError."""
    with pytest.raises(TypeError):
        from_minor(units, "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (D("12.345"), "EUR", "pl_PL", "12,35\xa0€"),
        (D("12345"), "IDR", "id_ID", "Rp12.345"),
        (D("1234.5"), "CNY", "zh_Hans_CN", "¥1,234.50"),
        (D("1234.5"), "CNY", "zh-hans", "¥1,234.50"),
        (D("9.99"), "USD", "en_US", "$9.99"),
    ],
)
def test_format_money_quantizes_then_formats_for_the_locale(amount, currency, locale, expected):
    """Formatting goes through Babel after half-up rounding; Django-style locale names are accepted."""
    assert format_money(amount, currency, locale) == expected


def test_format_money_refuses_an_unknown_locale_or_a_float():
    """An unknown locale is a ValueError; a float amount a TypeError."""
    with pytest.raises(ValueError, match="unknown locale"):
        format_money(D("1"), "EUR", "xx_YY")
    with pytest.raises(TypeError):
        format_money(1.0, "EUR", "en")


def test_allocate_splits_freight_by_weight_without_losing_a_cent():
    """EUR 100 over three equal weights is 33.34 + 33.33 + 33.33: the leftover cent goes first."""
    assert allocate(D("100"), [1, 1, 1], "EUR") == [D("33.34"), D("33.33"), D("33.33")]
    assert allocate(D("10"), [D("0.3"), D("0.7")], "IDR") == [D("3"), D("7")]


def test_allocate_refuses_empty_or_negative_weights():
    """There is nothing to split over no weights, negative weights or weights that are all zero."""
    for weights in ([], [D("-1"), D("2")], [0, 0]):
        with pytest.raises(ValueError):
            allocate(D("1"), weights, "EUR")


@given(
    amount=st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=4, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(["EUR", "PLN", "KZT", "IDR", "CNY"]),
)
def test_quantize_is_idempotent_and_within_half_a_unit(amount, currency):
    """A quantized amount quantizes to itself and differs from the input by at most half a minor unit."""
    once = quantize(amount, currency)
    assert quantize(once, currency) == once
    assert abs(once - amount) <= D(1).scaleb(-minor_digits(currency)) / 2
    assert from_minor(to_minor(once, currency), currency) == once


@given(
    amount=st.decimals(min_value=D("0"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False),
    weights=st.lists(st.integers(min_value=0, max_value=50000), min_size=1, max_size=8).filter(any),
)
def test_allocated_shares_always_sum_to_the_amount(amount, weights):
    """Whatever the weights, the shares are on the minor unit and add up to the amount exactly."""
    shares = allocate(amount, weights, "EUR")
    assert sum(shares) == amount
    assert all(share.as_tuple().exponent == -2 and share >= 0 for share in shares)
