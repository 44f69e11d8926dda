"""The Open Badges 3.0 credential of a certificate, and the issuer profiles its proofs point to
(issue "Certificates", point 3).

A certificate's credential is a W3C Verifiable Credential 2.0 of type `OpenBadgeCredential`
(1EdTech "Open Badges Specification v3.0", section "OpenBadgeCredential"). `credential_build`
turns a certificate into the *unsigned* credential; the services sign it with
`certificates.proofs.proof_create` (a proof by the issuer and, for a co-signed certificate, one
by the co-issuer: a proof set).

Decisions
---------
- Only terms defined by the two pinned contexts appear: `proofs.canonical_nquads` refuses any
  other property, since JSON-LD would drop it and it would not be signed.
- Absolute URLs come from `settings.SITE_URL`, never from a request, so a credential signed by a
  worker names the same addresses as one signed in a view.
- The holder is identified by a salted hash of their e-mail address (OB 3.0 `IdentityObject`
  with `hashed` true), the salt random per certificate and stored with it: the credential
  proves who it was issued to to anyone who knows the address, and reveals the address to no one.
- Evidence (practicum work) carries its titles and the sha256 of what was graded, as
  `digestMultibase` (VC 2.0 "Integrity of Related Resources": multibase base64url of the
  sha2-256 multihash) with the hexadecimal digest repeated in the description for people.
- `validFrom` is the issue date at midnight UTC; `validUntil` is added when the achievement
  expires (`valid_for_days` after the issue date).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from django.conf import settings

from .jsonld_loader import OPEN_BADGES_CONTEXT
from .status_list import PURPOSES

MULTIHASH_SHA2_256 = b"\x12\x20"  # multicodec sha2-256, 32-byte digest


def site_url() -> str:
    """The site's absolute base URL, without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def credential_url(code: str) -> str:
    """The credential's id and address: /certificates/<code>/credential.json."""
    return f"{site_url()}/certificates/{code}/credential.json"


def issuer_profile_url(slug: str) -> str:
    """The issuer's profile id and address: /certificates/issuers/<slug>/."""
    return f"{site_url()}/certificates/issuers/{slug}/"


def status_list_url(slug: str, purpose: str) -> str:
    """The address of an issuer's status list credential for `purpose`."""
    return f"{site_url()}/certificates/status/{slug}/{purpose}/"


def verification_method_id(slug: str, key_id: str) -> str:
    """`<issuer profile URL>#<key id>`, the verificationMethod of the issuer's key."""
    return f"{issuer_profile_url(slug)}#{key_id}"


def achievement_url(achievement) -> str:
    """The achievement's id: a stable URI under the site's certificates address."""
    return f"{site_url()}/certificates/achievements/{achievement.pk}/"


def xml_datetime(value: dt.date | dt.datetime) -> str:
    """An XML Schema dateTime in UTC to the second (`2026-05-01T00:00:00Z`); a date is midnight UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    elif value.tzinfo is None:
        raise ValueError("A datetime in a credential must be time-zone aware.")
    return value.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 `identityHash` of an e-mail address: "sha256$" + hex(sha256(address + salt))."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def digest_multibase(hex_digest: str) -> str:
    """VC 2.0 `digestMultibase` of a sha256 digest: `u` + base64url(multihash), no padding."""
    raw = MULTIHASH_SHA2_256 + bytes.fromhex(hex_digest)
    return "u" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def organisation_url(organisation) -> str:
    """The organisation's own website, else its page on this site (in the default language)."""
    if organisation.website:
        return organisation.website
    page = organisation.pages.filter(alias_of__isnull=True).order_by("pk").first()
    parts = page.get_url_parts() if page is not None else None
    return f"{site_url()}{parts[2]}" if parts else f"{site_url()}/"


def issuer_profile_reference(issuer) -> dict:
    """The issuer as a credential names it: a Profile with id, name and url."""
    organisation = issuer.organisation
    return {
        "id": issuer_profile_url(issuer.slug),
        "type": ["Profile"],
        "name": organisation.name_en,
        "url": organisation_url(organisation),
    }


