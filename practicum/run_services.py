"""Writes of practicum runs: starting a run, applications and teams, each team's store, buying
stock and editing listings (issue "Practicum I", points 2 and 3).

Who may do what:
- a mentor is staff of the enterprise that posted the project (or a platform admin): they start
  runs, accept or decline applicants, assign students to teams and change a run's clock;
- a student applies to an open or running run of a published project; once accepted they form
  a team or join one with room (`team_size_max`), and its members run the team's store.

Every write of a store's money is dated the run's day in progress (`PracticumRun.current_date`)
and goes through `practicum.ledger`, stored by `practicum.ledger_services`. Spending locks the
store row first, so two purchases at once cannot both spend the same balance.
"""

import secrets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import get_language, gettext as _, to_locale

from academy.organisations.admin_scoping import user_is_organisation_staff

from . import ledger
from .ledger_services import available_balance, journal_post
from .logistics import shipping_quote
from .money import format_money, from_minor
from .project_models import PracticumProject, ProjectProduct
from .run_models import Incoterm, LedgerEntry, Listing, PracticumRun, RunParticipant, StockItem, Store, Team
from .selectors import ReferenceDataMissing, ReferenceDay

MAX_STOCK_PURCHASE = 100_000


def user_is_run_mentor(*, user, run: PracticumRun) -> bool:
    """Staff of the enterprise that posted the run's project, or a platform admin."""
    return user_is_organisation_staff(user=user, organisation=run.project.organisation)


def _require_mentor(user, run):
    if not user_is_run_mentor(user=user, run=run):
        raise PermissionDenied(_("Only the project's mentors can do this."))


def _require_member(user, store: Store):
    if not RunParticipant.objects.filter(team_id=store.team_id, user=user, status=RunParticipant.Status.ACCEPTED).exists():
        raise PermissionDenied(_("Only the team's members can change its store."))


def _require_trading(run: PracticumRun):
    if run.status == PracticumRun.Status.FINISHED:
        raise ValidationError(_("The run has finished; its stores are closed."))


# Runs.


def run_create(*, project: PracticumProject, by, title: str, seed: str = "", team_size_min: int = 1,
               team_size_max: int = 4, mode: str = PracticumRun.Mode.MANUAL) -> PracticumRun:
    """A mentor starts a run of a published project; an empty seed gets a random one."""
    run = PracticumRun(project=project, title=title, seed=seed or secrets.token_hex(8), team_size_min=team_size_min,
                       team_size_max=team_size_max, mode=mode, created_by=by)
    _require_mentor(by, run)
    if project.status != PracticumProject.Status.PUBLISHED:
        raise ValidationError(_("Publish the project before starting a run of it."))
    run.full_clean()
    run.save()
    return run


def run_update(*, run: PracticumRun, by, **fields) -> PracticumRun:
    """A mentor changes a run's title, status, clock mode or team sizes (the seed is fixed once
    a day has been played, since the played days were drawn from it)."""
    _require_mentor(by, run)
    allowed = {"title", "status", "mode", "team_size_min", "team_size_max", "seed"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"run_update() cannot change {', '.join(sorted(unknown))}")
    if "seed" in fields and fields["seed"] != run.seed and run.day > 0:
        raise ValidationError({"seed": _("The seed cannot change once a day has been played.")})
    for name, value in fields.items():
        setattr(run, name, value)
    run.full_clean()
    run.save()
    return run


# Applications and teams.


def participant_apply(*, run: PracticumRun, user, motivation: str = "") -> RunParticipant:
    """A student applies to a run that is open or running, of a published project; once only."""
    if run.project.status != PracticumProject.Status.PUBLISHED or run.status == PracticumRun.Status.FINISHED:
        raise ValidationError(_("This run does not take applications."))
    participant = RunParticipant(run=run, user=user, motivation=motivation.strip())
    participant.full_clean(exclude=["run", "user"])
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        raise ValidationError(_("You have already applied to this run.")) from None
    return participant


