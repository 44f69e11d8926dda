"""Practicum runs and what happens in them: teams, their stores, stock, listings, orders, the
simulated calendar and the ledger tables (issue "Practicum I", points 2 to 7).

A run is one cohort working on a project: it has its own seed and simulated calendar (day 0 is
the project's first day; `PracticumRun.day` counts the days played). Students apply to a run and
a mentor accepts them, or a mentor assigns them; accepted participants form teams of the run's
size limits, and each team gets one store with the project's starting capital.

Money is an integer of minor units of its currency (fen for CNY). Days are simulated days, never
the wall clock. The rules of every write are in `practicum.run_services` (runs, teams, stores,
listings), `practicum.order_services` (orders and their transition table) and
`practicum.simulation` (a simulated day); the journal's rules are the pure `practicum.ledger`,
stored here as `LedgerEntry` rows with their `LedgerPosting`s, append-only.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CURRENCY_CODE

SEED = RegexValidator(r"^[A-Za-z0-9_.-]{1,64}$", _("Use 1 to 64 letters, digits, dots, dashes or underscores."))


class Incoterm(models.TextChoices):
    DDP = "DDP", _("DDP: the store pays duty and VAT")
    DAP = "DAP", _("DAP: the buyer pays shipping, and duty and VAT at the door")


class PracticumRun(models.Model):
    """One cohort's run of a project, with its own seed, simulated calendar and teams."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for applications")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    class Mode(models.TextChoices):
        MANUAL = "manual", _("Manual: a mentor advances the days")
        SCHEDULED = "scheduled", _("Scheduled: one day each tick of the scheduler")

    project = models.ForeignKey(
        "practicum.PracticumProject", verbose_name=_("project"), on_delete=models.PROTECT, related_name="runs",
        help_text=_("The project this run works on."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("The run's name, such as the cohort and term."))
    seed = models.CharField(
        _("seed"), max_length=64, validators=[SEED],
        help_text=_("The seed of the run's market simulation. The same seed and the same decisions give the same orders."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              help_text=_("Students apply while the run is open; days are played while it runs."))
    mode = models.CharField(_("clock"), max_length=20, choices=Mode.choices, default=Mode.MANUAL,
                            help_text=_("Who advances the simulated calendar."))
    day = models.PositiveIntegerField(_("days played"), default=0, help_text=_("How many simulated days have been played."))
    team_size_min = models.PositiveSmallIntegerField(_("smallest team"), default=1, validators=[MinValueValidator(1)],
                                                     help_text=_("A team needs at least this many members to trade."))
    team_size_max = models.PositiveSmallIntegerField(_("largest team"), default=4, validators=[MinValueValidator(1)],
                                                     help_text=_("No team may have more members than this."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", help_text=_("The mentor who started the run."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the run was created."))

    class Meta:
        verbose_name = _("practicum run")
        verbose_name_plural = _("practicum runs")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(team_size_max__gte=models.F("team_size_min")),
                                   name="practicum_run_team_sizes_ordered"),
        ]

    def __str__(self):
        return self.title

    @property
    def current_date(self):
        """The simulated date of the day in progress: decisions made now are dated it, and the
        next advance plays it (day 1 is the project's first day)."""
        return self.date_of(self.day + 1)

    def date_of(self, number: int):
        """The simulated date of day `number` (1 is the project's first day)."""
        return self.project.starts_on + timedelta(days=number - 1)

    @property
    def last_day_number(self) -> int:
        """The number of the project's last day: a run plays no day after it."""
        return (self.project.ends_on - self.project.starts_on).days + 1


