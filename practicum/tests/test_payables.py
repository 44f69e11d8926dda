"""Settling what a store owes (issue "Practicum II", point 1): at the end of each played day the
store pays its carriers, warehouses and customs from what it may spend, customs first, as far as
the money goes; foreign-currency payables are bought at the day's rate through the trading
account, so the currency position closes and the exchange difference stays in FX_GAIN_LOSS."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from practicum import factories, ledger
from practicum.factories import home_goods_project, student_user
from practicum.ledger import Account, AccountCode, EntryKind, LedgerError, SettlementLine
from practicum.ledger_services import account_balance, available_balance, journal_entry_of, journal_post
from practicum.models import FxRate
from practicum.run_models import LedgerEntry
from practicum.run_services import participant_assign, stock_buy, team_create
from practicum.selectors import ReferenceDay
from practicum.simulation import run_day_play
from practicum.warehouse_services import inbound_ship, payables_settle

DAY = date(2026, 9, 10)
STORE = "amber"
CNY = "CNY"


def _owed(**amounts):
    codes = {"logistics": AccountCode.LOGISTICS_PAYABLE, "duty": AccountCode.DUTY_PAYABLE, "vat": AccountCode.VAT_PAYABLE}
    return {(codes[name.split("_")[0]], name.split("_")[1].upper()): value for name, value in amounts.items()}


# The plan and the entry, pure.


def test_everything_owed_is_paid_when_the_money_is_there():
    """With enough available, every payable is paid in full; the PLN ones at the day's rate."""
    plan = ledger.settlement_plan(owed=_owed(logistics_cny=10_000, duty_pln=1_000, vat_pln=2_300),
                                  available_minor=1_000_000, rates={"PLN": Decimal("1.93")}, day=DAY)
    assert [(line.code, line.paid_minor, line.cny_minor) for line in plan] == [
        (AccountCode.DUTY_PAYABLE, 1_000, 1_930), (AccountCode.VAT_PAYABLE, 2_300, 4_439),
        (AccountCode.LOGISTICS_PAYABLE, 10_000, 10_000)]
    entry = ledger.payables_settlement(key="s", store=STORE, lines=plan, available_minor=1_000_000,
                                       rates={"PLN": Decimal("1.93")}, day=DAY)
    assert entry.kind == EntryKind.PAYABLES_SETTLEMENT
    assert entry.amount(Account(AccountCode.STORE_AVAILABLE, STORE), CNY) == -(1_930 + 4_439 + 10_000)
    assert entry.amount(Account(AccountCode.FX_GAIN_LOSS, STORE), "PLN") == -3_300
    assert entry.amount(Account(AccountCode.FX_GAIN_LOSS, STORE), CNY) == 1_930 + 4_439
    ledger.entry_check(entry)


def test_short_money_pays_customs_first_then_the_most_of_the_next_payable_it_covers():
    """When the money runs short, customs are paid first and the last payable in part: the
    largest amount whose CNY fits; the rest stays owed and nothing goes below zero."""
    plan = ledger.settlement_plan(owed=_owed(logistics_cny=10_000, duty_pln=1_000, vat_pln=2_300),
                                  available_minor=5_000, rates={"PLN": Decimal("1.93")}, day=DAY)
    duty, vat, logistics = plan
    assert duty.paid_minor == 1_000 and duty.cny_minor == 1_930
    # The 3 070 fen left after the duty buy the most VAT whose CNY fits; a grosz more would not.
    assert vat.cny_minor <= 5_000 - 1_930
    assert ledger.fx_convert(vat.paid_minor + 1, "PLN", CNY, Decimal("1.93")).converted_minor > 5_000 - 1_930
    assert logistics.paid_minor == 5_000 - 1_930 - vat.cny_minor and logistics.left_minor > 0
    entry = ledger.payables_settlement(key="s", store=STORE, lines=plan, available_minor=5_000,
                                       rates={"PLN": Decimal("1.93")}, day=DAY)
    assert -entry.amount(Account(AccountCode.STORE_AVAILABLE, STORE), CNY) <= 5_000


def test_a_settlement_refuses_paying_more_than_is_owed_or_than_the_store_may_spend():
    """The builder checks as the others do: no overpaying a payable, no spending beyond what is
    available, only payables, and a CNY figure that matches the day's rate."""
    rates = {"PLN": Decimal("1.93")}
    with pytest.raises(LedgerError):
        ledger.payables_settlement(key="s", store=STORE, available_minor=10**9, rates=rates, day=DAY,
                                   lines=[SettlementLine(AccountCode.LOGISTICS_PAYABLE, CNY, 100, 101, 101)])
    with pytest.raises(LedgerError):
        ledger.payables_settlement(key="s", store=STORE, available_minor=99, rates=rates, day=DAY,
                                   lines=[SettlementLine(AccountCode.LOGISTICS_PAYABLE, CNY, 100, 100, 100)])
    with pytest.raises(LedgerError):
        ledger.payables_settlement(key="s", store=STORE, available_minor=10**9, rates=rates, day=DAY,
                                   lines=[SettlementLine(AccountCode.SALES, CNY, 100, 100, 100)])
    with pytest.raises(LedgerError):
        ledger.payables_settlement(key="s", store=STORE, available_minor=10**9, rates=rates, day=DAY,
                                   lines=[SettlementLine(AccountCode.DUTY_PAYABLE, "PLN", 100, 100, 100)])


