"""Verifying credentials and PDFs as a verifier would (issue "Certificates", points 6 and 10):
sign → verify → tamper with any field → rejected; retired keys still verify, unknown keys do not;
a missing co-signature, a foreign signer and an unknown issuer are caught; revocation and
suspension are read from the issuers' status lists; a PDF is checked against its registered hash
and by the credential attached to it."""

import copy
import datetime as dt
import hashlib
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone, translation
from pypdf import PdfWriter

from certificates import proofs, services
from certificates.credentials import credential_build, digest_multibase, verification_method_id
from certificates.factories import course_achievement, issued_certificate
from certificates.models import Certificate
from certificates.verification import (
    CREDENTIAL_ATTACHMENT,
    Outcome,
    Topic,
    UnreadableUpload,
    certificate_outcome,
    credential_verify,
    pdf_verify,
    upload_verify,
)
from courses.factories import course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

EVIDENCE = [{"name": "KPI snapshot", "digest": "sha256:" + "ab" * 32}]


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])


@pytest.fixture
def certificate(course, student, enterprise):
    return issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise, evidence=EVIDENCE)


def checks_of(result, topic):
    return [check for check in result.checks if check.topic == topic]


def pdf_with(credential=None, *, extra=b""):
    """A small PDF, with `credential` attached as credential.json when given."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if credential is not None:
        writer.add_attachment(CREDENTIAL_ATTACHMENT, json.dumps(credential).encode() + extra)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def register_pdf(certificate, data):
    Certificate.objects.filter(pk=certificate.pk).update(pdf_sha256=hashlib.sha256(data).hexdigest())


# --- A genuine credential -------------------------------------------------------------------------


def test_a_genuine_co_signed_credential_passes_every_check(certificate):
    """The stored credential verifies: issuer named and first signer agree, both proofs valid,
    both issuers signed, on record, not revoked or suspended, within its dates."""
    result = credential_verify(certificate.credential)
    assert result.genuine and result.outcome == Outcome.VALID
    assert [check.ok for check in result.proof_checks] == [True, True]
    assert [signer.pk for signer in result.signers] == [certificate.issuer_id, certificate.co_issuer_id]
    assert result.certificate.pk == certificate.pk
    assert all(check.ok is True for check in checks_of(result, Topic.STATUS)) and len(checks_of(result, Topic.STATUS)) == 2
    assert all(check.ok is not False for check in result.checks), result.checks
    assert "Gamma Trading" in checks_of(result, Topic.SIGNERS)[0].message


def test_messages_and_names_follow_the_active_language(certificate):
    """Run in Chinese, the checks name the organisations by their Chinese names."""
    with translation.override("zh-hans"):
        result = credential_verify(certificate.credential)
    assert "伽马贸易" in result.proof_checks[1].message
    assert "阿尔法商贸大学" in checks_of(result, Topic.ISSUER)[0].message


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda c: c.__setitem__("name", c["name"] + " (forged)"), id="name"),
        pytest.param(lambda c: c.__setitem__("validFrom", "2001-01-01T00:00:00Z"), id="validFrom"),
        pytest.param(lambda c: c["credentialSubject"]["identifier"][0].__setitem__("identityHash", "sha256$" + "0" * 64), id="identifier"),
        pytest.param(lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Master of Everything"), id="achievement-name"),
        pytest.param(lambda c: c["issuer"].__setitem__("name", "Forged University"), id="issuer-name"),
        pytest.param(lambda c: c["evidence"][0].__setitem__("digestMultibase", digest_multibase("cd" * 32)), id="evidence-digest"),
    ],
)
def test_a_tampered_credential_is_rejected(certificate, tamper):
    """Changing any signed member makes both signatures fail, and the credential is not genuine."""
    forged = copy.deepcopy(certificate.credential)
    tamper(forged)
    result = credential_verify(forged)
    assert not result.genuine and result.outcome == Outcome.INVALID
    assert [check.ok for check in result.proof_checks] == [False, False]
    assert all("does not match" in check.message for check in result.proof_checks)


def test_a_proof_by_a_retired_key_still_verifies(certificate):
    """After both issuers rotate their keys, the old credential still verifies and says the key
    was retired."""
    services.signing_key_rotate(issuer=certificate.issuer)
    services.signing_key_rotate(issuer=certificate.co_issuer)
    result = credential_verify(certificate.credential)
    assert result.genuine and result.outcome == Outcome.VALID
    assert all(check.ok and "retired" in check.message for check in result.proof_checks)
    assert dict(result.proof_checks[0].details)["Key status"].startswith("retired on")


def test_a_proof_naming_an_unknown_key_does_not_verify(certificate):
    """A verificationMethod naming a key the issuer never published fails as an unknown key."""
    forged = copy.deepcopy(certificate.credential)
    forged["proof"][1]["verificationMethod"] = forged["proof"][1]["verificationMethod"].rsplit("#", 1)[0] + "#key-99"
    result = credential_verify(forged)
    assert not result.genuine
    assert [check.ok for check in result.proof_checks] == [True, False]
    assert "does not publish" in result.proof_checks[1].message


def test_removing_one_proof_leaves_one_signer_and_fails_the_signers_check(certificate):
    """A proof set stripped of the enterprise's proof: the university's signature still verifies,
    but the check says only one of the two issuers signed."""
    university_only = proofs.proofs_without(certificate.credential, keep=[certificate.credential["proof"][0]["verificationMethod"]])
    result = credential_verify(university_only)
    assert [check.ok for check in result.proof_checks] == [True]
    [signers] = checks_of(result, Topic.SIGNERS)
    assert signers.ok is False and "Only 1 of its 2 issuers" in signers.message and "Gamma Trading" in signers.message
    assert not result.genuine and result.outcome == Outcome.INVALID


def test_a_credential_claiming_our_issuer_but_signed_by_another_key_fails(certificate):
    """The enterprise's valid signature alone on a credential naming the university as issuer:
    the first proof's controller is not the issuer, so it fails even though the signature is valid."""
    unsigned = credential_build(certificate)
    key = services.signing_key_active(issuer=certificate.co_issuer)
    forged = proofs.proof_create(
        unsigned, private_key=key.private_key(),
        verification_method=verification_method_id(certificate.co_issuer.slug, key.key_id), created=timezone.now(),
    )
    result = credential_verify(forged)
    assert [check.ok for check in result.proof_checks] == [True]
    [issuer_check] = checks_of(result, Topic.ISSUER)
    assert issuer_check.ok is False and "must be signed by its own issuer" in issuer_check.message
    assert not result.genuine


