"""Verifying a certificate as a verifier would: a signed Open Badges 3.0 credential, or a
certificate PDF with the credential attached (issue "Certificates", point 6).

What a verifier learns, check by check
--------------------------------------
`credential_verify(credential)` answers, each as a `Check` with `ok` True (passed), False
(failed) or None (could not be checked, or worth knowing), a message in plain words and details:

- **Is it a credential?** A JSON object of type `VerifiableCredential` + `OpenBadgeCredential`.
- **The issuer**: `issuer.id` names one of this site's issuer profiles, and the *first* proof is
  by a key of that profile (its `controller`), so a credential that claims our issuer but was
  signed by someone else's key fails even when that signature is itself valid.
- **Each proof** (`certificates.proofs.proof_verify`, W3C "Data Integrity EdDSA Cryptosuites
  v1.0", eddsa-rdfc-2022): who signed, with which key, valid or not. Keys are resolved only from
  the published `SigningKey` rows (the same keys as the issuer profiles at
  `/certificates/issuers/<slug>/`, retired keys included, so a proof by a retired key still
  verifies); a verificationMethod naming any other key fails. Canonicalisation reads only the two
  pinned JSON-LD contexts (`certificates.jsonld_loader`).
- **The signers**: for a certificate on record, every issuer that should sign did (the
  university and, for a co-signed certificate, the enterprise); a proof removed from the proof
  set is reported as a missing signature.
- **The record**: the credential's `id` is one of our certificates' credential addresses, and
  whether a newer version replaced it.
- **Status** (W3C "Bitstring Status List v1.0", "Validate Algorithm"): each
  `BitstringStatusListEntry` is read from the issuer's `StatusList` row (the bits the signed list
  at `/certificates/status/<slug>/<purpose>/` publishes); a list this site does not host is
  reported as not checked, never fetched.
- **Validity dates**: `validFrom` and `validUntil` against the clock (VC 2.0, "Validity Period").

`pdf_verify(data)` checks a PDF: whether its SHA-256 is one registered for a certificate
(`Certificate.pdf_sha256`), and the credential attached to it (PDF/A-3 associated file named
`credential.json`), verified as above. `upload_verify(data=...)` decides between the two from the
bytes themselves, never from a file name.

Decisions
---------
- Messages are translated when the check runs (`gettext`), in the language active then: the
  verification page runs them in the visitor's language.
- Facts from the record (the holder's printed name, a revocation's reason) appear in a report only
  when the certificate is not private; a private certificate's report says what the uploaded file
  itself proves, and no more.
- Uploaded JSON is bounded before JSON-LD processing (size, nesting depth, number of members,
  number of proofs): RDF canonicalisation of a crafted graph can be very slow, and a credential is
  a few kilobytes.
- Nothing is stored and nothing is fetched: the verification reads the database only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, pgettext

from . import proofs
from .credentials import site_url
from .models import Certificate, Issuer, SigningKey, StatusList
from .selectors import achievement_name
from .status_list import PURPOSES, StatusBitstring, StatusListError

logger = logging.getLogger(__name__)

CREDENTIAL_ATTACHMENT = "credential.json"
CREDENTIAL_MAX_BYTES = 256 * 1024  # a credential is a few kilobytes; a status list is not uploaded
CREDENTIAL_MAX_DEPTH = 24
CREDENTIAL_MAX_MEMBERS = 2_000
CREDENTIAL_MAX_PROOFS = 8
PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024  # PDF readers accept the header within the first kilobyte

CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
# Open Badges 3.0 also names the type AchievementCredential (an alias of OpenBadgeCredential).
OPEN_BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")


class Topic(StrEnum):
    """What a check is about; the page groups and labels checks by topic."""

    FORMAT = "format"
    ISSUER = "issuer"
    PROOF = "proof"
    SIGNERS = "signers"
    RECORD = "record"
    STATUS = "status"
    VALIDITY = "validity"
    FILE = "file"
    ATTACHMENT = "attachment"


class Outcome(StrEnum):
    """The one-word answer: what the status badge says."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # revoked on the list because a newer version replaced it
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    UNCHECKED = "unchecked"  # genuine, but its status could not be read
    INVALID = "invalid"


