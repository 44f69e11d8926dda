"""The practicum's escrow and store money on a double-entry ledger (issue "Practicum I", point 6).

What is modelled
----------------
Each team's store keeps its books in CNY (its functional currency) and sells in the market's
currency. The ledger is one journal for a practicum run holding every store's books: every
account belongs to one store (an escrow account also to one order), every journal entry touches
one store's accounts only, so each store's books balance on their own and a mentor's trial
balance of the run is the sum of them. The platform's own books are not simulated: its
commission is the store's expense here, not the platform's income.

The chart (`AccountCode`; the kind and currency rule of each code are in `CHART`):

- BUYER_CLEARING (asset, per store, any currency): buyer payments the platform holds for the
  store, in the currency paid, until they are released (converted to CNY) or refunded.
- ESCROW (liability, per order, any currency): what the store owes the buyer of an order until
  delivery is confirmed or the auto-release timer fires: the refundable advance, a contract
  liability in IFRS 15's words (IFRS 15.106). Its credit balance is what escrow holds.
- STORE_AVAILABLE (asset, per store, CNY): the money the team may spend.
- STORE_CAPITAL (equity, per store, CNY): the capital the practicum puts into the store.
- INVENTORY (asset, per store, CNY): stock bought with that capital, at cost.
- SALES (income, per store, CNY): revenue, recognised when escrow is released.
- PLATFORM_FEE (expense, per store, CNY): the platform's commission, taken on release.
- FX_GAIN_LOSS (income, per store, any currency): the currency trading account (below); a
  credit balance in CNY is a gain, a debit balance a loss. Per store, because the store bears
  the exchange risk: it sells in EUR and keeps its books in CNY.
- COST_OF_SALES and SHIPPING (expenses, per store, CNY): on shipping an order (`shipment`),
  the stock's average cost leaves INVENTORY and the carrier's tariff is owed.
- LOGISTICS_PAYABLE (liability, per store, any currency): what the carriers are owed for the
  parcels shipped, credited on shipping.
- DUTY_PAYABLE, VAT_PAYABLE (liabilities, per store, any currency): import duty and VAT owed
  to the destination's customs, in the market's currency (`customs_duties`). A penalty for
  under-declaring is owed to the same customs office, so it is credited to DUTY_PAYABLE too.
- IMPORT_DUTY, IMPORT_VAT, CUSTOMS_PENALTY (expenses, per store, CNY): what a DDP parcel's duty
  and VAT, and an under-declaration penalty, cost the store. Import VAT is booked as an expense,
  not as recoverable input VAT: the store is not VAT-registered in the market (under IOSS it
  collects the VAT from the buyer inside its price and passes it on), so it cannot reclaim it.
- STORAGE (expense, per store, CNY): what the overseas warehouses charge to keep the store's
  stock, owed on LOGISTICS_PAYABLE (`storage_fee`).

Overseas warehouses and payables (practicum II, `practicum.warehouse_services`): a container
of stock to an overseas warehouse moves its goods at cost within INVENTORY (no entry) and
capitalises what it costs to bring them there into INVENTORY, as the cost of purchase includes
transport, handling and import duties (IAS 2.11): the freight owed on LOGISTICS_PAYABLE
(`inbound_freight`), and on arrival the duty and VAT of the clearance, in CNY at the FX row of
the day with the payables in the market's currency through FX_GAIN_LOSS as for
`customs_duties`, and the warehouse's inbound handling owed on LOGISTICS_PAYABLE
(`inbound_clearance`). The VAT is capitalised, not expensed, for the same reason as above: the
store cannot reclaim it. At the end of each day the store pays what it owes
(`payables_settlement`) from STORE_AVAILABLE, as far as the balance allows: LOGISTICS_PAYABLE
in CNY, DUTY_PAYABLE and VAT_PAYABLE in the market's currency converted at the day's FX row
through FX_GAIN_LOSS, so the currency position closes and the difference from the rate the
payable was booked at stays in FX_GAIN_LOSS in CNY (realised, IAS 21.28). What cannot be paid
stays owed.

Customs duties (`customs_duties`): the expenses are debited in CNY at the FX row of the day the
parcel reached customs, the payables credited in the market's currency, and the two legs meet
in the trading account: FX_GAIN_LOSS is debited in the market currency and credited in CNY.
Its market-currency balance is then the open position of the payables (what the store owes in
that currency), which a settlement at a later rate would turn into an exchange difference.

A parcel refused at the door (`return_shipping`, then `stock_return`) comes back at the store's
cost: the channel's tariff again to SHIPPING, owed on LOGISTICS_PAYABLE; when it is back, its
units' cost moves from COST_OF_SALES back to INVENTORY. A lost parcel's goods stay in
COST_OF_SALES (the loss is the store's); its buyer is refunded in full out of escrow (`refund`).

There is no REFUNDS account: a refund out of escrow hands the buyer's own advance back before
any revenue was recognised, so it mirrors the payment's two postings and touches no income.

Conventions
-----------
- Signs: a posting's `amount_minor` is positive for a debit and negative for a credit, the
  convention of plain-text accounting (Ledger, hledger, Beancount) and of django-jacc; an entry
  balances when its postings sum to zero, and an account's balance is the sum of its postings,
  so assets and expenses normally show a positive balance, liabilities, equity and income a
  negative one (`Account.normal_sign`).
- Money is an int of minor units with an ISO 4217 code, the minor unit from Babel through
  practicum/money.py (EUR and KZT 2 digits, IDR and JPY none), never a float: a float, a
  Decimal or a bool amount is a TypeError.
- An entry balances per currency, never across currencies (P. Selinger, "Tutorial on multiple
  currency accounting", 2005, https://www.mathstat.dal.ca/~selinger/accounting/tutorial.html ):
  a conversion passes through a currency trading account that receives the amount in both
  currencies. Selinger counts trading accounts as income, since their balance at the day's
  rates is the realised plus unrealised exchange gain; FX_GAIN_LOSS is that account.
- The journal is append-only: a mistake is corrected by a reversing entry (every posting
  mirrored, linked by `reverses`), never by editing or deleting an entry. Each entry carries an
  idempotency key; the same key with the same content is a duplicate to skip, with other content
  an error (`entry_is_duplicate`, `entries_dedupe`).
- Days are simulated days (`datetime.date`), never the wall clock.

Escrow and FX
-------------
The buyer pays into escrow in the market's currency (`order_payment`: BUYER_CLEARING debit,
ESCROW credit, both in that currency); a refund takes (part of) it back out (`refund`). On
release (`escrow_release`) two conversions pass through the trading account:

1. The advance is earned: ESCROW is debited in the market currency and SALES credited in CNY at
   the rate of the payment day. An advance received is a non-monetary liability, so revenue
   takes the rate of the day it was received (IFRIC 22, "Foreign Currency Transactions and
   Advance Consideration").
2. The money held is converted: BUYER_CLEARING is credited in the market currency and the CNY
   it fetches at the FX row of the release day (data/reference/README.md: `cny_per_unit`, CNY
   per one unit of the currency) is debited to STORE_AVAILABLE, less the platform's fee,
   debited to PLATFORM_FEE. The fee is taken in CNY on the converted amount (the team's books
   and statement are in CNY, so the fee the team reads is the one booked), `platform_fee_bps`
   basis points rounded half-up.

The trading account's two market-currency legs cancel, so the entry stores only their CNY
residue: revenue at the payment-day rate less the CNY received at the release-day rate, the
realised exchange difference on the money held in a foreign currency (IAS 21.28), debited to
FX_GAIN_LOSS when it is a loss. Each CNY figure is one exact conversion (`fx_convert`, Fraction
arithmetic) rounded half-up once to the fen. The rounding remainder (at most half a fen) is
returned for display but cannot be booked, since amounts are whole minor units. The identity the
tests pin: STORE_AVAILABLE = capital − stock purchases + Σ CNY released − Σ fees − Σ payables
settled, exactly.

Amounts that depend on the current books (what escrow holds, what the store may spend, the
balances a reversal would change) are passed in by the caller, which reads them from the stored
journal; the builders refuse an entry that would take them below zero.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from practicum.customs import FxRow
from practicum.money import from_minor, minor_digits, quantize, to_minor

BOOK_CURRENCY = "CNY"
BPS_PER_UNIT = 10_000
KEY_SEPARATOR = ":"

Rate = Decimal | Fraction | int | FxRow


class LedgerError(ValueError):
    """An entry, a journal or a builder's input that breaks a ledger rule; the message is one line."""


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class AccountCode(StrEnum):
    BUYER_CLEARING = "BUYER_CLEARING"
    ESCROW = "ESCROW"
    STORE_AVAILABLE = "STORE_AVAILABLE"
    STORE_CAPITAL = "STORE_CAPITAL"
    INVENTORY = "INVENTORY"
    SALES = "SALES"
    PLATFORM_FEE = "PLATFORM_FEE"
    FX_GAIN_LOSS = "FX_GAIN_LOSS"
    DUTY_PAYABLE = "DUTY_PAYABLE"
    VAT_PAYABLE = "VAT_PAYABLE"
    LOGISTICS_PAYABLE = "LOGISTICS_PAYABLE"
    COST_OF_SALES = "COST_OF_SALES"
    SHIPPING = "SHIPPING"
    IMPORT_DUTY = "IMPORT_DUTY"
    IMPORT_VAT = "IMPORT_VAT"
    CUSTOMS_PENALTY = "CUSTOMS_PENALTY"
    STORAGE = "STORAGE"


