"""Ed25519 Multikeys and `eddsa-rdfc-2022` Data Integrity proofs, alone or as a proof set
(issue "Certificates", point 3).

Pure: JSON-like dicts and `cryptography` key objects in, dicts and results out; no Django, no
database, no network (JSON-LD contexts come only from `certificates.jsonld_loader`).

What
----
- `public_key_multibase` / `public_key_from_multibase` (and the private-key pair
  `private_key_multibase` / `private_key_from_multibase`): Ed25519 keys as Multikey values,
  `z` + base58btc(multicodec header + 32 key bytes), the header being 0xed01 for `ed25519-pub`
  and 0x8026 for `ed25519-priv` (W3C Controlled Identifiers v1.0, "Multikey"; the multicodec
  table). A public Multikey starts with `z6Mk`.
- `canonical_nquads`: the RDFC-1.0 canonical N-Quads of a JSON-LD document.
- `proof_create`: adds a `DataIntegrityProof` with cryptosuite `eddsa-rdfc-2022`.
- `proof_verify`: checks every proof of a document and says, proof by proof, which verify and
  why the others do not.

The algorithm (W3C "Data Integrity EdDSA Cryptosuites v1.0", section "eddsa-rdfc-2022")
------------------------------------------------------------------------------------------
- Transformation: the unsecured document (the document without `proof`) is canonicalised with
  RDFC-1.0 into canonical N-Quads.
- Proof configuration: the proof options (type, cryptosuite, created, verificationMethod,
  proofPurpose; on verification: the proof without `proofValue`) get the document's
  `@context` and are canonicalised with RDFC-1.0 the same way.
- Hashing: hashData = sha256(canonical proof configuration) || sha256(canonical document),
  64 bytes, the proof configuration's hash first.
- Proof serialization: Ed25519 (pure EdDSA, RFC 8032) signature of hashData, 64 bytes;
  `proofValue` = `z` + base58btc(signature).
- Verify Proof: the same steps from the proof without its `proofValue`; if that proof carries
  its own `@context`, the document's `@context` must start with it, and it replaces the
  document's (step 4 of the spec's algorithm).

Proof sets (W3C "Data Integrity 1.0", sections "Proof Sets", "Add Proof Set/Chain" and
"Verify Proof Sets and Chains"): each proof of a set signs the document *without any proof*,
so the university's and the enterprise's proofs are independent: either can be checked, or
removed, without the other. `proof_create` on a document that already has proofs signs the
document stripped of them and appends the new proof to the list. Proof chains (`previousProof`)
are not produced here, and a proof that names a `previousProof` is reported as unsupported rather
than checked against the wrong data.

Decisions worth knowing
-----------------------
- PyLD implements URDNA2015, which RDFC-1.0 standardised unchanged except for the canonical
  N-Quads escaping of control characters: RDFC-1.0 writes U+0008 and U+000C as `\\b` and `\\f`
  and other C0 characters and U+007F as a `\\u` escape with four hex digits, while PyLD emits them raw. A document whose
  strings hold such a character would therefore hash differently here and in an RDFC-1.0
  verifier, so `canonical_nquads` refuses it (`CanonicalizationError`) instead of signing
  something others cannot verify. Tab, line feed and carriage return are escaped identically.
- "Safe mode" (Data Integrity 1.0, "Context Validation" and the security considerations on
  dropped terms): a property that the pinned contexts do not define would be silently dropped
  by JSON-LD expansion, i.e. not signed, so anyone could add it to a signed credential without
  breaking the proof. PyLD has no safe mode, so `canonical_nquads` raises on any dropped
  property (PyLD's `on_property_dropped` hook): such a document can neither be signed nor
  verified.
- `created` is required when signing (an aware `datetime`, or an XML Schema `dateTimeStamp`
  string) and is written to the second, as in the spec's examples and the test vector,
  unless it has a fraction of a second.
- Adding a second proof by the same `verificationMethod` is refused: a proof set is one proof per
  signer here.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pyld import jsonld

from certificates.jsonld_loader import UnpinnedDocumentError, jsonld_options, loader_error_in

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

ED25519_PUBLIC_HEADER = b"\xed\x01"  # multicodec ed25519-pub (0xed) as an unsigned varint
ED25519_PRIVATE_HEADER = b"\x80\x26"  # multicodec ed25519-priv (0x1300) as an unsigned varint
MULTIBASE_BASE58BTC = "z"

# XML Schema 1.1 dateTimeStamp: a dateTime with a mandatory time zone.
_DATETIME_STAMP = re.compile(
    r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
# C0 controls other than tab, LF and CR, and DEL: escaped differently by PyLD and RDFC-1.0.
_UNPORTABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CanonicalizationError(ValueError):
    """The document cannot be canonicalised portably (see the module docstring)."""


# --- Multikey ------------------------------------------------------------------------------------


def _multibase_decode(value: str, header: bytes, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise ValueError(f"{what} must be a multibase base58btc string starting with 'z'.")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as error:
        raise ValueError(f"{what} is not valid base58btc.") from error
    if len(raw) != len(header) + 32 or not raw.startswith(header):
        raise ValueError(
            f"{what} must be the multicodec header {header.hex()} followed by 32 key bytes."
        )
    return raw[len(header):]


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey `publicKeyMultibase` of an Ed25519 public key (`z6Mk...`)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return MULTIBASE_BASE58BTC + base58.b58encode(ED25519_PUBLIC_HEADER + raw).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey `publicKeyMultibase`; ValueError if it is not one."""
    raw = _multibase_decode(value, ED25519_PUBLIC_HEADER, "publicKeyMultibase")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_multibase(private_key: Ed25519PrivateKey) -> str:
    """The Multikey `secretKeyMultibase` of an Ed25519 private key (its 32-byte seed)."""
    raw = private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return MULTIBASE_BASE58BTC + base58.b58encode(ED25519_PRIVATE_HEADER + raw).decode("ascii")


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a Multikey `secretKeyMultibase`; ValueError if it is not one."""
    raw = _multibase_decode(value, ED25519_PRIVATE_HEADER, "secretKeyMultibase")
    return Ed25519PrivateKey.from_private_bytes(raw)


# --- Canonicalisation and hashing ----------------------------------------------------------------


def _refuse_unportable_strings(value: Any) -> None:
    if isinstance(value, str):
        if _UNPORTABLE_CHARACTERS.search(value):
            raise CanonicalizationError(
                f"The string {value[:40]!r} holds a control character that RDFC-1.0 and PyLD "
                "serialise differently; remove it before signing."
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_unportable_strings(key)
            _refuse_unportable_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _refuse_unportable_strings(item)


def _refuse_dropped_property(expanded_property: str | None) -> None:
    raise CanonicalizationError(
        "A property is not defined by the pinned JSON-LD contexts "
        f"(it expands to {expanded_property!r}); JSON-LD would drop it, so it would not be "
        "signed. Use only terms of the Verifiable Credentials 2.0 and Open Badges 3.0 contexts."
    )


def canonical_nquads(document: Mapping[str, Any]) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document.

    Contexts are read only from the pinned local files; any other context URL raises
    `certificates.jsonld_loader.UnpinnedDocumentError`. Raises `CanonicalizationError` for a
    document that is not portable (undefined terms, control characters) or not JSON-LD.
    """
    _refuse_unportable_strings(document)
    processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped_property)
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", **jsonld_options()}
    try:
        return processor.normalize(copy.deepcopy(dict(document)), options)
    except CanonicalizationError:
        raise
    except jsonld.JsonLdError as error:
        if (cause := loader_error_in(error)) is not None:
            raise cause from error
        if isinstance(dropped := _dropped_in(error), CanonicalizationError):
            raise dropped from error
        raise CanonicalizationError(f"The document is not valid JSON-LD: {error}") from error


