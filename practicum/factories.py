"""Builders of practicum projects and runs for the tests and the demo data (one code path for both).

Figures come from the reference data (`data/reference/products.csv`, `duty_rates.csv`): a home
goods catalogue of the sample products' HS codes, costs and weights.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from .project_models import CompetitorListing, PracticumProject, ProjectKpi, ProjectProduct
from .run_models import Listing, PracticumRun, Store
from .run_services import listing_save, participant_assign, run_create, run_update, stock_buy, team_create

HOME_GOODS = (
    # sku, name, HS code, unit cost (fen), weight (g), battery
    ("BOWL-PLA", "Plastic tableware set", "392410", 2200, 400, False),
    ("TEA-GREEN", "Green tea 250 g", "090210", 3500, 300, False),
    ("TOY-BLOCKS", "Building blocks set", "950300", 4200, 650, False),
)
# market, SKU, price (minor units), currency, rating, delivery days, Incoterm
HOME_GOODS_COMPETITORS = (
    ("PL", "BOWL-PLA", 4999, "PLN", "4.4", 12, "DDP"),
    ("PL", "TEA-GREEN", 6900, "PLN", "4.6", 9, "DDP"),
    ("PL", "TOY-BLOCKS", 9900, "PLN", "4.2", 14, "DAP"),
    ("KZ", "BOWL-PLA", 590000, "KZT", "4.3", 14, "DDP"),
    ("KZ", "TEA-GREEN", 790000, "KZT", "4.5", 12, "DDP"),
)
HOME_GOODS_KPIS = (
    (ProjectKpi.Kind.NET_PROFIT, 40), (ProjectKpi.Kind.CONVERSION, 20), (ProjectKpi.Kind.ON_TIME_DELIVERY, 20),
    (ProjectKpi.Kind.DECLARATION_ACCURACY, 20),
)


def home_goods_project(*, organisation, by, title="Launch our home goods line in Kazakhstan and Poland",
                       starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 20), capital_minor=5_000_000,
                       status=PracticumProject.Status.PUBLISHED, **fields) -> PracticumProject:
    """A published project of `organisation` selling three home goods in Poland and Kazakhstan."""
    project = PracticumProject(
        organisation=organisation, title=title, target_markets=["KZ", "PL"], starting_capital_minor=capital_minor,
        brief=fields.pop("brief", "<p>Test our home goods line in two very different markets: the EU with its "
                                  "VAT on every parcel, and Kazakhstan in the Eurasian customs union. Choose "
                                  "prices, channels and Incoterms, and keep the books balanced.</p>"),
        starts_on=starts_on, ends_on=ends_on, status=status, created_by=by, **fields,
    )
    project.kpis = [ProjectKpi(kind=kind, weight_pct=weight) for kind, weight in HOME_GOODS_KPIS]
    project.products = [
        ProjectProduct(sku=sku, name=name, hs_code=hs, unit_cost_minor=cost, weight_grams=weight, contains_battery=battery)
        for sku, name, hs, cost, weight, battery in HOME_GOODS
    ]
    project.competitor_listings = [
        CompetitorListing(market=market, sku=sku, price_minor=price, currency=currency, rating=Decimal(rating),
                          delivery_days=days, incoterm=incoterm)
        for market, sku, price, currency, rating, days, incoterm in HOME_GOODS_COMPETITORS
    ]
    project.save()
    return project


def running_run(project, mentor, *, title="Autumn cohort", seed="seed-1", team_size_max=3,
                mode=PracticumRun.Mode.MANUAL, status=PracticumRun.Status.RUNNING) -> PracticumRun:
    """A run of `project` started by `mentor` through the services, running unless `status` says otherwise."""
    run = run_create(project=project, by=mentor, title=title, seed=seed, team_size_max=team_size_max, mode=mode)
    if status != PracticumRun.Status.OPEN:
        run = run_update(run=run, by=mentor, status=status)
    return run


def student_user(name: str, **fields):
    """A student account `<name>@example.com` (display name `Name`)."""
    fields.setdefault("display_name", name.title())
    return get_user_model().objects.create_user(email=f"{name}@example.com", password="student-pass-2026", **fields)


def trading_store(run, mentor, name, listings, *, units=300, student="") -> Store:
    """A team's store in `run`, formed by a student the mentor assigns (`student`, or one named
    after the team), with `units` of every product in stock and the given live listings:
    (sku, market, price, incoterm, declared value or None, channel). `store.user` is the student."""
    user = student_user(student or name.lower().replace(" ", "-"))
    participant_assign(run=run, user=user, team=None, by=mentor)
    store = team_create(run=run, user=user, name=name).store
    products = {p.sku: p for p in run.project.products.all()}
    for product in products.values():
        stock_buy(store=store, product=product, quantity=units, by=user)
    for sku, market, price, incoterm, declared, channel in listings:
        listing_save(store=store, by=user, product=products[sku], market=market, price_minor=price, incoterm=incoterm,
                     declared_value_minor=declared, channel=channel, status=Listing.Status.LIVE)
    store.user = user
    return store