def test_a_credential_signed_by_a_stranger_for_an_unknown_issuer_fails(certificate):
    """A well-formed credential from an issuer this site does not know, signed by its own key:
    unknown issuer, unknown key, no record."""
    stranger = copy.deepcopy(credential_build(certificate))
    stranger["id"] = "https://elsewhere.example/credentials/1"
    stranger["issuer"] = {"id": "https://elsewhere.example/issuer/", "type": ["Profile"], "name": "Elsewhere", "url": "https://elsewhere.example/"}
    signed = proofs.proof_create(
        stranger, private_key=Ed25519PrivateKey.generate(), verification_method="https://elsewhere.example/issuer/#key-1",
        created=timezone.now(),
    )
    result = credential_verify(signed)
    assert not result.genuine
    assert checks_of(result, Topic.ISSUER)[0].ok is False and "does not know" in checks_of(result, Topic.ISSUER)[0].message
    assert result.proof_checks[0].ok is False and "does not publish" in result.proof_checks[0].message
    assert checks_of(result, Topic.RECORD)[0].ok is False


# --- Status and dates -----------------------------------------------------------------------------


def test_a_revoked_credential_reads_revoked_from_the_status_list_with_date_and_reason(certificate, platform_admin):
    """After revocation the credential's signatures still verify, its revocation bit is set, and
    the check gives the date and reason from the record."""
    services.certificate_revoke(certificate=certificate, reason="Plagiarism found in the final project.", by=platform_admin)
    result = credential_verify(certificate.credential)
    assert result.genuine and result.revoked and result.outcome == Outcome.REVOKED
    [failed] = [check for check in checks_of(result, Topic.STATUS) if check.ok is False]
    assert failed.message.startswith("Revoked")
    assert dict(failed.details)["Reason"] == "Plagiarism found in the final project."


