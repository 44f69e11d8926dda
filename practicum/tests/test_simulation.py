"""A practicum run end to end on the database: teams and stores, stock, listings, simulated days,
orders through their transition table, escrow on the stored ledger, determinism and replay."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practicum import ledger
from practicum import factories
from practicum.factories import home_goods_project, student_user
from practicum.ledger_services import available_balance, journal_entry_of
from practicum.order_services import TRANSITIONS, OrderTransitionError, order_refund, order_transition
from practicum.run_models import LedgerEntry, Listing, Order, OrderTransition, PracticumRun, RunParticipant, SimulationDay
from practicum.run_services import (
    listing_save, participant_apply, participant_assign, participant_decide, stock_buy,
    team_create, team_join,
)
from practicum.simulation import SimulationError, run_day_play, simulation_day_replay

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(enterprise, mentor):
    return home_goods_project(organisation=enterprise, by=mentor, market_size=60)


def running_run(project, mentor, seed="seed-1"):
    return factories.running_run(project, mentor, seed=seed, team_size_max=2)


def trading_team(run, mentor, user, name, *, price_pl=4500, units=40):
    """A team whose store bought stock of two products and lists them in both markets."""
    participant_assign(run=run, user=user, team=None, by=mentor)
    team = team_create(run=run, user=user, name=name)
    store = team.store
    products = {p.sku: p for p in run.project.products.all()}
    for sku in ("BOWL-PLA", "TEA-GREEN"):
        stock_buy(store=store, product=products[sku], quantity=units, by=user)
    listing_save(store=store, by=user, product=products["BOWL-PLA"], market="PL", price_minor=price_pl, incoterm="DDP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    listing_save(store=store, by=user, product=products["TEA-GREEN"], market="KZ", price_minor=700000, incoterm="DAP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    return store


def journal(run):
    return [journal_entry_of(e) for e in LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses")]


def test_a_run_plays_days_and_money_flows_through_escrow(project, mentor, django_user_model):
    """Orders arrive, ship, are delivered and release escrow; the stored journal passes every ledger check."""
    run = running_run(project, mentor)
    store = trading_team(run, mentor, student_user("ana"), "Team Amber")
    capital = project.starting_capital_minor
    assert available_balance(store=store) == capital - 40 * 2200 - 40 * 3500
    for _ in range(30):
        run_day_play(run=run)
    run.refresh_from_db()
    assert run.day == 30
    orders = Order.objects.filter(store=store)
    assert orders.count() > 5
    statuses = set(orders.values_list("status", flat=True))
    assert Order.Status.COMPLETED in statuses
    entries = journal(run)
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries).balanced
    # Every recorded move is one the transition table allows.
    for move in OrderTransition.objects.filter(order__store=store).exclude(source=""):
        assert TRANSITIONS[move.source, move.event] == move.target
    # Stock never goes below what is promised.
    for item in store.stock.all():
        assert 0 <= item.allocated <= item.on_hand


def test_identical_decisions_give_identical_orders_and_replay_matches(project, mentor, django_user_model):
    """Two teams with the same decisions get the same orders; a recorded day replays to its digest."""
    run = running_run(project, mentor)
    a = trading_team(run, mentor, student_user("ana"), "Team Amber")
    b = trading_team(run, mentor, student_user("bo"), "Team Birch")
    for _ in range(5):
        run_day_play(run=run)
    key = ("market", "placed_on", "shopper", "total_minor", "lines__quantity")
    assert list(Order.objects.filter(store=a).order_by(*key).values_list(*key)) == \
        list(Order.objects.filter(store=b).order_by(*key).values_list(*key))
    for played in SimulationDay.objects.filter(run=run):
        assert simulation_day_replay(played=played) == (played.orders, played.orders_digest)


def test_the_same_seed_gives_the_same_digests_in_another_run(project, mentor, django_user_model):
    """Replaying a run from its seed with the same decisions gives the same digests; another seed does not."""
    digests = []
    for index, seed in enumerate(("seed-1", "seed-1", "seed-2")):
        run = running_run(project, mentor, seed=seed)
        trading_team(run, mentor, student_user(f"s{index}"), "Team Amber")
        digests.append([run_day_play(run=run).orders_digest for _ in range(4)])
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_a_cheaper_listing_sells_more(project, mentor, django_user_model):
    """Price moves demand: the cheaper of two otherwise identical stores sells more in Poland."""
    run = running_run(project, mentor)
    cheap = trading_team(run, mentor, student_user("ana"), "Cheap", price_pl=3500, units=500)
    dear = trading_team(run, mentor, student_user("bo"), "Dear", price_pl=6500, units=500)
    for _ in range(10):
        run_day_play(run=run)
    assert Order.objects.filter(store=cheap, market="PL").count() > Order.objects.filter(store=dear, market="PL").count()


def test_orders_beyond_stock_are_cancelled_without_money(project, mentor, django_user_model):
    """With one unit in stock only one order is paid; the rest are cancelled as out of stock."""
    run = running_run(project, mentor)
    store = trading_team(run, mentor, student_user("ana"), "Team Amber", price_pl=2000, units=1)
    for _ in range(6):
        run_day_play(run=run)
    paid = Order.objects.filter(store=store).exclude(status=Order.Status.CANCELLED)
    assert sum(line.quantity for order in paid for line in order.lines.all()) <= 2
    for order in Order.objects.filter(store=store, status=Order.Status.CANCELLED):
        assert not order.ledger_entries.exists()


def test_a_played_day_is_not_played_again_and_the_last_day_ends(project, mentor, django_user_model):
    """Days are played in order, once; after the project's last day the clock stops with a message."""
    run = running_run(project, mentor)
    run_day_play(run=run)
    assert SimulationDay.objects.filter(run=run).count() == 1
    PracticumRun.objects.filter(pk=run.pk).update(day=run.last_day_number)
    with pytest.raises(SimulationError, match="last day"):
        run_day_play(run=run)
    PracticumRun.objects.filter(pk=run.pk).update(status=PracticumRun.Status.OPEN, day=1)
    with pytest.raises(SimulationError, match="Start the run"):
        run_day_play(run=run)