@dataclass(frozen=True)
class AccountRule:
    """How an account code behaves: its kind, whether it holds CNY only, and whether its balance
    may never cross to the other side (money held or owed cannot be negative)."""

    kind: AccountKind
    book_currency_only: bool
    never_below_zero: bool
    description: str


CHART: Mapping[AccountCode, AccountRule] = {
    AccountCode.BUYER_CLEARING: AccountRule(
        AccountKind.ASSET, False, True, "Buyer payments the platform holds for the store, in the currency paid"),
    AccountCode.ESCROW: AccountRule(
        AccountKind.LIABILITY, False, True, "Owed to the buyer of the order until escrow is released"),
    AccountCode.STORE_AVAILABLE: AccountRule(
        AccountKind.ASSET, True, True, "What the team may spend"),
    AccountCode.STORE_CAPITAL: AccountRule(
        AccountKind.EQUITY, True, False, "Capital the practicum puts into the store"),
    AccountCode.INVENTORY: AccountRule(
        AccountKind.ASSET, True, True, "Stock at cost"),
    AccountCode.SALES: AccountRule(
        AccountKind.INCOME, True, False, "Revenue, recognised when escrow is released"),
    AccountCode.PLATFORM_FEE: AccountRule(
        AccountKind.EXPENSE, True, False, "The platform's commission on released sales"),
    AccountCode.FX_GAIN_LOSS: AccountRule(
        AccountKind.INCOME, False, False, "Currency trading account: exchange gains (credit) and losses (debit)"),
    AccountCode.DUTY_PAYABLE: AccountRule(
        AccountKind.LIABILITY, False, False, "Import duty and customs penalties owed, in the market's currency"),
    AccountCode.VAT_PAYABLE: AccountRule(
        AccountKind.LIABILITY, False, False, "Import VAT/GST owed, in the market's currency"),
    AccountCode.LOGISTICS_PAYABLE: AccountRule(
        AccountKind.LIABILITY, False, False, "Carriers and warehouses owed"),
    AccountCode.COST_OF_SALES: AccountRule(
        # Never below zero: a returned parcel takes back at most the cost that was shipped.
        AccountKind.EXPENSE, True, True, "Stock shipped to buyers, at its average cost"),
    AccountCode.SHIPPING: AccountRule(
        AccountKind.EXPENSE, True, False, "What the carriers charge for the parcels shipped"),
    AccountCode.IMPORT_DUTY: AccountRule(
        AccountKind.EXPENSE, True, False, "Import duty the store paid on DDP parcels"),
    AccountCode.IMPORT_VAT: AccountRule(
        AccountKind.EXPENSE, True, False, "Import VAT/GST the store paid on DDP parcels (not recoverable)"),
    AccountCode.CUSTOMS_PENALTY: AccountRule(
        AccountKind.EXPENSE, True, False, "Penalties for under-declared parcels"),
    AccountCode.STORAGE: AccountRule(
        AccountKind.EXPENSE, True, False, "What the overseas warehouses charge to store the stock"),
}

_DEBIT_NORMAL = (AccountKind.ASSET, AccountKind.EXPENSE)


class EntryKind(StrEnum):
    CAPITAL_CONTRIBUTION = "capital_contribution"
    STOCK_PURCHASE = "stock_purchase"
    ORDER_PAYMENT = "order_payment"
    ESCROW_RELEASE = "escrow_release"
    REFUND = "refund"
    SHIPMENT = "shipment"
    CUSTOMS_DUTIES = "customs_duties"
    RETURN_SHIPPING = "return_shipping"
    STOCK_RETURN = "stock_return"
    INBOUND_FREIGHT = "inbound_freight"
    INBOUND_CLEARANCE = "inbound_clearance"
    STORAGE_FEE = "storage_fee"
    PAYABLES_SETTLEMENT = "payables_settlement"
    REVERSAL = "reversal"


# Identities.


@dataclass(frozen=True)
class Account:
    """One account of one store's books: `Account(AccountCode.ESCROW, "store-7", order="o-42")`.

    `order` is required for ESCROW and refused elsewhere. Keys are non-empty, without
    surrounding spaces or ":", so `str(account)` ("ESCROW:store-7:o-42") parses back.
    """

    code: AccountCode
    store: str
    order: str | None = None

    def __post_init__(self):
        try:
            object.__setattr__(self, "code", AccountCode(self.code))
        except ValueError:
            raise LedgerError(f"unknown account code {self.code!r} (known: {', '.join(AccountCode)})") from None
        _check_key(self.store, "store key")
        if self.code == AccountCode.ESCROW:
            if self.order is None:
                raise LedgerError("an ESCROW account needs an order key")
            _check_key(self.order, "order key")
        elif self.order is not None:
            raise LedgerError(f"{self.code} is a store account and takes no order key (got {self.order!r})")

    def __str__(self):
        return KEY_SEPARATOR.join(part for part in (self.code, self.store, self.order) if part is not None)

    @classmethod
    def parse(cls, text: str) -> "Account":
        """The account `str(account)` names: "STORE_AVAILABLE:store-7", "ESCROW:store-7:o-42"."""
        if not isinstance(text, str):
            raise TypeError(f"an account name must be a str, not {type(text).__name__}")
        parts = text.split(KEY_SEPARATOR)
        if len(parts) not in (2, 3):
            raise LedgerError(f"malformed account name {text!r}: expected CODE:store or ESCROW:store:order")
        return cls(*parts)

    @property
    def rule(self) -> AccountRule:
        return CHART[self.code]

    @property
    def kind(self) -> AccountKind:
        return self.rule.kind

    @property
    def normal_sign(self) -> int:
        """+1 when the account normally has a debit (positive) balance, -1 for a credit balance."""
        return 1 if self.kind in _DEBIT_NORMAL else -1


