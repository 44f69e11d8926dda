"""The practicum part of the demo: the demo enterprise's project “Launch our home goods line in
Kazakhstan and Poland”, a running run of it with two teams that chose differently, a pending
applicant, and two simulated weeks and more already played, so the student's store, the mentor's
side-by-side view and the ledger all have something to show.

Built with the same builder and services as the tests (`practicum.factories.home_goods_project`,
`practicum.run_services`, `practicum.simulation.run_day_play`); nothing here writes a row a
service would write. `academy.demo.demo_load` calls `practicum_demo_load` and
`academy.demo.demo_reset` calls `practicum_demo_reset`.

Loading again completes what is missing and changes nothing else: the project is found by its
enterprise and title, the run by its project and title, and no day is played past
`DAYS_PLAYED` (nor any day at all once a mentor has advanced the run further). The run's seed is
derived from the demo's `--seed` (`demo-2026` by default).

The decisions differ on purpose, for the mentor to compare:

- Team Steppe (student@example.com and graduate@example.com) sells bowls and tea in both markets
  duties paid (DDP) by the dedicated e-commerce line, close to the competitors' prices;
- Team Vistula prices bowls far lower in Poland but leaves shipping, duty and VAT to the buyer
  (DAP): against a competitor who delivers duties paid, shoppers facing fees at the door
  hardly buy, while its building blocks, where the competitor is DAP too, sell. It ships Kazakhstan
  by express, and bought only four building-block sets for two markets, which sell out within a
  day (the orders beyond its stock are cancelled). One of its members cancels an unshipped
  order, so a refund shows too.

Practicum II shows too:

- Team Steppe ships a rail container of bowls to its Poznań warehouse before the first day; when
  it is received (cleared by the B2B rule, handling and storage charged), its Polish bowl listing
  switches to ship from the warehouse by the last mile. It answers buyers' disputes the day after they open
  (contesting "not received" with the tracking when the parcel was delivered, refunding otherwise), and the
  mentor signs its grade off with the project's rubric on the last played day.
- Team Vistula under-declares its building blocks to Poland (half the price), so customs are
  likely to inspect one, and ships Polish tea by ePacket with the duties left to the buyer, so a
  refused parcel and disputes it leaves unanswered are likely.

Parcels therefore go by four channels (e-commerce line, express, ePacket, warehouse last mile).
With the default seed the played days leave orders fulfilling, shipped, delivered, completed
(escrow released), cancelled and refunded, an inspected parcel, a refused one, disputes and a
graded team; most other seeds show most of them.
"""

from datetime import date, timedelta

from django.conf import settings

from academy.people.factories import UserFactory
from academy.people.models import User
from courses.factories import rubric_with_criteria
from courses.models import Competency, CourseRun, Rubric
from courses.rubric_services import rubric_spec_of

from .dispute_models import Dispute
from .dispute_services import dispute_contest, dispute_refund
from .factories import home_goods_project
from .grade_services import grade_sign_off
from .order_services import order_refund
from .project_models import PracticumProject
from .project_services import project_check
from .review_models import PracticumGrade, PracticumPass
from .run_models import LedgerEntry, Listing, Order, PracticumRun, RunParticipant, StockItem, Team
from .run_services import (
    listing_save, participant_apply, participant_decide, run_create, run_update, stock_buy, team_create, team_join,
)
from .simulation import run_day_play
from .warehouse_models import WarehouseStock
from .warehouse_services import LASTMILE_CHANNEL, inbound_ship, listing_warehouse_set

PROJECT_TITLE = "Launch our home goods line in Kazakhstan and Poland"
PROJECT_TITLE_ZH = "在哈萨克斯坦和波兰推出家居用品系列"
PROJECT_STARTS_ON = date(2026, 9, 1)
PROJECT_ENDS_ON = date(2026, 12, 20)
RUN_TITLE = "Autumn 2026 cohort"
# Long enough for parcels by the e-commerce line (10 to 20 days in transit) to arrive and release
# escrow, and for the rail container (12 to 20 days) to be received and sell from the warehouse;
# short enough to load in seconds.
DAYS_PLAYED = 30
# From this day on, until it has done so once, a member of Team Vistula cancels an order it has
# not shipped.
REFUND_AFTER_DAY = 3
REFUND_REASON = "The set was damaged in our warehouse; we refunded you in full and apologise."
RUBRIC_TITLE = "Store launch review"
# (criterion, the competency it gives evidence for); every criterion has the same four levels.
RUBRIC_CRITERIA = [
    ("Pricing and unit economics", "MKT-OPS.PRC"),
    ("Logistics and warehousing decisions", "LOG.WH"),
    ("Customs declarations", "CUS.VAL"),
    ("Buyer service and disputes", "PAY.DSP"),
]
RUBRIC_LEVELS = [("Excellent", 4), ("Sound", 3), ("Developing", 2), ("Missing", 0)]
GRADE_COMMENT = ("Duties paid, honest declarations and a warehouse restock timed for the autumn: well done. But the "
                 "Kazakh listings lose money on every parcel once the line's tariff is paid; price them for the landed "
                 "cost. And answer buyers' disputes the day they open.")

