"""How the ledger's codes read on the pages: one label per account code, account kind and entry
kind, translated (the store's statement and the mentor's trial balance both use them).
`practicum/tests/test_ledger_labels.py` checks that every code of `practicum.ledger` has one."""

from django.utils.translation import gettext_lazy as _

from .ledger import AccountCode, AccountKind, EntryKind

ACCOUNT_LABELS = {
    AccountCode.BUYER_CLEARING: _("Buyer payments held"),
    AccountCode.ESCROW: _("Escrow"),
    AccountCode.STORE_AVAILABLE: _("Available to spend"),
    AccountCode.STORE_CAPITAL: _("Capital"),
    AccountCode.INVENTORY: _("Stock at cost"),
    AccountCode.SALES: _("Sales"),
    AccountCode.PLATFORM_FEE: _("Platform fee"),
    AccountCode.FX_GAIN_LOSS: _("Exchange gains and losses"),
    AccountCode.DUTY_PAYABLE: _("Duty owed"),
    AccountCode.VAT_PAYABLE: _("VAT owed"),
    AccountCode.LOGISTICS_PAYABLE: _("Owed to carriers"),
    AccountCode.COST_OF_SALES: _("Cost of sales"),
    AccountCode.SHIPPING: _("Shipping"),
    AccountCode.IMPORT_DUTY: _("Import duty"),
    AccountCode.IMPORT_VAT: _("Import VAT"),
    AccountCode.CUSTOMS_PENALTY: _("Customs penalties"),
    AccountCode.STORAGE: _("Warehouse storage"),
}
KIND_LABELS = {
    AccountKind.ASSET: _("Assets"),
    AccountKind.LIABILITY: _("Liabilities"),
    AccountKind.EQUITY: _("Equity"),
    AccountKind.INCOME: _("Income"),
    AccountKind.EXPENSE: _("Expenses"),
}
ENTRY_KINDS = {
    EntryKind.CAPITAL_CONTRIBUTION: _("Capital"),
    EntryKind.STOCK_PURCHASE: _("Stock bought"),
    EntryKind.ORDER_PAYMENT: _("Buyer paid into escrow"),
    EntryKind.ESCROW_RELEASE: _("Escrow released"),
    EntryKind.REFUND: _("Refund"),
    EntryKind.SHIPMENT: _("Shipped"),
    EntryKind.CUSTOMS_DUTIES: _("Customs"),
    EntryKind.RETURN_SHIPPING: _("Return shipping"),
    EntryKind.STOCK_RETURN: _("Back in stock"),
    EntryKind.INBOUND_FREIGHT: _("Container shipped"),
    EntryKind.INBOUND_CLEARANCE: _("Container cleared"),
    EntryKind.STORAGE_FEE: _("Warehouse storage"),
    EntryKind.PAYABLES_SETTLEMENT: _("Payables settled"),
    EntryKind.REVERSAL: _("Reversal"),
}