@dataclass(frozen=True)
class Posting:
    """One line of an entry: a debit (positive) or a credit (negative) of whole minor units."""

    account: Account
    currency: str
    amount_minor: int

    def __post_init__(self):
        if not isinstance(self.account, Account):
            raise TypeError(f"a posting's account must be an Account, not {type(self.account).__name__}")
        _check_currency(self.currency)
        _check_int(self.amount_minor, "a posting's amount_minor")
        if self.amount_minor == 0:
            raise LedgerError(f"zero posting to {self.account} {self.currency}: leave the line out")
        if self.account.rule.book_currency_only and self.currency != BOOK_CURRENCY:
            raise LedgerError(f"{self.account} is kept in {BOOK_CURRENCY} only, not {self.currency}")

    @property
    def side(self) -> str:
        return "debit" if self.amount_minor > 0 else "credit"

    def __str__(self):
        return f"{self.side} {self.account} {_money(abs(self.amount_minor), self.currency)}"


@dataclass(frozen=True)
class JournalEntry:
    """A balanced set of postings on one day in one store's books, identified by an idempotency key.

    Constructing one runs `entry_check`, so an unbalanced entry cannot exist. `reverses` is the
    key of the entry a REVERSAL mirrors, and None for every other kind.
    """

    key: str
    day: date
    kind: EntryKind
    memo: str
    postings: tuple[Posting, ...]
    reverses: str | None = None

    def __post_init__(self):
        if isinstance(self.postings, (str, bytes)) or not isinstance(self.postings, Iterable):
            raise TypeError(f"postings must be a sequence of Posting, not {type(self.postings).__name__}")
        object.__setattr__(self, "postings", tuple(self.postings))
        try:
            object.__setattr__(self, "kind", EntryKind(self.kind))
        except ValueError:
            raise LedgerError(f"unknown entry kind {self.kind!r} (known: {', '.join(EntryKind)})") from None
        entry_check(self)

    @property
    def store(self) -> str:
        return self.postings[0].account.store

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(posting.currency for posting in self.postings))

    def amount(self, account: Account, currency: str) -> int:
        """The entry's net posting to the account in the currency (0 when it does not touch it)."""
        return sum(p.amount_minor for p in self.postings if p.account == account and p.currency == currency)


def entry_check(entry: JournalEntry) -> None:
    """Raise LedgerError unless the entry is well formed: a key, a simulated day, at least two
    postings, all in one store's books, summing to zero in each currency.

    The postings themselves were checked when built (an int amount that is not zero, a Babel
    currency, CNY on CNY-only accounts); a wrong type is a TypeError.
    """
    _check_key(entry.key, "entry key", separator_allowed=True)
    if isinstance(entry.day, datetime) or not isinstance(entry.day, date):
        raise TypeError(f"entry {entry.key}: day must be a date (a simulated day), not {type(entry.day).__name__}")
    if not isinstance(entry.memo, str):
        raise TypeError(f"entry {entry.key}: memo must be a str, not {type(entry.memo).__name__}")
    for posting in entry.postings:
        if not isinstance(posting, Posting):
            raise TypeError(f"entry {entry.key}: postings must be Posting, not {type(posting).__name__}")
    if len(entry.postings) < 2:
        raise LedgerError(f"entry {entry.key} has {len(entry.postings)} posting(s); double entry needs at least two")
    stores = {posting.account.store for posting in entry.postings}
    if len(stores) > 1:
        raise LedgerError(f"entry {entry.key} touches the books of several stores ({', '.join(sorted(stores))})")
    sums: dict[str, int] = defaultdict(int)
    for posting in entry.postings:
        sums[posting.currency] += posting.amount_minor
    unbalanced = {currency: total for currency, total in sums.items() if total != 0}
    if unbalanced:
        detail = ", ".join(f"{currency} {_signed(total, currency)}" for currency, total in unbalanced.items())
        raise LedgerError(f"entry {entry.key} does not balance per currency: debits − credits = {detail}")
    if (entry.kind == EntryKind.REVERSAL) != (entry.reverses is not None):
        raise LedgerError(f"entry {entry.key}: a reversal, and only a reversal, names the entry it reverses")
    if entry.reverses is not None:
        _check_key(entry.reverses, "reversed entry key", separator_allowed=True)


# FX.


@dataclass(frozen=True)
class FxConversion:
    """An amount of minor units converted exactly at `rate` (target units per source unit) and
    rounded half-up once to the target's minor unit.

    `exact_minor` is the unrounded value in target minor units; `remainder_minor` =
    `exact_minor` − `converted_minor`, at most half a minor unit, what rounding dropped.
    """

    source: str
    target: str
    amount_minor: int
    rate: Fraction
    exact_minor: Fraction
    converted_minor: int

    @property
    def remainder_minor(self) -> Fraction:
        return self.exact_minor - self.converted_minor


def fx_convert(amount_minor: int, source: str, target: str, rate: Decimal | Fraction | int) -> FxConversion:
    """`amount_minor` of `source` in `target` minor units, at `rate` units of target per unit of
    source, with exact Fraction arithmetic and one half-up rounding (practicum/money.quantize).

    For a market currency into CNY the rate is fx_rates.csv's `cny_per_unit`; between two other
    currencies pass cny_per_unit(source) / cny_per_unit(target) as a Fraction (README, step 1).
    """
    _check_int(amount_minor, "amount_minor")
    _check_currency(source)
    _check_currency(target)
    exact_rate = _positive_rate(rate, f"the {source}→{target} rate")
    value = Fraction(amount_minor, 10 ** minor_digits(source)) * exact_rate
    converted = to_minor(quantize(value, target), target)
    return FxConversion(source, target, amount_minor, exact_rate, value * 10 ** minor_digits(target), converted)


@dataclass(frozen=True)
class ReleaseFigures:
    """The CNY figures of an escrow release, each rounded half-up once; `net_minor` + `fee_minor`
    = `released_minor`, and `fx_difference_minor` = `revenue_minor` − `released_minor` (a
    positive difference is a loss, booked as a debit)."""

    currency: str
    amount_minor: int
    revenue: FxConversion  # at the payment day's rate: SALES
    release: FxConversion  # at the release day's rate: the CNY the money held fetches
    fee_bps: int
    fee_minor: int
    payment_rate_text: str
    release_rate_text: str

    @property
    def revenue_minor(self) -> int:
        return self.revenue.converted_minor

    @property
    def released_minor(self) -> int:
        return self.release.converted_minor

    @property
    def net_minor(self) -> int:
        return self.released_minor - self.fee_minor

    @property
    def fx_difference_minor(self) -> int:
        return self.revenue_minor - self.released_minor