def test_a_payable_booked_at_one_rate_and_paid_at_another_leaves_the_difference_in_fx_gain_loss():
    """Duty booked at 1.93 CNY/PLN and paid at 2.00: the PLN position closes, the payable is
    zero and FX_GAIN_LOSS keeps the CNY difference as a loss (a debit)."""
    booked = ledger.customs_duties(key="c", order="o-1", store=STORE, currency="PLN", duty_minor=10_000, vat_minor=0,
                                   rate=Decimal("1.93"), day=DAY)
    capital = ledger.capital_contribution(key="k", store=STORE, amount_minor=1_000_000, day=DAY)
    owed = {(AccountCode.DUTY_PAYABLE, "PLN"): 10_000}
    plan = ledger.settlement_plan(owed=owed, available_minor=1_000_000, rates={"PLN": Decimal("2.00")}, day=DAY)
    paid = ledger.payables_settlement(key="s", store=STORE, lines=plan, available_minor=1_000_000,
                                      rates={"PLN": Decimal("2.00")}, day=DAY)
    entries = [capital, booked, paid]
    ledger.journal_check(entries)
    balances = ledger.balances(entries)
    trading = Account(AccountCode.FX_GAIN_LOSS, STORE)
    assert (Account(AccountCode.DUTY_PAYABLE, STORE), "PLN") not in balances
    assert (trading, "PLN") not in balances
    assert balances[trading, CNY] == 20_000 - 19_300  # a loss of CNY 7.00
    assert ledger.trial_balance(entries).balanced


# In the simulation.


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60, capital_minor=300_000)


def store_of(run, mentor, name):
    user = student_user(name.lower().replace(" ", "-"))
    participant_assign(run=run, user=user, team=None, by=mentor)
    store = team_create(run=run, user=user, name=name).store
    store.user = user
    return store


def balance(store, code, currency=CNY):
    return account_balance(run=store.run, account=Account(code, store.key), currency=currency)


def journal(run):
    return [journal_entry_of(e) for e in
            LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses").order_by("pk")]


@pytest.mark.django_db
def test_a_store_short_of_money_pays_what_it_can_and_the_rest_stays_owed(project, mentor):
    """A store that spent nearly all its capital pays its freight in part at the end of the day:
    what it may spend falls to zero, never below, and the rest is still owed the next day."""
    run = factories.running_run(project, mentor)
    store = store_of(run, mentor, "Team Amber")
    bowl = {p.sku: p for p in project.products.all()}["BOWL-PLA"]
    stock_buy(store=store, product=bowl, quantity=136, by=store.user)  # 136 × CNY 22 = CNY 2 992 of CNY 3 000
    inbound = inbound_ship(store=store, warehouse="WH-PL-POZ", channel="RAIL_FCL", by=store.user,
                           quantities={bowl.pk: 136})
    assert inbound.freight_minor > 800
    run_day_play(run=run)
    settled = LedgerEntry.objects.get(store=store, kind=EntryKind.PAYABLES_SETTLEMENT)
    assert "still owed" in settled.memo
    assert available_balance(store=store) == 0
    assert balance(store, AccountCode.LOGISTICS_PAYABLE) == -(inbound.freight_minor - 800)
    entries = journal(run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced


@pytest.mark.django_db
def test_customs_owed_in_pln_are_paid_at_the_days_rate_with_the_difference_in_fx(project, mentor):
    """Duty booked at the customs day's 1.93 CNY/PLN and settled on a day when PLN is at 2.00:
    the PLN payables and the PLN trading position close, the loss stays in FX_GAIN_LOSS in CNY."""
    run = factories.running_run(project, mentor)
    store = store_of(run, mentor, "Team Amber")
    day = run.current_date
    journal_post(run=run, store=store, entry=ledger.customs_duties(
        key="customs:test", order="o-1", store=store.key, currency="PLN", duty_minor=1_000, vat_minor=2_300,
        rate=ReferenceDay(day=day, markets=["PL"]).fx["PLN"], day=day))
    later = day + timedelta(days=1)
    FxRate.objects.create(currency="PLN", cny_per_unit=Decimal("2.00"), effective_from=later)
    payables_settle(run=run, day=later, reference=ReferenceDay(day=later, markets=["PL"]))
    for code in (AccountCode.DUTY_PAYABLE, AccountCode.VAT_PAYABLE, AccountCode.FX_GAIN_LOSS):
        assert balance(store, code, "PLN") == 0
    booked = ledger.fx_convert(1_000, "PLN", CNY, Decimal("1.93")).converted_minor + \
        ledger.fx_convert(2_300, "PLN", CNY, Decimal("1.93")).converted_minor
    assert balance(store, AccountCode.FX_GAIN_LOSS) == 2_000 + 4_600 - booked > 0
    assert available_balance(store=store) == 300_000 - 6_600
    ledger.journal_check(journal(run))