def outcome_label(outcome: Outcome) -> str:
    """The badge's words for an outcome, in the active language."""
    return {
        Outcome.VALID: _("Genuine and valid"),
        Outcome.SUSPENDED: _("Suspended"),
        Outcome.REVOKED: _("Revoked"),
        Outcome.SUPERSEDED: _("Replaced by a newer version"),
        Outcome.EXPIRED: _("Expired"),
        Outcome.NOT_YET_VALID: _("Not yet valid"),
        Outcome.UNCHECKED: _("Genuine, status not checked"),
        Outcome.INVALID: _("Not verified"),
    }[Outcome(outcome)]


class UnreadableUpload(ValueError):
    """An uploaded file that is neither a certificate PDF nor a credential; the message says why
    in plain words, in the active language."""


@dataclass(frozen=True)
class Check:
    """One thing verified: `ok` is True when it passed, False when it failed, None when it could
    not be checked or is only worth knowing; `details` are (label, value) pairs."""

    topic: Topic
    ok: bool | None
    message: str
    details: tuple[tuple[str, str], ...] = ()

    @property
    def state(self) -> str:
        """"pass", "fail" or "note", for the page's icons and colours."""
        return {True: "pass", False: "fail", None: "note"}[self.ok]


@dataclass
class CredentialCheck:
    """Everything `credential_verify` found out about one credential."""

    checks: list[Check] = field(default_factory=list)
    is_credential: bool = True
    genuine: bool = False
    certificate: Certificate | None = None  # the certificate on record with this credential's id
    issuer: Issuer | None = None  # the issuer the credential names, when it is one of ours
    signers: list[Issuer] = field(default_factory=list)  # issuers whose proof verified, in order
    revoked: bool = False
    suspended: bool = False
    status_unchecked: bool = False
    expired: bool = False
    not_yet_valid: bool = False
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None

    @property
    def outcome(self) -> Outcome:
        if not self.is_credential or not self.genuine:
            return Outcome.INVALID
        if self.revoked:
            record = self.certificate
            if record is not None and record.superseded and record.status != Certificate.Status.REVOKED:
                return Outcome.SUPERSEDED
            return Outcome.REVOKED
        if self.suspended:
            return Outcome.SUSPENDED
        if self.expired:
            return Outcome.EXPIRED
        if self.not_yet_valid:
            return Outcome.NOT_YET_VALID
        if self.status_unchecked:
            return Outcome.UNCHECKED
        return Outcome.VALID

    @property
    def proof_checks(self) -> list[Check]:
        return [check for check in self.checks if check.topic == Topic.PROOF]

    @property
    def shows_record(self) -> bool:
        """Whether facts from the record (holder's name, a link to its page) may be shown."""
        return self.certificate is not None and self.certificate.visibility != Certificate.Visibility.PRIVATE


@dataclass
class PdfCheck:
    """Everything `pdf_verify` found out about one PDF."""

    sha256: str
    checks: list[Check] = field(default_factory=list)
    certificate: Certificate | None = None  # the certificate this exact PDF was registered for
    credential: CredentialCheck | None = None  # the check of the credential attached to the PDF
    is_pdf: bool = True

    @property
    def genuine(self) -> bool:
        """The file is exactly a PDF we issued and nothing in it failed a check."""
        if not self.is_pdf or self.certificate is None or any(check.ok is False for check in self.checks):
            return False
        return self.credential is None or self.credential.genuine

    @property
    def outcome(self) -> Outcome:
        if not self.genuine:
            return Outcome.INVALID
        if self.credential is not None:
            return self.credential.outcome
        return certificate_outcome(self.certificate)

    @property
    def shows_record(self) -> bool:
        return self.certificate is not None and self.certificate.visibility != Certificate.Visibility.PRIVATE


# --- Names, dates and addresses -------------------------------------------------------------------


