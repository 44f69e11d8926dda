"""Writes of the issuers' Bitstring Status Lists (issue "Certificates", point 4; W3C "Bitstring
Status List v1.0").

Each issuer has one list per purpose (revocation, suspension), made on first use with
`status_list.MIN_ENTRIES` entries, and a `BitstringStatusListCredential` of it signed by the
issuer's active key. A certificate's bits follow its status: the revocation bit is set while it
is revoked, the suspension bit while it is suspended; whenever a bit changes the list is
re-signed, in the caller's transaction, so the served list never disagrees with the database.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import proofs
from .credentials import status_list_url, verification_method_id, xml_datetime, issuer_profile_url
from .models import Certificate, Issuer, StatusList
from .status_list import PURPOSES, StatusBitstring, StatusListError, status_list_subject

STATUS_LIST_CONTEXT = ["https://www.w3.org/ns/credentials/v2"]


def _credential_sign(*, issuer: Issuer, purpose: str, bitstring: StatusBitstring) -> dict:
    from .services import signing_key_active

    now = timezone.now().replace(microsecond=0)
    url = status_list_url(issuer.slug, purpose)
    credential = {
        "@context": STATUS_LIST_CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile_url(issuer.slug),
        "validFrom": xml_datetime(now),
        "credentialSubject": status_list_subject(list_id=f"{url}#list", purpose=purpose, bitstring=bitstring),
    }
    key = signing_key_active(issuer=issuer)
    return proofs.proof_create(
        credential, private_key=key.private_key(),
        verification_method=verification_method_id(issuer.slug, key.key_id), created=now,
    )


def status_list_ensure(*, issuer: Issuer, purpose: str) -> StatusList:
    """The issuer's list for `purpose`, made empty and signed if it does not exist yet.
    StatusListError for an unknown purpose."""
    if purpose not in PURPOSES:
        raise StatusListError(f"The status purpose is one of {', '.join(PURPOSES)}, not {purpose}.")
    existing = StatusList.objects.filter(issuer=issuer, purpose=purpose).first()
    if existing is not None:
        return existing
    bitstring = StatusBitstring()
    try:
        with transaction.atomic():
            return StatusList.objects.create(
                issuer=issuer, purpose=purpose, encoded_list=bitstring.encode(),
                credential=_credential_sign(issuer=issuer, purpose=purpose, bitstring=bitstring),
            )
    except IntegrityError:  # a concurrent call made it first
        return StatusList.objects.get(issuer=issuer, purpose=purpose)


def status_list_resign(*, status_list: StatusList) -> StatusList:
    """Sign the list's current bits again (e.g. by a new key after a rotation)."""
    with transaction.atomic():
        locked = StatusList.objects.select_for_update().select_related("issuer").get(pk=status_list.pk)
        locked.credential = _credential_sign(
            issuer=locked.issuer, purpose=locked.purpose, bitstring=StatusBitstring.decode(locked.encoded_list),
        )
        locked.save(update_fields=["credential", "updated_at"])
    return locked


def certificate_status_bits_apply(*, certificate: Certificate) -> None:
    """Make the certificate's bits on its issuer's lists match its status (revocation bit set iff
    revoked or superseded by a newer version — an offline verifier holding the old credential
    must learn it is no longer current; suspension bit set iff suspended) and re-sign each list whose bit changed. Runs in
    the caller's transaction; the lists are locked so concurrent changes do not lose a bit."""
    wanted = {
        "revocation": (certificate.revocation_index, certificate.status == Certificate.Status.REVOKED or certificate.superseded),
        "suspension": (certificate.suspension_index, certificate.status == Certificate.Status.SUSPENDED),
    }
    with transaction.atomic():
        for purpose, (index, value) in wanted.items():
            status_list_ensure(issuer=certificate.issuer, purpose=purpose)
            locked = StatusList.objects.select_for_update().get(issuer=certificate.issuer, purpose=purpose)
            bitstring = StatusBitstring.decode(locked.encoded_list)
            if bitstring.get(index) == value:
                continue
            bitstring.set(index, value)
            locked.encoded_list = bitstring.encode()
            locked.credential = _credential_sign(issuer=certificate.issuer, purpose=purpose, bitstring=bitstring)
            locked.save(update_fields=["encoded_list", "credential", "updated_at"])