def test_an_illegal_move_raises_and_a_store_refunds_an_unshipped_order(project, mentor, django_user_model):
    """The transition table refuses a skipped step; cancelling an unshipped order refunds escrow in full."""
    run = running_run(project, mentor)
    user = student_user("ana")
    store = trading_team(run, mentor, user, "Team Amber", price_pl=2500, units=200)
    for _ in range(3):
        run_day_play(run=run)
        fulfilling = Order.objects.filter(store=store, status=Order.Status.FULFILLING).first()
        if fulfilling:
            break
    assert fulfilling is not None
    with pytest.raises(OrderTransitionError):
        order_transition(order=fulfilling, event="release", day=run.current_date)
    with pytest.raises(ValidationError):
        order_refund(order=fulfilling, by=user, reason="  ")
    order_refund(order=fulfilling, by=user, reason="Damaged in the warehouse")
    fulfilling.refresh_from_db()
    assert fulfilling.status == Order.Status.REFUNDED
    assert not fulfilling.lines.filter(allocated=True).exists()
    ledger.journal_check(journal(run))


def test_buying_more_than_the_store_can_spend_is_refused_and_nothing_is_lost(project, mentor, django_user_model):
    """An over-budget purchase is refused with the figures; the balance and stock stay as they were."""
    run = running_run(project, mentor)
    user = student_user("ana")
    participant_assign(run=run, user=user, team=None, by=mentor)
    store = team_create(run=run, user=user, name="Team Amber").store
    product = project.products.get(sku="TOY-BLOCKS")
    with pytest.raises(ValidationError, match="to spend"):
        stock_buy(store=store, product=product, quantity=10_000, by=user)
    assert available_balance(store=store) == project.starting_capital_minor
    assert not store.stock.filter(on_hand__gt=0).exists()


def test_teams_keep_to_their_size_and_members_only_change_their_store(project, mentor, django_user_model):
    """A full team refuses a third member; a student outside the team cannot buy for its store."""
    run = running_run(project, mentor)
    ana, bo, cy = (student_user(name) for name in ("ana", "bo", "cy"))
    for user in (ana, bo, cy):
        participant = participant_apply(run=run, user=user, motivation="I sell on Allegro.")
        participant_decide(participant=participant, by=mentor, accept=True)
    team = team_create(run=run, user=ana, name="Team Amber")
    team_join(team=team, user=bo)
    with pytest.raises(ValidationError, match="full"):
        team_join(team=team, user=cy)
    with pytest.raises(PermissionDenied):
        stock_buy(store=team.store, product=project.products.first(), quantity=1, by=cy)
    with pytest.raises(ValidationError, match="already applied"):
        participant_apply(run=run, user=ana)
    assert RunParticipant.objects.filter(team=team).count() == 2


def test_a_listing_is_refused_a_channel_that_will_not_carry_it(project, mentor, django_user_model):
    """DDP on a postal channel that cannot clear customs is refused with the channel's reason."""
    run = running_run(project, mentor)
    user = student_user("ana")
    participant_assign(run=run, user=user, team=None, by=mentor)
    store = team_create(run=run, user=user, name="Team Amber").store
    with pytest.raises(ValidationError, match="DDP"):
        listing_save(store=store, by=user, product=project.products.first(), market="PL", price_minor=4000, incoterm="DDP",
                     channel="CNPOST_SMALL")
    with pytest.raises(ValidationError):
        listing_save(store=store, by=user, product=project.products.first(), market="US", price_minor=4000, incoterm="DDP",
                     channel="EXPRESS")
    assert not Listing.objects.exists()


def test_days_are_dated_from_the_projects_first_day(project, mentor):
    run = running_run(project, mentor)
    assert run.current_date == date(2026, 9, 1)
    played = run_day_play(run=run)
    assert played.date == date(2026, 9, 1)
    run.refresh_from_db()
    assert run.current_date == date(2026, 9, 2)


