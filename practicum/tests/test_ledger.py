"""The practicum's double-entry ledger (issue "Practicum I", point 6): escrow per order, release to
the store in CNY at the release day's rate, refunds, reversals, statements and trial balances.
Pure: no database; FX rows are read from the reference fx_rates.csv with csv + Decimal."""

import csv
import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from practicum.customs import FxRow
from practicum.ledger import (
    BOOK_CURRENCY,
    Account,
    AccountCode,
    AccountKind,
    EntryKind,
    JournalEntry,
    LedgerError,
    Posting,
    available_balance,
    balances,
    capital_contribution,
    customs_duties,
    entries_dedupe,
    entry_check,
    entry_is_duplicate,
    escrow_balance,
    escrow_release,
    fx_convert,
    journal_check,
    order_payment,
    refund,
    release_figures,
    return_shipping,
    reversal,
    shipment,
    stock_return,
    statement,
    stock_purchase,
    trial_balance,
)
from practicum.money import minor_digits, quantize, to_minor

D = Decimal
DAY = date(2026, 5, 4)
STORE = "store-7"
CNY = BOOK_CURRENCY


def _reference_dir() -> Path:
    """The project's copy of the reference data when there is one, else data/reference/."""
    app = Path(__file__).resolve().parents[1]
    candidates = (app / "reference", app.parent / "data" / "reference")
    return next(folder for folder in candidates if (folder / "fx_rates.csv").exists())


def _fx_rows() -> dict[str, FxRow]:
    with open(_reference_dir() / "fx_rates.csv", newline="", encoding="utf-8") as file:
        return {
            r["currency"]: FxRow(r["currency"], D(r["cny_per_unit"]), date.fromisoformat(r["effective_from"]),
                                 f"fx_rates:{r['currency']}:{r['effective_from']}")
            for r in csv.DictReader(file)
        }


FX = _fx_rows()


def _available(store=STORE):
    return Account(AccountCode.STORE_AVAILABLE, store)


def _escrow(order, store=STORE):
    return Account(AccountCode.ESCROW, store, order)


def _sums_per_currency(entry: JournalEntry) -> dict[str, int]:
    sums = defaultdict(int)
    for posting in entry.postings:
        sums[posting.currency] += posting.amount_minor
    return dict(sums)


def _release(amount=2000, *, held=None, currency="EUR", payment_rate=D("7.8"), release_rate=D("7.8"), bps=500,
             order="o-1", key="release:o-1", day=DAY):
    return escrow_release(key=key, order=order, store=STORE, currency=currency, amount_minor=amount,
                          held_minor=amount if held is None else held, payment_rate=payment_rate,
                          release_rate=release_rate, platform_fee_bps=bps, day=day)


# Accounts and postings.


def test_an_escrow_account_belongs_to_an_order_and_store_accounts_to_none():
    """ESCROW needs an order key; every other account is a store's and refuses one."""
    with pytest.raises(LedgerError, match="needs an order key"):
        Account(AccountCode.ESCROW, STORE)
    with pytest.raises(LedgerError, match="takes no order key"):
        Account(AccountCode.STORE_AVAILABLE, STORE, "o-1")
    with pytest.raises(LedgerError, match="unknown account code"):
        Account("CASH", STORE)
    with pytest.raises(LedgerError, match="malformed store key"):
        Account(AccountCode.SALES, "store:7")


@pytest.mark.parametrize("account", [_available(), _escrow("o-1"), Account(AccountCode.FX_GAIN_LOSS, "s")])
def test_an_account_name_parses_back(account):
    """`str(account)` is a stable name the database can store and `Account.parse` reads back."""
    assert Account.parse(str(account)) == account


@pytest.mark.parametrize(
    ("code", "kind", "normal_sign"),
    [
        (AccountCode.BUYER_CLEARING, AccountKind.ASSET, 1),
        (AccountCode.STORE_AVAILABLE, AccountKind.ASSET, 1),
        (AccountCode.INVENTORY, AccountKind.ASSET, 1),
        (AccountCode.STORE_CAPITAL, AccountKind.EQUITY, -1),
        (AccountCode.SALES, AccountKind.INCOME, -1),
        (AccountCode.FX_GAIN_LOSS, AccountKind.INCOME, -1),
        (AccountCode.PLATFORM_FEE, AccountKind.EXPENSE, 1),
        (AccountCode.DUTY_PAYABLE, AccountKind.LIABILITY, -1),
        (AccountCode.VAT_PAYABLE, AccountKind.LIABILITY, -1),
        (AccountCode.LOGISTICS_PAYABLE, AccountKind.LIABILITY, -1),
    ],
)
def test_each_account_has_its_kind_and_normal_side(code, kind, normal_sign):
    """Assets and expenses normally carry debit (positive) balances, the other kinds credit ones."""
    account = Account(code, STORE)
    assert (account.kind, account.normal_sign) == (kind, normal_sign)
    assert Account(AccountCode.ESCROW, STORE, "o").kind == AccountKind.LIABILITY


@pytest.mark.parametrize("amount", [1.5, 150.0, D("1.50"), D("150"), True, "150", None])
def test_an_amount_that_is_not_an_int_is_a_type_error(amount):
    """Money is an int of minor units: a float, a Decimal, a bool or a string is refused."""
    with pytest.raises(TypeError, match="int of minor units"):
        Posting(_available(), CNY, amount)
    with pytest.raises(TypeError):
        capital_contribution(key="c", store=STORE, amount_minor=amount, day=DAY)