def _dropped_in(error: BaseException) -> BaseException | None:
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, CanonicalizationError):
            return current
        current = current.__cause__
    return None


def _hash_data(*, canonical_proof_config: str, canonical_document: str) -> bytes:
    """Hashing (eddsa-rdfc-2022): sha256(proof configuration) || sha256(document)."""
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def _proof_config(options: Mapping[str, Any], context: Any) -> str:
    """Proof Configuration (eddsa-rdfc-2022): the proof options with the document's context."""
    config = {key: value for key, value in options.items() if key != "proofValue"}
    config["@context"] = context
    return canonical_nquads(config)


def _created_value(created: dt.datetime | str) -> str:
    if isinstance(created, dt.datetime):
        if created.tzinfo is None or created.utcoffset() is None:
            raise ValueError("created must be a time-zone-aware datetime.")
        utc = created.astimezone(dt.UTC)
        timespec = "seconds" if utc.microsecond == 0 else "microseconds"
        return utc.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
    if isinstance(created, str) and _DATETIME_STAMP.fullmatch(created):
        return created
    raise ValueError(
        "created must be an aware datetime or an XML Schema dateTimeStamp string "
        "such as '2010-01-01T19:23:24Z'."
    )


def _proofs_of(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


# --- Create --------------------------------------------------------------------------------------


def proof_create(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return a copy of `document` with an `eddsa-rdfc-2022` DataIntegrityProof added.

    The proof signs the document without any existing proof (a proof set): with no proof yet,
    `proof` becomes the new proof object; with one or more, `proof` becomes the list of the
    existing proofs followed by the new one. The input is not modified.
    """
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ValueError("The document must be a JSON-LD object with an @context.")
    if not isinstance(verification_method, str) or not verification_method:
        raise ValueError("verification_method must be a non-empty URL.")
    existing = _proofs_of(document)
    for proof in existing:
        if isinstance(proof, Mapping) and proof.get("verificationMethod") == verification_method:
            raise ValueError(
                f"The document already has a proof by {verification_method}; "
                "a proof set holds one proof per signer."
            )

    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {
        "type": PROOF_TYPE,
        "created": _created_value(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    hash_data = _hash_data(
        canonical_proof_config=_proof_config(options, unsecured["@context"]),
        canonical_document=canonical_nquads(unsecured),
    )
    signature = private_key.sign(hash_data)
    proof = {**options, "proofValue": MULTIBASE_BASE58BTC + base58.b58encode(signature).decode()}

    secured = copy.deepcopy(unsecured)
    secured["proof"] = [*copy.deepcopy(existing), proof] if existing else proof
    return secured


# --- Verify --------------------------------------------------------------------------------------


class ProofFailure(StrEnum):
    """Why a proof does not verify (stable codes a page can translate)."""

    MALFORMED = "malformed"  # not an object, or a required member is missing
    UNSUPPORTED_SUITE = "unsupported_suite"  # not DataIntegrityProof with eddsa-rdfc-2022
    UNSUPPORTED_CHAIN = "unsupported_chain"  # names a previousProof (chains are not supported)
    WRONG_PURPOSE = "wrong_purpose"  # proofPurpose is not the expected one
    INVALID_CREATED = "invalid_created"  # created is not an XML Schema dateTimeStamp
    CONTEXT_MISMATCH = "context_mismatch"  # the proof's @context does not begin the document's
    UNKNOWN_KEY = "unknown_key"  # resolve_key knows no key for the verificationMethod
    INVALID_PROOF_VALUE = "invalid_proof_value"  # not z + base58btc of 64 bytes
    CANONICALIZATION = "canonicalization"  # the document or proof cannot be canonicalised
    UNPINNED_CONTEXT = "unpinned_context"  # it names a context other than the pinned ones
    BAD_SIGNATURE = "bad_signature"  # the signature does not match (changed document or wrong key)


@dataclass(frozen=True)
class ProofCheck:
    """The outcome for one proof of a document: `failure` is None when it verifies."""

    index: int
    verification_method: str | None
    failure: ProofFailure | None
    detail: str = ""

    @property
    def verified(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class VerificationResult:
    """The outcome for a whole document: one `ProofCheck` per proof, in document order.

    `verified` is true only when the document has at least one proof and every proof verifies
    (Data Integrity 1.0, "Verify Proof Sets and Chains": all proofs of a set must verify).
    `error` explains a document-level failure (no proof, not a JSON object).
    """

    checks: tuple[ProofCheck, ...]
    error: str = ""

    @property
    def verified(self) -> bool:
        return not self.error and bool(self.checks) and all(c.verified for c in self.checks)

    @property
    def verified_methods(self) -> tuple[str, ...]:
        """The verificationMethod of every proof that verifies."""
        return tuple(c.verification_method for c in self.checks if c.verified)

    def check_for(self, verification_method: str) -> ProofCheck | None:
        """The check of the proof by `verification_method`, or None if there is none."""
        return next(
            (c for c in self.checks if c.verification_method == verification_method), None
        )


KeyResolver = Callable[[str], "Ed25519PublicKey | str | None"]


def proof_verify(
    document: Mapping[str, Any],
    *,
    resolve_key: KeyResolver,
    expected_proof_purpose: str = "assertionMethod",
) -> VerificationResult:
    """Check every `eddsa-rdfc-2022` proof of `document`.

    `resolve_key(verification_method)` returns the signer's Ed25519 public key (a key object or
    its `publicKeyMultibase`) or None when the method is unknown; the caller decides which
    methods it trusts (e.g. those the issuer profile lists under `assertionMethod`, retired keys
    included). Every proof is checked against the document without any proof, as proof sets
    require, so the result says for each proof whether it verifies and, if not, why.
    """
    if not isinstance(document, Mapping):
        return VerificationResult(checks=(), error="The document is not a JSON object.")
    proofs = _proofs_of(document)
    if not proofs:
        return VerificationResult(checks=(), error="The document has no proof.")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    canonical_cache: dict[str, str | Exception] = {}
    checks = tuple(
        _check_proof(
            index,
            proof,
            unsecured=unsecured,
            resolve_key=resolve_key,
            expected_proof_purpose=expected_proof_purpose,
            canonical_cache=canonical_cache,
        )
        for index, proof in enumerate(proofs)
    )
    return VerificationResult(checks=checks)


def _check_proof(
    index: int,
    proof: Any,
    *,
    unsecured: dict[str, Any],
    resolve_key: KeyResolver,
    expected_proof_purpose: str,
    canonical_cache: dict[str, str | Exception],
) -> ProofCheck:
    method = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    method = method if isinstance(method, str) else None

    def failed(failure: ProofFailure, detail: str) -> ProofCheck:
        return ProofCheck(index=index, verification_method=method, failure=failure, detail=detail)

    if not isinstance(proof, Mapping):
        return failed(ProofFailure.MALFORMED, "The proof is not a JSON object.")
    missing = [
        key
        for key in ("type", "verificationMethod", "proofPurpose", "proofValue")
        if not isinstance(proof.get(key), str) or not proof.get(key)
    ]
    if missing:
        return failed(ProofFailure.MALFORMED, f"The proof lacks {', '.join(missing)}.")
    if proof["type"] != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return failed(
            ProofFailure.UNSUPPORTED_SUITE,
            f"Only {PROOF_TYPE} with cryptosuite {CRYPTOSUITE} is supported, "
            f"not {proof['type']} / {proof.get('cryptosuite')}.",
        )
    if "previousProof" in proof:
        return failed(ProofFailure.UNSUPPORTED_CHAIN, "Proof chains are not supported.")
    if proof["proofPurpose"] != expected_proof_purpose:
        return failed(
            ProofFailure.WRONG_PURPOSE,
            f"The proof purpose is {proof['proofPurpose']}, not {expected_proof_purpose}.",
        )
    if "created" in proof and not (
        isinstance(proof["created"], str) and _DATETIME_STAMP.fullmatch(proof["created"])
    ):
        return failed(ProofFailure.INVALID_CREATED, "created is not an XML Schema dateTimeStamp.")

    document = unsecured
    if "@context" in proof:
        proof_context = proof["@context"]
        proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
        document_context = unsecured.get("@context")
        document_list = (
            document_context if isinstance(document_context, list) else [document_context]
        )
        if document_list[: len(proof_list)] != proof_list:
            return failed(
                ProofFailure.CONTEXT_MISMATCH,
                "The document's @context does not start with the proof's @context.",
            )
        document = {**unsecured, "@context": proof_context}

    try:
        signature = base58.b58decode(proof["proofValue"][1:])
    except ValueError:
        signature = b""
    if not proof["proofValue"].startswith(MULTIBASE_BASE58BTC) or len(signature) != 64:
        return failed(
            ProofFailure.INVALID_PROOF_VALUE,
            "proofValue must be 'z' followed by the base58btc of a 64-byte signature.",
        )

    key = resolve_key(method)
    if isinstance(key, str):
        try:
            key = public_key_from_multibase(key)
        except ValueError as error:
            return failed(ProofFailure.UNKNOWN_KEY, str(error))
    if key is None:
        return failed(ProofFailure.UNKNOWN_KEY, f"No public key is known for {method}.")

    try:
        canonical_document = _canonical_cached(document, canonical_cache)
        canonical_config = _proof_config(proof, document.get("@context"))
    except CanonicalizationError as error:
        return failed(ProofFailure.CANONICALIZATION, str(error))
    except UnpinnedDocumentError as error:
        return failed(ProofFailure.UNPINNED_CONTEXT, str(error))

    hash_data = _hash_data(
        canonical_proof_config=canonical_config, canonical_document=canonical_document
    )
    try:
        key.verify(signature, hash_data)
    except InvalidSignature:
        return failed(
            ProofFailure.BAD_SIGNATURE,
            "The signature does not match: the document was changed after signing, "
            "or it was signed with another key.",
        )
    return ProofCheck(index=index, verification_method=method, failure=None)


def _canonical_cached(document: dict[str, Any], cache: dict[str, str | Exception]) -> str:
    """Canonicalise the unsecured document once per distinct @context within one verification.

    A refused context URL is remembered like a canonicalisation error; a changed pinned file
    (`PinnedFileChangedError`) propagates: it is the server's fault, not the document's.
    """
    key = repr(document.get("@context"))
    if key not in cache:
        try:
            cache[key] = canonical_nquads(document)
        except (CanonicalizationError, UnpinnedDocumentError) as error:
            cache[key] = error
    result = cache[key]
    if isinstance(result, Exception):
        raise result
    return result


def proofs_without(document: Mapping[str, Any], *, keep: Iterable[str]) -> dict[str, Any]:
    """A copy of `document` keeping only the proofs whose verificationMethod is in `keep`.

    In a proof set every proof signs the document without proofs, so any subset of the proofs
    still verifies: a verifier can check one co-signer's proof on its own.
    """
    wanted = set(keep)
    kept = [
        proof
        for proof in _proofs_of(document)
        if isinstance(proof, Mapping) and proof.get("verificationMethod") in wanted
    ]
    result = {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}
    if kept:
        result["proof"] = copy.deepcopy(kept[0] if len(kept) == 1 else kept)
    return result