# Demo learners the practicum adds (the demo's other people live in academy.demo.PEOPLE): email,
# display name, Latin name, native name, country, language. Not demo logins: they are not
# printed, but sign in with the demo password like every other demo person.
LEARNERS = [
    ("zofia.kowalczyk@example.com", "Zofia Kowalczyk", "Zofia Kowalczyk", "Zofia Kowalczyk", "PL", "en"),
    ("daniyar.omarov@example.com", "Daniyar Omarov", "Daniyar Omarov", "Данияр Омаров", "KZ", "en"),
]
MOTIVATIONS = {
    "student@example.com": "I am half-way through the logistics course and want to try the e-commerce line on real prices.",
    "graduate@example.com": "I passed the customs course; I would like to do the declarations of a team.",
    "zofia.kowalczyk@example.com": "I sell on Allegro at home in Gdańsk and want to see how a Chinese seller's prices hold up.",
    "daniyar.omarov@example.com": "My family imports tableware to Almaty; I want to understand the EAEU parcel rules.",
}

# Team, its members (the first forms it), and its decisions. Stock: SKU → units. Listings:
# (SKU, market, price in minor units of the market's currency, Incoterm, channel[, declared value]).
TEAMS = [
    {
        "name": "Team Steppe",
        "members": ["student@example.com", "graduate@example.com"],
        "stock": {"BOWL-PLA": 360, "TEA-GREEN": 140},
        # Before the first day: a rail container to the Poznań warehouse (SKU → units).
        "restock": ("WH-PL-POZ", "RAIL_FCL", {"BOWL-PLA": 200}),
        # Once received, these listings (SKU, market) ship from the warehouse.
        "from_warehouse": [("BOWL-PLA", "PL")],
        "listings": [
            ("BOWL-PLA", "PL", 4790, "DDP", "ECOM_LINE"),
            ("TEA-GREEN", "PL", 6590, "DDP", "ECOM_LINE"),
            ("BOWL-PLA", "KZ", 575000, "DDP", "ECOM_LINE"),
            ("TEA-GREEN", "KZ", 770000, "DDP", "ECOM_LINE"),
        ],
    },
    {
        "name": "Team Vistula",
        "members": ["zofia.kowalczyk@example.com"],
        "stock": {"BOWL-PLA": 120, "TEA-GREEN": 80, "TOY-BLOCKS": 4},
        "listings": [
            ("BOWL-PLA", "PL", 2990, "DAP", "ECOM_LINE"),
            ("TOY-BLOCKS", "PL", 7990, "DAP", "ECOM_LINE", 3995),
            ("TEA-GREEN", "PL", 5490, "DAP", "EPACKET"),
            ("TEA-GREEN", "KZ", 890000, "DDP", "EXPRESS"),
            ("TOY-BLOCKS", "KZ", 990000, "DDP", "EXPRESS"),
        ],
    },
]
PENDING_APPLICANT = "daniyar.omarov@example.com"