def _day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date() if timezone.is_aware(value) else value.date()
    return date_format(value, "DATE_FORMAT")


def certificate_outcome(certificate: Certificate, *, now: dt.datetime | None = None) -> Outcome:
    """What the record says: revoked, suspended, expired or valid (a certificate on record is
    genuine by construction; its page checks its credential too)."""
    if certificate.status == Certificate.Status.REVOKED:
        return Outcome.REVOKED
    if certificate.status == Certificate.Status.SUSPENDED:
        return Outcome.SUSPENDED
    if certificate.superseded:
        return Outcome.SUPERSEDED
    valid_until = certificate.valid_until
    if valid_until is not None and (now or timezone.now()) >= _midnight(valid_until):
        return Outcome.EXPIRED
    return Outcome.VALID


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _issuer_slug(profile_url: Any) -> str | None:
    """The slug of one of our issuer profile URLs (`<SITE_URL>/certificates/issuers/<slug>/`)."""
    prefix = f"{site_url()}/certificates/issuers/"
    if not isinstance(profile_url, str) or not profile_url.startswith(prefix) or not profile_url.endswith("/"):
        return None
    slug = profile_url[len(prefix):-1]
    return slug if slug and "/" not in slug else None


def _method_parts(method: Any) -> tuple[str, str] | None:
    """(issuer slug, key id) of a verificationMethod `<issuer profile URL>#<key id>` of ours."""
    if not isinstance(method, str):
        return None
    controller, _hash, key_id = method.partition("#")
    slug = _issuer_slug(controller)
    return (slug, key_id) if slug and key_id else None


def _certificate_code(credential_id: Any) -> str | None:
    """The code in one of our credential addresses (`<SITE_URL>/certificates/<code>/credential.json`)."""
    prefix, suffix = f"{site_url()}/certificates/", "/credential.json"
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix) or not credential_id.endswith(suffix):
        return None
    code = credential_id[len(prefix):-len(suffix)]
    return code if code and "/" not in code and len(code) <= 43 else None


def _status_list_parts(url: Any) -> tuple[str, str] | None:
    """(issuer slug, purpose) of one of our status list addresses."""
    prefix = f"{site_url()}/certificates/status/"
    if not isinstance(url, str) or not url.startswith(prefix) or not url.endswith("/"):
        return None
    parts = url[len(prefix):-1].split("/")
    if len(parts) != 2 or not parts[0] or parts[1] not in PURPOSES:
        return None
    return parts[0], parts[1]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _parse_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