def release_figures(*, currency: str, amount_minor: int, payment_rate: Rate, release_rate: Rate,
                    platform_fee_bps: int, day: date) -> ReleaseFigures:
    """The CNY an escrow release books: revenue at the payment day's rate, the money held
    converted at the release day's rate (an FxRow must be in force on `day`), the fee on it."""
    _check_currency(currency)
    _check_positive(amount_minor, "the released amount")
    _check_int(platform_fee_bps, "platform_fee_bps")
    if not 0 <= platform_fee_bps <= BPS_PER_UNIT:
        raise LedgerError(f"platform_fee_bps must be between 0 and {BPS_PER_UNIT}, not {platform_fee_bps}")
    payment, payment_text = _cny_per_unit(payment_rate, currency, day, "payment_rate", "payment day")
    release, release_text = _cny_per_unit(release_rate, currency, day, "release_rate", "release day")
    revenue = fx_convert(amount_minor, currency, BOOK_CURRENCY, payment)
    released = fx_convert(amount_minor, currency, BOOK_CURRENCY, release)
    fee = to_minor(quantize(Fraction(released.converted_minor * platform_fee_bps, BPS_PER_UNIT)
                            / 10 ** minor_digits(BOOK_CURRENCY), BOOK_CURRENCY), BOOK_CURRENCY)
    return ReleaseFigures(currency, amount_minor, revenue, released, platform_fee_bps, fee, payment_text, release_text)


# Builders: each returns a JournalEntry, balanced by construction and checked when built.


def capital_contribution(*, key: str, store: str, amount_minor: int, day: date) -> JournalEntry:
    """The practicum puts CNY capital into the store: STORE_AVAILABLE debit, STORE_CAPITAL credit."""
    _check_positive(amount_minor, "the capital contributed")
    return _entry(key, day, EntryKind.CAPITAL_CONTRIBUTION,
                  f"Capital contributed to store {store}: {_money(amount_minor, BOOK_CURRENCY)}",
                  (Account(AccountCode.STORE_AVAILABLE, store), BOOK_CURRENCY, amount_minor),
                  (Account(AccountCode.STORE_CAPITAL, store), BOOK_CURRENCY, -amount_minor))


def stock_purchase(*, key: str, store: str, cost_minor: int, available_minor: int, day: date) -> JournalEntry:
    """The store buys stock with CNY: INVENTORY debit, STORE_AVAILABLE credit. `available_minor`
    is the store's available balance now; spending more than it is refused."""
    _check_positive(cost_minor, "the stock's cost")
    _check_int(available_minor, "available_minor")
    if cost_minor > available_minor:
        raise LedgerError(f"store {store} may spend {_money(available_minor, BOOK_CURRENCY)}, "
                          f"not {_money(cost_minor, BOOK_CURRENCY)}")
    return _entry(key, day, EntryKind.STOCK_PURCHASE,
                  f"Stock bought by store {store}: {_money(cost_minor, BOOK_CURRENCY)}",
                  (Account(AccountCode.INVENTORY, store), BOOK_CURRENCY, cost_minor),
                  (Account(AccountCode.STORE_AVAILABLE, store), BOOK_CURRENCY, -cost_minor))


def order_payment(*, key: str, order: str, store: str, currency: str, amount_minor: int, day: date) -> JournalEntry:
    """The buyer pays into escrow in the market's currency: BUYER_CLEARING debit, ESCROW credit."""
    _check_currency(currency)
    _check_positive(amount_minor, "the payment")
    return _entry(key, day, EntryKind.ORDER_PAYMENT,
                  f"Buyer of order {order} paid {_money(amount_minor, currency)} into escrow",
                  (Account(AccountCode.BUYER_CLEARING, store), currency, amount_minor),
                  (Account(AccountCode.ESCROW, store, order), currency, -amount_minor))


def escrow_release(*, key: str, order: str, store: str, currency: str, amount_minor: int, held_minor: int,
                   payment_rate: Rate, release_rate: Rate, platform_fee_bps: int, day: date) -> JournalEntry:
    """Escrow released to the store on delivery confirmation or auto-release (module docstring,
    "Escrow and FX"): ESCROW and BUYER_CLEARING settled in the market currency; SALES credited at
    the payment day's rate; STORE_AVAILABLE and PLATFORM_FEE debited with the CNY the money
    fetches at the release day's rate; the difference to FX_GAIN_LOSS.

    `held_minor` is what escrow holds now (`escrow_balance`); releasing more is refused. Rates
    are CNY per unit of `currency`, as a Decimal or Fraction or the FxRow in force (its ref is
    then quoted in the memo).
    """
    _check_held(amount_minor, held_minor, order, currency, "release")
    figures = release_figures(currency=currency, amount_minor=amount_minor, payment_rate=payment_rate,
                              release_rate=release_rate, platform_fee_bps=platform_fee_bps, day=day)
    escrow = Account(AccountCode.ESCROW, store, order)
    clearing = Account(AccountCode.BUYER_CLEARING, store)
    trading = Account(AccountCode.FX_GAIN_LOSS, store)
    legs = (
        # 1. The advance is earned: revenue at the payment day's rate, through the trading account.
        (escrow, currency, amount_minor),
        (trading, currency, -amount_minor),
        (trading, BOOK_CURRENCY, figures.revenue_minor),
        (Account(AccountCode.SALES, store), BOOK_CURRENCY, -figures.revenue_minor),
        # 2. The money held is converted at the release day's rate; the fee comes out of it.
        (clearing, currency, -amount_minor),
        (trading, currency, amount_minor),
        (trading, BOOK_CURRENCY, -figures.released_minor),
        (Account(AccountCode.STORE_AVAILABLE, store), BOOK_CURRENCY, figures.net_minor),
        (Account(AccountCode.PLATFORM_FEE, store), BOOK_CURRENCY, figures.fee_minor),
    )
    memo = (
        f"Escrow of order {order} released: {_money(amount_minor, currency)} {figures.release_rate_text}"
        f" {_equals(figures.release)}, fee {_bps(platform_fee_bps)} = {_money(figures.fee_minor, BOOK_CURRENCY)},"
        f" to available {_money(figures.net_minor, BOOK_CURRENCY)}; sale {_money(amount_minor, currency)}"
        f" {figures.payment_rate_text} {_equals(figures.revenue)};"
        f" {_fx_difference(figures.fx_difference_minor)}"
    )
    return _entry(key, day, EntryKind.ESCROW_RELEASE, memo, *legs)


def refund(*, key: str, order: str, store: str, currency: str, amount_minor: int, held_minor: int,
           day: date) -> JournalEntry:
    """Escrow paid back to the buyer, in full or in part: ESCROW debit, BUYER_CLEARING credit.
    `held_minor` is what escrow holds now; refunding more is refused."""
    _check_held(amount_minor, held_minor, order, currency, "refund")
    remaining = held_minor - amount_minor
    extent = "in full" if remaining == 0 else f"in part, {_money(remaining, currency)} still held"
    return _entry(key, day, EntryKind.REFUND,
                  f"Refund of order {order}: {_money(amount_minor, currency)} out of escrow, {extent}",
                  (Account(AccountCode.ESCROW, store, order), currency, amount_minor),
                  (Account(AccountCode.BUYER_CLEARING, store), currency, -amount_minor))


