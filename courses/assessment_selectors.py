"""Reads of the assessment: who may review a run's submissions, and what learners and reviewers
see of assignments (`courses.selectors` holds the reads of courses and quizzes)."""

from dataclasses import dataclass

from academy.organisations.models import Membership, Organisation
from academy.organisations.selectors import user_is_platform_admin

from .selectors import STAFF_ROLES, TEACHING_ROLES, course_in_default_locale, course_partners


@dataclass(frozen=True)
class ReviewerRole:
    role: str  # a courses.models.Review.Role
    organisation: Organisation | None


def run_reviewer_role(*, user, run) -> ReviewerRole | None:
    """How `user` may review the run's submissions: as an instructor (staff of the lead university
    or a co-author, or a platform administrator), as a mentor (staff of an enterprise partnering
    the course in any role), or not at all (None)."""
    from .models import Review

    if not (user and user.is_authenticated):
        return None
    course = course_in_default_locale(course=run.course)
    links = course_partners(course=course)
    memberships = {
        m.organisation_id: m for m in Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES,
            organisation_id__in=[link.organisation_id for link in links],
        ).select_related("organisation")
    }
    for link in links:
        if link.role in TEACHING_ROLES and link.organisation_id in memberships:
            return ReviewerRole(Review.Role.INSTRUCTOR, memberships[link.organisation_id].organisation)
    if user_is_platform_admin(user=user):
        return ReviewerRole(Review.Role.INSTRUCTOR, None)
    for link in links:
        if link.organisation_id in memberships and link.organisation.kind == Organisation.Kind.ENTERPRISE:
            return ReviewerRole(Review.Role.MENTOR, memberships[link.organisation_id].organisation)
    return None