def _alignment(competency) -> dict:
    alignment = {
        "type": ["Alignment"],
        "targetName": competency.name_en,
        "targetUrl": f"{site_url()}/learn/competencies/#{competency.code}",
        "targetCode": competency.code,
    }
    if competency.description_en:
        alignment["targetDescription"] = competency.description_en
    return alignment


def _narrative(achievement) -> str:
    return "\n\n".join(text for text in (achievement.criteria_en, achievement.criteria_zh) if text)


def _evidence(item: dict) -> dict:
    digest = str(item.get("digest", ""))
    algorithm, _sep, hex_digest = digest.partition(":")
    evidence = {"type": ["Evidence"], "name": str(item.get("name", ""))}
    if algorithm == "sha256" and len(hex_digest) == 64:
        evidence["description"] = f"sha256 {hex_digest}"
        evidence["digestMultibase"] = digest_multibase(hex_digest)
    return evidence


def _status_entry(certificate, purpose: str) -> dict:
    index = certificate.revocation_index if purpose == "revocation" else certificate.suspension_index
    list_url = status_list_url(certificate.issuer.slug, purpose)
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def achievement_document(achievement) -> dict:
    """The OB 3.0 `Achievement` as a credential embeds it and as its `id` URL serves it."""
    document = {
        "id": achievement_url(achievement),
        "type": ["Achievement"],
        "name": achievement.name_en,
        "description": achievement.criteria_en,
        "criteria": {"narrative": _narrative(achievement)},
    }
    alignments = [_alignment(competency) for competency in achievement.competencies.all()]
    if alignments:
        document["alignment"] = alignments
    document["achievementType"] = "Certificate"
    return document


def credential_build(certificate) -> dict:
    """The unsigned Open Badges 3.0 credential of `certificate` (a JSON-able dict).

    Reads the certificate's achievement (with its competencies), issuer and holder; pass a
    certificate fetched with those related objects to keep it to one query for competencies.
    """
    achievement = certificate.achievement
    achievement_json = achievement_document(achievement)

    credential = {
        "@context": list(OPEN_BADGES_CONTEXT),
        "id": credential_url(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name_en,
        "issuer": issuer_profile_reference(certificate.issuer),
        "validFrom": xml_datetime(certificate.issued_on),
    }
    if certificate.valid_until:
        credential["validUntil"] = xml_datetime(certificate.valid_until)
    credential["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": identity_hash(certificate.holder.email, certificate.identity_salt),
                "identityType": "emailAddress",
                "salt": certificate.identity_salt,
            }
        ],
        "achievement": achievement_json,
    }
    if certificate.evidence:
        credential["evidence"] = [_evidence(item) for item in certificate.evidence]
    credential["credentialStatus"] = [_status_entry(certificate, purpose) for purpose in PURPOSES]
    return credential


def issuer_profile(issuer, keys) -> dict:
    """The issuer's public profile: a Profile with every key (active and retired) as a Multikey
    verification method, all listed under assertionMethod, so old credentials still verify."""
    methods = [
        {
            "id": verification_method_id(issuer.slug, key.key_id),
            "type": "Multikey",
            "controller": issuer_profile_url(issuer.slug),
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": [*OPEN_BADGES_CONTEXT, "https://w3id.org/security/multikey/v1"],
        **issuer_profile_reference(issuer),
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def public_key_for_method(verification_method: str):
    """The `publicKeyMultibase` of a published key (active or retired) named by its
    verificationMethod `<issuer profile URL>#<key id>`, or None when no such key exists."""
    from .models import SigningKey

    prefix = f"{site_url()}/certificates/issuers/"
    if not isinstance(verification_method, str) or not verification_method.startswith(prefix):
        return None
    slug, _slash, key_id = verification_method[len(prefix):].partition("/#")
    if not slug or not key_id:
        return None
    key = SigningKey.objects.filter(issuer__slug=slug, key_id=key_id).only("public_key_multibase").first()
    return key.public_key_multibase if key is not None else None
