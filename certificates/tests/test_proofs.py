"""Ed25519 Multikeys and eddsa-rdfc-2022 Data Integrity proofs (issue "Certificates", point 3):
the Open Badges 3.0 test vector reproduced bit for bit, changed copies rejected, proof sets of two
signers, wrong and unknown keys, and canonicalisation that only ever reads the pinned contexts.
Pure: no database."""

import copy
import datetime as dt
import json
import socket
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import jsonld_loader
from certificates.jsonld_loader import (
    OPEN_BADGES_CONTEXT,
    PINNED_CONTEXTS,
    PinnedFileChangedError,
    UnpinnedDocumentError,
    document_loader,
    pinned_document,
)
from certificates.proofs import (
    CanonicalizationError,
    ProofFailure,
    canonical_nquads,
    private_key_from_multibase,
    private_key_multibase,
    proof_create,
    proof_verify,
    proofs_without,
    public_key_from_multibase,
    public_key_multibase,
)

JSONLD_DIR = Path(jsonld_loader.__file__).resolve().parent / "jsonld"

# From certificates/jsonld/README.md (the Open Badges 3.0 implementation guide's vector).
VECTOR_PRIVATE_KEY_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
VECTOR_PUBLIC_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VECTOR_CREATED = "2010-01-01T19:23:24Z"
VECTOR_PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)
VECTOR_METHOD = f"https://example.edu/issuers/565049#{VECTOR_PUBLIC_MULTIKEY}"

UNIVERSITY_METHOD = "https://academy.example/certificates/issuers/fudan/#key-1"
ENTERPRISE_METHOD = "https://academy.example/certificates/issuers/yiwu-trading/#key-1"
CREATED = dt.datetime(2025, 6, 30, 9, 0, tzinfo=dt.UTC)


def _signed_vector() -> dict:
    return json.loads((JSONLD_DIR / "ob3-test-vector-signed.json").read_text())


def _unsigned_vector() -> dict:
    document = _signed_vector()
    del document["proof"]
    return document


def _vector_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR_PRIVATE_KEY_HEX))


def _resolver(keys: dict):
    """resolve_key for a verifier that knows exactly `keys` (method -> public key)."""
    return lambda method: keys.get(method)


@pytest.fixture(scope="module")
def university_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def enterprise_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def co_signed(university_key, enterprise_key):
    """The vector's credential signed by the university, then co-signed by the enterprise."""
    once = proof_create(
        _unsigned_vector(),
        private_key=university_key,
        verification_method=UNIVERSITY_METHOD,
        created=CREATED,
    )
    return proof_create(
        once, private_key=enterprise_key, verification_method=ENTERPRISE_METHOD, created=CREATED
    )


@pytest.fixture(scope="module")
def both_keys(university_key, enterprise_key):
    return _resolver(
        {
            UNIVERSITY_METHOD: university_key.public_key(),
            ENTERPRISE_METHOD: enterprise_key.public_key(),
        }
    )


# --- The official test vector ----------------------------------------------------------------


def test_vector_public_multikey():
    """The vector's private key gives the vector's public Multikey."""
    assert public_key_multibase(_vector_key().public_key()) == VECTOR_PUBLIC_MULTIKEY


def test_vector_reproduced_bit_for_bit():
    """Re-signing the unsigned vector (its key, method, time, purpose) gives its proofValue."""
    signed = proof_create(
        _unsigned_vector(),
        private_key=_vector_key(),
        verification_method=VECTOR_METHOD,
        created=VECTOR_CREATED,
        proof_purpose="assertionMethod",
    )
    assert signed["proof"]["proofValue"] == VECTOR_PROOF_VALUE
    assert signed == _signed_vector()


