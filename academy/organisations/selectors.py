from django.db.models import Count, Q

from .models import Membership, Organisation


def user_is_platform_admin(*, user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("organisations.review_organisation")))


def user_can_review_memberships(*, user, organisation) -> bool:
    if user_is_platform_admin(user=user):
        return True
    return Membership.objects.filter(
        organisation=organisation, user=user, role=Membership.Role.ORG_ADMIN, status=Membership.Status.ACTIVE
    ).exists()


def organisations_public():
    """Approved organisations with their logo and page, in name order."""
    return list(
        Organisation.objects.filter(status=Organisation.Status.APPROVED)
        .select_related("logo")
        .prefetch_related("pages__locale")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)))
        .order_by("kind", "name_en")
    )


def organisation_public_members(*, organisation):
    """Active staff shown on the public page: names and roles only, never e-mail addresses."""
    return list(
        organisation.memberships.filter(status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("role", "user__display_name")
    )


def organisations_pending():
    return list(
        Organisation.objects.filter(status=Organisation.Status.PENDING).select_related("applied_by").order_by("created_at")
    )


def memberships_pending_for(*, user):
    """Join requests the person may decide: all of them for a platform admin, their own
    organisations' for an organisation admin."""
    qs = Membership.objects.filter(status=Membership.Status.PENDING, organisation__status=Organisation.Status.APPROVED)
    if not user_is_platform_admin(user=user):
        admin_of = Membership.objects.filter(user=user, role=Membership.Role.ORG_ADMIN, status=Membership.Status.ACTIVE).values("organisation_id")
        qs = qs.filter(organisation_id__in=admin_of)
    return list(qs.select_related("user", "organisation").order_by("created_at"))


def memberships_of(*, user):
    return list(
        Membership.objects.filter(user=user).exclude(status=Membership.Status.REMOVED)
        .select_related("organisation", "organisation__logo")
        .prefetch_related("organisation__pages__locale")
        .order_by("organisation__name_en")
    )


def organisation_members(*, organisation):
    return list(
        organisation.memberships.exclude(status=Membership.Status.REMOVED).select_related("user").order_by("status", "role", "user__email")
    )


def organisations_joinable_for(*, user):
    taken = Membership.objects.filter(user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING]).values("organisation_id")
    return list(Organisation.objects.filter(status=Organisation.Status.APPROVED).exclude(pk__in=taken).order_by("name_en"))


