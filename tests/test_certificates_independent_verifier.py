"""An independent verifier (issue "Certificates", "done when"): with nothing but what the site
publishes over HTTP — the credential, the issuers' profiles and their status lists — and the two
pinned JSON-LD contexts, it accepts a co-signed certificate, rejects a changed copy, and sees a
revocation the moment the issuer makes it.

The verifier here shares no code with `certificates`: it canonicalises with PyLD (RDFC-1.0 /
URDNA2015) through a loader holding only the two context files, and checks each
`eddsa-rdfc-2022` proof with `cryptography` as the W3C "Data Integrity EdDSA Cryptosuites v1.0"
spells it (sha256 of the canonical proof options, then of the canonical document without its
proofs; Ed25519 over the two).
"""

import base64
import copy
import gzip
import hashlib
import json
from pathlib import Path

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from pyld import jsonld

from certificates import services
from certificates.factories import issued_certificate
from courses.factories import course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}
CONTEXT_DIR = Path(__file__).resolve().parents[1] / "certificates" / "jsonld"
ED25519_PUB_HEADER = b"\xed\x01"


def pinned_loader(url, options=None):
    if url not in CONTEXTS:
        raise jsonld.JsonLdError(f"not a pinned context: {url}", "loading document failed")
    document = json.loads((CONTEXT_DIR / CONTEXTS[url]).read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def canonical(document) -> bytes:
    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": pinned_loader},
    ).encode("utf-8")


def fetch(client, url):
    """GET one of the site's absolute URLs through the test client (as a verifier would over HTTP)."""
    assert url.startswith(settings.SITE_URL + "/"), url
    response = client.get(url.removeprefix(settings.SITE_URL), HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (url, response.status_code)
    return response.json()


def published_key(client, verification_method) -> Ed25519PublicKey:
    """The key a proof names, read from its controller's published profile (retired keys too)."""
    profile = fetch(client, verification_method.split("#", 1)[0])
    assert verification_method in profile["assertionMethod"]
    [method] = [m for m in profile["verificationMethod"] if m["id"] == verification_method]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z")
    raw = base58.b58decode(method["publicKeyMultibase"][1:])
    assert raw[:2] == ED25519_PUB_HEADER and len(raw) == 34
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def proof_valid(client, document, proof) -> bool:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    options["@context"] = document["@context"]
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-rdfc-2022":
        return False
    digest = hashlib.sha256(canonical(options)).digest() + hashlib.sha256(canonical(unsecured)).digest()
    try:
        published_key(client, proof["verificationMethod"]).verify(base58.b58decode(proof["proofValue"][1:]), digest)
    except InvalidSignature:
        return False
    return True


def status_bit(client, entry) -> bool:
    """The credential's bit on the issuer's signed status list (whose own proof must verify)."""
    status_credential = fetch(client, entry["statusListCredential"])
    [proof] = status_credential["proof"] if isinstance(status_credential["proof"], list) else [status_credential["proof"]]
    assert proof_valid(client, status_credential, proof)
    subject = status_credential["credentialSubject"]
    assert subject["statusPurpose"] == entry["statusPurpose"]
    encoded = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify(client, credential):
    """(every proof valid, the signers' profile ids, revoked?, suspended?)."""
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    valid = all(proof_valid(client, credential, proof) for proof in proofs)
    signers = [proof["verificationMethod"].split("#", 1)[0] for proof in proofs]
    status = {entry["statusPurpose"]: status_bit(client, entry) for entry in credential["credentialStatus"]}
    return valid, signers, status["revocation"], status["suspension"]


@pytest.fixture
def certificate(university_a, enterprise, student):
    course = course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])
    return issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise)


def test_an_independent_verifier_accepts_the_co_signed_credential_and_sees_its_revocation(client, certificate, platform_admin):
    """Both proofs verify with the published keys, the first by the university the credential
    names as issuer, the second by the enterprise; a changed copy fails; after the issuer
    revokes it, the signed list the verifier fetches marks it."""
    url = f"{settings.SITE_URL}/certificates/{certificate.code}/credential.json"
    credential = fetch(client, url)
    valid, signers, revoked, suspended = verify(client, credential)
    assert valid and not revoked and not suspended
    assert signers == [credential["issuer"]["id"], f"{settings.SITE_URL}/certificates/issuers/{certificate.co_issuer.slug}/"]

    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    assert not verify(client, changed)[0]

    services.certificate_revoke(certificate=certificate, reason="Issued in error.", by=platform_admin)
    valid, _signers, revoked, _suspended = verify(client, fetch(client, url))
    assert valid and revoked


def test_an_old_credential_verifies_after_the_issuer_rotates_its_key(client, certificate):
    """The retired key stays published, so a credential it signed still verifies independently."""
    credential = fetch(client, f"{settings.SITE_URL}/certificates/{certificate.code}/credential.json")
    services.signing_key_rotate(issuer=certificate.issuer)
    services.signing_key_rotate(issuer=certificate.co_issuer)
    assert verify(client, credential)[0]