def test_a_zero_posting_an_unknown_currency_and_a_foreign_currency_on_a_cny_account_are_refused():
    """No zero lines; currencies are ISO 4217 codes Babel knows; the store's own accounts hold CNY."""
    with pytest.raises(LedgerError, match="zero posting"):
        Posting(_available(), CNY, 0)
    with pytest.raises(LedgerError, match="unknown currency"):
        Posting(_escrow("o-1"), "XYZ", 100)
    with pytest.raises(LedgerError, match="unknown currency"):
        Posting(_escrow("o-1"), "eur", 100)
    with pytest.raises(LedgerError, match="kept in CNY only"):
        Posting(_available(), "EUR", 100)
    assert Posting(_escrow("o-1"), "IDR", 100).side == "debit"
    assert Posting(_escrow("o-1"), "IDR", -100).side == "credit"


# Entries.


def _entry(*postings, key="e-1", kind=EntryKind.CAPITAL_CONTRIBUTION, reverses=None):
    return JournalEntry(key=key, day=DAY, kind=kind, memo="test", postings=postings, reverses=reverses)


def test_an_unbalanced_entry_cannot_be_built():
    """Debits must equal credits: an entry whose postings do not sum to zero raises LedgerError."""
    with pytest.raises(LedgerError, match="does not balance per currency"):
        _entry(Posting(_available(), CNY, 1000), Posting(Account(AccountCode.STORE_CAPITAL, STORE), CNY, -999))


def test_an_entry_balances_in_each_currency_not_across_currencies():
    """EUR 10.00 against CNY 10.00 sums to zero as numbers but balances in neither currency."""
    with pytest.raises(LedgerError, match=r"EUR 10\.00, CNY -10\.00"):
        _entry(Posting(Account(AccountCode.BUYER_CLEARING, STORE), "EUR", 1000), Posting(_available(), CNY, -1000))


def test_an_entry_needs_two_postings_in_one_store_and_a_key_and_a_day():
    """Double entry needs two lines; an entry is in one store's books; it has a key and a date."""
    with pytest.raises(LedgerError, match="at least two"):
        _entry(Posting(_available(), CNY, 1000))
    with pytest.raises(LedgerError, match="several stores"):
        _entry(Posting(_available("a"), CNY, 1000), Posting(_available("b"), CNY, -1000))
    with pytest.raises(LedgerError, match="malformed entry key"):
        _entry(Posting(_available(), CNY, 1), Posting(_available(), CNY, -1), key=" ")
    with pytest.raises(TypeError, match="simulated day"):
        JournalEntry(key="k", day="2026-05-04", kind=EntryKind.REFUND, memo="", postings=())
    with pytest.raises(LedgerError, match="only a reversal"):
        _entry(Posting(_available(), CNY, 1), Posting(_available(), CNY, -1), kind=EntryKind.REVERSAL)


def test_entry_check_accepts_a_valid_entry():
    """`entry_check` is what construction runs; on a built entry it passes silently."""
    entry = capital_contribution(key="c", store=STORE, amount_minor=100, day=DAY)
    assert entry_check(entry) is None


# Builders.


BUILDERS = {
    "capital_contribution": lambda: capital_contribution(key="c", store=STORE, amount_minor=5_000_00, day=DAY),
    "stock_purchase": lambda: stock_purchase(key="s", store=STORE, cost_minor=1_234_56, available_minor=5_000_00,
                                             day=DAY),
    "order_payment": lambda: order_payment(key="p", order="o-1", store=STORE, currency="PLN", amount_minor=9_999,
                                           day=DAY),
    "escrow_release": lambda: _release(3_333, currency="KZT", payment_rate=D("0.0140"), release_rate=D("0.0137"),
                                       bps=750),
    "refund": lambda: refund(key="r", order="o-1", store=STORE, currency="IDR", amount_minor=12_345,
                             held_minor=20_000, day=DAY),
    "shipment": lambda: shipment(key="h", order="o-1", store=STORE, cost_of_goods_minor=880_00, inventory_minor=1_234_56,
                                 shipping_minor=57_30, channel="ECOM_LINE", day=DAY),
    "reversal": lambda: reversal(BUILDERS["order_payment"](), key="x", day=DAY, memo="typo",
                                 balances={(_escrow("o-1"), "PLN"): -9_999,
                                           (Account(AccountCode.BUYER_CLEARING, STORE), "PLN"): 9_999}),
}


@pytest.mark.parametrize("builder", BUILDERS)
def test_each_builder_returns_an_entry_that_balances_in_each_currency(builder):
    """Every builder's entry sums to zero per currency and passes `entry_check`."""
    entry = BUILDERS[builder]()
    assert entry.kind == EntryKind(builder)
    assert all(total == 0 for total in _sums_per_currency(entry).values())
    entry_check(entry)


def test_capital_stock_payment_and_refund_post_to_the_expected_accounts():
    """Capital: available debit, capital credit. Stock: inventory debit, available credit.
    Payment: buyer clearing debit, escrow credit, in the market currency. Refund: the mirror."""
    clearing = Account(AccountCode.BUYER_CLEARING, STORE)
    assert BUILDERS["capital_contribution"]().postings == (
        Posting(_available(), CNY, 5_000_00), Posting(Account(AccountCode.STORE_CAPITAL, STORE), CNY, -5_000_00))
    assert BUILDERS["stock_purchase"]().postings == (
        Posting(Account(AccountCode.INVENTORY, STORE), CNY, 1_234_56), Posting(_available(), CNY, -1_234_56))
    assert BUILDERS["order_payment"]().postings == (
        Posting(clearing, "PLN", 9_999), Posting(_escrow("o-1"), "PLN", -9_999))
    assert BUILDERS["refund"]().postings == (Posting(_escrow("o-1"), "IDR", 12_345), Posting(clearing, "IDR", -12_345))
    assert "in part, IDR 7,655 still held" in BUILDERS["refund"]().memo