# --- Reading an upload ----------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _shape_within_limits(value: Any) -> bool:
    """Whether a parsed JSON value stays within the depth and member limits (iteratively, so a
    deep document cannot exhaust the stack here either)."""
    stack = [(value, 1)]
    members = 0
    while stack:
        item, depth = stack.pop()
        if depth > CREDENTIAL_MAX_DEPTH:
            return False
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        members += len(children)
        if members > CREDENTIAL_MAX_MEMBERS:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def credential_parse(data: bytes) -> dict:
    """The JSON object in `data`, bounded as a credential is; `UnreadableUpload` otherwise."""
    if len(data) > CREDENTIAL_MAX_BYTES:
        raise UnreadableUpload(
            _("This file is too large to be a credential: a credential is a few kilobytes (at most %(kb)s KB here).")
            % {"kb": CREDENTIAL_MAX_BYTES // 1024}
        )
    too_big = _("This JSON file is nested too deeply or has too many members to be a credential.")
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnreadableUpload(too_big) from None
    except (UnicodeDecodeError, ValueError):
        raise UnreadableUpload(
            _("This file is neither a certificate PDF nor a JSON credential: it could not be read as either.")
        ) from None
    if not isinstance(document, dict):
        raise UnreadableUpload(_("This JSON file is not a credential: a credential is a JSON object."))
    if not _shape_within_limits(document):
        raise UnreadableUpload(too_big)
    return document


def looks_like_pdf(data: bytes) -> bool:
    """Whether the bytes carry a PDF header (`%PDF-` within the first kilobyte)."""
    return PDF_MAGIC in data[:PDF_MAGIC_WINDOW]


def upload_verify(*, data: bytes, now: dt.datetime | None = None) -> CredentialCheck | PdfCheck:
    """Verify an uploaded file: a PDF (by its header) with `pdf_verify`, anything else as a JSON
    credential with `credential_verify`. `UnreadableUpload` when it is neither, or when the JSON
    is not an Open Badges credential."""
    if looks_like_pdf(data):
        return pdf_verify(data, now=now)
    document = credential_parse(data)
    check = credential_verify(document, now=now)
    if not check.is_credential:
        raise UnreadableUpload(check.checks[0].message)
    return check


# --- The credential -------------------------------------------------------------------------------


def _not_a_credential(credential: Any) -> str | None:
    """Why `credential` is not an Open Badges credential at all, or None when it is one."""
    if not isinstance(credential, Mapping):
        return _("This is not a credential: a credential is a JSON object.")
    types = [value for value in _as_list(credential.get("type")) if isinstance(value, str)]
    if "BitstringStatusListCredential" in types:
        return _("This is an issuer's status list, not a certificate's credential.")
    if "VerifiableCredential" not in types or not any(kind in types for kind in OPEN_BADGE_TYPES):
        return _("This JSON file is not an Open Badges credential: its type is not VerifiableCredential and OpenBadgeCredential.")
    return None


def _signing_keys(methods: list[str]) -> dict[str, SigningKey]:
    """The published keys named by `methods`, by verificationMethod, in one query."""
    wanted = {method: parts for method in methods if (parts := _method_parts(method))}
    if not wanted:
        return {}
    condition = Q()
    for slug, key_id in set(wanted.values()):
        condition |= Q(issuer__slug=slug, key_id=key_id)
    found = {
        (key.issuer.slug, key.key_id): key
        for key in SigningKey.objects.filter(condition).select_related("issuer__organisation").defer("private_key_encrypted")
    }
    return {method: found[parts] for method, parts in wanted.items() if parts in found}


def _key_details(method: str, key: SigningKey | None, proof: Any) -> tuple[tuple[str, str], ...]:
    details = [(_("Key"), method or "—")]
    if key is not None:
        if key.status == SigningKey.Status.RETIRED and key.retired_at:
            details.append((_("Key status"), _("retired on %(date)s; what it signed stays valid") % {"date": _day(key.retired_at)}))
        else:
            details.append((_("Key status"), _("in use")))
    created = _parse_datetime(proof.get("created")) if isinstance(proof, Mapping) else None
    if created is not None:
        details.append((_("Signed on"), _day(created)))
    return tuple(details)


def _proof_failure_message(check: proofs.ProofCheck, who: str) -> str:
    failure = proofs.ProofFailure
    messages = {
        failure.MALFORMED: _("Signature %(n)s is incomplete: it lacks a member every proof must have."),
        failure.UNSUPPORTED_SUITE: _("Signature %(n)s is of a kind this site does not check (only eddsa-rdfc-2022 Data Integrity proofs)."),
        failure.UNSUPPORTED_CHAIN: _("Signature %(n)s is part of a proof chain, which this site does not check."),
        failure.WRONG_PURPOSE: _("Signature %(n)s was not made to issue credentials (its purpose is not assertionMethod)."),
        failure.INVALID_CREATED: _("Signature %(n)s has an invalid signing time."),
        failure.CONTEXT_MISMATCH: _("Signature %(n)s names JSON-LD contexts that do not match the credential's."),
        failure.UNPINNED_CONTEXT: _("The credential uses JSON-LD contexts other than Verifiable Credentials 2.0 and Open Badges 3.0, so signature %(n)s cannot be checked."),
        failure.CANONICALIZATION: _("The credential holds terms the Verifiable Credentials 2.0 and Open Badges 3.0 contexts do not define, so signature %(n)s cannot be checked: such terms would not be signed."),
        failure.UNKNOWN_KEY: _("Signature %(n)s was made with a key this site does not publish (%(who)s), so it cannot be trusted."),
        failure.INVALID_PROOF_VALUE: _("Signature %(n)s is malformed: its value is not a 64-byte Ed25519 signature."),
        failure.BAD_SIGNATURE: _("The signature of %(who)s does not match: the credential was changed after it was signed, or it was signed with another key."),
    }
    return messages[check.failure] % {"n": check.index + 1, "who": who}


def _status_checks(result: CredentialCheck, credential: Mapping, certificate: Certificate | None) -> None:
    entries = _as_list(credential.get("credentialStatus"))
    if not entries:
        result.status_unchecked = True
        result.checks.append(Check(Topic.STATUS, None, _("The credential names no status list, so whether it was revoked could not be checked.")))
        return
    ours: dict[tuple[str, str], StatusList | None] = {}
    known_issuers: set[str] = set()
    for entry in entries:
        if isinstance(entry, Mapping) and (parts := _status_list_parts(entry.get("statusListCredential"))):
            ours[parts] = None
    if ours:
        condition = Q()
        for slug, purpose in ours:
            condition |= Q(issuer__slug=slug, purpose=purpose)
        for row in StatusList.objects.filter(condition).select_related("issuer__organisation").defer("credential"):
            ours[(row.issuer.slug, row.purpose)] = row
        if None in ours.values():  # a list not made yet: empty if its issuer is ours
            unmade = {slug for (slug, _purpose), row in ours.items() if row is None}
            known_issuers = set(Issuer.objects.filter(slug__in=unmade).values_list("slug", flat=True))
    shows_record = certificate is not None and certificate.visibility != Certificate.Visibility.PRIVATE
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            result.status_unchecked = True
            result.checks.append(Check(Topic.STATUS, None, _("A status entry is not a Bitstring Status List entry, so it could not be checked.")))
            continue
        purpose, url, index_text = entry.get("statusPurpose"), entry.get("statusListCredential"), entry.get("statusListIndex")
        parts = _status_list_parts(url)
        if parts is None:
            result.status_unchecked = True
            result.checks.append(Check(
                Topic.STATUS, None,
                _("The status list %(url)s is not published by this site, so it could not be checked.") % {"url": str(url)[:200]},
            ))
            continue
        slug, list_purpose = parts
        if purpose != list_purpose or not isinstance(index_text, str) or not index_text.isdigit():
            result.status_unchecked = True
            result.checks.append(Check(Topic.STATUS, None, _("A status entry is malformed (its purpose or index does not fit its list), so it could not be checked.")))
            continue
        row = ours.get(parts)
        if row is None and slug not in known_issuers:
            result.status_unchecked = True
            result.checks.append(Check(Topic.STATUS, None, _("The status list %(url)s names no issuer of this site, so it could not be checked.") % {"url": url}))
            continue
        try:
            # An issuer that never suspended or revoked anything has no row yet: its published
            # list is empty (certificates.views.certificate_status_list makes it on first request).
            is_set = StatusBitstring.decode(row.encoded_list).get(int(index_text)) if row is not None else False
        except StatusListError:
            result.status_unchecked = True
            result.checks.append(Check(Topic.STATUS, None, _("The status index is outside the issuer's list, so it could not be checked.")))
            continue
        who = row.issuer.organisation.name if row is not None else slug
        details = ((_("Status list"), url), (_("Index"), index_text))
        if not is_set:
            message = (
                _("Not revoked: %(issuer)s's revocation list does not mark it.") if purpose == "revocation"
                else _("Not suspended: %(issuer)s's suspension list does not mark it.")
            )
            result.checks.append(Check(Topic.STATUS, True, message % {"issuer": who}, details))
            continue
        if purpose == "revocation":
            result.revoked = True
            message = _("Revoked: %(issuer)s's revocation list marks it.") % {"issuer": who}
        else:
            result.suspended = True
            message = _("Suspended: %(issuer)s's suspension list marks it.") % {"issuer": who}
        if shows_record and certificate.status_changed_at and certificate.status in (Certificate.Status.REVOKED, Certificate.Status.SUSPENDED):
            details += ((pgettext("certificate status", "Since"), _day(certificate.status_changed_at)), (_("Reason"), certificate.status_reason or "—"))
        result.checks.append(Check(Topic.STATUS, False, message, details))


def _validity_checks(result: CredentialCheck, credential: Mapping, now: dt.datetime) -> None:
    valid_from = _parse_datetime(credential.get("validFrom"))
    valid_until = _parse_datetime(credential.get("validUntil"))
    result.valid_from, result.valid_until = valid_from, valid_until
    if ("validFrom" in credential and valid_from is None) or ("validUntil" in credential and valid_until is None):
        result.checks.append(Check(Topic.VALIDITY, False, _("A validity date is not a date and time with a time zone.")))
        result.not_yet_valid = True
        return
    if valid_from is not None and now < valid_from:
        result.not_yet_valid = True
        result.checks.append(Check(Topic.VALIDITY, False, _("Not valid yet: valid from %(date)s.") % {"date": _day(valid_from)}))
    elif valid_until is not None and now >= valid_until:
        result.expired = True
        result.checks.append(Check(Topic.VALIDITY, False, _("Expired on %(date)s.") % {"date": _day(valid_until)}))
    elif valid_until is not None:
        start = _day(valid_from) if valid_from else "—"
        result.checks.append(Check(Topic.VALIDITY, True, _("Valid from %(start)s until %(end)s.") % {"start": start, "end": _day(valid_until)}))
    elif valid_from is not None:
        result.checks.append(Check(Topic.VALIDITY, True, _("Valid from %(start)s, with no end date.") % {"start": _day(valid_from)}))
    else:
        result.checks.append(Check(Topic.VALIDITY, True, _("The credential has no validity dates: it does not expire.")))


def _record_for(credential: Mapping, certificate: Certificate | None) -> Certificate | None:
    code = _certificate_code(credential.get("id"))
    if certificate is not None:
        return certificate if code == certificate.code else None
    if code is None:
        return None
    return (
        Certificate.objects.filter(code=code)
        .select_related("achievement", "issuer__organisation", "co_issuer__organisation", "superseded_by")
        .first()
    )


def credential_verify(
    credential: dict, *, certificate: Certificate | None = None, now: dt.datetime | None = None,
) -> CredentialCheck:
    """Verify a credential with only the published keys and the pinned contexts; see the module
    docstring for the checks. `certificate`, when given, is the record the caller already holds
    for it (its page), which saves looking it up; `now` defaults to the current time."""
    now = now or timezone.now()
    result = CredentialCheck()
    problem = _not_a_credential(credential)
    if problem:
        result.is_credential = False
        result.checks.append(Check(Topic.FORMAT, False, problem))
        return result

    failed = False
    proof_list = _as_list(credential.get("proof"))
    if not proof_list:
        failed = True
        result.checks.append(Check(Topic.FORMAT, False, _("The credential carries no signature (no proof).")))
    elif len(proof_list) > CREDENTIAL_MAX_PROOFS:
        result.checks.append(Check(
            Topic.FORMAT, False,
            _("The credential carries %(count)s signatures; at most %(max)s are checked, so it was not.") % {"count": len(proof_list), "max": CREDENTIAL_MAX_PROOFS},
        ))
        result.genuine = False
        return result

    methods = [proof.get("verificationMethod") for proof in proof_list if isinstance(proof, Mapping)]
    keys = _signing_keys([method for method in methods if isinstance(method, str)])

    # The issuer the credential names.
    issuer_value = credential.get("issuer")
    issuer_id = issuer_value.get("id") if isinstance(issuer_value, Mapping) else issuer_value
    issuer_slug = _issuer_slug(issuer_id)
    issuer = next((key.issuer for key in keys.values() if key.issuer.slug == issuer_slug), None) if issuer_slug else None
    if issuer is None and certificate is not None and certificate.issuer.slug == issuer_slug:
        issuer = certificate.issuer
    if issuer is None and issuer_slug:
        issuer = Issuer.objects.filter(slug=issuer_slug).select_related("organisation").first()
    result.issuer = issuer
    if issuer is None:
        failed = True
        result.checks.append(Check(
            Topic.ISSUER, False,
            _("The credential names an issuer this site does not know (%(issuer)s), so it was not issued here.") % {"issuer": str(issuer_id or "—")[:200]},
        ))
    else:
        first_method = methods[0] if methods and isinstance(methods[0], str) else ""
        controller = first_method.partition("#")[0]
        if proof_list and controller != issuer_id:
            failed = True
            signer = keys.get(first_method)
            result.checks.append(Check(
                Topic.ISSUER, False,
                _("The credential names %(issuer)s as its issuer, but its first signature is not by %(issuer)s: a credential must be signed by its own issuer.")
                % {"issuer": issuer.organisation.name},
                ((_("First signature by"), signer.issuer.organisation.name if signer else (first_method or "—")),),
            ))
        else:
            result.checks.append(Check(Topic.ISSUER, True, _("Issued by %(issuer)s.") % {"issuer": issuer.organisation.name}))

    # Each proof, with the published keys only.
    verification = proofs.proof_verify(credential, resolve_key=lambda method: keys[method].public_key_multibase if method in keys else None)
    for proof_check, proof in zip(verification.checks, proof_list, strict=False):
        key = keys.get(proof_check.verification_method or "")
        who = key.issuer.organisation.name if key else (proof_check.verification_method or "—")
        details = _key_details(proof_check.verification_method or "", key, proof)
        if proof_check.verified:
            if key.issuer not in result.signers:
                result.signers.append(key.issuer)
            message = _("Valid signature by %(who)s.") % {"who": who}
            if key.status == SigningKey.Status.RETIRED:
                message = _("Valid signature by %(who)s, with a key since retired (retired keys stay published, so what they signed stays valid).") % {"who": who}
            result.checks.append(Check(Topic.PROOF, True, message, details))
        else:
            failed = True
            result.checks.append(Check(Topic.PROOF, False, _proof_failure_message(proof_check, who), details))

    # The record, and whether every issuer of the certificate signed.
    record = _record_for(credential, certificate)
    result.certificate = record
    if record is None:
        failed = True
        result.checks.append(Check(
            Topic.RECORD, False,
            _("This site has no certificate with this credential's address (%(id)s).") % {"id": str(credential.get("id") or "—")[:200]},
        ))
    else:
        expected = [record.issuer] + ([record.co_issuer] if record.co_issuer_id else [])
        signed = {signer.pk for signer in result.signers}
        missing = [signer for signer in expected if signer.pk not in signed]
        extra = [signer for signer in result.signers if signer.pk not in {e.pk for e in expected}]
        names = _("%(first)s and %(second)s") % {"first": expected[0].organisation.name, "second": expected[1].organisation.name} if len(expected) == 2 else expected[0].organisation.name
        if missing and len(missing) == len(expected):
            failed = True
            result.checks.append(Check(Topic.SIGNERS, False, _("No valid signature by its issuers: %(names)s.") % {"names": names}))
        elif missing:
            failed = True
            result.checks.append(Check(
                Topic.SIGNERS, False,
                _("Only %(count)s of its %(total)s issuers signed it validly: the signature of %(missing)s is missing or invalid.") % {
                    "count": len(expected) - len(missing), "total": len(expected),
                    "missing": ", ".join(signer.organisation.name for signer in missing),
                },
                ((_("Issued by"), names),),
            ))
        elif extra:
            failed = True
            result.checks.append(Check(
                Topic.SIGNERS, False,
                _("It is also signed by %(extra)s, who did not issue this certificate.") % {"extra": ", ".join(s.organisation.name for s in extra)},
            ))
        elif len(expected) > 1:
            result.checks.append(Check(Topic.SIGNERS, True, _("Signed by both of its issuers: %(names)s.") % {"names": names}))
        else:
            result.checks.append(Check(Topic.SIGNERS, True, _("Signed by its issuer, %(names)s.") % {"names": names}))
        result.checks.append(Check(
            Topic.RECORD, True,
            _("Its address names a certificate on record here: “%(achievement)s”, issued on %(date)s.") % {
                "achievement": achievement_name(record.achievement), "date": _day(record.issued_on),
            },
        ))
        if record.superseded:
            result.checks.append(Check(Topic.RECORD, None, _("A newer version of this certificate was issued; this one is superseded.")))

    result.genuine = not failed and verification.verified
    _status_checks(result, credential, record)
    _validity_checks(result, credential, now)
    return result


# --- The PDF --------------------------------------------------------------------------------------


def _pdf_attachment(data: bytes) -> tuple[bytes | None, bool]:
    """(the bytes of the attached credential.json or None, whether the PDF could be read)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
        blobs = attachments.get(CREDENTIAL_ATTACHMENT)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of error on a damaged file; each means "unreadable"
        logger.info("An uploaded PDF could not be read.", exc_info=True)
        return None, False
    return (blobs[0] if blobs else None), True


def pdf_verify(data: bytes, *, now: dt.datetime | None = None) -> PdfCheck:
    """Verify a certificate PDF: its SHA-256 against the PDFs registered for certificates, and
    the credential attached to it (see the module docstring)."""
    result = PdfCheck(sha256=hashlib.sha256(data).hexdigest())
    if not looks_like_pdf(data):
        result.is_pdf = False
        result.checks.append(Check(Topic.FILE, False, _("This file is not a PDF.")))
        return result

    registered = (
        Certificate.objects.filter(pdf_sha256=result.sha256)
        .select_related("achievement", "issuer__organisation", "co_issuer__organisation", "superseded_by")
        .first()
    )
    result.certificate = registered
    fingerprint = ((_("SHA-256"), result.sha256),)
    if registered is not None:
        result.checks.append(Check(
            Topic.FILE, True,
            _("This file is exactly the PDF issued for a certificate of “%(achievement)s” on %(date)s: not a byte was changed.") % {
                "achievement": achievement_name(registered.achievement), "date": _day(registered.issued_on),
            },
            fingerprint,
        ))
    else:
        result.checks.append(Check(
            Topic.FILE, False,
            _("This PDF is not one issued here, or it was changed after it was issued: its fingerprint matches no certificate's PDF."),
            fingerprint,
        ))

    attachment, readable = _pdf_attachment(data)
    if not readable:
        result.checks.append(Check(Topic.ATTACHMENT, False, _("The PDF could not be read, so the credential attached to it could not be checked.")))
        return result
    if attachment is None:
        result.checks.append(Check(
            Topic.ATTACHMENT, None if registered else False,
            _("The PDF has no %(name)s attached, so there is no signed credential in it to check.") % {"name": CREDENTIAL_ATTACHMENT},
        ))
        return result
    try:
        document = credential_parse(attachment)
    except UnreadableUpload as error:
        result.checks.append(Check(Topic.ATTACHMENT, False, _("The attached %(name)s is not a readable credential: %(why)s") % {"name": CREDENTIAL_ATTACHMENT, "why": error}))
        return result
    check = credential_verify(document, now=now)
    result.credential = check
    if not check.is_credential:
        result.checks.append(Check(Topic.ATTACHMENT, False, _("The attached %(name)s is not a credential: %(why)s") % {"name": CREDENTIAL_ATTACHMENT, "why": check.checks[0].message}))
    elif registered is not None and check.certificate is not None and check.certificate.pk != registered.pk:
        result.checks.append(Check(Topic.ATTACHMENT, False, _("The attached credential belongs to another certificate than the one this PDF was issued for.")))
    elif check.genuine:
        result.checks.append(Check(Topic.ATTACHMENT, True, _("The credential attached to the PDF is genuine; its checks follow.")))
    else:
        result.checks.append(Check(Topic.ATTACHMENT, False, _("The credential attached to the PDF does not verify; its checks follow.")))
    return result
