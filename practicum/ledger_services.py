"""The run's journal in the database: `practicum.ledger` entries stored as `LedgerEntry` rows with
their `LedgerPosting`s, and read back as `JournalEntry` values for the pure statements.

Append-only: an entry is written once and never updated or deleted; a mistake is corrected by a
reversing entry. The same key posted again with the same content is a retry and is skipped;
with other content it is refused (`ledger.entry_is_duplicate`). Balances that a builder needs
(what the store may spend, what escrow holds) are read here inside the caller's transaction,
after the caller has locked the row that serialises the write (the store for spending, the
order for its escrow).
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Sum

from . import ledger
from .ledger import Account, AccountCode, JournalEntry, Posting
from .run_models import LedgerEntry, LedgerPosting, Order, PracticumRun, Store


def journal_post(*, run: PracticumRun, store: Store, entry: JournalEntry, order: Order | None = None) -> LedgerEntry:
    """Store a balanced entry in the run's journal (a retry of the same entry returns the stored one)."""
    if entry.store != store.key:
        raise ledger.LedgerError(f"entry {entry.key} is in the books of {entry.store}, not of store {store.key}")
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(run=run, key=entry.key).prefetch_related("postings").select_related("reverses").first()
        if existing is not None:
            ledger.entry_is_duplicate({entry.key: journal_entry_of(existing)}, entry)
            return existing
        reverses = None
        if entry.reverses is not None:
            reverses = LedgerEntry.objects.get(run=run, key=entry.reverses)
        stored = LedgerEntry.objects.create(
            run=run, store=store, order=order, key=entry.key, day=entry.day, kind=entry.kind.value, memo=entry.memo,
            reverses=reverses,
        )
        LedgerPosting.objects.bulk_create([
            LedgerPosting(entry=stored, account=str(p.account), code=p.account.code.value, currency=p.currency,
                          amount_minor=p.amount_minor)
            for p in entry.postings
        ])
        return stored


def journal_entry_of(stored: LedgerEntry) -> JournalEntry:
    """The pure value of a stored entry (its postings prefetched, in their stored order)."""
    return JournalEntry(
        key=stored.key, day=stored.day, kind=stored.kind, memo=stored.memo,
        postings=tuple(Posting(Account.parse(p.account), p.currency, p.amount_minor)
                       for p in sorted(stored.postings.all(), key=lambda p: p.pk)),
        reverses=stored.reverses.key if stored.reverses_id else None,
    )


def account_balance(*, run: PracticumRun, account: Account, currency: str) -> int:
    """The signed balance (debits − credits) of one account in one currency, from the database."""
    total = LedgerPosting.objects.filter(entry__run=run, account=str(account), currency=currency).aggregate(
        total=Sum("amount_minor"))["total"]
    return total or 0


def available_balance(*, store: Store) -> int:
    """What the store may spend, in fen."""
    return account_balance(run=store.run, account=Account(AccountCode.STORE_AVAILABLE, store.key), currency=ledger.BOOK_CURRENCY)


def inventory_value(*, store: Store) -> int:
    """The store's stock at cost on the books, in fen."""
    return account_balance(run=store.run, account=Account(AccountCode.INVENTORY, store.key), currency=ledger.BOOK_CURRENCY)


def escrow_held(*, order: Order) -> int:
    """What escrow holds for the order, in minor units of its currency (a credit balance)."""
    account = Account(AccountCode.ESCROW, order.store.key, order.number)
    return -account_balance(run=order.store.run, account=account, currency=order.currency)


def account_balances(*, run: PracticumRun, accounts: Iterable[Account]) -> dict[tuple[str, str], int]:
    """{(account name, currency): signed balance} of the accounts, from the stored journal."""
    names = sorted({str(account) for account in accounts})
    sums = (LedgerPosting.objects.filter(entry__run=run).values("account", "currency")
            .annotate(total=Sum("amount_minor")).order_by())
    return {(row["account"], row["currency"]): row["total"] for row in in_chunks(sums, "account", names)}


def journal_post_many(run: PracticumRun, rows: list[tuple[Store, Order | None, ledger.JournalEntry]]) -> None:
    """`journal_post` for many entries: new ones are written in bulk; a key already stored goes
    through `journal_post`, which skips a retry of the same entry and refuses another one."""
    if not rows:
        return
    stored_keys = set(in_chunks(LedgerEntry.objects.filter(run=run).values_list("key", flat=True), "key",
                                 [entry.key for _store, _order, entry in rows]))
    fresh: dict[str, tuple[Store, Order | None, ledger.JournalEntry]] = {}
    for store, order, entry in rows:
        if entry.key in stored_keys or entry.reverses is not None:
            journal_post(run=run, store=store, order=order, entry=entry)
            continue
        if entry.store != store.key:
            raise ledger.LedgerError(f"entry {entry.key} is in the books of {entry.store}, not of store {store.key}")
        if entry.key in fresh:
            ledger.entry_is_duplicate({entry.key: fresh[entry.key][2]}, entry)
            continue
        fresh[entry.key] = (store, order, entry)
    entries = insert_returning_ids(LedgerEntry, [
        LedgerEntry(run=run, store=store, order=order, key=entry.key, day=entry.day, kind=entry.kind.value, memo=entry.memo)
        for store, order, entry in fresh.values()
    ])
    LedgerPosting.objects.bulk_create([
        LedgerPosting(entry=stored, account=str(p.account), code=p.account.code.value, currency=p.currency,
                      amount_minor=p.amount_minor)
        for stored, (_store, _order, entry) in zip(entries, fresh.values(), strict=True) for p in entry.postings
    ])


# Rows per IN list, well below SQLite's limit on the parameters of one statement.
CHUNK = 500


def in_chunks(queryset, field: str, values) -> Iterable:
    """The rows of `queryset` whose `field` is one of `values`, a bounded IN list at a time."""
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield from queryset.filter(**{f"{field}__in": values[start:start + CHUNK]})


def insert_returning_ids(model, objects: list) -> list:
    """Insert rows whose ids the next rows need: in bulk where the database returns the new ids
    (PostgreSQL, SQLite 3.35+), else one by one."""
    if connection.features.can_return_rows_from_bulk_insert:
        return model.objects.bulk_create(objects)
    for row in objects:
        row.save(force_insert=True)
    return objects
