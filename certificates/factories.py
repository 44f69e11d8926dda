"""Builders of issuers, achievements and certificates for the tests and the demo data, through
the services (one code path for both)."""

from . import services
from .models import Achievement


def course_achievement(*, course) -> Achievement:
    """The course's achievement, as the course-pass rule makes it."""
    return services.achievement_for_course(course=course)


def issued_certificate(*, holder, course, co_issuer_organisation=None, **kwargs):
    """A certificate of `course` issued to `holder` by the course's lead university (and
    `co_issuer_organisation` when given)."""
    from courses.models import CourseOrganisation

    lead = CourseOrganisation.objects.get(course=course, role=CourseOrganisation.Role.LEAD_UNIVERSITY).organisation
    issuer = services.issuer_for_organisation(organisation=lead)
    co_issuer = services.issuer_for_organisation(organisation=co_issuer_organisation) if co_issuer_organisation else None
    return services.certificate_issue(
        holder=holder, achievement=course_achievement(course=course), issuer=issuer, co_issuer=co_issuer, **kwargs,
    )
