"""The personal dashboard: what each role sees first after signing in."""

from datetime import datetime

from django.core.cache import cache
from django.db.models import Prefetch

from academy.organisations.models import Membership
from academy.organisations.selectors import (
    memberships_of,
    memberships_pending_for,
    organisations_pending,
    user_is_platform_admin,
)


def dashboard_roles(*, user, memberships):
    roles = []
    if user_is_platform_admin(user=user):
        roles.append("admin")
    active = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    if any(m.role in (Membership.Role.AUTHOR, Membership.Role.ORG_ADMIN) and m.organisation.kind == "university" for m in active):
        roles.append("author")
    if any(m.role in (Membership.Role.MENTOR, Membership.Role.ORG_ADMIN) and m.organisation.kind == "enterprise" for m in active):
        roles.append("mentor")
    if not roles:
        roles.append("student")
    return roles


def dashboard_for(*, user):
    from academy.tasks import SCHEDULER_HEARTBEAT_KEY

    memberships = memberships_of(user=user)
    roles = dashboard_roles(user=user, memberships=memberships)
    context = {
        "roles": roles,
        "memberships": memberships,
        "pending_memberships": memberships_pending_for(user=user) if ("admin" in roles or any(
            m.role == Membership.Role.ORG_ADMIN and m.status == Membership.Status.ACTIVE for m in memberships)) else [],
    }
    context.update(_learning_for(user=user, roles=roles))
    context["held_certificates"] = _certificates_for(user=user)
    if "admin" in roles:
        context["pending_organisations"] = organisations_pending()
        heartbeat = cache.get(SCHEDULER_HEARTBEAT_KEY)
        context["scheduler_heartbeat"] = datetime.fromisoformat(heartbeat) if heartbeat else None
    return context


def _certificates_for(*, user):
    """The user's current certificates for the "Your certificates" card (one query)."""
    from certificates.selectors import certificates_held

    return certificates_held(user=user)


def _learning_for(*, user, roles):
    """The learner's runs (progress, where to continue), programs and coming dates; for staff,
    the runs they teach."""
    from courses.selectors import learner_programs, learner_runs, runs_managed_by, upcoming_dates

    context = {
        "learner_runs": learner_runs(user=user),
        "learner_programs": learner_programs(user=user),
        "upcoming_dates": upcoming_dates(user=user),
    }
    if "author" in roles or "mentor" in roles or "admin" in roles:
        context["taught_runs"] = runs_managed_by(user=user)
    context.update(_practicum_for(user=user, roles=roles))
    return context


def _practicum_for(*, user, roles):
    """The student's practicum places (run, team and store); for enterprise mentors and admins,
    the runs they mentor."""
    from practicum.mentor_selectors import mentor_runs
    from practicum.review_models import PracticumGrade
    from practicum.run_models import RunParticipant

    context = {
        "practicum_places": list(
            RunParticipant.objects.filter(user=user).select_related("run__project", "team__store").order_by("-run__created_at")
            .prefetch_related(Prefetch("team__store__grades", queryset=PracticumGrade.objects.filter(superseded=False),
                                       to_attr="current_grades"))[:5]
        ),
    }
    if "mentor" in roles or "admin" in roles:
        context["mentored_runs"] = mentor_runs(user=user)[:5]
    return context