def shipment(*, key: str, order: str, store: str, cost_of_goods_minor: int, inventory_minor: int,
             shipping_minor: int, channel: str, day: date) -> JournalEntry:
    """An order leaves the warehouse: its stock at average cost from INVENTORY to COST_OF_SALES,
    and the carrier's tariff for the parcel to SHIPPING, owed on LOGISTICS_PAYABLE (all CNY).
    `inventory_minor` is the stock's value on the books now; taking more is refused."""
    _check_int(cost_of_goods_minor, "cost_of_goods_minor")
    _check_int(shipping_minor, "shipping_minor")
    _check_int(inventory_minor, "inventory_minor")
    if cost_of_goods_minor < 0 or shipping_minor < 0 or cost_of_goods_minor + shipping_minor == 0:
        raise LedgerError(f"a shipment of order {order} books a cost of goods or a shipping charge, neither negative")
    if cost_of_goods_minor > inventory_minor:
        raise LedgerError(f"store {store} holds stock worth {_money(inventory_minor, BOOK_CURRENCY)},"
                          f" not {_money(cost_of_goods_minor, BOOK_CURRENCY)}")
    return _entry(key, day, EntryKind.SHIPMENT,
                  f"Order {order} shipped by {channel}: goods at cost {_money(cost_of_goods_minor, BOOK_CURRENCY)},"
                  f" carrier's tariff {_money(shipping_minor, BOOK_CURRENCY)} owed",
                  (Account(AccountCode.COST_OF_SALES, store), BOOK_CURRENCY, cost_of_goods_minor),
                  (Account(AccountCode.INVENTORY, store), BOOK_CURRENCY, -cost_of_goods_minor),
                  (Account(AccountCode.SHIPPING, store), BOOK_CURRENCY, shipping_minor),
                  (Account(AccountCode.LOGISTICS_PAYABLE, store), BOOK_CURRENCY, -shipping_minor))


def customs_duties(*, key: str, order: str, store: str, currency: str, duty_minor: int, vat_minor: int,
                   penalty_minor: int = 0, rate: Rate, day: date, note: str = "") -> JournalEntry:
    """Duty, VAT and a penalty the store owes customs for a parcel (module docstring, "Customs
    duties"): IMPORT_DUTY, IMPORT_VAT and CUSTOMS_PENALTY debited in CNY, each converted once at
    `rate` (CNY per unit of `currency`, the FX row of the day) and rounded half-up; DUTY_PAYABLE
    (duty and penalty) and VAT_PAYABLE credited in `currency`; the two currencies balanced
    through FX_GAIN_LOSS. `note` is added to the memo (the rule, IOSS, an inspection)."""
    _check_currency(currency)
    for value, name in ((duty_minor, "duty_minor"), (vat_minor, "vat_minor"), (penalty_minor, "penalty_minor")):
        _check_int(value, name)
        if value < 0:
            raise LedgerError(f"customs of order {order}: {name} cannot be negative ({value})")
    if duty_minor + vat_minor + penalty_minor == 0:
        raise LedgerError(f"customs of order {order} books a duty, a VAT or a penalty")
    cny_rate, rate_text = _cny_per_unit(rate, currency, day, "rate", "customs day")
    trading = Account(AccountCode.FX_GAIN_LOSS, store)
    legs, parts = [], []
    for amount, expense, payable, what in (
        (duty_minor, AccountCode.IMPORT_DUTY, AccountCode.DUTY_PAYABLE, "duty"),
        (vat_minor, AccountCode.IMPORT_VAT, AccountCode.VAT_PAYABLE, "VAT"),
        (penalty_minor, AccountCode.CUSTOMS_PENALTY, AccountCode.DUTY_PAYABLE, "penalty"),
    ):
        if not amount:
            continue
        cny = fx_convert(amount, currency, BOOK_CURRENCY, cny_rate)
        legs += [(Account(expense, store), BOOK_CURRENCY, cny.converted_minor),
                 (trading, BOOK_CURRENCY, -cny.converted_minor),
                 (trading, currency, amount),
                 (Account(payable, store), currency, -amount)]
        parts.append(f"{what} {_money(amount, currency)} {_equals(cny)}")
    memo = (f"Customs of order {order}: {', '.join(parts)} {rate_text}, owed to customs"
            + (f"; {note.strip()}" if note.strip() else ""))
    return _entry(key, day, EntryKind.CUSTOMS_DUTIES, memo, *legs)


def return_shipping(*, key: str, order: str, store: str, shipping_minor: int, channel: str, day: date) -> JournalEntry:
    """A refused parcel comes back at the store's cost: the channel's tariff again to SHIPPING,
    owed on LOGISTICS_PAYABLE (CNY)."""
    _check_positive(shipping_minor, "the return tariff")
    return _entry(key, day, EntryKind.RETURN_SHIPPING,
                  f"Order {order} refused at the door: return by {channel}, tariff {_money(shipping_minor, BOOK_CURRENCY)} owed",
                  (Account(AccountCode.SHIPPING, store), BOOK_CURRENCY, shipping_minor),
                  (Account(AccountCode.LOGISTICS_PAYABLE, store), BOOK_CURRENCY, -shipping_minor))


def stock_return(*, key: str, order: str, store: str, cost_of_goods_minor: int, day: date) -> JournalEntry:
    """A returned parcel is back in the warehouse: its units' cost from COST_OF_SALES back to
    INVENTORY, at the cost they left with (CNY)."""
    _check_positive(cost_of_goods_minor, "the cost of the goods returned")
    return _entry(key, day, EntryKind.STOCK_RETURN,
                  f"Order {order} back in the warehouse: goods at cost {_money(cost_of_goods_minor, BOOK_CURRENCY)} back to stock",
                  (Account(AccountCode.INVENTORY, store), BOOK_CURRENCY, cost_of_goods_minor),
                  (Account(AccountCode.COST_OF_SALES, store), BOOK_CURRENCY, -cost_of_goods_minor))


def inbound_freight(*, key: str, inbound: str, store: str, freight_minor: int, channel: str, day: date,
                    note: str = "") -> JournalEntry:
    """A container of stock leaves for an overseas warehouse: its freight is part of the stock's
    cost (IAS 2.11), INVENTORY debit, owed to the carrier on LOGISTICS_PAYABLE (CNY)."""
    _check_positive(freight_minor, "the freight")
    memo = (f"Container {inbound} shipped by {channel}: freight {_money(freight_minor, BOOK_CURRENCY)} added to the"
            f" stock's cost, owed" + (f"; {note.strip()}" if note.strip() else ""))
    return _entry(key, day, EntryKind.INBOUND_FREIGHT, memo,
                  (Account(AccountCode.INVENTORY, store), BOOK_CURRENCY, freight_minor),
                  (Account(AccountCode.LOGISTICS_PAYABLE, store), BOOK_CURRENCY, -freight_minor))