class Team(models.Model):
    """A team of a run; it runs one store."""

    run = models.ForeignKey(PracticumRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="teams",
                            help_text=_("The run the team plays in."))
    name = models.CharField(_("name"), max_length=80, help_text=_("The team's name, shown to mentors and other teams."))
    slug = models.SlugField(_("key"), max_length=40, help_text=_("The team's key in the run, used in its ledger accounts."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the team was formed."))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["run", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "slug"], name="practicum_team_slug_once"),
            models.UniqueConstraint(fields=["run", "name"], name="practicum_team_name_once"),
        ]

    def __str__(self):
        return self.name


class RunParticipant(models.Model):
    """A student's place in a run: an application, accepted or declined, and their team."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    run = models.ForeignKey(PracticumRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="participants",
                            help_text=_("The run applied to."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE,
                             related_name="practicum_places", help_text=_("The student."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED,
                              help_text=_("Whether a mentor has accepted the student into the run."))
    motivation = models.TextField(_("motivation"), blank=True, max_length=2000,
                                  help_text=_("Why the student wants to take part, for the mentors."))
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members", help_text=_("The team the student plays in, once in one."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", help_text=_("The mentor who accepted or declined."))
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True, help_text=_("When the student applied or was assigned."))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["run", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], name="practicum_participant_once"),
            models.CheckConstraint(condition=models.Q(team__isnull=True) | models.Q(status="accepted"),
                                   name="practicum_participant_team_only_when_accepted"),
        ]

    def __str__(self):
        return f"{self.user} · {self.run}"


class Store(models.Model):
    """A team's sandbox storefront; its books are in CNY on the run's ledger under `key`."""

    team = models.OneToOneField(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="store",
                                help_text=_("The team that runs the store."))
    run = models.ForeignKey(PracticumRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="stores",
                            help_text=_("The run the store trades in."))
    key = models.SlugField(_("key"), max_length=40, help_text=_("The store's key in the run's ledger: the team's key."))
    name = models.CharField(_("name"), max_length=120, help_text=_("The storefront's name, shown on its listings."))

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["run", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="practicum_store_key_once")]

    def __str__(self):
        return self.name


class StockItem(models.Model):
    """A product's stock in the store's China warehouse. `allocated` units are promised to orders
    not yet shipped; what can still be sold is `on_hand − allocated`, never below zero."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="stock",
                              help_text=_("The store that owns the stock."))
    product = models.ForeignKey("practicum.ProjectProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+", help_text=_("The catalogue product."))
    on_hand = models.PositiveIntegerField(_("on hand"), default=0, help_text=_("Units in the warehouse."))
    allocated = models.PositiveIntegerField(_("allocated"), default=0, help_text=_("Units promised to orders not yet shipped."))
    cost_minor = models.BigIntegerField(_("cost of stock on hand (fen)"), default=0, validators=[MinValueValidator(0)],
                                        help_text=_("What the units on hand cost, in fen; a unit shipped takes the average cost."))

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        ordering = ["store", "product__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="practicum_stock_once"),
            models.CheckConstraint(condition=models.Q(allocated__lte=models.F("on_hand")), name="practicum_stock_never_oversold"),
            models.CheckConstraint(condition=models.Q(cost_minor__gte=0), name="practicum_stock_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.product.sku}: {self.on_hand} ({self.allocated})"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class Listing(models.Model):
    """A store's offer of one catalogue product in one market, priced in the market's currency."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        PAUSED = "paused", _("Paused")
        DELISTED = "delisted", _("Delisted")

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="listings",
                              help_text=_("The store that sells."))
    product = models.ForeignKey("practicum.ProjectProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+", help_text=_("The catalogue product offered."))
    market = models.CharField(_("market"), max_length=2, help_text=_("The code of one of the project's target markets."))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE],
                                help_text=_("The market's currency, which the price is in."))
    price_minor = models.BigIntegerField(_("price (minor units)"), validators=[MinValueValidator(1)],
                                         help_text=_("What the buyer pays for one unit, in minor units of the market's currency."))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.DDP,
                                help_text=_("Who pays duty and VAT on import."))
    channel = models.CharField(_("logistics channel"), max_length=30,
                               help_text=_("The code of the logistics channel parcels are shipped by."))
    declared_value_minor = models.BigIntegerField(
        _("declared value (minor units)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("The value declared to customs per unit, in the market's currency; empty declares the price."),
    )
    warehouse = models.CharField(
        _("ships from"), max_length=20, blank=True,
        help_text=_("The overseas warehouse the listing ships from by its last mile; empty ships from China."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              help_text=_("Only live listings are shown to shoppers."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, help_text=_("When the listing was last changed."))

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["store", "market", "product__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "product", "market"], name="practicum_listing_once_per_market"),
            models.CheckConstraint(condition=models.Q(price_minor__gt=0), name="practicum_listing_price_positive"),
        ]

    def __str__(self):
        return f"{self.product.sku} · {self.market}"

    @property
    def declared_minor(self) -> int:
        return self.declared_value_minor or self.price_minor


class Order(models.Model):
    """A simulated shopper's order from a store (`practicum.order_services` has its transitions)."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        PAID = "paid", _("Paid into escrow")
        FULFILLING = "fulfilling", _("Fulfilling")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="orders",
                              help_text=_("The store sold to."))
    listing = models.ForeignKey(Listing, verbose_name=_("listing"), on_delete=models.PROTECT, related_name="orders",
                                help_text=_("The listing the shopper bought."))
    generation_key = models.CharField(_("generation key"), max_length=120,
                                      help_text=_("The demand engine's key of the order: the same every time its day is generated."))
    number = models.CharField(_("number"), max_length=40, help_text=_("The order's number in the store, shown to the team."))
    market = models.CharField(_("market"), max_length=2, help_text=_("The market the shopper is in."))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE], help_text=_("The currency the buyer paid in."))
    total_minor = models.BigIntegerField(_("total (minor units)"), validators=[MinValueValidator(0)],
                                         help_text=_("What the buyer paid the store, in minor units of the currency."))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices, help_text=_("The listing's Incoterm when ordered."))
    channel = models.CharField(_("logistics channel"), max_length=30, help_text=_("The channel the order ships by."))
    warehouse = models.CharField(_("ships from"), max_length=20, blank=True,
                                 help_text=_("The overseas warehouse the order ships from; empty for China."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLACED,
                              help_text=_("Where the order is in its life."))
    placed_on = models.DateField(_("placed on"), help_text=_("The simulated day the shopper ordered."))
    ships_on = models.DateField(_("ships on"), null=True, blank=True, help_text=_("The simulated day the parcel leaves."))
    delivery_due_on = models.DateField(_("delivery due on"), null=True, blank=True,
                                       help_text=_("The simulated day the parcel arrives."))
    release_due_on = models.DateField(_("escrow release due on"), null=True, blank=True,
                                      help_text=_("The simulated day escrow is released: the buyer's confirmation or the auto-release timer."))
    shopper = models.PositiveIntegerField(_("shopper"), help_text=_("The shopper's number in the market's day."))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_on", "-generation_key"]
        constraints = [
            models.UniqueConstraint(fields=["store", "generation_key"], name="practicum_order_generated_once"),
            models.UniqueConstraint(fields=["store", "number"], name="practicum_order_number_once"),
        ]
        indexes = [models.Index(fields=["store", "status"]), models.Index(fields=["store", "placed_on"])]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    """A line of an order: a product, a quantity and the unit price the buyer paid."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines",
                              help_text=_("The order the line belongs to."))
    product = models.ForeignKey("practicum.ProjectProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+", help_text=_("The product ordered."))
    sku = models.CharField(_("SKU"), max_length=40, help_text=_("The product's SKU when ordered."))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)], help_text=_("Units ordered."))
    unit_price_minor = models.BigIntegerField(_("unit price (minor units)"), validators=[MinValueValidator(0)],
                                              help_text=_("The price of one unit, in minor units of the order's currency."))
    allocated = models.BooleanField(_("allocated"), default=False, help_text=_("Whether the units are set aside in the store's stock."))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"


class OrderTransition(models.Model):
    """One recorded move of an order's state machine (append-only)."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="transitions",
                              help_text=_("The order that moved."))
    source = models.CharField(_("from"), max_length=20, blank=True, help_text=_("The state before; empty when the order was created."))
    target = models.CharField(_("to"), max_length=20, help_text=_("The state after."))
    event = models.CharField(_("event"), max_length=30, help_text=_("What moved the order."))
    day = models.DateField(_("simulated day"), help_text=_("The simulated day of the move."))
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Why, in a sentence."))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text=_("The person who made the move; empty for the simulation."))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, help_text=_("When the move was recorded."))

    class Meta:
        verbose_name = _("order transition")
        verbose_name_plural = _("order transitions")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.source or '∅'} → {self.target}"


