"""Every code of the ledger has a label on the pages, so a new account cannot show up raw."""

from practicum.ledger import AccountCode, AccountKind, EntryKind
from practicum.ledger_labels import ACCOUNT_LABELS, ENTRY_KINDS, KIND_LABELS


def test_every_account_code_account_kind_and_entry_kind_has_a_label():
    """The statement and the trial balance label every account, kind and entry the ledger knows."""
    assert set(ACCOUNT_LABELS) == set(AccountCode)
    assert set(KIND_LABELS) == set(AccountKind)
    assert set(ENTRY_KINDS) == set(EntryKind)