def test_a_new_fx_row_changes_the_simulation_from_its_day_on(project, mentor, django_user_model):
    """Escrow released after a new PLN rate takes effect converts at the new rate; earlier releases at the old one."""
    from fractions import Fraction
    from decimal import Decimal

    from practicum.models import FxRate
    from practicum.selectors import ReferenceDay

    run = running_run(project, mentor)
    store = trading_team(run, mentor, student_user("ana"), "Team Amber", price_pl=2500, units=300)
    change = date(2026, 9, 25)
    old_rate = ReferenceDay(day=change, markets=["PL"]).fx["PLN"].cny_per_unit
    FxRate.objects.create(currency="PLN", cny_per_unit=Decimal("2.5"), effective_from=change, source="test")
    for _ in range(40):
        run_day_play(run=run)
    releases = LedgerEntry.objects.filter(store=store, kind="escrow_release", order__currency="PLN").prefetch_related("postings")
    before = [e for e in releases if e.day < change]
    after = [e for e in releases if e.day >= change]
    assert before and after
    for entry, rate in [(e, old_rate) for e in before] + [(e, Decimal("2.5")) for e in after]:
        held = next(p.amount_minor for p in entry.postings.all() if p.code == "ESCROW")
        released = ledger.fx_convert(held, "PLN", "CNY", Fraction(rate)).converted_minor
        cny_in = sum(p.amount_minor for p in entry.postings.all() if p.code in ("STORE_AVAILABLE", "PLATFORM_FEE"))
        assert cny_in == released


def test_the_simulation_and_the_calculator_agree_on_a_listing(project):
    """A listing's duty, VAT and shipping in the simulation are the calculator's figures for the same parcel."""
    from decimal import Decimal

    from practicum.calculator import calculate, reference_on
    from practicum.money import to_minor
    from practicum.selectors import ReferenceDay
    from practicum.simulation import listing_terms

    day = date(2026, 10, 1)
    product = project.products.get(sku="TOY-BLOCKS")
    for market, incoterm, price in (("PL", "DAP", 9900), ("KZ", "DDP", 1_500_000), ("PL", "DDP", 20_000)):
        terms = listing_terms(reference=ReferenceDay(day=day, markets=[market]), market=market, hs_code=product.hs_code,
                              price_minor=price, declared_minor=price, weight_g=product.weight_grams,
                              has_battery=False, incoterm=incoterm, channel="ECOM_LINE")
        currency = terms.currency
        calculation = calculate(reference=reference_on(day=day), market=market, hs_code=product.hs_code,
                                goods_value=Decimal(price) / 10 ** 2, goods_currency=currency,
                                weight_kg=Decimal(product.weight_grams) / 1000, has_battery=False, incoterm=incoterm,
                                shipping_mode="channel", channel="ECOM_LINE")
        figures = {line.code: to_minor(line.amount, currency) for line in calculation.lines}
        assert (terms.duty_minor, terms.vat_minor) == (figures["duty"], figures["vat"])
        assert terms.shipping_minor == to_minor(calculation.chosen.price_market, currency)


def test_placing_a_generated_order_again_changes_nothing(project, mentor, django_user_model):
    """Order generation is idempotent: the same generated order placed twice is one order, one payment."""
    from practicum import demand
    from practicum.order_services import order_place

    run = running_run(project, mentor)
    store = trading_team(run, mentor, student_user("ana"), "Team Amber")
    listing = store.listings.get(market="PL")
    generated = demand.Order(generation_key=f"PL:2026-09-01:0000007:{store.key}", store_key=store.key,
                             listing_key=f"{store.key}/{listing.pk}", market="PL", day=date(2026, 9, 1), sku="BOWL-PLA",
                             quantity=2, unit_price_minor=4500, currency="PLN", shopper=7)
    first = order_place(store=store, listing=listing, generated=generated, total_minor=9000)
    again = order_place(store=store, listing=listing, generated=generated, total_minor=9000)
    assert first.pk == again.pk
    assert Order.objects.filter(store=store).count() == 1
    assert LedgerEntry.objects.filter(order=first).count() == 1
    assert store.stock.get(product=listing.product).allocated == 2


def test_every_delivered_parcel_went_through_customs_before_the_door(project, mentor, django_user_model):
    """A played run moves each parcel through its stages in order: a delivered order's parcel
    was assessed by customs before it was delivered, and its tracking ends with the delivery."""
    from practicum.shipment_models import Shipment, TrackingEvent

    run = running_run(project, mentor)
    store = trading_team(run, mentor, student_user("ana"), "Team Amber")
    for _ in range(25):
        run_day_play(run=run)
    delivered = Shipment.objects.filter(store=store, status=Shipment.Status.DELIVERED).select_related("declaration", "order")
    assert delivered
    for shipment in delivered:
        assert shipment.declaration.cleared_on is not None
        assert shipment.declaration.cleared_on < shipment.order.transitions.get(event="deliver").day
        assert list(shipment.events.order_by("day", "pk").values_list("stage", flat=True))[-1] == TrackingEvent.Stage.DELIVERED