def inbound_clearance(*, key: str, inbound: str, store: str, currency: str, duty_minor: int, vat_minor: int,
                      handling_minor: int, rate: Rate, day: date, note: str = "") -> JournalEntry:
    """A container cleared into an overseas warehouse (module docstring, "Overseas warehouses"):
    duty and VAT in `currency` converted once each at `rate` (the FX row of the day, CNY per
    unit) and rounded half-up, debited to INVENTORY in CNY, DUTY_PAYABLE and VAT_PAYABLE credited
    in `currency`, the two currencies balanced through FX_GAIN_LOSS as in `customs_duties`; the
    warehouse's inbound handling (fen) to INVENTORY, owed on LOGISTICS_PAYABLE."""
    _check_currency(currency)
    for value, name in ((duty_minor, "duty_minor"), (vat_minor, "vat_minor"), (handling_minor, "handling_minor")):
        _check_int(value, name)
        if value < 0:
            raise LedgerError(f"clearance of container {inbound}: {name} cannot be negative ({value})")
    if duty_minor + vat_minor + handling_minor == 0:
        raise LedgerError(f"clearance of container {inbound} books a duty, a VAT or a handling charge")
    cny_rate, rate_text = _cny_per_unit(rate, currency, day, "rate", "clearance day")
    inventory = Account(AccountCode.INVENTORY, store)
    trading = Account(AccountCode.FX_GAIN_LOSS, store)
    legs, parts = [], []
    for amount, payable, what in ((duty_minor, AccountCode.DUTY_PAYABLE, "duty"), (vat_minor, AccountCode.VAT_PAYABLE, "VAT")):
        if not amount:
            continue
        cny = fx_convert(amount, currency, BOOK_CURRENCY, cny_rate)
        legs += [(inventory, BOOK_CURRENCY, cny.converted_minor),
                 (trading, BOOK_CURRENCY, -cny.converted_minor),
                 (trading, currency, amount),
                 (Account(payable, store), currency, -amount)]
        parts.append(f"{what} {_money(amount, currency)} {_equals(cny)}")
    if handling_minor:
        legs += [(inventory, BOOK_CURRENCY, handling_minor),
                 (Account(AccountCode.LOGISTICS_PAYABLE, store), BOOK_CURRENCY, -handling_minor)]
    memo = (f"Container {inbound} cleared and received: "
            + (f"{', '.join(parts)} {rate_text}, owed to customs; " if parts else "")
            + f"inbound handling {_money(handling_minor, BOOK_CURRENCY)} owed to the warehouse; added to the stock's cost"
            + (f"; {note.strip()}" if note.strip() else ""))
    return _entry(key, day, EntryKind.INBOUND_CLEARANCE, memo, *legs)


def storage_fee(*, key: str, store: str, amount_minor: int, day: date, note: str = "") -> JournalEntry:
    """A day's storage in the overseas warehouses: STORAGE debit, owed on LOGISTICS_PAYABLE (CNY)."""
    _check_positive(amount_minor, "the storage fee")
    memo = f"Storage on {day.isoformat()}: {_money(amount_minor, BOOK_CURRENCY)} owed to the warehouses" + (
        f"; {note.strip()}" if note.strip() else "")
    return _entry(key, day, EntryKind.STORAGE_FEE, memo,
                  (Account(AccountCode.STORAGE, store), BOOK_CURRENCY, amount_minor),
                  (Account(AccountCode.LOGISTICS_PAYABLE, store), BOOK_CURRENCY, -amount_minor))


# What a store owes, in the order it pays: customs before the carriers and warehouses (goods
# stay in bond while duty is unpaid), each currency in alphabetical order.
PAYABLE_CODES = (AccountCode.DUTY_PAYABLE, AccountCode.VAT_PAYABLE, AccountCode.LOGISTICS_PAYABLE)


@dataclass(frozen=True)
class SettlementLine:
    """One payable in a settlement: what is owed (a positive amount of its currency), what is
    paid of it and what that costs in CNY at the day's rate."""

    code: AccountCode
    currency: str
    owed_minor: int
    paid_minor: int
    cny_minor: int

    @property
    def left_minor(self) -> int:
        return self.owed_minor - self.paid_minor


def settlement_plan(*, owed: Mapping[tuple[AccountCode, str], int], available_minor: int,
                    rates: Mapping[str, Rate], day: date) -> tuple[SettlementLine, ...]:
    """How much of each payable the store pays from `available_minor` (CNY): in `PAYABLE_CODES`
    order, each in full while the money lasts, then the most of the next one the rest pays for
    (the largest amount whose CNY at the day's rate, rounded half-up, fits). `owed` maps
    (code, currency) to the amount owed (positive; others are left out); `rates` the FX row or
    rate of each foreign currency owed. Lines with nothing to pay are kept, with paid 0, so the
    page shows what stays owed."""
    _check_int(available_minor, "available_minor")
    left = max(available_minor, 0)
    lines = []
    for (code, currency), amount in sorted(owed.items(), key=lambda item: (PAYABLE_CODES.index(AccountCode(item[0][0])),
                                                                          item[0][1])):
        code = AccountCode(code)
        _check_currency(currency)
        _check_int(amount, f"the amount owed on {code} {currency}")
        if amount <= 0:
            continue
        if currency == BOOK_CURRENCY:
            paid = min(amount, left)
            cny = paid
        else:
            rate, _text = _cny_per_unit(rates.get(currency), currency, day, f"rate of {currency}", "settlement day")

            def cost(units: int) -> int:
                return fx_convert(units, currency, BOOK_CURRENCY, rate).converted_minor if units else 0

            if cost(amount) <= left:
                paid = amount
            else:  # the largest amount whose cost fits: cost() never decreases as the amount grows
                low, high = 0, amount
                while low < high:
                    middle = (low + high + 1) // 2
                    low, high = (middle, high) if cost(middle) <= left else (low, middle - 1)
                paid = low
            cny = cost(paid)
        left -= cny
        lines.append(SettlementLine(code, currency, amount, paid, cny))
    return tuple(lines)


def payables_settlement(*, key: str, store: str, lines: Iterable[SettlementLine], available_minor: int,
                        rates: Mapping[str, Rate], day: date) -> JournalEntry:
    """The store pays what it owes (`settlement_plan`): each payable debited in its currency;
    a foreign currency bought for CNY at the day's rate through FX_GAIN_LOSS, so the currency's
    position closes and the difference from the rate the payable was booked at stays in
    FX_GAIN_LOSS in CNY; STORE_AVAILABLE credited with the CNY paid. Paying more than is owed,
    or more CNY than `available_minor`, is refused."""
    _check_int(available_minor, "available_minor")
    legs, parts, total = [], [], 0
    available = Account(AccountCode.STORE_AVAILABLE, store)
    trading = Account(AccountCode.FX_GAIN_LOSS, store)
    for line in lines:
        if not isinstance(line, SettlementLine):
            raise TypeError(f"a settlement pays SettlementLine values, not {type(line).__name__}")
        if line.code not in PAYABLE_CODES:
            raise LedgerError(f"{line.code} is not a payable a store settles")
        _check_currency(line.currency)
        _check_int(line.paid_minor, "paid_minor")
        _check_int(line.owed_minor, "owed_minor")
        if line.paid_minor < 0 or line.paid_minor > line.owed_minor:
            raise LedgerError(f"store {store} owes {_money(line.owed_minor, line.currency)} on {line.code};"
                              f" it cannot pay {_money(line.paid_minor, line.currency)}")
        if not line.paid_minor:
            continue
        payable = Account(line.code, store)
        if line.currency == BOOK_CURRENCY:
            cny, text = line.paid_minor, ""
        else:
            rate, rate_text = _cny_per_unit(rates.get(line.currency), line.currency, day, f"rate of {line.currency}",
                                            "settlement day")
            conversion = fx_convert(line.paid_minor, line.currency, BOOK_CURRENCY, rate)
            cny, text = conversion.converted_minor, f" {rate_text} {_equals(conversion)}"
            legs += [(trading, line.currency, -line.paid_minor), (trading, BOOK_CURRENCY, cny)]
        if line.cny_minor != cny:
            raise LedgerError(f"{line.code} {line.currency}: {_money(line.paid_minor, line.currency)} costs"
                              f" {_money(cny, BOOK_CURRENCY)} on {day}, not {_money(line.cny_minor, BOOK_CURRENCY)}")
        legs.append((payable, line.currency, line.paid_minor))
        total += cny
        left = line.owed_minor - line.paid_minor
        parts.append(f"{line.code} {_money(line.paid_minor, line.currency)}{text}"
                     + (f" ({_money(left, line.currency)} still owed)" if left else ""))
    if not legs:
        raise LedgerError(f"a settlement of store {store} pays something")
    if total > available_minor:
        raise LedgerError(f"store {store} may spend {_money(available_minor, BOOK_CURRENCY)},"
                          f" not {_money(total, BOOK_CURRENCY)}")
    legs.append((available, BOOK_CURRENCY, -total))
    return _entry(key, day, EntryKind.PAYABLES_SETTLEMENT,
                  f"Payables settled from available {_money(total, BOOK_CURRENCY)}: {'; '.join(parts)}", *legs)