def test_a_private_certificates_reason_stays_out_of_the_report(certificate, platform_admin):
    """The bit is reported for a private certificate too, but not the record's reason."""
    services.certificate_revoke(certificate=certificate, reason="Plagiarism.", by=platform_admin)
    Certificate.objects.filter(pk=certificate.pk).update(visibility=Certificate.Visibility.PRIVATE)
    result = credential_verify(certificate.credential)
    assert result.outcome == Outcome.REVOKED
    assert "Plagiarism." not in str(result.checks)


def test_suspension_and_lifting_it(certificate, platform_admin):
    """Suspended reads as suspended; once the suspension is lifted the credential is valid again."""
    services.certificate_suspend(certificate=certificate, reason="Under review.", by=platform_admin)
    assert credential_verify(certificate.credential).outcome == Outcome.SUSPENDED
    services.certificate_unsuspend(certificate=certificate, by=platform_admin)
    assert credential_verify(certificate.credential).outcome == Outcome.VALID


def test_a_status_list_this_site_does_not_host_is_reported_as_not_checked(certificate):
    """A status entry pointing elsewhere is never fetched: it says it could not be checked."""
    elsewhere = copy.deepcopy(certificate.credential)
    elsewhere["credentialStatus"][0]["statusListCredential"] = "https://elsewhere.example/status/1"
    result = credential_verify(elsewhere)
    notes = [check for check in checks_of(result, Topic.STATUS) if check.ok is None]
    assert len(notes) == 1 and "not published by this site" in notes[0].message
    assert result.status_unchecked


def test_an_expired_certificate_reads_expired(course, student, enterprise):
    """A certificate past its achievement's validity period is expired, in its credential's
    validUntil and on the record."""
    achievement = course_achievement(course=course)
    achievement.valid_for_days = 30
    achievement.save()
    certificate = issued_certificate(
        holder=student, course=course, co_issuer_organisation=enterprise, issued_on=timezone.localdate() - dt.timedelta(days=31),
    )
    result = credential_verify(certificate.credential)
    assert result.genuine and result.expired and result.outcome == Outcome.EXPIRED
    assert checks_of(result, Topic.VALIDITY)[0].message.startswith("Expired on")
    assert certificate_outcome(certificate) == Outcome.EXPIRED
    assert credential_verify(certificate.credential, now=timezone.now() - dt.timedelta(days=5)).outcome == Outcome.VALID


def test_a_superseded_version_says_a_newer_one_was_issued(certificate, platform_admin):
    """The old version's signatures still verify; its revocation bit is set (offline verifiers
    learn it is no longer current) and the answer is "replaced by a newer version", not revoked."""
    newer = services.certificate_reissue(certificate=certificate, by=platform_admin)
    result = credential_verify(certificate.credential)
    assert result.genuine and result.revoked
    assert result.outcome == Outcome.SUPERSEDED
    assert any(check.ok is None and "newer version" in check.message for check in checks_of(result, Topic.RECORD))
    assert credential_verify(newer.credential).outcome == Outcome.VALID


# --- Uploads that are not credentials -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"\x00\x01garbage\xff", "neither a certificate PDF nor a JSON credential", id="garbage"),
        pytest.param(b"{not json", "neither a certificate PDF nor a JSON credential", id="broken-json"),
        pytest.param(b'{"a": NaN}', "neither a certificate PDF nor a JSON credential", id="nan"),
        pytest.param(b"[1, 2, 3]", "a credential is a JSON object", id="array"),
        pytest.param(b'{"type": ["VerifiableCredential"], "name": "x"}', "not an Open Badges credential", id="plain-vc"),
        pytest.param(b"[" * 5000 + b"]" * 5000, "nested too deeply", id="deeper-than-the-parser-goes"),
        pytest.param(b'{"x": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}", "nested too deeply", id="deep"),
        pytest.param(json.dumps({"members": list(range(3000))}).encode(), "too many members", id="wide"),
        pytest.param(b" " * (300 * 1024), "too large to be a credential", id="too-large"),
    ],
)
def test_an_upload_that_is_not_a_credential_is_refused_with_a_clear_message(data, words):
    """Garbage, broken JSON, JSON that is not a credential and oversized JSON each get a message."""
    with pytest.raises(UnreadableUpload) as raised:
        upload_verify(data=data)
    assert words in str(raised.value)


