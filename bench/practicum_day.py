"""One simulated day of a practicum run at the size of a large cohort, as a ratio to a bare
`bulk_create` of the same rows measured in the same run, and to one of its order rows alone
(see bench/README.md, "A simulated day").

A project sells three home goods in five target markets with reference data (PL, DE, KZ, US,
AE), against a competitor listing of every product in every market. A run has 100 teams (by
default); each team's store bought stock of the three products and has one live listing in
every market, priced around the going price, some under DAP. One timed day is
`practicum.simulation.run_day_play`: the demand engine meets every store's listings, the day's
orders are placed (stock allocated, payment into escrow on the ledger) and the previous day's
orders ship. The baseline is `bulk_create` of as many `Order` rows, and one `OrderLine` each, as
the day placed: the least any simulation must write to record its orders.

The section runs once per market size (shoppers per market and day; 20 and 40 by default) on a
fresh run, so the second size shows whether the cost is linear in the number of orders: the
orders and the time should both about double, and the orders per second stay put.

`python -m bench` runs this section on its own database (migrated, demo loaded);
`python -m bench.practicum_day` runs it alone on a throwaway SQLite database of its own, with
`--profile` to print where a day's time goes (cProfile).
"""

import argparse
import cProfile
import io
import pstats
import statistics
import tempfile
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bench.standalone import configure_and_migrate

MARKETS = ("AE", "DE", "KZ", "PL", "US")
GOAL = 3.0
BASELINE_REPEATS = 3
SEED = "bench-day"


# ---------------------------------------------------------------- the run