def reversal(entry: JournalEntry, *, key: str, day: date, memo: str,
             balances: Mapping[tuple[Account, str], int]) -> JournalEntry:
    """The correction of `entry`: every posting mirrored, on `day` (not before the entry's),
    with the reason in `memo`. The journal stays append-only.

    `balances` are the current balances (`balances(journal)`; those of the entry's accounts
    suffice). A reversal that would leave money held or owed below zero (escrow already
    released, capital already spent) is refused: reverse the later entries first.
    """
    if not isinstance(entry, JournalEntry):
        raise TypeError(f"only a JournalEntry can be reversed, not {type(entry).__name__}")
    if not isinstance(memo, str) or not memo.strip():
        raise LedgerError(f"a reversal of {entry.key} says why in its memo")
    if isinstance(day, date) and not isinstance(day, datetime) and day < entry.day:
        raise LedgerError(f"entry {entry.key} of {entry.day} cannot be reversed on an earlier day, {day}")
    mirrored = JournalEntry(
        key=key, day=day, kind=EntryKind.REVERSAL, memo=f"Reversal of {entry.key}: {memo.strip()}",
        postings=tuple(Posting(p.account, p.currency, -p.amount_minor) for p in entry.postings),
        reverses=entry.key,
    )
    overdrawn = _overdrawn(balances, mirrored)
    if overdrawn:
        raise LedgerError(f"reversing {entry.key} would leave {overdrawn}")
    return mirrored


# Reading the journal.


def balances(entries: Iterable[JournalEntry]) -> dict[tuple[Account, str], int]:
    """The signed balance (debits − credits) of every account and currency that is not zero."""
    totals: dict[tuple[Account, str], int] = defaultdict(int)
    for entry in _entries(entries):
        for posting in entry.postings:
            totals[posting.account, posting.currency] += posting.amount_minor
    return {pair: total for pair, total in totals.items() if total != 0}


def escrow_balance(entries: Iterable[JournalEntry], *, order: str, currency: str) -> int:
    """What escrow holds for the order in the currency: the ESCROW account's credit balance."""
    return -sum(p.amount_minor for entry in _entries(entries) for p in entry.postings
                if p.account.code == AccountCode.ESCROW and p.account.order == order and p.currency == currency)


def available_balance(entries: Iterable[JournalEntry], *, store: str) -> int:
    """What the store may spend, in CNY minor units: its STORE_AVAILABLE balance."""
    account = Account(AccountCode.STORE_AVAILABLE, store)
    return sum(entry.amount(account, BOOK_CURRENCY) for entry in _entries(entries))


@dataclass(frozen=True)
class StatementRow:
    """One line of a store's statement: money in (positive) or out of what the team may spend,
    and the balance after it, in CNY minor units."""

    day: date
    key: str
    kind: EntryKind
    memo: str
    amount_minor: int
    balance_minor: int
    currency: str = BOOK_CURRENCY


def statement(entries: Iterable[JournalEntry], *, store: str) -> tuple[StatementRow, ...]:
    """The store's available account, entry by entry in journal order, with a running balance
    from zero."""
    account = Account(AccountCode.STORE_AVAILABLE, store)
    rows, running = [], 0
    for entry in _entries(entries):
        amount = entry.amount(account, BOOK_CURRENCY)
        if any(p.account == account for p in entry.postings):
            running += amount
            rows.append(StatementRow(entry.day, entry.key, entry.kind, entry.memo, amount, running))
    return tuple(rows)


@dataclass(frozen=True)
class TrialBalanceLine:
    account: Account
    currency: str
    debit_minor: int
    credit_minor: int

    @property
    def kind(self) -> AccountKind:
        return self.account.kind


@dataclass(frozen=True)
class TrialBalance:
    """Every account's balance on its debit or credit side, per currency; debits equal credits in
    each currency for any journal of valid entries."""

    lines: tuple[TrialBalanceLine, ...]

    @property
    def totals(self) -> dict[str, tuple[int, int]]:
        """Per currency: (total debits, total credits)."""
        sums: dict[str, list[int]] = {}
        for line in self.lines:
            pair = sums.setdefault(line.currency, [0, 0])
            pair[0] += line.debit_minor
            pair[1] += line.credit_minor
        return {currency: (debit, credit) for currency, (debit, credit) in sums.items()}

    @property
    def differences(self) -> dict[str, int]:
        """Per currency: total debits − total credits, zero in balanced books."""
        return {currency: debit - credit for currency, (debit, credit) in self.totals.items()}

    @property
    def balanced(self) -> bool:
        return not any(self.differences.values())


_KIND_ORDER = {kind: position for position, kind in enumerate(AccountKind)}


def trial_balance(entries: Iterable[JournalEntry], *, store: str | None = None) -> TrialBalance:
    """The trial balance of the run, or of one store's books, for mentors: accounts ordered by
    currency, kind (assets first), code and keys."""
    lines = [
        TrialBalanceLine(account, currency, max(total, 0), max(-total, 0))
        for (account, currency), total in balances(entries).items()
        if store is None or account.store == store
    ]
    lines.sort(key=lambda line: (line.currency, _KIND_ORDER[line.kind], line.account.code,
                                 line.account.store, line.account.order or ""))
    return TrialBalance(tuple(lines))


# Idempotency and integrity.


def entry_is_duplicate(existing: Mapping[str, JournalEntry], entry: JournalEntry) -> bool:
    """True when an entry with the same key is already in `existing` (by key) with the same
    content: a retried write to skip. The same key with other content raises LedgerError."""
    previous = existing.get(entry.key)
    if previous is None:
        return False
    if previous != entry:
        raise LedgerError(f"idempotency key {entry.key} is already used by a different entry")
    return True


def entries_dedupe(entries: Iterable[JournalEntry]) -> tuple[JournalEntry, ...]:
    """The entries in order without repeats of a key already seen (identical retries); a key
    reused for a different entry raises LedgerError."""
    seen: dict[str, JournalEntry] = {}
    for entry in _entries(entries):
        if not entry_is_duplicate(seen, entry):
            seen[entry.key] = entry
    return tuple(seen.values())