def test_a_shipment_moves_stock_at_cost_to_cost_of_sales_and_owes_the_carrier():
    """Shipping: COST_OF_SALES debit and INVENTORY credit at the stock's cost, SHIPPING debit and
    LOGISTICS_PAYABLE credit for the tariff, all CNY. More cost than the books hold, nothing to
    book, or a negative amount is refused."""
    assert BUILDERS["shipment"]().postings == (
        Posting(Account(AccountCode.COST_OF_SALES, STORE), CNY, 880_00),
        Posting(Account(AccountCode.INVENTORY, STORE), CNY, -880_00),
        Posting(Account(AccountCode.SHIPPING, STORE), CNY, 57_30),
        Posting(Account(AccountCode.LOGISTICS_PAYABLE, STORE), CNY, -57_30),
    )
    assert BUILDERS["shipment"]().memo == (
        "Order o-1 shipped by ECOM_LINE: goods at cost CNY 880.00, carrier's tariff CNY 57.30 owed")

    def ship(cost, inventory, shipping):
        return shipment(key="h", order="o-1", store=STORE, cost_of_goods_minor=cost, inventory_minor=inventory,
                        shipping_minor=shipping, channel="EXPRESS", day=DAY)

    assert len(ship(0, 0, 1_00).postings) == 2  # a tariff alone: no zero lines for the goods
    with pytest.raises(LedgerError, match="holds stock worth CNY 5.00, not CNY 5.01"):
        ship(501, 500, 0)
    for cost, shipping in ((0, 0), (-1, 100), (100, -1)):
        with pytest.raises(LedgerError, match="neither negative"):
            ship(cost, 1_000, shipping)
    with pytest.raises(TypeError, match="never a float"):
        ship(1.5, 1_000, 0)


def test_worked_example_eur_20_released_at_7_8_with_a_5_percent_fee():
    """EUR 20.00 paid at 8.2 CNY/EUR (fx_rates.csv) and released at 7.8 with a 500 bps fee:
    CNY 156.00 received, fee 7.80, 148.20 to available, sale CNY 164.00, FX loss 8.00."""
    entry = _release(2000, payment_rate=FX["EUR"], release_rate=D("7.8"), bps=500)
    clearing = Account(AccountCode.BUYER_CLEARING, STORE)
    assert entry.postings == (
        Posting(_escrow("o-1"), "EUR", 2000),
        Posting(clearing, "EUR", -2000),
        Posting(Account(AccountCode.SALES, STORE), CNY, -164_00),
        Posting(_available(), CNY, 148_20),
        Posting(Account(AccountCode.PLATFORM_FEE, STORE), CNY, 7_80),
        Posting(Account(AccountCode.FX_GAIN_LOSS, STORE), CNY, 8_00),
    )
    assert entry.memo == (
        "Escrow of order o-1 released: EUR 20.00 × 7.8 CNY/EUR (release day) = CNY 156.00, fee 5 % = CNY 7.80,"
        " to available CNY 148.20; sale EUR 20.00 × 8.2 CNY/EUR (payment day, fx row fx_rates:EUR:2025-01-01)"
        " = CNY 164.00; FX loss CNY 8.00"
    )


def test_worked_example_without_a_rate_change_books_no_fx_difference():
    """Paid and released at 7.8: sale CNY 156.00, nothing on FX_GAIN_LOSS."""
    entry = _release(2000, payment_rate=D("7.8"), release_rate=D("7.8"), bps=500)
    assert entry.amount(Account(AccountCode.SALES, STORE), CNY) == -156_00
    assert entry.amount(_available(), CNY) == 148_20
    assert all(p.account.code != AccountCode.FX_GAIN_LOSS for p in entry.postings)
    assert entry.memo.endswith("no FX difference")


def test_a_release_converts_at_the_rate_of_its_day():
    """The same EUR 20.00, paid at 8.2, released on two days with different FX rows: different CNY
    reach the store, and the difference from the payment-day value shows on FX_GAIN_LOSS."""
    fx = Account(AccountCode.FX_GAIN_LOSS, STORE)
    early_row = FxRow("EUR", D("7.8000"), date(2026, 5, 1), "fx:EUR:2026-05-01")
    late_row = FxRow("EUR", D("8.6000"), date(2026, 6, 1), "fx:EUR:2026-06-01")
    early = _release(2000, payment_rate=FX["EUR"], release_rate=early_row, day=date(2026, 5, 20), bps=0)
    late = _release(2000, payment_rate=FX["EUR"], release_rate=late_row, day=date(2026, 6, 2), bps=0)
    assert early.amount(_available(), CNY) == 156_00
    assert late.amount(_available(), CNY) == 172_00
    assert early.amount(fx, CNY) == 8_00  # a loss: debit
    assert late.amount(fx, CNY) == -8_00  # a gain: credit
    assert early.amount(Account(AccountCode.SALES, STORE), CNY) == late.amount(
        Account(AccountCode.SALES, STORE), CNY) == -164_00


def test_the_fee_is_taken_in_cny_on_the_converted_amount_rounded_half_up():
    """EUR 0.33 at 7.8 = CNY 2.574 → 2.57; a 250 bps fee on it is 0.06425 → 0.06; 2.51 to available."""
    figures = release_figures(currency="EUR", amount_minor=33, payment_rate=D("7.8"), release_rate=D("7.8"),
                              platform_fee_bps=250, day=DAY)
    assert (figures.released_minor, figures.fee_minor, figures.net_minor) == (257, 6, 251)
    assert figures.release.remainder_minor == Fraction(4, 10)
    # A tie rounds up: CNY 1.00 with a 50 bps fee is 0.005 → 0.01.
    tie = release_figures(currency=CNY, amount_minor=100, payment_rate=1, release_rate=1, platform_fee_bps=50, day=DAY)
    assert tie.fee_minor == 1