def _going_price_minor(cost_fen, cny_per_unit):
    """Three times the unit cost in the market's currency, in its minor units (all five markets'
    currencies have two digits, like the fen)."""
    return int((Decimal(cost_fen) * 3 / cny_per_unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def build_run(*, stores, market_size, label):
    """A running run of a five-market project with `stores` trading teams, built through the
    services, as a mentor and the teams would."""
    from academy.organisations.factories import OrganisationFactory
    from academy.organisations.models import Organisation
    from academy.people.factories import UserFactory
    from practicum.factories import home_goods_project
    from practicum.models import FxRate
    from practicum.project_models import CompetitorListing
    from practicum.run_models import Listing, PracticumRun
    from practicum.run_services import listing_save, participant_assign, run_create, run_update, stock_buy, team_create
    from practicum.selectors import ReferenceDay, rows_in_force

    mentor = UserFactory(email=f"bench-mentor-{label}@example.com", is_staff=True, is_superuser=True)
    enterprise = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, status=Organisation.Status.APPROVED,
                                     name_en="Benchmark Export Works")
    project = home_goods_project(organisation=enterprise, by=mentor, title=f"Benchmark: five markets ({label})",
                                 market_size=market_size, capital_minor=50_000_000, starts_on=date(2026, 9, 1))
    reference = ReferenceDay(day=project.starts_on, markets=list(MARKETS))
    rates = {row.currency: row.cny_per_unit for row in rows_in_force(FxRate, day=project.starts_on).values()}
    products = list(project.products.all())
    going = {}
    for market in MARKETS:
        currency = reference.market(market).currency
        for product in products:
            going[market, product.sku] = (_going_price_minor(product.unit_cost_minor, rates[currency]), currency)
    project.target_markets = list(MARKETS)
    project.competitor_listings = [
        CompetitorListing(market=market, sku=product.sku, price_minor=going[market, product.sku][0],
                          currency=going[market, product.sku][1], rating=Decimal("4.3"), delivery_days=12,
                          incoterm="DDP")
        for market in MARKETS for product in products
    ]
    project.save()

    run = run_create(project=project, by=mentor, title=f"Benchmark cohort ({label})", seed=SEED, team_size_max=1)
    run = run_update(run=run, by=mentor, status=PracticumRun.Status.RUNNING)
    for index in range(stores):
        student = UserFactory(email=f"bench-{label}-{index}@example.com")
        participant_assign(run=run, user=student, team=None, by=mentor)
        store = team_create(run=run, user=student, name=f"Team {index:03d}").store
        for product in products:
            stock_buy(store=store, product=product, quantity=1_000, by=student)
        for position, market in enumerate(MARKETS):
            product = products[(index + position) % len(products)]
            price, _currency = going[market, product.sku]
            # 80 % to 125 % of the going price, spread over the teams.
            share = Decimal(80 + (index * 7 + position * 3) % 10 * 5) / 100
            listing_save(store=store, by=student, product=product, market=market,
                         price_minor=int(price * share), incoterm="DAP" if (index + position) % 4 == 0 else "DDP",
                         channel="ECOM_LINE", status=Listing.Status.LIVE)
    return run


# ---------------------------------------------------------------- the measurement


def _baseline_rows(run, count, day_number):
    """`count` bare orders (and one line each) of the run's first store, status cancelled so no
    later day moves them, with generation keys of their own."""
    from practicum.run_models import Order, OrderLine

    store = run.stores.order_by("key").first()
    listing = store.listings.order_by("pk").first()
    day = run.date_of(day_number)
    orders = [
        Order(store=store, listing=listing, generation_key=f"baseline:{day_number}:{i}", number=f"B-{day_number}-{i}",
              market=listing.market, currency=listing.currency, total_minor=listing.price_minor,
              incoterm=listing.incoterm, channel=listing.channel, status=Order.Status.CANCELLED, placed_on=day, shopper=i)
        for i in range(count)
    ]

    def write():
        from django.db import transaction

        with transaction.atomic():
            created = Order.objects.bulk_create(orders)
            OrderLine.objects.bulk_create([
                OrderLine(order=order, product_id=listing.product_id, sku="BASE", quantity=1,
                          unit_price_minor=listing.price_minor)
                for order in created
            ])

    return write


def _all_rows_baseline(run, played):
    """Bare `bulk_create` of as many rows of every table as the played day wrote: its orders and
    lines, every recorded move, ledger entry and posting of the day. The least any simulation
    that keeps the same audit trail must write; the day's ratio to it is what the simulation's
    own work costs on top of its writes."""
    from practicum.run_models import LedgerEntry, LedgerPosting, Order, OrderLine, OrderTransition
    from practicum.shipment_models import CustomsDeclaration, Shipment, TrackingEvent

    day = played.date
    moves = OrderTransition.objects.filter(order__store__run=run, day=day).count()
    entries = LedgerEntry.objects.filter(run=run, day=day).count()
    postings = LedgerPosting.objects.filter(entry__run=run, entry__day=day).count()
    shipments = Shipment.objects.filter(store__run=run, shipped_on=day).count()
    declarations = CustomsDeclaration.objects.filter(shipment__store__run=run, shipment__shipped_on=day).count()
    events = TrackingEvent.objects.filter(shipment__store__run=run, day=day).count()
    store = run.stores.order_by("key").first()
    listing = store.listings.order_by("pk").first()
    count = max(played.orders, shipments, 1)

    def write():
        from django.db import transaction

        with transaction.atomic():
            orders = Order.objects.bulk_create([
                Order(store=store, listing=listing, generation_key=f"all:{played.number}:{i}", number=f"A-{played.number}-{i}",
                      market=listing.market, currency=listing.currency, total_minor=listing.price_minor,
                      incoterm=listing.incoterm, channel=listing.channel, status=Order.Status.CANCELLED, placed_on=day,
                      shopper=i)
                for i in range(count)
            ])
            OrderLine.objects.bulk_create([
                OrderLine(order=order, product_id=listing.product_id, sku="BASE", quantity=1, unit_price_minor=1)
                for order in orders
            ])
            OrderTransition.objects.bulk_create([
                OrderTransition(order=orders[i % count], source="", target="cancelled", event="cancel", day=day, note="baseline")
                for i in range(moves)
            ])
            stored = LedgerEntry.objects.bulk_create([
                LedgerEntry(run=run, store=store, key=f"baseline:{played.number}:{i}", day=day, kind="baseline", memo="baseline")
                for i in range(max(entries, 1))
            ])
            LedgerPosting.objects.bulk_create([
                LedgerPosting(entry=stored[i % len(stored)], account="BASELINE", code="BASELINE", currency="CNY", amount_minor=1)
                for i in range(postings)
            ])
            parcels = Shipment.objects.bulk_create([
                Shipment(order=orders[i], store=store, channel=listing.channel, weight_grams=1, transit_days=1, shipped_on=day,
                         customs_on=day, promised_on=day, expected_on=day)
                for i in range(shipments)
            ])
            CustomsDeclaration.objects.bulk_create([
                CustomsDeclaration(shipment=parcels[i], hs_code="000000", currency=listing.currency, declared_value_minor=1,
                                   goods_value_minor=1, incoterm=listing.incoterm)
                for i in range(min(declarations, len(parcels)))
            ])
            if parcels:
                TrackingEvent.objects.bulk_create([
                    TrackingEvent(shipment=parcels[i % len(parcels)], stage=TrackingEvent.Stage.choices[0][0], day=day)
                    for i in range(events)
                ])

    def clean():
        LedgerEntry.objects.filter(run=run, key__startswith="baseline:").delete()
        Order.objects.filter(store__run=run, generation_key__startswith="all:").delete()

    return write, clean, count * 2 + moves + entries + postings + shipments + declarations + events


def _moves_of(run, day):
    from practicum.run_models import OrderTransition

    moved_on = OrderTransition.objects.filter(order__store__run=run, day=day).exclude(event__in=("place", "pay", "allocate", "cancel"))
    return moved_on.count()


def measure(*, run, rounds, warmup_days=1, profile=False):
    """Play `warmup_days` untimed, then `rounds` timed days, each followed by the baseline's
    bulk_create of as many orders (the median of BASELINE_REPEATS writes); then one more day
    with its queries counted."""
    from django.db import connection

    from practicum.run_models import Order
    from practicum.simulation import run_day_play

    for _ in range(warmup_days):
        run_day_play(run=run)
    days, baseline, orders, moves, baseline_all, rows_written = [], [], [], [], [], []
    profiler = cProfile.Profile() if profile else None
    for _ in range(rounds):
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        played = run_day_play(run=run)
        elapsed = time.perf_counter() - started
        if profiler:
            profiler.disable()
        days.append(elapsed)
        orders.append(played.orders)
        moves.append(_moves_of(run, played.date))
        # A day cannot be played twice, but its baseline can: the median of a few writes keeps
        # one slow commit (the disk syncs each) from deciding the day's ratio.
        write = _baseline_rows(run, played.orders, played.number)
        writes = []
        for _ in range(BASELINE_REPEATS):
            started = time.perf_counter()
            write()
            writes.append(time.perf_counter() - started)
            Order.objects.filter(store__run=run, generation_key__startswith="baseline:").delete()
        baseline.append(statistics.median(writes))
        write_all, clean_all, rows = _all_rows_baseline(run, played)
        writes = []
        for _ in range(BASELINE_REPEATS):
            started = time.perf_counter()
            write_all()
            writes.append(time.perf_counter() - started)
            clean_all()
        baseline_all.append(statistics.median(writes))
        rows_written.append(rows)
    # Counted with an execute wrapper: Django's query log keeps 9,000 queries at most.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        counted = run_day_play(run=run)
    return {
        "day_s": statistics.median(days), "baseline_s": statistics.median(baseline),
        "ratio": statistics.median(d / b for d, b in zip(days, baseline, strict=True)),
        "baseline_all_s": statistics.median(baseline_all), "rows": statistics.median(rows_written),
        "ratio_all": statistics.median(d / b for d, b in zip(days, baseline_all, strict=True)),
        "orders": statistics.median(orders), "moves": statistics.median(moves),
        "queries": len(queries), "queries_orders": counted.orders,
        "profile": profiler,
    }


def bench_practicum_day(*, rounds=3, stores=100, sizes=(20, 40), profile=False):
    """Build a run per market size, measure, print the section; returns the results by size."""
    results = {}
    print(f"\nA simulated day: {stores} stores × {len(MARKETS)} markets ({', '.join(MARKETS)}), "
          f"run_day_play against a bare bulk_create of the rows it wrote; median of {rounds} days")
    for size in sizes:
        started = time.perf_counter()
        run = build_run(stores=stores, market_size=size, label=f"{size}-{time.monotonic_ns()}")
        build_seconds = time.perf_counter() - started
        result = measure(run=run, rounds=rounds, profile=profile)
        result["build_s"] = build_seconds
        results[size] = result
        met = "met" if result["ratio_all"] <= GOAL else "MISSED"
        print(f"  market size {size:>3}: {result['orders']:>6.0f} orders/day (+{result['moves']:.0f} moved on)"
              f"  run_day_play {result['day_s'] * 1000:9.1f} ms  {result['orders'] / result['day_s']:6.0f} orders/s"
              f"  {result['queries']} queries for a day of {result['queries_orders']} orders  (build {build_seconds:.1f} s)")
        print(f"    against bulk_create of the same {result['rows']:.0f} rows (orders, lines, moves, ledger entries,"
              f" postings, parcels, declarations, tracking events): {result['baseline_all_s'] * 1000:7.1f} ms  {result['ratio_all']:5.1f}×  (goal ≤ {GOAL:.0f}×: {met})")
        print(f"    against bulk_create of the order and line rows alone: {result['baseline_s'] * 1000:7.1f} ms"
              f"  {result['ratio']:5.1f}×  (the audit trail writes several times their rows)")
    if len(sizes) >= 2:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(f"  {sizes[-1]} vs {sizes[0]}: orders ×{large['orders'] / small['orders']:.2f},"
              f" time ×{large['day_s'] / small['day_s']:.2f},"
              f" orders/s ×{(large['orders'] / large['day_s']) / (small['orders'] / small['day_s']):.2f}"
              f" (linear: the first two alike, the last about 1)")
        if large["orders"] != small["orders"]:
            # Two points of time = fixed + per order × orders: the fixed part is per listing
            # (pricing every live listing for the day), the rest grows with the orders.
            per_order = (large["day_s"] - small["day_s"]) / (large["orders"] - small["orders"])
            fixed = small["day_s"] - per_order * small["orders"]
            print(f"  about {fixed * 1000:.0f} ms a day whatever the orders + {per_order * 1000:.2f} ms per order placed"
                  f" (and its share of the earlier orders moved on)")
    if profile:
        for size, result in results.items():
            stream = io.StringIO()
            pstats.Stats(result["profile"], stream=stream).sort_stats("cumulative").print_stats(35)
            print(f"\ncProfile of the {rounds} timed days at market size {size}, by cumulative time:\n{stream.getvalue()}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.practicum_day", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed days per market size; the median is reported")
    parser.add_argument("--stores", type=int, default=100, help="trading teams in the run")
    parser.add_argument("--sizes", default="20,40", help="market sizes (shoppers per market and day), comma-separated")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the timed days")
    args = parser.parse_args(argv)
    sizes = tuple(int(size) for size in args.sizes.split(","))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="academy-bench-practicum-") as tmp:
        configure_and_migrate(tmp)
        print(f"setup (migrate): {time.perf_counter() - started:.1f} s")
        bench_practicum_day(rounds=args.rounds, stores=args.stores, sizes=sizes, profile=args.profile)
    print(f"\ntotal: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
