"""The certificate model's own guarantees: one current certificate per holder and achievement,
enforced by the database; a random public code of at least 128 bits, unique and separate from the
primary key; an achievement points at exactly what its kind says."""

import base64

import pytest
from django.db import IntegrityError, transaction

from academy.people.factories import UserFactory
from certificates import services
from certificates.factories import course_achievement, issued_certificate
from certificates.models import Achievement, Certificate, certificate_code
from courses.factories import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1)


def test_a_second_current_certificate_for_the_same_holder_and_achievement_is_refused(course, student):
    """The database refuses a second certificate of the same achievement for the same holder
    unless the first is superseded."""
    first = issued_certificate(holder=student, course=course)
    duplicate = Certificate(
        holder=student, achievement=first.achievement, issuer=first.issuer, issued_on=first.issued_on,
        version=2, revocation_index=first.revocation_index + 1, suspension_index=first.suspension_index + 1,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    Certificate.objects.filter(pk=first.pk).update(superseded=True)
    duplicate.save()  # with the first superseded, a new current one is allowed
    assert Certificate.objects.filter(holder=student, superseded=False).get() == duplicate


def test_the_public_code_has_at_least_128_bits_and_is_unique(course):
    """Codes are URL-safe base64 of at least 16 random bytes, differ from the primary key, and
    never repeat."""
    raw = base64.urlsafe_b64decode(certificate_code() + "==")
    assert len(raw) >= 16
    assert len({certificate_code() for _ in range(2000)}) == 2000
    certificates = [issued_certificate(holder=UserFactory(), course=course) for _ in range(3)]
    assert len({c.code for c in certificates}) == 3
    assert all(c.code != str(c.pk) and len(base64.urlsafe_b64decode(c.code + "==")) >= 16 for c in certificates)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificates[1].pk).update(code=certificates[0].code)


def test_an_achievement_points_at_what_its_kind_says(course):
    """A course achievement without a course, or with a program too, is refused by the database;
    a course has one achievement."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Achievement.objects.create(kind=Achievement.Kind.COURSE, name_en="x", criteria_en="y")
    achievement = course_achievement(course=course)
    assert course_achievement(course=course) == achievement
    with pytest.raises(IntegrityError), transaction.atomic():
        Achievement.objects.create(kind=Achievement.Kind.COURSE, course=course, name_en="x", criteria_en="y")


def test_status_indices_are_unique_per_issuer_and_co_issuer_differs(course, student):
    """Two certificates of one issuer never share a status list index, and an issuer cannot be
    its own co-issuer (the service drops such a co-issuer)."""
    first = issued_certificate(holder=student, course=course)
    second = issued_certificate(holder=UserFactory(), course=course)
    assert first.revocation_index != second.revocation_index and first.suspension_index != second.suspension_index
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=second.pk).update(revocation_index=first.revocation_index)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=second.pk).update(co_issuer=second.issuer)
    third = services.certificate_issue(
        holder=UserFactory(), achievement=first.achievement, issuer=first.issuer, co_issuer=first.issuer,
    )
    assert third.co_issuer is None


def test_the_demo_reset_removes_what_protects_the_demo_organisations(course, student, university_a, enterprise, platform_admin):
    """Certificates (re-issued ones too), achievements, issuers and keys of the organisations go,
    after which the holder and the course can be deleted."""
    from academy.organisations.models import Organisation
    from certificates.demo import certificates_demo_reset
    from certificates.models import Issuer, SigningKey

    first = issued_certificate(holder=student, course=course, co_issuer_organisation=enterprise)
    services.certificate_reissue(certificate=first, by=platform_admin)
    services.signing_key_active(issuer=first.issuer)
    certificates_demo_reset(organisations=Organisation.objects.filter(pk__in=[university_a.pk, enterprise.pk]))
    assert not Certificate.objects.exists() and not Achievement.objects.exists()
    assert not Issuer.objects.exists() and not SigningKey.objects.exists()
    student.delete()
    course.delete()