class SimulationDay(models.Model):
    """A played day of a run: what the demand engine saw and produced, for replay and audit."""

    run = models.ForeignKey(PracticumRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="played_days",
                            help_text=_("The run the day belongs to."))
    number = models.PositiveIntegerField(_("day"), help_text=_("The day's number in the run, from 1."))
    date = models.DateField(_("simulated date"), help_text=_("The simulated date of the day."))
    orders = models.PositiveIntegerField(_("orders"), help_text=_("How many orders shoppers placed that day."))
    orders_digest = models.CharField(_("orders digest"), max_length=64,
                                     help_text=_("sha256 over the day's orders in canonical form."))
    inputs = models.JSONField(_("inputs"), help_text=_("The listings and parameters the demand engine was given, in canonical form."))
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, help_text=_("sha256 over the inputs."))

    class Meta:
        verbose_name = _("simulated day")
        verbose_name_plural = _("simulated days")
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="practicum_day_played_once")]

    def __str__(self):
        return f"{self.run} · {self.date}"


class SimulationJob(models.Model):
    """A mentor's request to advance a run by some days, run by a Celery worker; its progress is
    what the mentor's progress bar shows."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(PracticumRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="jobs",
                            help_text=_("The run to advance."))
    days = models.PositiveSmallIntegerField(_("days"), validators=[MinValueValidator(1), MaxValueValidator(60)],
                                            help_text=_("How many days to play."))
    days_done = models.PositiveSmallIntegerField(_("days played"), default=0, help_text=_("How many of them are played."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED,
                              help_text=_("Where the job is."))
    error = models.CharField(_("error"), max_length=500, blank=True, help_text=_("Why the job stopped, when it failed."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", help_text=_("The mentor who asked."))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, help_text=_("When the job was asked for."))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, help_text=_("When the job ended."))

    class Meta:
        verbose_name = _("simulation job")
        verbose_name_plural = _("simulation jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.run} +{self.days}"


class LedgerEntry(models.Model):
    """A journal entry of a run's ledger (`practicum.ledger.JournalEntry` stored); append-only:
    corrected by a reversing entry, never edited or deleted."""

    run = models.ForeignKey(PracticumRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="ledger_entries",
                            help_text=_("The run whose journal holds the entry."))
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="ledger_entries",
                              help_text=_("The store whose books the entry is in."))
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ledger_entries", help_text=_("The order the entry is about, if any."))
    key = models.CharField(_("key"), max_length=160, help_text=_("The entry's idempotency key in the run."))
    day = models.DateField(_("simulated day"), help_text=_("The simulated day of the entry."))
    kind = models.CharField(_("kind"), max_length=30, help_text=_("What the entry records."))
    memo = models.TextField(_("memo"), help_text=_("The entry's explanation, with every rate and rounding."))
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", help_text=_("The entry this one reverses."))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, help_text=_("When the entry was recorded."))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["run", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="practicum_ledger_key_once")]

    def __str__(self):
        return self.key


class LedgerPosting(models.Model):
    """A debit (positive) or credit (negative) of whole minor units to one account and currency."""

    entry = models.ForeignKey(LedgerEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="postings",
                              help_text=_("The entry the posting belongs to."))
    account = models.CharField(_("account"), max_length=160, help_text=_("The account, as CODE:store or ESCROW:store:order."))
    code = models.CharField(_("account code"), max_length=30, help_text=_("The account's code in the chart."))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE], help_text=_("The posting's currency."))
    amount_minor = models.BigIntegerField(_("amount (minor units)"),
                                          help_text=_("Positive for a debit, negative for a credit."))

    class Meta:
        verbose_name = _("ledger posting")
        verbose_name_plural = _("ledger postings")
        ordering = ["entry", "pk"]
        indexes = [models.Index(fields=["account", "currency"])]
        constraints = [models.CheckConstraint(condition=~models.Q(amount_minor=0), name="practicum_posting_not_zero")]

    def __str__(self):
        return f"{self.account} {self.currency} {self.amount_minor}"


__all__ = [
    "Incoterm", "LedgerEntry", "LedgerPosting", "Listing", "Order", "OrderLine", "OrderTransition", "PracticumRun",
    "RunParticipant", "SimulationDay", "SimulationJob", "StockItem", "Store", "Team",
]
