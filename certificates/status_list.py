"""Bitstring Status Lists: the compressed bitstring behind revocation and suspension
(issue "Certificates", point 4).

Pure: bytes and ints in, strings and bools out; no Django, no database. Building and signing
the status list *credential* (a `BitstringStatusListCredential` signed with
`certificates.proofs.proof_create`) and choosing which certificate holds which index belong to
the services; this module is the bitstring.

What (W3C "Bitstring Status List v1.0")
-----------------------------------------
- `StatusBitstring` holds one bit per credential, at least `MIN_ENTRIES` = 131,072 of them (the
  spec's minimum of 16 KB, section "BitstringStatusListCredential" / "Privacy Considerations":
  herd privacy, so that fetching the list does not reveal which credential is being checked).
- Bit order (section "Bitstring Expansion" and the algorithms that read a status): index 0 is
  the left-most (most significant) bit of the first byte; setting only index 0 makes the first
  byte 0x80, index 7 makes it 0x01, index 8 is the left-most bit of the second byte.
- `encode` (section "Bitstring Generation Algorithm"): GZIP-compress the bytes, then multibase
  base64url without padding, i.e. the prefix `u` followed by RFC 4648 section 5 base64url with
  the trailing `=` removed; this is the `encodedList` of the `BitstringStatusList` subject.
- `decode` (section "Bitstring Expansion Algorithm" and "Validate Algorithm"): the reverse,
  refusing a list shorter than the minimum (the spec's STATUS_LIST_LENGTH_ERROR) and, as a guard
  against a compression bomb in a list fetched from elsewhere, one that expands beyond
  `MAX_BYTES`.
- `status_index_draw`: a random free index (the spec's "Privacy Considerations" advise random
  rather than sequential assignment, so an index leaks nothing about issuance order). It uses
  `secrets`, not the simulation's seeded draws: predictability is exactly what must be avoided.

Decisions
---------
- One bit per entry (`statusSize` 1), which is what the `revocation` and `suspension` purposes
  use; multi-bit `message` statuses are not needed here.
- The number of entries is a multiple of 8 (the bitstring is whole bytes).
- GZIP is written with a zero modification time so the same bits always encode to the same
  string: re-signing an unchanged list yields the same `encodedList`.
"""

from __future__ import annotations

import base64
import gzip
import secrets
import zlib
from collections.abc import Collection

MIN_ENTRIES = 131_072  # 16 KB: the spec's minimum length, for herd privacy
MAX_BYTES = 16 * 1024 * 1024  # refuse to expand a fetched list beyond 16 MB (134 million entries)
MULTIBASE_BASE64URL = "u"

PURPOSES = ("revocation", "suspension")


class StatusListError(ValueError):
    """An encoded list that cannot be decoded, is too short, or an index out of range."""


class StatusBitstring:
    """A mutable bitstring of status entries; index 0 is the first byte's most significant bit."""

    __slots__ = ("_bits",)

    def __init__(self, entries: int = MIN_ENTRIES):
        if entries < MIN_ENTRIES:
            raise StatusListError(
                f"A status list holds at least {MIN_ENTRIES} entries, not {entries}."
            )
        if entries % 8:
            raise StatusListError(f"The number of entries must be a multiple of 8, not {entries}.")
        self._bits = bytearray(entries // 8)

    def __len__(self) -> int:
        return len(self._bits) * 8

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusBitstring) and self._bits == other._bits

    def __repr__(self) -> str:
        return f"<StatusBitstring {len(self)} entries, {self.count()} set>"

    def as_bytes(self) -> bytes:
        """The raw bitstring (a copy)."""
        return bytes(self._bits)

    def _position(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int):
            raise StatusListError(f"A status index is an integer, not {index!r}.")
        if not 0 <= index < len(self):
            raise StatusListError(
                f"Status index {index} is outside the list (0 to {len(self) - 1})."
            )
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        """Whether the entry at `index` is set (revoked, or suspended, by the list's purpose)."""
        byte, mask = self._position(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (`value` True) or clear (`value` False) the entry at `index`."""
        byte, mask = self._position(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        """Clear the entry at `index` (e.g. a suspension lifted)."""
        self.set(index, False)

    def count(self) -> int:
        """How many entries are set."""
        return sum(bin(byte).count("1") for byte in self._bits)

    def set_indices(self) -> list[int]:
        """The indices of the entries that are set, ascending."""
        return [
            byte_index * 8 + bit
            for byte_index, byte in enumerate(self._bits)
            if byte
            for bit in range(8)
            if byte & (0x80 >> bit)
        ]

    def encode(self) -> str:
        """The `encodedList`: `u` + base64url (no padding) of the GZIP-compressed bitstring."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        text = base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")
        return MULTIBASE_BASE64URL + text

    @classmethod
    def decode(cls, encoded: str, *, max_bytes: int = MAX_BYTES) -> StatusBitstring:
        """The bitstring of an `encodedList`; StatusListError if it is not a valid one."""
        if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
            raise StatusListError("An encodedList is multibase base64url, starting with 'u'.")
        text = encoded[1:]
        if "=" in text or "+" in text or "/" in text:
            raise StatusListError("An encodedList is base64url without padding.")
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError as error:
            raise StatusListError("The encodedList is not valid base64url.") from error
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container only
        try:
            raw = decompressor.decompress(compressed, max_bytes + 1)
        except zlib.error as error:
            raise StatusListError("The encodedList is not GZIP-compressed.") from error
        if len(raw) > max_bytes:
            raise StatusListError(f"The status list expands beyond {max_bytes} bytes.")
        if not decompressor.eof:
            raise StatusListError("The encodedList's GZIP data is truncated.")
        if len(raw) * 8 < MIN_ENTRIES:
            raise StatusListError(
                f"The status list has {len(raw) * 8} entries, fewer than the minimum "
                f"{MIN_ENTRIES} (STATUS_LIST_LENGTH_ERROR)."
            )
        bitstring = cls.__new__(cls)
        bitstring._bits = bytearray(raw)
        return bitstring


def status_index_draw(*, taken: Collection[int], entries: int = MIN_ENTRIES) -> int:
    """A uniformly random index in [0, entries) that is not in `taken`.

    Raises StatusListError when every index is taken. The caller keeps `taken` (the indices
    already given to credentials on that list) and enforces uniqueness in the database too.
    """
    if len(taken) >= entries // 2:  # crowded: draw among the free indices directly
        free = sorted(set(range(entries)) - set(taken))
        if not free:
            raise StatusListError(f"All {entries} indices of the status list are taken.")
        return free[secrets.randbelow(len(free))]
    while True:
        index = secrets.randbelow(entries)
        if index not in taken:
            return index


def status_list_subject(*, list_id: str, purpose: str, bitstring: StatusBitstring) -> dict:
    """The `credentialSubject` of a BitstringStatusListCredential for `purpose`."""
    if purpose not in PURPOSES:
        raise StatusListError(
            f"The status purpose is one of {', '.join(PURPOSES)}, not {purpose}."
        )
    return {
        "id": list_id,
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": bitstring.encode(),
    }