def test_vector_reproduced_from_a_datetime():
    """`created` as an aware datetime is written like the vector's, to the second in UTC."""
    created = dt.datetime(2010, 1, 2, 3, 23, 24, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    signed = proof_create(
        _unsigned_vector(),
        private_key=_vector_key(),
        verification_method=VECTOR_METHOD,
        created=created,
    )
    assert signed["proof"]["created"] == VECTOR_CREATED
    assert signed["proof"]["proofValue"] == VECTOR_PROOF_VALUE


def test_vector_verifies_as_published():
    """The published vector verifies with nothing but its public Multikey."""
    result = proof_verify(
        _signed_vector(), resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    )
    assert result.verified
    assert result.verified_methods == (VECTOR_METHOD,)
    assert result.checks[0].failure is None


def test_vector_canonicalisation_time():
    """Canonicalising the vector takes milliseconds (contexts parsed once, from local files)."""
    started = time.perf_counter()
    canonical_nquads(_unsigned_vector())
    elapsed = time.perf_counter() - started
    print(f"canonicalisation of the test vector: {elapsed * 1000:.1f} ms")
    assert elapsed < 1.0


def _set(path, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


CHANGES = {
    "name": _set(["name"], "Teamwork Badge (Gold)"),
    "issuer id": _set(["issuer", "id"], "https://evil.example/issuers/1"),
    "issuer name": _set(["issuer", "name"], "Example Corp."),
    "validFrom": _set(["validFrom"], "2009-01-01T00:00:00Z"),
    "subject id": _set(["credentialSubject", "id"], "did:example:someone-else"),
    "achievement name": _set(["credentialSubject", "achievement", "name"], "Leadership"),
    "criteria": _set(["credentialSubject", "achievement", "criteria", "narrative"], "Anyone."),
    "added type": _set(["type"], ["VerifiableCredential", "OpenBadgeCredential", "Achievement"]),
    "added validUntil": _set(["validUntil"], "2030-01-01T00:00:00Z"),
    "proof created": _set(["proof", "created"], "2010-01-01T19:23:25Z"),
    "proof signature": _set(["proof", "proofValue"], VECTOR_PROOF_VALUE[:-2] + "rC"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_changed_copy_rejected(change):
    """Changing any field of the signed vector, or of its proof, breaks the signature."""
    document = _signed_vector()
    change(document)
    result = proof_verify(
        document, resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    )
    assert not result.verified
    assert result.checks[0].failure is ProofFailure.BAD_SIGNATURE


def test_changed_verification_method_rejected():
    """The signature covers the verificationMethod: pointing it elsewhere breaks it, even when the
    verifier would hand out the same key for the other method."""
    document = _signed_vector()
    document["proof"]["verificationMethod"] = "https://evil.example/issuers/1#key"
    same_key_everywhere = lambda method: VECTOR_PUBLIC_MULTIKEY  # noqa: E731
    result = proof_verify(document, resolve_key=same_key_everywhere)
    assert result.checks[0].failure is ProofFailure.BAD_SIGNATURE


def test_undefined_property_rejected():
    """A property the pinned contexts do not define (which JSON-LD would drop, leaving it unsigned)
    makes the credential fail instead of verifying with an unsigned claim."""
    document = _signed_vector()
    document["credentialSubject"]["grade"] = "A+"
    result = proof_verify(
        document, resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    )
    assert result.checks[0].failure is ProofFailure.CANONICALIZATION
    with pytest.raises(CanonicalizationError, match="not defined by the pinned"):
        proof_create(
            {k: v for k, v in document.items() if k != "proof"},
            private_key=_vector_key(),
            verification_method=VECTOR_METHOD,
            created=VECTOR_CREATED,
        )


def test_unportable_control_character_refused():
    """A string holding a control character that RDFC-1.0 escapes unlike PyLD cannot be signed."""
    document = _unsigned_vector()
    document["name"] = "Teamwork\x0bBadge"
    with pytest.raises(CanonicalizationError, match="control character"):
        proof_create(
            document,
            private_key=_vector_key(),
            verification_method=VECTOR_METHOD,
            created=VECTOR_CREATED,
        )


def test_wrong_purpose_rejected():
    """A proof made for another purpose does not count as an assertion by the issuer."""
    document = _signed_vector()
    result = proof_verify(
        document,
        resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY}),
        expected_proof_purpose="authentication",
    )
    assert result.checks[0].failure is ProofFailure.WRONG_PURPOSE


@pytest.mark.parametrize(
    ("proof", "failure"),
    [
        ("not an object", ProofFailure.MALFORMED),
        ({"type": "DataIntegrityProof"}, ProofFailure.MALFORMED),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, ProofFailure.UNSUPPORTED_SUITE),
        ({"type": "Ed25519Signature2020"}, ProofFailure.UNSUPPORTED_SUITE),
        ({"previousProof": "urn:uuid:1"}, ProofFailure.UNSUPPORTED_CHAIN),
        ({"created": "2010-01-01 19:23:24"}, ProofFailure.INVALID_CREATED),
        ({"proofValue": "u" + VECTOR_PROOF_VALUE[1:]}, ProofFailure.INVALID_PROOF_VALUE),
        ({"proofValue": VECTOR_PROOF_VALUE[:45]}, ProofFailure.INVALID_PROOF_VALUE),
        ({"@context": ["https://example.com/other"]}, ProofFailure.CONTEXT_MISMATCH),
    ],
    ids=[
        "not-object",
        "missing-members",
        "other-suite",
        "other-type",
        "chain",
        "created",
        "multibase",
        "short-signature",
        "proof-context",
    ],
)
def test_malformed_proof_rejected(proof, failure):
    """A proof that is malformed or of an unsupported kind fails with a reason, without raising."""
    document = _signed_vector()
    if isinstance(proof, dict):
        if proof == {"type": "DataIntegrityProof"}:
            document["proof"] = proof
        else:
            document["proof"].update(proof)
    else:
        document["proof"] = proof
    result = proof_verify(
        document, resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    )
    assert not result.verified
    assert result.checks[0].failure is failure
    assert result.checks[0].detail


def test_proof_context_that_prefixes_the_document_verifies():
    """A proof carrying the document's own @context (Verify Proof, step 4) still verifies."""
    document = _signed_vector()
    document["proof"]["@context"] = list(OPEN_BADGES_CONTEXT)
    result = proof_verify(
        document, resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    )
    assert result.verified


def test_document_without_proof_not_verified():
    """A document without a proof, or that is not an object, is not verified and says why."""
    assert proof_verify(_unsigned_vector(), resolve_key=_resolver({})).error
    assert not proof_verify(_unsigned_vector(), resolve_key=_resolver({})).verified
    assert not proof_verify([], resolve_key=_resolver({})).verified


# --- Proof sets ------------------------------------------------------------------------------


def test_proof_set_of_two_keys_verifies(co_signed, both_keys):
    """A credential signed by the university and co-signed by the enterprise holds both proofs
    in a list, and both verify."""
    assert [p["verificationMethod"] for p in co_signed["proof"]] == [
        UNIVERSITY_METHOD,
        ENTERPRISE_METHOD,
    ]
    result = proof_verify(co_signed, resolve_key=both_keys)
    assert result.verified
    assert result.verified_methods == (UNIVERSITY_METHOD, ENTERPRISE_METHOD)


def test_proof_set_each_proof_checkable_alone(co_signed, both_keys):
    """Each proof of the set signs the document without proofs, so either proof verifies alone."""
    for method in (UNIVERSITY_METHOD, ENTERPRISE_METHOD):
        alone = proofs_without(co_signed, keep=[method])
        assert isinstance(alone["proof"], dict)
        result = proof_verify(alone, resolve_key=both_keys)
        assert result.verified
        assert result.verified_methods == (method,)


def test_co_signature_independent_of_first_proof(co_signed, enterprise_key):
    """The co-signer's proof is the very proof it would make on the unsigned credential: the
    first proof is not part of what it signs (Ed25519 is deterministic)."""
    alone = proof_create(
        _unsigned_vector(),
        private_key=enterprise_key,
        verification_method=ENTERPRISE_METHOD,
        created=CREATED,
    )
    assert co_signed["proof"][1] == alone["proof"]


def test_proof_set_tampering_breaks_both(co_signed, both_keys):
    """A changed co-signed credential fails both proofs."""
    changed = copy.deepcopy(co_signed)
    changed["issuer"]["id"] = "https://evil.example/issuers/1"
    result = proof_verify(changed, resolve_key=both_keys)
    assert not result.verified
    assert [c.failure for c in result.checks] == [ProofFailure.BAD_SIGNATURE] * 2


def test_proof_set_reports_which_proof_fails(co_signed, university_key):
    """When the verifier does not know the co-signer's key, the result names the proof that
    verifies and the one that does not, and why."""
    result = proof_verify(
        co_signed, resolve_key=_resolver({UNIVERSITY_METHOD: university_key.public_key()})
    )
    assert not result.verified
    assert result.check_for(UNIVERSITY_METHOD).verified
    assert result.check_for(ENTERPRISE_METHOD).failure is ProofFailure.UNKNOWN_KEY
    assert result.verified_methods == (UNIVERSITY_METHOD,)


def test_same_signer_twice_refused(co_signed, university_key):
    """A signer cannot add a second proof to a set it already signed."""
    with pytest.raises(ValueError, match="already has a proof"):
        proof_create(
            co_signed,
            private_key=university_key,
            verification_method=UNIVERSITY_METHOD,
            created=CREATED,
        )


def test_proof_create_leaves_input_unchanged(university_key):
    """Signing returns a new document; the input keeps no proof."""
    document = _unsigned_vector()
    proof_create(
        document,
        private_key=university_key,
        verification_method=UNIVERSITY_METHOD,
        created=CREATED,
    )
    assert document == _unsigned_vector()


# --- Keys ------------------------------------------------------------------------------------


def test_wrong_key_rejected(university_key):
    """A proof checked against another key than the signer's does not verify."""
    signed = proof_create(
        _unsigned_vector(),
        private_key=university_key,
        verification_method=UNIVERSITY_METHOD,
        created=CREATED,
    )
    impostor = Ed25519PrivateKey.generate().public_key()
    result = proof_verify(signed, resolve_key=_resolver({UNIVERSITY_METHOD: impostor}))
    assert result.checks[0].failure is ProofFailure.BAD_SIGNATURE


def test_unknown_key_rejected(university_key):
    """A proof whose verificationMethod the verifier does not know does not verify."""
    signed = proof_create(
        _unsigned_vector(),
        private_key=university_key,
        verification_method=UNIVERSITY_METHOD,
        created=CREATED,
    )
    result = proof_verify(signed, resolve_key=_resolver({}))
    assert result.checks[0].failure is ProofFailure.UNKNOWN_KEY


def test_public_key_multibase_round_trip():
    """An Ed25519 public key survives publicKeyMultibase (z6Mk…, 0xed01 header) and back."""
    key = Ed25519PrivateKey.generate().public_key()
    value = public_key_multibase(key)
    assert value.startswith("z6Mk")
    assert len(value) == 48
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    assert public_key_from_multibase(value).public_bytes(*raw) == key.public_bytes(*raw)


def test_private_key_multibase_round_trip():
    """An Ed25519 private key survives secretKeyMultibase (0x8026 header) and back."""
    key = Ed25519PrivateKey.generate()
    value = private_key_multibase(key)
    assert value.startswith("z3u2")
    restored = private_key_from_multibase(value)
    assert public_key_multibase(restored.public_key()) == public_key_multibase(key.public_key())


@pytest.mark.parametrize(
    "value",
    [
        "",
        "u6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",  # not base58btc
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hw",  # one character short
        "z0OIl",  # not base58 at all
        None,
    ],
)
def test_public_key_multibase_refuses_garbage(value):
    """Anything but z + base58btc(0xed01 + 32 bytes) is refused with ValueError."""
    with pytest.raises(ValueError):
        public_key_from_multibase(value)


def test_private_multikey_is_not_a_public_one():
    """A secretKeyMultibase is refused where a publicKeyMultibase is expected."""
    with pytest.raises(ValueError, match="ed01"):
        public_key_from_multibase(private_key_multibase(_vector_key()))


@pytest.mark.parametrize(
    "created", [dt.datetime(2025, 6, 30, 9, 0), "2025-06-30", "2025-06-30T09:00:00", "yesterday"]
)
def test_created_must_be_an_aware_time(created, university_key):
    """`created` without a time zone is refused."""
    with pytest.raises(ValueError, match="created"):
        proof_create(
            _unsigned_vector(),
            private_key=university_key,
            verification_method=UNIVERSITY_METHOD,
            created=created,
        )


# --- The pinned contexts, and no network ---------------------------------------------------


def test_loader_serves_exactly_the_pinned_contexts():
    """The loader serves the two pinned contexts from local files."""
    assert set(PINNED_CONTEXTS) == set(OPEN_BADGES_CONTEXT)
    for url in OPEN_BADGES_CONTEXT:
        remote = document_loader(url, {})
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_unknown_url(url):
    """Any URL but the two pinned ones is refused with an error naming it."""
    with pytest.raises(UnpinnedDocumentError, match="Refusing to load") as raised:
        document_loader(url, {})
    assert raised.value.url == url


def test_canonicalisation_refuses_unknown_context():
    """A document naming another context is refused, not fetched."""
    document = _unsigned_vector()
    document["@context"] = [*document["@context"], "https://example.com/extra-context.json"]
    with pytest.raises(UnpinnedDocumentError, match="example.com/extra-context.json"):
        canonical_nquads(document)


def test_verification_refuses_unknown_context():
    """A credential naming another context fails verification with its own reason."""
    document = _signed_vector()
    document["@context"] = [*document["@context"], "https://example.com/extra-context.json"]
    result = proof_verify(
        document, resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    )
    assert result.checks[0].failure is ProofFailure.UNPINNED_CONTEXT


@pytest.fixture
def no_network(monkeypatch):
    """Every socket operation fails, and the loader's caches are empty (so files are read)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the network was touched")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setattr(jsonld_loader, "_documents", {})
    monkeypatch.setattr(jsonld_loader, "_resolved_contexts", {})


def test_sign_and_verify_never_touch_the_network(no_network):
    """Signing and verifying the vector works with every socket refused and cold caches."""
    signed = proof_create(
        _unsigned_vector(),
        private_key=_vector_key(),
        verification_method=VECTOR_METHOD,
        created=VECTOR_CREATED,
    )
    assert signed["proof"]["proofValue"] == VECTOR_PROOF_VALUE
    assert proof_verify(
        signed, resolve_key=_resolver({VECTOR_METHOD: VECTOR_PUBLIC_MULTIKEY})
    ).verified


def test_changed_pinned_file_refused(tmp_path, monkeypatch):
    """A pinned context file edited on disk is refused instead of silently changing signatures."""
    for url, (filename, _sha) in PINNED_CONTEXTS.items():
        (tmp_path / filename).write_bytes((JSONLD_DIR / filename).read_bytes())
    filename = PINNED_CONTEXTS[OPEN_BADGES_CONTEXT[1]][0]
    (tmp_path / filename).write_bytes((JSONLD_DIR / filename).read_bytes() + b"\n")
    monkeypatch.setattr(jsonld_loader, "JSONLD_DIR", tmp_path)
    monkeypatch.setattr(jsonld_loader, "_documents", {})
    monkeypatch.setattr(jsonld_loader, "_resolved_contexts", {})
    assert pinned_document(OPEN_BADGES_CONTEXT[0])
    with pytest.raises(PinnedFileChangedError, match=filename):
        pinned_document(OPEN_BADGES_CONTEXT[1])
    with pytest.raises(PinnedFileChangedError):
        canonical_nquads(_unsigned_vector())


def test_pinned_documents_are_copies():
    """Changing a loaded context cannot change what the next caller gets."""
    first = pinned_document(OPEN_BADGES_CONTEXT[0])
    first["@context"].clear()
    assert pinned_document(OPEN_BADGES_CONTEXT[0])["@context"]
