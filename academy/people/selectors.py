from allauth.mfa.models import Authenticator


def user_is_staff_like(*, user) -> bool:
    """Staff, superusers, Wagtail editors and organisation admins: the people whose account
    reaches other people's data, and so must use a second factor when the platform asks."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    from academy.organisations.models import Membership

    return Membership.objects.filter(
        user=user, role=Membership.Role.ORG_ADMIN, status=Membership.Status.ACTIVE
    ).exists()


def user_has_totp(*, user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