def _learner(email, display, latin, native, country, language):
    """The demo learner with this e-mail, created once (as academy.demo creates demo people)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = UserFactory(email=email, display_name=display, name_latin=latin, name_native=native, country=country,
                           preferred_language=language, password=settings.DEMO_PASSWORD)
    return user


def _course_run(enterprise, students):
    """A run of a course the enterprise co-runs (project_check's rule), preferring one the demo
    students are enrolled in; None when the enterprise co-runs no course."""
    runs = CourseRun.objects.filter(course__partners__organisation=enterprise).distinct().order_by("starts_at", "pk")
    for student in students:
        run = runs.filter(enrolments__user=student).first()
        if run is not None:
            return run
    return runs.first()


def _rubric(enterprise, mentor):
    """The enterprise's store review rubric, created once; each criterion gives evidence for a
    competency of the demo's framework (when it is loaded)."""
    rubric = Rubric.objects.filter(organisation=enterprise, title=RUBRIC_TITLE).first()
    if rubric is not None:
        return rubric
    competencies = {c.code: c for c in Competency.objects.filter(code__in=[code for _, code in RUBRIC_CRITERIA])}
    return rubric_with_criteria(organisation=enterprise, by=mentor, title=RUBRIC_TITLE, criteria=[
        (title, competencies.get(code), RUBRIC_LEVELS) for title, code in RUBRIC_CRITERIA])


def _project(enterprise, mentor, students):
    project = PracticumProject.objects.filter(organisation=enterprise, title=PROJECT_TITLE).first()
    if project is not None:
        return project
    project = home_goods_project(
        organisation=enterprise, by=mentor, title=PROJECT_TITLE, title_zh=PROJECT_TITLE_ZH,
        starts_on=PROJECT_STARTS_ON, ends_on=PROJECT_ENDS_ON, rubric=_rubric(enterprise, mentor),
        course_run=_course_run(enterprise, students),
    )
    # As the admin does after saving a project: a project that breaks a rule stops the demo.
    project_check(project=project, by=mentor, day=PROJECT_STARTS_ON)
    return project


def _trade(store, user, decisions):
    """The team's opening decisions: buy the stock, then list it live."""
    products = {product.sku: product for product in store.run.project.products.all()}
    for sku, units in decisions["stock"].items():
        stock_buy(store=store, product=products[sku], quantity=units, by=user)
    for sku, market, price_minor, incoterm, channel, *declared in decisions["listings"]:
        listing_save(store=store, by=user, product=products[sku], market=market, price_minor=price_minor,
                     incoterm=incoterm, channel=channel, declared_value_minor=declared[0] if declared else None,
                     status=Listing.Status.LIVE)
    if "restock" in decisions:
        warehouse, channel, units = decisions["restock"]
        inbound_ship(store=store, warehouse=warehouse, channel=channel, by=user,
                     quantities={products[sku].pk: count for sku, count in units.items()})


def _sell_from_warehouse(store, user, decisions):
    """Once the team's container is received, its chosen listings ship from the warehouse by
    the last mile (DDP: the duties were paid at inbound)."""
    if not decisions.get("from_warehouse"):
        return
    warehouse = decisions["restock"][0]
    if not WarehouseStock.objects.filter(store=store, warehouse=warehouse, on_hand__gt=0).exists():
        return
    for sku, market in decisions["from_warehouse"]:
        listing = Listing.objects.select_related("product").get(store=store, product__sku=sku, market=market)
        if listing.warehouse == warehouse:
            continue
        listing_save(store=store, by=user, product=listing.product, market=market, price_minor=listing.price_minor,
                     incoterm="DDP", channel=LASTMILE_CHANNEL, declared_value_minor=listing.declared_value_minor,
                     status=listing.status, listing=listing)
        listing_warehouse_set(listing=Listing.objects.get(pk=listing.pk), warehouse=warehouse, by=user)


def _answer_disputes(store, user):
    """The team answers the disputes opened the day before, as a diligent store does: it
    contests a "not received" with the tracking when the parcel was delivered and refunds the
    claim otherwise.
    (Disputes opened on the last played day stay open for the student to answer.)"""
    disputes = (Dispute.objects.filter(store=store, status=Dispute.Status.OPEN, opened_on__lt=store.run.current_date - timedelta(days=1),
                                       respond_by__gte=store.run.current_date)
                .select_related("order__shipment").order_by("opened_on", "pk"))
    for dispute in disputes:
        shipment = getattr(dispute.order, "shipment", None)
        if dispute.reason == Dispute.Reason.NOT_RECEIVED and shipment is not None and shipment.status == shipment.Status.DELIVERED:
            dispute_contest(dispute=dispute, by=user, evidence=["tracking"],
                            message="The tracking shows the parcel delivered to the buyer's address; we attach it.")
        else:
            dispute_refund(dispute=dispute, by=user)


def _grade(store, mentor):
    """The mentor signs off the team's grade with the project's rubric (its best level for each
    criterion but the last, where the team reaches the middle one)."""
    if PracticumGrade.objects.filter(store=store).exists():
        return
    rubric = store.run.project.rubric
    choices = {}
    if rubric is not None:
        spec = rubric_spec_of(rubric=rubric)
        for number, criterion in enumerate(spec.criteria):
            levels = sorted(criterion.levels, key=lambda level: level.points, reverse=True)
            level = levels[len(levels) // 2] if number == len(spec.criteria) - 1 else levels[0]
            choices[criterion.key] = level.key
    grade_sign_off(store=store, choices=choices, by=mentor, comment=GRADE_COMMENT)


def _refund_one(run, team, user):
    """A member of `team` cancels the team's first unshipped order, once per run."""
    if Order.objects.filter(store__run=run, status=Order.Status.REFUNDED).exists():
        return
    order = Order.objects.filter(store=team.store, status=Order.Status.FULFILLING).order_by("number").first()
    if order is not None:
        order_refund(order=order, by=user, reason=REFUND_REASON)


def practicum_demo_load(*, enterprise, mentor, students, seed=2026) -> PracticumRun:
    """Create (or complete) the demo project, its run, teams and played days; `students` are the
    demo's learners (student@example.com first), `mentor` is staff of `enterprise`."""
    people = {user.email: user for user in students}
    for learner in LEARNERS:
        people[learner[0]] = _learner(*learner)

    project = _project(enterprise, mentor, students)
    run = PracticumRun.objects.filter(project=project, title=RUN_TITLE).order_by("pk").first()
    if run is None:
        run = run_create(project=project, by=mentor, title=RUN_TITLE, seed=f"demo-{seed}", team_size_min=1, team_size_max=3)
    if run.day >= DAYS_PLAYED:
        return run

    for email, motivation in MOTIVATIONS.items():
        if email not in people:
            continue
        participant = RunParticipant.objects.filter(run=run, user=people[email]).first()
        if participant is None:
            participant = participant_apply(run=run, user=people[email], motivation=motivation)
        if email != PENDING_APPLICANT and participant.status == RunParticipant.Status.APPLIED:
            participant_decide(participant=participant, by=mentor, accept=True)
    if run.status == PracticumRun.Status.OPEN:
        run = run_update(run=run, by=mentor, status=PracticumRun.Status.RUNNING)

    teams = {}
    for decisions in TEAMS:
        members = [people[email] for email in decisions["members"] if email in people]
        if not members:
            continue
        team = Team.objects.filter(run=run, name=decisions["name"]).first()
        if team is None:
            team = team_create(run=run, user=members[0], name=decisions["name"])
        for member in members[1:]:
            team_join(team=team, user=member)
        if not StockItem.objects.filter(store=team.store).exists():
            _trade(team.store, members[0], decisions)
        teams[decisions["name"]] = (team, members[0])

    decisions_of = {decisions["name"]: decisions for decisions in TEAMS}
    while run.day < DAYS_PLAYED:
        run_day_play(run=run)
        run.refresh_from_db()
        if run.day >= REFUND_AFTER_DAY and "Team Vistula" in teams:
            _refund_one(run, *teams["Team Vistula"])
        if "Team Steppe" in teams:
            team, user = teams["Team Steppe"]
            _sell_from_warehouse(team.store, user, decisions_of["Team Steppe"])
            _answer_disputes(team.store, user)
    if "Team Steppe" in teams:
        _grade(teams["Team Steppe"][0].store, mentor)
    return run


def practicum_demo_reset(*, organisations) -> None:
    """Remove the organisations' practicum projects with everything in their runs (the ledger
    and orders first: they protect the listings and products they name), and the learners
    this module added."""
    projects = PracticumProject.objects.filter(organisation__in=organisations)
    runs = PracticumRun.objects.filter(project__in=projects)
    # Grades protect their passes' and their snapshots' deletion order: passes, then grades.
    PracticumPass.objects.filter(run__in=runs).delete()
    PracticumGrade.objects.filter(store__run__in=runs).delete()
    # Reversals protect the entry they reverse: delete them before the rest of the journal.
    LedgerEntry.objects.filter(run__in=runs, reverses__isnull=False).delete()
    LedgerEntry.objects.filter(run__in=runs).delete()
    Order.objects.filter(store__run__in=runs).delete()
    runs.delete()
    projects.delete()
    User.objects.filter(email__in=[learner[0] for learner in LEARNERS]).delete()
