"""The signed Open Badges 3.0 credential of a certificate (issue "Certificates", point 3): what it
says, that both proofs verify with the keys the issuers publish (retired ones included), that a
changed copy does not, and the status lists that revoking and suspending flip and re-sign."""

import copy
import hashlib

import pytest
from django.test import override_settings

from certificates import proofs, services, status_services
from certificates.credentials import credential_build, public_key_for_method
from certificates.factories import course_achievement, issued_certificate
from certificates.jsonld_loader import OPEN_BADGES_CONTEXT
from certificates.models import StatusList
from certificates.status_list import MIN_ENTRIES, StatusBitstring
from courses.factories import CompetencyFactory, course_tree
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(university_a, enterprise):
    return course_tree(organisation=university_a, modules=1, lessons=1, partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)])


@pytest.fixture
def certificate(course, student, enterprise):
    achievement = course_achievement(course=course)
    achievement.competencies.add(CompetencyFactory(code="TEST.LOG", name_en="Choosing a logistics channel"))
    achievement.valid_for_days = 365
    achievement.save()
    return issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise, grade_band="Distinction")


def verify(document):
    return proofs.proof_verify(document, resolve_key=public_key_for_method)


def test_the_credential_is_an_open_badge_with_the_required_members(certificate, student, settings):
    """The credential names the pinned contexts, its own URL, the issuer profile, validity dates,
    a salted e-mail hash, the achievement with criteria and alignments, and both status entries."""
    site = settings.SITE_URL
    credential = certificate.credential
    assert credential["@context"] == list(OPEN_BADGES_CONTEXT)
    assert credential["id"] == f"{site}/certificates/{certificate.code}/credential.json"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == f"{site}/certificates/issuers/{certificate.issuer.slug}/"
    assert credential["issuer"]["type"] == ["Profile"] and credential["issuer"]["name"] == certificate.issuer.name
    assert credential["validFrom"] == f"{certificate.issued_on.isoformat()}T00:00:00Z"
    assert "validUntil" in credential
    identifier = credential["credentialSubject"]["identifier"][0]
    expected_hash = "sha256$" + hashlib.sha256((student.email.lower() + certificate.identity_salt).encode()).hexdigest()
    assert identifier == {
        "type": "IdentityObject", "hashed": True, "identityHash": expected_hash,
        "identityType": "emailAddress", "salt": certificate.identity_salt,
    }
    assert student.email not in str(credential)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"] and achievement["alignment"][0]["targetCode"] == "TEST.LOG"
    entries = {entry["statusPurpose"]: entry for entry in credential["credentialStatus"]}
    assert entries["revocation"]["statusListIndex"] == str(certificate.revocation_index)
    assert entries["suspension"]["statusListCredential"] == f"{site}/certificates/status/{certificate.issuer.slug}/suspension/"


def test_the_credential_verifies_with_both_proofs(certificate):
    """The university's proof and the enterprise's proof (a proof set) both verify against the keys
    resolved from the database."""
    result = verify(certificate.credential)
    assert result.verified, result.checks
    assert [check.verification_method.split("/issuers/")[1].split("/")[0] for check in result.checks] == [
        certificate.issuer.slug, certificate.co_issuer.slug,
    ]


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.__setitem__("name", c["name"] + " (forged)"),
        lambda c: c["credentialSubject"]["identifier"][0].__setitem__("salt", "0" * 32),
        lambda c: c.__setitem__("validFrom", "2001-01-01T00:00:00Z"),
        lambda c: c["credentialStatus"][0].__setitem__("statusListIndex", "1"),
    ],
)
def test_a_changed_copy_does_not_verify(certificate, change):
    """Changing any signed member breaks both proofs."""
    forged = copy.deepcopy(certificate.credential)
    change(forged)
    result = verify(forged)
    assert not result.verified
    assert all(check.failure == proofs.ProofFailure.BAD_SIGNATURE for check in result.checks)


def test_a_credential_signed_by_a_retired_key_still_verifies(certificate):
    """After the issuer rotates its key, the old credential still verifies (retired keys stay
    published); a new certificate is signed by the new key."""
    services.signing_key_rotate(issuer=certificate.issuer)
    assert verify(certificate.credential).verified


def test_an_unknown_key_does_not_verify(certificate):
    """A proof whose verificationMethod names a key the issuer never had is rejected."""
    forged = copy.deepcopy(certificate.credential)
    forged["proof"][0]["verificationMethod"] = forged["proof"][0]["verificationMethod"].rsplit("#", 1)[0] + "#key-99"
    result = verify(forged)
    assert result.checks[0].failure == proofs.ProofFailure.UNKNOWN_KEY


def test_every_term_is_defined_by_the_pinned_contexts(certificate):
    """The unsigned credential canonicalises in safe mode: no term would be dropped unsigned."""
    assert proofs.canonical_nquads(credential_build(certificate))


def test_absolute_urls_come_from_site_url(course, student, enterprise):
    """Credential, issuer and status URLs are built from SITE_URL, never from a request."""
    with override_settings(SITE_URL="https://certs.example.org"):
        certificate = issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise)
        credential = certificate.credential
        assert credential["id"].startswith("https://certs.example.org/certificates/")
        assert credential["issuer"]["id"].startswith("https://certs.example.org/certificates/issuers/")
        assert all(p["verificationMethod"].startswith("https://certs.example.org/") for p in credential["proof"])
        assert verify(credential).verified


def test_a_single_issuer_signs_one_proof(university_a, student):
    """Without an enterprise partner the credential has one proof, by the university."""
    course = course_tree(organisation=university_a, modules=1, lessons=1)
    certificate = issued_certificate(holder=student, course=course)
    assert isinstance(certificate.credential["proof"], dict)
    assert verify(certificate.credential).verified


def _bit(issuer, purpose, index):
    status_list = StatusList.objects.get(issuer=issuer, purpose=purpose)
    credential = status_list.credential
    assert proofs.proof_verify(credential, resolve_key=public_key_for_method).verified
    bits = StatusBitstring.decode(credential["credentialSubject"]["encodedList"])
    assert len(bits) >= MIN_ENTRIES
    return bits.get(index)


def test_revoking_sets_the_bit_and_re_signs_the_list(certificate, platform_admin):
    """Revoking sets the certificate's bit on the issuer's revocation list, which stays signed."""
    services.certificate_revoke(certificate=certificate, reason="Plagiarism.", by=platform_admin)
    assert _bit(certificate.issuer, "revocation", certificate.revocation_index) is True
    assert _bit(certificate.issuer, "suspension", certificate.suspension_index) is False


def test_unsuspending_clears_the_suspension_bit(certificate, platform_admin):
    """Suspending sets the suspension bit; lifting the suspension clears it again."""
    services.certificate_suspend(certificate=certificate, reason="Under review.", by=platform_admin)
    assert _bit(certificate.issuer, "suspension", certificate.suspension_index) is True
    services.certificate_unsuspend(certificate=certificate, by=platform_admin)
    assert _bit(certificate.issuer, "suspension", certificate.suspension_index) is False


def test_a_status_list_is_signed_by_the_new_key_after_rotation(certificate, platform_admin):
    """After a key rotation, a re-signed status list names the new key and verifies."""
    status_list = status_services.status_list_ensure(issuer=certificate.issuer, purpose="revocation")
    new_key = services.signing_key_rotate(issuer=certificate.issuer)
    status_list = status_services.status_list_resign(status_list=status_list)
    assert status_list.credential["proof"]["verificationMethod"].endswith(f"#{new_key.key_id}")
    assert proofs.proof_verify(status_list.credential, resolve_key=public_key_for_method).verified
