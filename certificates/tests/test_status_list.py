"""Bitstring Status Lists (issue "Certificates", point 4): at least 131,072 entries, the spec's bit
order, GZIP + multibase base64url encoding, and refusal of indices and lists that are out of
bounds. Pure: no database."""

import base64
import gzip
import re

import pytest
from hypothesis import given, strategies as st

from certificates.status_list import (
    MIN_ENTRIES,
    StatusBitstring,
    StatusListError,
    status_index_draw,
    status_list_subject,
)

# The encodedList of an all-clear 131,072-entry list in the spec's examples
# (W3C Bitstring Status List v1.0, section "BitstringStatusListCredential").
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def _bytes_of(encoded: str) -> bytes:
    """Decode an encodedList independently of the module: strip 'u', base64url, gunzip."""
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_new_list_has_the_minimum_entries_all_clear():
    """A new list holds 131,072 entries (16 KB), none set."""
    bitstring = StatusBitstring()
    assert MIN_ENTRIES == 131_072
    assert len(bitstring) == 131_072
    assert len(bitstring.as_bytes()) == 16_384
    assert bitstring.count() == 0
    assert not bitstring.get(0) and not bitstring.get(131_071)


def test_larger_lists_allowed():
    """A list may be longer than the minimum."""
    assert len(StatusBitstring(MIN_ENTRIES * 2)) == 262_144


@pytest.mark.parametrize("entries", [0, 8, MIN_ENTRIES - 8, MIN_ENTRIES + 1])
def test_too_short_or_ragged_list_refused(entries):
    """Fewer than 131,072 entries, or a number that is not whole bytes, is refused."""
    with pytest.raises(StatusListError):
        StatusBitstring(entries)


def test_encoded_prefix_alphabet_and_length():
    """The encodedList is 'u' + unpadded base64url of the GZIP bytes, and short when sparse."""
    bitstring = StatusBitstring()
    for index in (0, 5, 4_242, 100_000, MIN_ENTRIES - 1):
        bitstring.set(index)
    encoded = bitstring.encode()
    assert encoded.startswith("u")
    assert re.fullmatch(r"u[A-Za-z0-9_-]+", encoded)
    assert len(encoded) < 200
    assert len(StatusBitstring().encode()) == len(SPEC_EXAMPLE)
    assert _bytes_of(encoded) == bitstring.as_bytes()


def test_encoding_is_deterministic():
    """The same bits always encode to the same string (GZIP with a zero mtime)."""
    first, second = StatusBitstring(), StatusBitstring()
    first.set(77)
    second.set(77)
    assert first.encode() == second.encode()


def test_spec_example_decodes():
    """The spec's example encodedList decodes to 131,072 clear entries."""
    bitstring = StatusBitstring.decode(SPEC_EXAMPLE)
    assert len(bitstring) == MIN_ENTRIES
    assert bitstring.count() == 0
    assert bitstring == StatusBitstring()


@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=64))
def test_round_trip(indices):
    """Encoding then decoding gives back exactly the entries that were set."""
    bitstring = StatusBitstring()
    for index in indices:
        bitstring.set(index)
    decoded = StatusBitstring.decode(bitstring.encode())
    assert decoded == bitstring
    assert decoded.set_indices() == sorted(indices)
    assert all(decoded.get(index) for index in indices)


@pytest.mark.parametrize(
    ("index", "byte", "value"),
    [(0, 0, 0x80), (1, 0, 0x40), (7, 0, 0x01), (8, 1, 0x80), (MIN_ENTRIES - 1, 16_383, 0x01)],
)
def test_bit_order(index, byte, value):
    """Index 0 is the left-most bit of the first byte (the spec's bit order)."""
    bitstring = StatusBitstring()
    bitstring.set(index)
    raw = _bytes_of(bitstring.encode())
    assert raw[byte] == value
    assert sum(raw) == value


def test_set_and_clear():
    """Setting flips only that entry; clearing (a suspension lifted) flips it back."""
    bitstring = StatusBitstring()
    bitstring.set(9)
    bitstring.set(10)
    assert bitstring.get(9) and bitstring.get(10) and not bitstring.get(8)
    bitstring.clear(9)
    assert not bitstring.get(9) and bitstring.get(10)
    bitstring.set(10, False)
    assert bitstring == StatusBitstring()


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, MIN_ENTRIES + 8, True, "3", 1.0])
def test_index_out_of_range_refused(index):
    """An index outside [0, entries) or not an int is refused for reading and writing."""
    bitstring = StatusBitstring()
    with pytest.raises(StatusListError):
        bitstring.get(index)
    with pytest.raises(StatusListError):
        bitstring.set(index)


def _encoded(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize(
    "encoded",
    [
        SPEC_EXAMPLE[1:],  # no multibase prefix
        "z" + SPEC_EXAMPLE[1:],  # another multibase
        SPEC_EXAMPLE + "==",  # padded
        "u" + SPEC_EXAMPLE[1:20] + "+/" + SPEC_EXAMPLE[20:],  # the base64 (not url) alphabet
        "u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="),
        _encoded(bytes(16_383)),  # one byte short of 131,072 entries
        _encoded(bytes(16_384))[:-6],  # truncated
        None,
    ],
    ids=["no-prefix", "base58", "padding", "base64", "not-gzip", "short", "truncated", "none"],
)
def test_bad_encoded_list_refused(encoded):
    """An encodedList that is not u + base64url(GZIP(≥16 KB)) is refused."""
    with pytest.raises(StatusListError):
        StatusBitstring.decode(encoded)


def test_compression_bomb_refused():
    """A list expanding beyond the limit is refused without expanding it all."""
    encoded = _encoded(bytes(4 * 16_384))
    assert len(StatusBitstring.decode(encoded)) == 4 * MIN_ENTRIES
    with pytest.raises(StatusListError, match="expands beyond"):
        StatusBitstring.decode(encoded, max_bytes=2 * 16_384)


def test_index_draw_avoids_taken_indices():
    """A drawn index is in range and not already given to another credential."""
    taken = set(range(0, MIN_ENTRIES, 2))  # every even index: the crowded path
    for _ in range(10):
        index = status_index_draw(taken=taken)
        assert 0 <= index < MIN_ENTRIES and index % 2 == 1
    drawn = {status_index_draw(taken=set()) for _ in range(20)}
    assert len(drawn) > 1  # random, not sequential


def test_index_draw_refuses_a_full_list():
    """When every index is taken there is nothing to draw."""
    with pytest.raises(StatusListError, match="taken"):
        status_index_draw(taken=set(range(MIN_ENTRIES)))


def test_status_list_subject():
    """The credentialSubject names the purpose and carries the encodedList; other purposes are
    refused."""
    bitstring = StatusBitstring()
    bitstring.set(3)
    subject = status_list_subject(
        list_id="https://academy.example/certificates/status/fudan/revocation/#list",
        purpose="revocation",
        bitstring=bitstring,
    )
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert StatusBitstring.decode(subject["encodedList"]).get(3)
    with pytest.raises(StatusListError):
        status_list_subject(list_id="x", purpose="message", bitstring=bitstring)