def participant_decide(*, participant: RunParticipant, by, accept: bool) -> RunParticipant:
    """A mentor accepts or declines an application (a declined student leaves their team)."""
    _require_mentor(by, participant.run)
    participant.status = RunParticipant.Status.ACCEPTED if accept else RunParticipant.Status.DECLINED
    if not accept:
        participant.team = None
    participant.decided_by = by
    participant.save(update_fields=["status", "team", "decided_by"])
    return participant


def participant_assign(*, run: PracticumRun, user, team: Team | None, by) -> RunParticipant:
    """A mentor puts a student in a team of the run (accepting them if needed), or out of any."""
    _require_mentor(by, run)
    if team is not None and team.run_id != run.pk:
        raise ValidationError(_("Choose a team of this run."))
    with transaction.atomic():
        participant, _created = RunParticipant.objects.select_for_update().get_or_create(run=run, user=user)
        participant.status = RunParticipant.Status.ACCEPTED
        participant.decided_by = by
        _team_place(participant, team)
    return participant


def team_create(*, run: PracticumRun, user, name: str) -> Team:
    """An accepted student who is in no team forms one, with its store and starting capital."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    with transaction.atomic():
        participant = _accepted(run, user)
        if participant.team_id is not None:
            raise ValidationError(_("Leave your team before forming another."))
        team = _team_with_store(run, name)
        _team_place(participant, team)
    return team


def team_create_by_mentor(*, run: PracticumRun, by, name: str) -> Team:
    """A mentor forms an empty team, to assign students to."""
    _require_mentor(by, run)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    with transaction.atomic():
        return _team_with_store(run, name)


def team_join(*, team: Team, user) -> RunParticipant:
    """An accepted student joins a team of their run that has room."""
    with transaction.atomic():
        participant = _accepted(team.run, user)
        if participant.team_id == team.pk:
            return participant
        if participant.team_id is not None:
            raise ValidationError(_("Leave your team before joining another."))
        _team_place(participant, team)
    return participant


def team_leave(*, run: PracticumRun, user) -> RunParticipant:
    """A student leaves their team; the store stays with the remaining members."""
    with transaction.atomic():
        participant = _accepted(run, user)
        _team_place(participant, None)
    return participant


def _accepted(run, user) -> RunParticipant:
    participant = RunParticipant.objects.select_for_update().filter(run=run, user=user).first()
    if participant is None or participant.status != RunParticipant.Status.ACCEPTED:
        raise PermissionDenied(_("A mentor has to accept your application first."))
    return participant


def _team_place(participant: RunParticipant, team: Team | None) -> None:
    """Move the participant into `team` (None: out of any), keeping the team within the run's
    size limit; the team row is locked so two joins at once cannot both take the last place."""
    if team is not None and participant.team_id != team.pk:
        Team.objects.select_for_update().get(pk=team.pk)
        run = team.run
        members = RunParticipant.objects.filter(team=team).count()
        if members >= run.team_size_max:
            raise ValidationError(_("Team %(team)s is full (%(size)s members at most).") % {"team": team.name, "size": run.team_size_max})
    participant.team = team
    participant.save()


def _team_with_store(run: PracticumRun, name: str) -> Team:
    if run.status == PracticumRun.Status.FINISHED:
        raise ValidationError(_("The run has finished; no new team can form."))
    if Team.objects.filter(run=run, name__iexact=name).exists():
        raise ValidationError({"name": _("A team of this run already has that name.")})
    base = slugify(name)[:30] or "team"
    slug, number = base, 1
    taken = set(Team.objects.filter(run=run, slug__startswith=base).values_list("slug", flat=True))
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    team = Team.objects.create(run=run, name=name, slug=slug)
    store = Store.objects.create(team=team, run=run, key=slug, name=name)
    capital = run.project.starting_capital_minor
    if capital:
        journal_post(run=run, store=store, entry=ledger.capital_contribution(
            key=f"capital:{store.key}", store=store.key, amount_minor=capital, day=run.current_date))
    return team


# The store: stock and listings.


def stock_buy(*, store: Store, product: ProjectProduct, quantity: int, by) -> StockItem:
    """The team buys units of a catalogue product into its China warehouse, paying the unit cost
    from what the store may spend."""
    run = store.run
    _require_member(by, store)
    _require_trading(run)
    if product.project_id != run.project_id:
        raise ValidationError({"product": _("Choose a product of the project's catalogue.")})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_STOCK_PURCHASE:
        raise ValidationError({"quantity": _("Buy between 1 and %(most)s units.") % {"most": f"{MAX_STOCK_PURCHASE:,}"}})
    cost = product.unit_cost_minor * quantity
    with transaction.atomic():
        Store.objects.select_for_update().get(pk=store.pk)
        item, _created = StockItem.objects.select_for_update().get_or_create(store=store, product=product)
        if cost:
            sequence = LedgerEntry.objects.filter(store=store, kind=ledger.EntryKind.STOCK_PURCHASE).count() + 1
            try:
                entry = ledger.stock_purchase(key=f"stock:{store.key}:{sequence}", store=store.key, cost_minor=cost,
                                              available_minor=available_balance(store=store), day=run.current_date)
            except ledger.LedgerError:
                raise ValidationError({"quantity": _(
                    "%(units)s units cost %(cost)s; the store has %(available)s to spend."
                ) % {"units": quantity, "cost": _cny(cost), "available": _cny(available_balance(store=store))}}) from None
            journal_post(run=run, store=store, entry=entry)
        item.on_hand += quantity
        item.cost_minor += cost
        item.save(update_fields=["on_hand", "cost_minor"])
    return item


def listing_save(*, store: Store, by, product: ProjectProduct, market: str, price_minor: int, incoterm: str,
                 channel: str, declared_value_minor: int | None = None, status: str = Listing.Status.DRAFT,
                 listing: Listing | None = None) -> Listing:
    """Create or change the store's listing of a product in a market: price in the market's
    currency (of the day in progress), Incoterm, a channel that will carry the parcel, the value
    to declare (empty: the price) and the status."""
    run = store.run
    _require_member(by, store)
    _require_trading(run)
    if listing is not None and listing.store_id != store.pk:
        raise PermissionDenied(_("Only the team's members can change its store."))
    errors = {}
    if product.project_id != run.project_id:
        errors["product"] = _("Choose a product of the project's catalogue.")
    if market not in (run.project.target_markets or []):
        errors["market"] = _("Choose one of the project's target markets.")
    if incoterm not in Incoterm.values:
        errors["incoterm"] = _("Choose DDP or DAP.")
    if status not in Listing.Status.values:
        errors["status"] = _("Choose a status.")
    if errors:
        raise ValidationError(errors)
    day = run.current_date
    reference = ReferenceDay(day=day, markets=[market])
    try:
        currency = reference.market(market).currency
    except ReferenceDataMissing as error:
        raise ValidationError({"market": str(error)}) from None
    channel_row = reference.channels.get(channel)
    if channel_row is None:
        raise ValidationError({"channel": _("Choose a logistics channel in force on %(day)s.") % {"day": day.isoformat()}})
    quote = shipping_quote(channel_row, market=market, weight_g=product.weight_grams, has_battery=product.contains_battery,
                           incoterm=incoterm)
    if not quote.available:
        raise ValidationError({"channel": "; ".join(note.text for note in quote.reasons) + "."})
    if listing is None:
        listing = Listing.objects.filter(store=store, product=product, market=market).first() or Listing(store=store)
    listing.product = product
    listing.market = market
    listing.currency = currency
    listing.price_minor = price_minor
    listing.incoterm = incoterm
    listing.channel = channel
    listing.declared_value_minor = declared_value_minor
    listing.status = status
    listing.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError:
        raise ValidationError(_("The store already lists this product in this market; edit that listing.")) from None
    return listing


def _cny(minor: int) -> str:
    return format_money(from_minor(minor, ledger.BOOK_CURRENCY), ledger.BOOK_CURRENCY, to_locale(get_language() or "en"))