def test_a_status_list_credential_is_not_taken_for_a_certificate(certificate, client):
    """An issuer's signed status list is a credential, but not a certificate's: it is refused."""
    status_list = client.get(f"/certificates/status/{certificate.issuer.slug}/revocation/").json()
    with pytest.raises(UnreadableUpload) as raised:
        upload_verify(data=json.dumps(status_list).encode())
    assert "status list" in str(raised.value)


def test_an_uploaded_credential_is_verified(certificate):
    """The bytes of credential.json are parsed and verified like the stored credential."""
    result = upload_verify(data=json.dumps(certificate.credential, ensure_ascii=False).encode())
    assert result.genuine and result.certificate.pk == certificate.pk


# --- PDFs -----------------------------------------------------------------------------------------


def test_a_registered_pdf_and_its_attached_credential_verify(certificate):
    """A PDF whose hash is registered for the certificate, with the certificate's credential
    attached: both checks pass and the report names the certificate."""
    data = pdf_with(certificate.credential)
    register_pdf(certificate, data)
    result = upload_verify(data=data)
    assert result.genuine and result.outcome == Outcome.VALID
    assert result.certificate.pk == certificate.pk and result.credential.genuine
    assert [check.ok for check in result.checks] == [True, True]


def test_a_pdf_with_one_byte_changed_reports_the_hash_mismatch(certificate):
    """One changed byte: the fingerprint matches no registered PDF, so it is not genuine, even
    though the credential inside is still genuine."""
    data = pdf_with(certificate.credential)
    register_pdf(certificate, data)
    changed = bytearray(data)
    position = changed.index(b"%%EOF") - 2
    changed[position] = ord(" ") if changed[position] != ord(" ") else ord("\n")
    result = pdf_verify(bytes(changed))
    file_check = checks_of(result, Topic.FILE)[0]
    assert file_check.ok is False and "fingerprint" in file_check.message
    assert result.credential.genuine and not result.genuine and result.outcome == Outcome.INVALID


def test_a_pdf_carrying_a_tampered_credential_fails(certificate):
    """An unregistered PDF with a changed credential attached fails both the file and the
    credential checks."""
    forged = copy.deepcopy(certificate.credential)
    forged["name"] = "Forged"
    result = pdf_verify(pdf_with(forged))
    assert not result.genuine and not result.credential.genuine
    assert checks_of(result, Topic.ATTACHMENT)[0].ok is False


def test_a_pdf_without_a_credential_or_unreadable_is_reported(certificate):
    """A PDF with nothing attached says so; a file with a PDF header and garbage after it cannot be
    read; a file that is not a PDF is no PDF."""
    bare = pdf_with(None)
    assert "no credential.json attached" in checks_of(pdf_verify(bare), Topic.ATTACHMENT)[0].message
    broken = pdf_verify(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert checks_of(broken, Topic.ATTACHMENT)[0].message.startswith("The PDF could not be read")
    assert not pdf_verify(b"just text").is_pdf


def test_the_rendered_pdf_verifies_and_a_changed_byte_does_not(certificate):
    """The real certificate PDF (rendered by certificates.pdf_services, PDF/A-3 with the credential
    attached) is recognised by its hash and its attached credential verifies; one byte changed
    and the hash no longer matches."""
    pdf_services = pytest.importorskip("certificates.pdf_services")
    rendered = pdf_services.certificate_pdf_render(certificate=certificate)
    with rendered.pdf.open("rb") as handle:
        data = handle.read()
    result = pdf_verify(data)
    assert result.genuine and result.certificate.pk == certificate.pk, result.checks
    assert result.credential is not None and result.credential.genuine
    changed = bytearray(data)
    position = changed.index(b"%%EOF") - 2
    changed[position] = ord(" ") if changed[position] != ord(" ") else ord("\n")
    assert checks_of(pdf_verify(bytes(changed)), Topic.FILE)[0].ok is False
