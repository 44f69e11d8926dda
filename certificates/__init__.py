"""Issuance rules, rendering, signing, verification and the wallet (certificates issue)."""
