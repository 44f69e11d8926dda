"""Practicum projects, team stores, the market simulation, ledger, customs and logistics
(trade-rules and practicum issues). The reference data it will load is in data/reference/."""