def journal_check(entries: Iterable[JournalEntry]) -> None:
    """Raise LedgerError unless the journal, in order, is one a ledger may hold: unique keys;
    every reversal mirrors an earlier entry, on the same day or later, and no entry is reversed
    twice; and no balance that holds or owes money (escrow, buyer payments held, what a store
    may spend, stock) ever falls below zero."""
    by_key: dict[str, JournalEntry] = {}
    reversed_keys: set[str] = set()
    running: dict[tuple[Account, str], int] = defaultdict(int)
    for entry in _entries(entries):
        entry_check(entry)
        if entry.key in by_key:
            raise LedgerError(f"key {entry.key} appears twice in the journal")
        if entry.reverses is not None:
            original = by_key.get(entry.reverses)
            if original is None:
                raise LedgerError(f"reversal {entry.key} names {entry.reverses}, which is not an earlier entry")
            if entry.reverses in reversed_keys:
                raise LedgerError(f"entry {entry.reverses} is reversed twice (again by {entry.key})")
            mirror = sorted((str(p.account), p.currency, -p.amount_minor) for p in original.postings)
            if sorted((str(p.account), p.currency, p.amount_minor) for p in entry.postings) != mirror:
                raise LedgerError(f"reversal {entry.key} does not mirror the postings of {entry.reverses}")
            if entry.day < original.day:
                raise LedgerError(f"reversal {entry.key} is dated before the entry it reverses")
            reversed_keys.add(entry.reverses)
        overdrawn = _overdrawn(running, entry)
        if overdrawn:
            raise LedgerError(f"entry {entry.key} leaves {overdrawn}")
        for posting in entry.postings:
            running[posting.account, posting.currency] += posting.amount_minor
        by_key[entry.key] = entry


# Helpers.


def _entry(key: str, day: date, kind: EntryKind, memo: str, *legs: tuple[Account, str, int]) -> JournalEntry:
    """An entry from legs written as the bookkeeping reads; legs on the same account and currency
    are netted (a trading account's two legs in one currency cancel) and zero lines left out.
    Postings are grouped by currency in order of appearance, the trading account last in each."""
    net: dict[tuple[Account, str], int] = {}
    for account, currency, amount in legs:
        net[account, currency] = net.get((account, currency), 0) + amount
    currencies = list(dict.fromkeys(currency for _, currency in net))
    lines = [(pair, amount) for pair, amount in net.items() if amount]
    lines.sort(key=lambda line: (currencies.index(line[0][1]), line[0][0].code == AccountCode.FX_GAIN_LOSS))
    postings = tuple(Posting(account, currency, amount) for (account, currency), amount in lines)
    return JournalEntry(key=key, day=day, kind=kind, memo=memo, postings=postings)


def _overdrawn(current: Mapping[tuple[Account, str], int], entry: JournalEntry) -> str:
    """The accounts that may not go below zero which the entry would take there, as a phrase."""
    problems = []
    for account, currency in dict.fromkeys((p.account, p.currency) for p in entry.postings):
        if not account.rule.never_below_zero:
            continue
        after = current.get((account, currency), 0) + entry.amount(account, currency)
        if after * account.normal_sign < 0:
            problems.append(f"{account} at {_signed(after * account.normal_sign, currency)}")
    return "; ".join(problems) + (" (below zero)" if problems else "")


def _entries(entries: Iterable[JournalEntry]) -> Iterable[JournalEntry]:
    for entry in entries:
        if not isinstance(entry, JournalEntry):
            raise TypeError(f"a journal holds JournalEntry values, not {type(entry).__name__}")
        yield entry


def _check_held(amount_minor: int, held_minor: int, order: str, currency: str, what: str) -> None:
    _check_currency(currency)
    _check_positive(amount_minor, f"the {what}")
    _check_int(held_minor, "held_minor")
    if held_minor < 0:
        raise LedgerError(f"escrow of order {order} cannot hold a negative amount ({held_minor})")
    if amount_minor > held_minor:
        raise LedgerError(f"escrow of order {order} holds {_money(held_minor, currency)};"
                          f" a {what} of {_money(amount_minor, currency)} is more than that")


def _cny_per_unit(rate: Rate, currency: str, day: date, name: str, label: str) -> tuple[Fraction, str]:
    """The rate as an exact Fraction of CNY per unit of `currency`, and how the memo quotes it."""
    if isinstance(rate, FxRow):
        if rate.currency != currency:
            raise LedgerError(f"{name}: fx row {rate.ref} is for {rate.currency}, not {currency}")
        if rate.effective_from > day:
            raise LedgerError(f"{name}: fx row {rate.ref} takes effect on {rate.effective_from}, after {day}")
        value, source = _positive_rate(rate.cny_per_unit, name), f"{label}, fx row {rate.ref}"
    else:
        value, source = _positive_rate(rate, name), label
    if currency == BOOK_CURRENCY and value != 1:
        raise LedgerError(f"{name}: CNY converts to CNY at 1, not {_rate_text(value)}")
    return value, f"× {_rate_text(value)} CNY/{currency} ({source})"


def _positive_rate(rate, name: str) -> Fraction:
    if isinstance(rate, float):
        raise TypeError(f"{name} {rate!r} is a float; pass a Decimal (e.g. Decimal('{rate}')) or a Fraction")
    if isinstance(rate, bool) or not isinstance(rate, (Decimal, Fraction, int)):
        raise TypeError(f"{name} must be a Decimal, a Fraction or an FxRow, not {type(rate).__name__}")
    if isinstance(rate, Decimal) and not rate.is_finite():
        raise LedgerError(f"{name} must be a finite number, not {rate}")
    value = Fraction(rate)
    if value <= 0:
        raise LedgerError(f"{name} must be positive, not {rate}")
    return value


def _check_key(value, what: str, *, separator_allowed: bool = False) -> None:
    if not isinstance(value, str):
        raise TypeError(f"a {what} must be a str, not {type(value).__name__}")
    if not value or value != value.strip() or (not separator_allowed and KEY_SEPARATOR in value):
        rule = "" if separator_allowed else f" or {KEY_SEPARATOR!r}"
        raise LedgerError(f"malformed {what} {value!r}: non-empty, without surrounding spaces{rule}")


def _check_currency(currency) -> None:
    try:
        minor_digits(currency)
    except ValueError as error:
        raise LedgerError(str(error)) from None


def _check_int(value, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        hint = "; money is never a float" if isinstance(value, float) else ""
        raise TypeError(f"{what} must be an int of minor units, not {type(value).__name__} {value!r}{hint}")


def _check_positive(value, what: str) -> None:
    _check_int(value, what)
    if value <= 0:
        raise LedgerError(f"{what} must be a positive number of minor units, not {value}")


def _money(units: int, currency: str) -> str:
    return f"{currency} {from_minor(units, currency):,}"


def _signed(units: int, currency: str) -> str:
    return f"{from_minor(units, currency):,}"


def _equals(conversion: FxConversion) -> str:
    """"= CNY 156.00", or "= CNY 2.574 → CNY 2.57" when rounding changed the exact value."""
    result = _money(conversion.converted_minor, conversion.target)
    if conversion.remainder_minor == 0:
        return f"= {result}"
    exact = conversion.exact_minor / 10 ** minor_digits(conversion.target)
    return f"= {conversion.target} {_rate_text(exact, limit=minor_digits(conversion.target) + 4)} → {result}"


def _rate_text(value: Fraction, *, limit: int = 12) -> str:
    """A rate or an exact amount as decimals when it terminates within `limit` places, else to
    `limit` places with "…"."""
    scaled = value * 10**limit
    if scaled.denominator == 1:
        text = f"{Decimal(scaled.numerator).scaleb(-limit).normalize():f}"
        return text
    truncated = Decimal(int(scaled)).scaleb(-limit)
    return f"{truncated:f}…"


def _fx_difference(units: int) -> str:
    if units == 0:
        return "no FX difference"
    return f"FX {'loss' if units > 0 else 'gain'} {_money(abs(units), BOOK_CURRENCY)}"


def _bps(bps: int) -> str:
    return f"{Decimal(bps).scaleb(-2).normalize():f} %"