@pytest.mark.parametrize(
    ("currency", "amount_minor", "rate", "cny_minor"),
    [
        ("KZT", 12_345_67, FX["KZT"], 172_84),  # KZT 12,345.67 × 0.014 = 172.83938 (KZT has 2 digits)
        ("IDR", 250_000, FX["IDR"], 107_50),  # IDR has no minor unit: 250,000 × 0.00043 = 107.50
        ("IDR", 1, FX["IDR"], 0),  # IDR 1 = CNY 0.00043 → 0.00
        ("PLN", 9_999, FX["PLN"], 192_98),  # PLN 99.99 × 1.93 = 192.9807
        ("USD", 1, FX["USD"], 7),  # USD 0.01 × 7.1 = 0.071
    ],
)
def test_minor_units_follow_babel_when_converting_to_cny(currency, amount_minor, rate, cny_minor):
    """Amounts are read in the currency's Babel minor unit (KZT 2 digits, IDR none) and the CNY is
    rounded half-up once to the fen."""
    assert minor_digits("KZT") == 2 and minor_digits("IDR") == 0 and minor_digits("JPY") == 0
    entry = _release(amount_minor, currency=currency, payment_rate=rate, release_rate=rate, bps=0)
    assert entry.amount(_available(), CNY) == cny_minor
    assert all(total == 0 for total in _sums_per_currency(entry).values())


def test_a_release_too_small_to_fetch_a_fen_still_settles_escrow():
    """IDR 1 converts to CNY 0.00: the entry settles escrow in IDR and books nothing in CNY."""
    entry = _release(1, currency="IDR", payment_rate=FX["IDR"], release_rate=FX["IDR"])
    assert entry.currencies == ("IDR",)
    assert len(entry.postings) == 2


def test_fx_convert_is_exact_and_rounds_once_half_up():
    """JPY (no minor unit) both ways; a half fen rounds up, and the remainder is what rounding dropped."""
    to_cny = fx_convert(1000, "JPY", CNY, D("0.048"))
    assert (to_cny.converted_minor, to_cny.remainder_minor) == (48_00, 0)
    to_jpy = fx_convert(100_00, CNY, "JPY", 1 / Fraction(D("0.048")))
    assert to_jpy.exact_minor == Fraction(6250, 3)
    assert (to_jpy.converted_minor, to_jpy.remainder_minor) == (2083, Fraction(1, 3))
    tie = fx_convert(1, "EUR", CNY, D("0.5"))
    assert (tie.converted_minor, tie.remainder_minor) == (1, Fraction(-1, 2))
    with pytest.raises(TypeError, match="float"):
        fx_convert(100, "EUR", CNY, 7.8)


@settings(max_examples=60)
@given(
    amount=st.integers(min_value=-10**12, max_value=10**12),
    currency=st.sampled_from(["EUR", "KZT", "IDR", "JPY", "PLN"]),
    rate=st.decimals(min_value=D("0.0001"), max_value=D("100"), places=6),
)
def test_fx_convert_rounds_the_exact_value_to_the_nearest_minor_unit(amount, currency, rate):
    """The converted amount is money.quantize of the exact value; the remainder is at most half a fen."""
    conversion = fx_convert(amount, currency, CNY, rate)
    exact = Fraction(amount, 10 ** minor_digits(currency)) * Fraction(rate)
    assert conversion.converted_minor == to_minor(quantize(exact, CNY), CNY)
    assert conversion.converted_minor + conversion.remainder_minor == conversion.exact_minor == exact * 100
    assert abs(conversion.remainder_minor) <= Fraction(1, 2)


# Refusals.


def test_no_more_than_escrow_holds_is_released_or_refunded():
    """The caller passes what escrow holds; a larger release or refund is refused."""
    with pytest.raises(LedgerError, match="holds EUR 19.99"):
        _release(2000, held=1999)
    with pytest.raises(LedgerError, match="more than that"):
        refund(key="r", order="o-1", store=STORE, currency="EUR", amount_minor=2001, held_minor=2000, day=DAY)
    with pytest.raises(LedgerError, match="positive"):
        refund(key="r", order="o-1", store=STORE, currency="EUR", amount_minor=0, held_minor=2000, day=DAY)


def test_a_store_spends_no_more_than_it_has():
    """A stock purchase above the store's available balance is refused."""
    with pytest.raises(LedgerError, match="may spend CNY 100.00, not CNY 100.01"):
        stock_purchase(key="s", store=STORE, cost_minor=100_01, available_minor=100_00, day=DAY)


@pytest.mark.parametrize(
    ("rate", "error", "match"),
    [
        (7.8, TypeError, "float"),
        ("7.8", TypeError, "Decimal"),
        (D("0"), LedgerError, "positive"),
        (D("-7.8"), LedgerError, "positive"),
        (D("NaN"), LedgerError, "finite"),
        (FX["USD"], LedgerError, "is for USD, not EUR"),
        (FxRow("EUR", D("7.9"), date(2026, 6, 1), "fx:EUR:2026-06-01"), LedgerError, "takes effect on 2026-06-01"),
    ],
)
def test_a_release_rate_must_be_an_exact_positive_rate_in_force(rate, error, match):
    """Rates are Decimal, Fraction or the FxRow of the currency in force on the day; never a float."""
    with pytest.raises(error, match=match):
        _release(2000, release_rate=rate)


def test_cny_escrow_converts_at_one_and_the_fee_must_be_in_basis_points():
    """CNY escrow releases at 1 CNY/CNY; the fee is an int between 0 and 10,000 bps."""
    entry = _release(100_00, currency=CNY, payment_rate=1, release_rate=FX[CNY], bps=500)
    assert entry.amount(_available(), CNY) == 95_00
    with pytest.raises(LedgerError, match="at 1"):
        _release(100_00, currency=CNY, payment_rate=1, release_rate=D("1.01"))
    with pytest.raises(LedgerError, match="between 0 and 10000"):
        _release(2000, bps=10_001)
    with pytest.raises(TypeError):
        _release(2000, bps=True)


# Reversals and the journal.


def _small_journal():
    return [
        capital_contribution(key="capital", store=STORE, amount_minor=1_000_00, day=DAY),
        stock_purchase(key="stock", store=STORE, cost_minor=300_00, available_minor=1_000_00, day=DAY),
        order_payment(key="pay:o-1", order="o-1", store=STORE, currency="EUR", amount_minor=2000, day=DAY),
        refund(key="refund:o-1", order="o-1", store=STORE, currency="EUR", amount_minor=500, held_minor=2000, day=DAY),
        _release(1500, payment_rate=FX["EUR"], release_rate=D("7.8"), key="release:o-1",
                 day=DAY + timedelta(days=9)),
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_reversal_of_the_latest_entry_restores_every_balance_exactly(index):
    """Appending an entry and its reversal leaves every balance as it was before both."""
    journal = _small_journal()[: index + 1]
    before = balances(journal[:-1])
    correction = reversal(journal[-1], key=f"undo:{index}", day=journal[-1].day, memo="entered by mistake",
                          balances=balances(journal))
    assert correction.reverses == journal[-1].key
    assert correction.memo == f"Reversal of {journal[-1].key}: entered by mistake"
    assert balances(journal + [correction]) == before
    journal_check(journal + [correction])


def test_a_reversal_that_would_make_escrow_negative_is_refused():
    """A payment whose escrow was already released cannot be reversed: escrow would go below zero."""
    journal = _small_journal()
    with pytest.raises(LedgerError, match=r"ESCROW:store-7:o-1 at -20\.00"):
        reversal(journal[2], key="undo", day=DAY + timedelta(days=10), memo="wrong order", balances=balances(journal))
    with pytest.raises(LedgerError, match="STORE_AVAILABLE:store-7 at -300.00"):
        reversal(journal[0], key="undo", day=DAY, memo="wrong store", balances=balances(journal[:2]))


def test_a_reversal_says_why_and_is_not_dated_before_the_entry():
    """A correction carries its reason, on the entry's day or later."""
    journal = _small_journal()
    with pytest.raises(LedgerError, match="says why"):
        reversal(journal[0], key="undo", day=DAY, memo=" ", balances=balances(journal))
    with pytest.raises(LedgerError, match="earlier day"):
        reversal(journal[0], key="undo", day=DAY - timedelta(days=1), memo="x", balances=balances(journal))


def test_journal_check_refuses_double_reversals_strays_and_repeated_keys():
    """A journal has unique keys; a reversal mirrors an earlier entry, and only once."""
    journal = _small_journal()[:1]
    undo = reversal(journal[0], key="undo", day=DAY, memo="x", balances=balances(journal))
    journal_check(journal + [undo])
    with pytest.raises(LedgerError, match="reversed twice"):
        journal_check(journal + [undo, dataclasses.replace(undo, key="undo-2")])
    with pytest.raises(LedgerError, match="not an earlier entry"):
        journal_check([undo])
    with pytest.raises(LedgerError, match="appears twice"):
        journal_check(journal + journal)
    forged = dataclasses.replace(undo, postings=(Posting(_available(), CNY, -1), Posting(
        Account(AccountCode.STORE_CAPITAL, STORE), CNY, 1)))
    with pytest.raises(LedgerError, match="does not mirror"):
        journal_check(journal + [forged])
    overdraft = stock_purchase(key="s", store=STORE, cost_minor=1, available_minor=1, day=DAY)
    with pytest.raises(LedgerError, match="below zero"):
        journal_check([overdraft])


def test_a_retried_entry_is_a_duplicate_and_a_reused_key_an_error():
    """Idempotency: the same key with the same entry is skipped; with a different entry it raises."""
    first = capital_contribution(key="capital:1", store=STORE, amount_minor=100, day=DAY)
    retry = capital_contribution(key="capital:1", store=STORE, amount_minor=100, day=DAY)
    other = capital_contribution(key="capital:1", store=STORE, amount_minor=200, day=DAY)
    assert entries_dedupe([first, retry]) == (first,)
    assert entry_is_duplicate({first.key: first}, retry) is True
    assert entry_is_duplicate({}, retry) is False
    with pytest.raises(LedgerError, match="already used by a different entry"):
        entry_is_duplicate({first.key: first}, other)
    with pytest.raises(LedgerError):
        entries_dedupe([first, other])


# Reading the books.


def test_the_statement_runs_the_available_balance_entry_by_entry():
    """Only entries that move the available account appear; each balance is the previous plus the amount."""
    journal = _small_journal()
    rows = statement(journal, store=STORE)
    assert [(row.key, row.amount_minor, row.balance_minor) for row in rows] == [
        ("capital", 1_000_00, 1_000_00),
        ("stock", -300_00, 700_00),
        ("release:o-1", 111_15, 811_15),  # EUR 15.00 × 7.8 = 117.00, less 5 % = 5.85
    ]
    assert rows[-1].balance_minor == available_balance(journal, store=STORE)
    assert all(row.currency == CNY for row in rows)
    assert statement(journal, store="another-store") == ()


def test_the_trial_balance_lists_each_account_on_its_side_and_balances_per_currency():
    """Debits equal credits in EUR and in CNY; escrow after a refund and a release holds nothing."""
    journal = _small_journal()
    tb = trial_balance(journal)
    assert tb.balanced and tb.differences == {"CNY": 0}  # EUR accounts are all settled
    assert tb.totals["CNY"] == (1_123_00, 1_123_00)
    assert escrow_balance(journal, order="o-1", currency="EUR") == 0
    rows = {(str(line.account), line.currency): (line.debit_minor, line.credit_minor) for line in tb.lines}
    assert rows == {
        ("STORE_AVAILABLE:store-7", CNY): (811_15, 0),
        ("INVENTORY:store-7", CNY): (300_00, 0),
        ("STORE_CAPITAL:store-7", CNY): (0, 1_000_00),
        ("SALES:store-7", CNY): (0, 123_00),  # EUR 15.00 at the payment day's 8.2
        ("FX_GAIN_LOSS:store-7", CNY): (6_00, 0),  # 123.00 − 117.00: a loss
        ("PLATFORM_FEE:store-7", CNY): (5_85, 0),
    }
    assert [line.kind for line in tb.lines] == sorted((line.kind for line in tb.lines), key=list(AccountKind).index)
    assert trial_balance(journal, store="another-store").lines == ()


# Random sequences of operations: the ledger's invariants as a Hypothesis state machine.


MARKETS = {"EUR": 2_000, "PLN": 8_000, "USD": 2_000, "KZT": 1_000_000, "IDR": 30_000_000}  # largest order, major units
STORES = ("store-a", "store-b")
START = date(2026, 1, 1)


class LedgerMachine(RuleBasedStateMachine):
    """Capital, stock purchases, orders paid, shipped (stock at cost out of inventory, the
    carrier's tariff owed), customs duty, VAT and penalties owed in the market's currency,
    refused parcels shipped back and their goods returned to stock, released at the day's rate,
    refunded in part or in full, and reversals of any entry, in random order over several days
    and two stores."""

    def __init__(self):
        super().__init__()
        self.journal: list[JournalEntry] = []
        self.day = START
        self.rates: dict[tuple[str, date], Decimal] = {}
        self.orders: dict[str, tuple[str, str, Decimal]] = {}  # order → store, currency, payment-day rate
        self.effects: dict[str, dict[tuple, int]] = {}  # entry key → what it adds to the model's totals
        self.reversed: set[str] = set()

    # The model: running totals the ledger must agree with.

    def totals(self) -> dict[tuple, int]:
        result = defaultdict(int)
        for effect in self.effects.values():
            for name, value in effect.items():
                result[name] += value
        return result

    def append(self, entry: JournalEntry, effect: dict[tuple, int]) -> None:
        self.journal.append(entry)
        self.effects[entry.key] = effect

    def rate(self, currency: str, draw: int) -> Decimal:
        """The FX row of the day: drawn once per currency and day, within ±25 % of fx_rates.csv."""
        return self.rates.setdefault((currency, self.day), FX[currency].cny_per_unit * (750 + draw) / 1000)

    def key(self, prefix: str) -> str:
        return f"{prefix}:{len(self.journal)}"

    def capital(self, store: str, amount: int) -> None:
        entry = capital_contribution(key=self.key("capital"), store=store, amount_minor=amount, day=self.day)
        self.append(entry, {("capital", store): amount})

    def payment(self, store: str, currency: str, amount: int, draw: int) -> None:
        order = f"o-{len(self.orders)}"
        entry = order_payment(key=self.key("pay"), order=order, store=store, currency=currency, amount_minor=amount,
                              day=self.day)
        self.orders[order] = (store, currency, self.rate(currency, draw))
        self.append(entry, {("held", order): amount})

    @initialize(capital=st.integers(min_value=1, max_value=50_000_00), currency=st.sampled_from(sorted(MARKETS)),
                paid=st.integers(min_value=1, max_value=2_000), draw=st.integers(min_value=0, max_value=500))
    def open_a_store_with_an_order(self, capital, currency, paid, draw):
        """Every run starts with some capital and one order paid, so no rule waits for them."""
        self.capital(STORES[0], capital)
        self.payment(STORES[0], currency, paid, draw)

    @rule(days=st.integers(min_value=1, max_value=5))
    def next_day(self, days):
        self.day += timedelta(days=days)

    @rule(store=st.sampled_from(STORES), amount=st.integers(min_value=1, max_value=50_000_00))
    def contribute_capital(self, store, amount):
        self.capital(store, amount)

    @rule(store=st.sampled_from(STORES), share=st.fractions(min_value=0, max_value=Fraction(5, 4)))
    def buy_stock(self, store, share):
        totals = self.totals()
        available = (totals[("capital", store)] - totals[("stock", store)]
                     + totals[("released", store)] - totals[("fees", store)])
        cost = int(available * share) or 1
        if cost > available:
            with pytest.raises(LedgerError, match="may spend"):
                stock_purchase(key="refused", store=store, cost_minor=cost, available_minor=available, day=self.day)
            return
        entry = stock_purchase(key=self.key("stock"), store=store, cost_minor=cost, available_minor=available,
                               day=self.day)
        self.append(entry, {("stock", store): cost})

    def inventory(self, store: str) -> int:
        """Stock bought less the cost of goods shipped (a returned parcel's cost comes back)."""
        totals = self.totals()
        return totals[("stock", store)] - totals[("cogs", store)]

    @rule(pick=st.integers(min_value=0), share=st.fractions(min_value=0, max_value=Fraction(5, 4)),
          shipping=st.integers(min_value=-100, max_value=500_00), channel=st.sampled_from(("ECOM_LINE", "EXPRESS")))
    def ship_order(self, pick, share, shipping, channel):
        """An order leaves the warehouse: some of the store's stock at cost (at times more than the
        books hold, which is refused) and a tariff (at times none, or a negative one: refused)."""
        order = sorted(self.orders)[pick % len(self.orders)]
        store = self.orders[order][0]
        inventory = self.inventory(store)
        cost = int(inventory * share)
        if cost > inventory or shipping < 0 or cost + shipping == 0:
            with pytest.raises(LedgerError, match="holds stock worth|neither negative"):
                shipment(key="refused", order=order, store=store, cost_of_goods_minor=cost, inventory_minor=inventory,
                         shipping_minor=shipping, channel=channel, day=self.day)
            return
        entry = shipment(key=self.key("ship"), order=order, store=store, cost_of_goods_minor=cost,
                         inventory_minor=inventory, shipping_minor=shipping, channel=channel, day=self.day)
        assert entry.kind == EntryKind.SHIPMENT and all(p.currency == CNY for p in entry.postings)
        self.append(entry, {("cogs", store): cost, ("shipping", store): shipping})

    @rule(pick=st.integers(min_value=0), duty=st.integers(min_value=0, max_value=50_000),
          vat=st.integers(min_value=0, max_value=50_000), penalty=st.integers(min_value=0, max_value=5) | st.just(0),
          draw=st.integers(min_value=0, max_value=500))
    def clear_customs(self, pick, duty, vat, penalty, draw):
        """A DDP parcel's duty and VAT (and at times a penalty) at the day's rate: the expenses in
        CNY, the payables in the market's currency; nothing to book is refused."""
        order = sorted(self.orders)[pick % len(self.orders)]
        store, currency, _ = self.orders[order]
        rate = self.rate(currency, draw)
        if duty + vat + penalty == 0:
            with pytest.raises(LedgerError, match="books a duty"):
                customs_duties(key="refused", order=order, store=store, currency=currency, duty_minor=0, vat_minor=0,
                               rate=rate, day=self.day)
            return
        entry = customs_duties(key=self.key("customs"), order=order, store=store, currency=currency, duty_minor=duty,
                               vat_minor=vat, penalty_minor=penalty, rate=rate, day=self.day)
        assert entry.kind == EntryKind.CUSTOMS_DUTIES
        cny = {name: fx_convert(amount, currency, CNY, rate).converted_minor if amount else 0
               for name, amount in (("duty", duty), ("vat", vat), ("penalty", penalty))}
        self.append(entry, {
            ("duty_cny", store): cny["duty"], ("vat_cny", store): cny["vat"], ("penalty_cny", store): cny["penalty"],
            ("duty_owed", store, currency): duty + penalty, ("vat_owed", store, currency): vat,
        })

    @rule(pick=st.integers(min_value=0), tariff=st.integers(min_value=-10, max_value=500_00),
          share=st.fractions(min_value=0, max_value=1))
    def refused_parcel_comes_back(self, pick, tariff, share):
        """A refused parcel comes back: the tariff again (a non-positive one is refused), then
        some cost of goods shipped back from COST_OF_SALES to INVENTORY."""
        order = sorted(self.orders)[pick % len(self.orders)]
        store = self.orders[order][0]
        if tariff <= 0:
            with pytest.raises(LedgerError, match="positive"):
                return_shipping(key="refused", order=order, store=store, shipping_minor=tariff, channel="ECOM_LINE",
                                day=self.day)
            return
        entry = return_shipping(key=self.key("return"), order=order, store=store, shipping_minor=tariff,
                                channel="ECOM_LINE", day=self.day)
        self.append(entry, {("shipping", store): tariff})
        cost = int(self.totals()[("cogs", store)] * share)
        if cost > 0:
            entry = stock_return(key=self.key("restock"), order=order, store=store, cost_of_goods_minor=cost, day=self.day)
            self.append(entry, {("cogs", store): -cost, ("stock_back", store): cost})

    @rule(store=st.sampled_from(STORES), currency=st.sampled_from(sorted(MARKETS)), data=st.data(),
          draw=st.integers(min_value=0, max_value=500))
    def pay_order(self, store, currency, data, draw):
        largest = MARKETS[currency] * 10 ** minor_digits(currency)
        self.payment(store, currency, data.draw(st.integers(min_value=1, max_value=largest), label="amount"), draw)

    def held(self, order: str) -> int:
        return self.totals()[("held", order)]

    def pick_order(self, pick: int, settled: bool) -> str:
        """An order escrow still holds money for, or (when `settled`, or none is left) any order."""
        totals = self.totals()
        holding = [order for order in sorted(self.orders) if totals[("held", order)] > 0]
        pool = sorted(self.orders) if settled or not holding else holding
        return pool[pick % len(pool)]

    @rule(pick=st.integers(min_value=0), settled=st.integers(min_value=0, max_value=4).map(lambda n: n == 0),
          full=st.booleans(), share=st.fractions(min_value=0, max_value=1),
          draw=st.integers(min_value=0, max_value=500), bps=st.integers(min_value=0, max_value=1_500))
    def release(self, pick, settled, full, share, draw, bps):
        order = self.pick_order(pick, settled)
        store, currency, payment_rate = self.orders[order]
        held = self.held(order)
        release_rate = self.rate(currency, draw)
        if held == 0:
            with pytest.raises(LedgerError, match="more than that"):
                escrow_release(key="refused", order=order, store=store, currency=currency, amount_minor=1,
                               held_minor=held, payment_rate=payment_rate, release_rate=release_rate,
                               platform_fee_bps=bps, day=self.day)
            return
        amount = held if full else max(int(held * share), 1)
        entry = escrow_release(key=self.key("release"), order=order, store=store, currency=currency,
                               amount_minor=amount, held_minor=held, payment_rate=payment_rate,
                               release_rate=release_rate, platform_fee_bps=bps, day=self.day)
        figures = release_figures(currency=currency, amount_minor=amount, payment_rate=payment_rate,
                                  release_rate=release_rate, platform_fee_bps=bps, day=self.day)
        self.append(entry, {
            ("held", order): -amount,
            ("released", store): figures.released_minor,
            ("fees", store): figures.fee_minor,
            ("revenue", store): figures.revenue_minor,
        })

    @rule(pick=st.integers(min_value=0), settled=st.integers(min_value=0, max_value=4).map(lambda n: n == 0),
          extra=st.integers(min_value=-5, max_value=2), share=st.fractions(min_value=0, max_value=1))
    def refund_order(self, pick, settled, extra, share):
        order = self.pick_order(pick, settled)
        store, currency, _ = self.orders[order]
        held = self.held(order)
        amount = held + extra if extra > 0 else int(held * share)
        if not 0 < amount <= held:
            with pytest.raises(LedgerError):
                refund(key="refused", order=order, store=store, currency=currency, amount_minor=amount,
                       held_minor=held, day=self.day)
            return
        entry = refund(key=self.key("refund"), order=order, store=store, currency=currency, amount_minor=amount,
                       held_minor=held, day=self.day)
        self.append(entry, {("held", order): -amount})

    @rule(pick=st.integers(min_value=0))
    def reverse(self, pick):
        candidates = [entry for entry in self.journal if entry.key not in self.reversed]
        if not candidates:
            return
        target = candidates[pick % len(candidates)]
        current = balances(self.journal)
        would_overdraw = any(
            p.account.rule.never_below_zero
            and (current.get((p.account, p.currency), 0) - target.amount(p.account, p.currency))
            * p.account.normal_sign < 0
            for p in target.postings
        )
        if would_overdraw:
            with pytest.raises(LedgerError, match="below zero"):
                reversal(target, key="refused", day=self.day, memo="correction", balances=current)
            return
        entry = reversal(target, key=self.key("undo"), day=self.day, memo="correction", balances=current)
        self.reversed.add(target.key)
        self.append(entry, {name: -value for name, value in self.effects[target.key].items()})
        # The reversal exactly undoes its target: the books equal those without the pair.
        assert balances(self.journal) == balances([e for e in self.journal if e.key not in (target.key, entry.key)])

    # Invariants, checked after every step.

    @invariant()
    def every_entry_balances_and_the_journal_is_sound(self):
        """Every entry sums to zero per currency; keys are unique, reversals mirror, no balance overdrawn."""
        for entry in self.journal:
            assert all(total == 0 for total in _sums_per_currency(entry).values())
        journal_check(self.journal)

    @invariant()
    def the_trial_balance_is_zero_per_currency_for_the_run_and_for_each_store(self):
        """Debits equal credits in each currency, in the whole run and in each store's books."""
        assert trial_balance(self.journal).balanced
        for store in STORES:
            assert all(value == 0 for value in trial_balance(self.journal, store=store).differences.values())

    @invariant()
    def escrow_holds_what_was_paid_less_released_and_refunded_and_never_less_than_zero(self):
        """Escrow per order is paid − released − refunded (reversals undone), never negative."""
        totals = self.totals()
        for order, (_, currency, _) in self.orders.items():
            held = escrow_balance(self.journal, order=order, currency=currency)
            assert held == totals[("held", order)] >= 0

    @invariant()
    def available_is_capital_less_stock_plus_released_less_fees(self):
        """Available CNY = capital − stock + Σ released − Σ fees, exactly; sales and FX split the rest."""
        totals = self.totals()
        books = balances(self.journal)
        for store in STORES:
            expected = (totals[("capital", store)] - totals[("stock", store)]
                        + totals[("released", store)] - totals[("fees", store)])
            assert available_balance(self.journal, store=store) == expected >= 0
            revenue, released = totals[("revenue", store)], totals[("released", store)]
            customs = totals[("duty_cny", store)] + totals[("vat_cny", store)] + totals[("penalty_cny", store)]
            assert books.get((Account(AccountCode.SALES, store), CNY), 0) == -revenue
            assert books.get((Account(AccountCode.FX_GAIN_LOSS, store), CNY), 0) == revenue - released - customs

    @invariant()
    def customs_owed_in_the_market_currency_is_the_trading_accounts_open_position(self):
        """DUTY_PAYABLE and VAT_PAYABLE hold what was assessed in each market currency (penalties
        with the duty); the trading account's balance in that currency is exactly their total,
        and the expenses hold the CNY each was booked at."""
        totals = self.totals()
        books = balances(self.journal)
        for store in STORES:
            for currency in MARKETS:
                duty, vat = totals[("duty_owed", store, currency)], totals[("vat_owed", store, currency)]
                assert books.get((Account(AccountCode.DUTY_PAYABLE, store), currency), 0) == -duty
                assert books.get((Account(AccountCode.VAT_PAYABLE, store), currency), 0) == -vat
                assert books.get((Account(AccountCode.FX_GAIN_LOSS, store), currency), 0) == duty + vat
            for code, name in ((AccountCode.IMPORT_DUTY, "duty_cny"), (AccountCode.IMPORT_VAT, "vat_cny"),
                               (AccountCode.CUSTOMS_PENALTY, "penalty_cny")):
                assert books.get((Account(code, store), CNY), 0) == totals[(name, store)] >= 0

    @invariant()
    def inventory_is_stock_bought_less_cost_of_goods_shipped_and_never_less_than_zero(self):
        """INVENTORY = Σ stock bought − Σ cost of goods shipped (reversals undone) ≥ 0; the cost
        of goods is on COST_OF_SALES, the tariffs on SHIPPING and owed on LOGISTICS_PAYABLE."""
        totals = self.totals()
        books = balances(self.journal)
        for store in STORES:
            assert books.get((Account(AccountCode.INVENTORY, store), CNY), 0) == self.inventory(store) >= 0
            assert totals[("stock_back", store)] >= 0
            assert books.get((Account(AccountCode.COST_OF_SALES, store), CNY), 0) == totals[("cogs", store)] >= 0
            assert books.get((Account(AccountCode.SHIPPING, store), CNY), 0) == totals[("shipping", store)] >= 0
            assert books.get((Account(AccountCode.LOGISTICS_PAYABLE, store), CNY), 0) == -totals[("shipping", store)]

    @invariant()
    def the_statement_runs_up_to_the_available_balance(self):
        """Each statement row's balance is the previous one plus its amount, ending at the balance."""
        for store in STORES:
            running = 0
            for row in statement(self.journal, store=store):
                running += row.amount_minor
                assert row.balance_minor == running
            assert running == available_balance(self.journal, store=store)


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
