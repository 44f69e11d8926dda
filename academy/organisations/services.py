"""Writes for organisations and memberships. Approving an organisation gives it, in one
transaction, its public page (the root of its subtree), a Wagtail group with page permissions on
that subtree only, and its own image and document collection."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from academy.home.services import page_aliases_sync

from .models import (
    Membership,
    MembershipStatusChange,
    Organisation,
    OrganisationPage,
    OrganisationStatusChange,
    PartnerIndexPage,
)
from .selectors import user_can_review_memberships, user_is_platform_admin
from .transitions import MEMBERSHIP_TRANSITIONS, ORGANISATION_TRANSITIONS, IllegalTransition, transition_check

# What the organisation's editors may do on pages of their own subtree.
PAGE_PERMISSION_CODENAMES = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
# What they may do in their own collection (and in no other).
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)
# Model-wide permissions the group needs: entering the Wagtail admin. Snippet permissions of
# later apps (question banks, rubrics) are added to this list by those apps.
GROUP_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    # Question banks, quizzes, assignments and rubrics (courses): confined to the organisation by admin_scoping.
    ("courses", "add_questionbank"), ("courses", "change_questionbank"), ("courses", "delete_questionbank"), ("courses", "view_questionbank"),
    ("courses", "add_question"), ("courses", "change_question"), ("courses", "delete_question"), ("courses", "view_question"),
    ("courses", "add_rubric"), ("courses", "change_rubric"), ("courses", "delete_rubric"), ("courses", "view_rubric"),
    ("courses", "add_quiz"), ("courses", "change_quiz"), ("courses", "delete_quiz"), ("courses", "view_quiz"),
    ("courses", "add_assignment"), ("courses", "change_assignment"), ("courses", "delete_assignment"), ("courses", "view_assignment"),
    # Practicum projects (practicum): confined to the organisation by admin_scoping, enterprises only by the form.
    ("practicum", "add_practicumproject"), ("practicum", "change_practicumproject"),
    ("practicum", "delete_practicumproject"), ("practicum", "view_practicumproject"),
    # Certificates (templates, the issuer's signatory, certificates and their batches): confined
    # to what the organisation issued or co-signed by admin_scoping. Every editor role may
    # suspend and revoke: the organisation's staff answer for what it signed.
    ("certificates", "add_certificatetemplate"), ("certificates", "change_certificatetemplate"),
    ("certificates", "delete_certificatetemplate"), ("certificates", "view_certificatetemplate"),
    ("certificates", "publish_certificatetemplate"),
    ("certificates", "change_issuer"), ("certificates", "view_issuer"),
    ("certificates", "add_certificate"), ("certificates", "change_certificate"), ("certificates", "view_certificate"),
)

ROLES_BY_KIND = {
    Organisation.Kind.UNIVERSITY: {Membership.Role.ORG_ADMIN, Membership.Role.AUTHOR},
    Organisation.Kind.ENTERPRISE: {Membership.Role.ORG_ADMIN, Membership.Role.MENTOR},
}
EDITOR_ROLES = {Membership.Role.ORG_ADMIN, Membership.Role.AUTHOR, Membership.Role.MENTOR}


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _organisation_status_set(organisation, target, *, by, note=""):
    transition_check(ORGANISATION_TRANSITIONS, organisation.status, target)
    OrganisationStatusChange.objects.create(
        organisation=organisation, from_status=organisation.status, to_status=target, changed_by=by, note=note
    )
    organisation.status = target
    organisation.save(update_fields=["status"])


def _membership_status_set(membership, target, *, by, note=""):
    transition_check(MEMBERSHIP_TRANSITIONS, membership.status, target)
    MembershipStatusChange.objects.create(
        membership=membership, from_status=membership.status, to_status=target, changed_by=by, note=note
    )
    membership.status = target
    membership.save(update_fields=["status"])


def _role_check(organisation, role):
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ValidationError(
            {"role": _("A %(kind)s has no “%(role)s” role.") % {
                "kind": organisation.get_kind_display().lower(), "role": dict(Membership.Role.choices).get(role, role)}}
        )


def slug_unique_for(name):
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_apply(*, applicant, kind, name_en, country, name_zh="", website="", description_en="", description_zh="", slug="") -> Organisation:
    """A person applies to create an organisation; they become its admin once it is approved."""
    organisation = Organisation(
        kind=kind, name_en=name_en.strip(), name_zh=name_zh.strip(), country=country, website=website,
        description_en=description_en, description_zh=description_zh, applied_by=applicant,
        slug=slug or slug_unique_for(name_en),
    )
    organisation.full_clean()
    organisation.save()
    OrganisationStatusChange.objects.create(organisation=organisation, to_status=organisation.status, changed_by=applicant)
    membership = Membership(organisation=organisation, user=applicant, role=Membership.Role.ORG_ADMIN)
    membership.full_clean()
    membership.save()
    MembershipStatusChange.objects.create(membership=membership, to_status=membership.status, changed_by=applicant)
    return organisation


def _partner_index():
    index = PartnerIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("The site has no partner index page to put organisation pages under."))
    return index


def _organisation_space_create(organisation):
    """Page, collection and group with its permissions. Safe to call again (re-approval)."""
    page = OrganisationPage.objects.filter(organisation=organisation, alias_of__isnull=True).first()
    if page is None:
        page = OrganisationPage(title=organisation.name_en, slug=organisation.slug, organisation=organisation)
        _partner_index().add_child(instance=page)
        page.save_revision().publish()
    if organisation.collection is None:
        organisation.collection = Collection.get_first_root_node().add_child(name=organisation.name_en)
    if organisation.group is None:
        organisation.group = Group.objects.create(name=_group_name(organisation))
    organisation.save(update_fields=["collection", "group"])

    translations = page_aliases_sync(page=page)
    group = organisation.group
    # Permissions on the page in every language: editors translate their courses by turning
    # the Chinese alias of a page into a page of its own, which needs rights in that tree too.
    for subtree_root in [page, *translations]:
        for codename in PAGE_PERMISSION_CODENAMES:
            GroupPagePermission.objects.get_or_create(
                group=group, page=subtree_root, permission=_permission("wagtailcore", codename)
            )
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=organisation.collection, permission=_permission(app_label, codename)
        )
    group.permissions.add(*[_permission(app_label, codename) for app_label, codename in GROUP_PERMISSIONS])
    return page


def _group_name(organisation):
    return f"{organisation.slug} editors"


def organisation_group_sync(*, organisation):
    """The group holds exactly the active members with an editor role of an approved organisation."""
    if organisation.group is None:
        return
    if organisation.status != Organisation.Status.APPROVED:
        organisation.group.user_set.clear()
        return
    users = [m.user for m in organisation.memberships.filter(status=Membership.Status.ACTIVE, role__in=EDITOR_ROLES).select_related("user")]
    organisation.group.user_set.set(users)


@transaction.atomic
def organisation_approve(*, organisation, by, note="") -> Organisation:
    _platform_admin_check(by)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    _organisation_status_set(organisation, Organisation.Status.APPROVED, by=by, note=note)
    _organisation_space_create(organisation)
    if organisation.applied_by_id:
        applicant_membership = organisation.memberships.filter(user_id=organisation.applied_by_id, status=Membership.Status.PENDING).first()
        if applicant_membership:
            _membership_status_set(applicant_membership, Membership.Status.ACTIVE, by=by)
    organisation_group_sync(organisation=organisation)
    return organisation


@transaction.atomic
def organisation_reject(*, organisation, by, note="") -> Organisation:
    _platform_admin_check(by)
    _organisation_status_set(organisation, Organisation.Status.REJECTED, by=by, note=note)
    return organisation


@transaction.atomic
def organisation_suspend(*, organisation, by, note="") -> Organisation:
    """Suspension takes the organisation's staff out of its group; its pages stay."""
    _platform_admin_check(by)
    _organisation_status_set(organisation, Organisation.Status.SUSPENDED, by=by, note=note)
    organisation_group_sync(organisation=organisation)
    return organisation


@transaction.atomic
def organisation_reinstate(*, organisation, by, note="") -> Organisation:
    _platform_admin_check(by)
    if organisation.status != Organisation.Status.SUSPENDED:
        raise IllegalTransition(f"Only a suspended organisation can be reinstated, not a {organisation.status} one.")
    _organisation_status_set(organisation, Organisation.Status.APPROVED, by=by, note=note)
    _organisation_space_create(organisation)
    organisation_group_sync(organisation=organisation)
    return organisation


@transaction.atomic
def membership_request(*, organisation, user, role, message="") -> Membership:
    """A person asks to join an approved organisation with a role."""
    if organisation.status != Organisation.Status.APPROVED:
        raise ValidationError(_("Only approved organisations take new members."))
    _role_check(organisation, role)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is not None:
        if membership.status in (Membership.Status.ACTIVE, Membership.Status.PENDING):
            raise ValidationError(_("You are already a member of this organisation or have asked to join it."))
        membership.role, membership.message = role, message
        membership.save(update_fields=["role", "message"])
        _membership_status_set(membership, Membership.Status.PENDING, by=user)
        return membership
    membership = Membership(organisation=organisation, user=user, role=role, message=message)
    membership.full_clean()
    membership.save()
    MembershipStatusChange.objects.create(membership=membership, to_status=membership.status, changed_by=user)
    return membership


def _platform_admin_check(user):
    if not user_is_platform_admin(user=user):
        raise PermissionDenied(_("Only a platform administrator can decide on organisations."))


def _review_check(membership, by):
    if not user_can_review_memberships(user=by, organisation=membership.organisation):
        raise PermissionDenied(_("You cannot manage this organisation's members."))


@transaction.atomic
def membership_approve(*, membership, by, note="") -> Membership:
    _review_check(membership, by)
    _membership_status_set(membership, Membership.Status.ACTIVE, by=by, note=note)
    organisation_group_sync(organisation=membership.organisation)
    return membership


@transaction.atomic
def membership_reject(*, membership, by, note="") -> Membership:
    _review_check(membership, by)
    _membership_status_set(membership, Membership.Status.REJECTED, by=by, note=note)
    return membership


@transaction.atomic
def membership_remove(*, membership, by, note="") -> Membership:
    _review_check(membership, by)
    if membership.role == Membership.Role.ORG_ADMIN and not membership.organisation.memberships.filter(
        role=Membership.Role.ORG_ADMIN, status=Membership.Status.ACTIVE
    ).exclude(pk=membership.pk).exists():
        raise ValidationError(_("An organisation keeps at least one active admin."))
    _membership_status_set(membership, Membership.Status.REMOVED, by=by, note=note)
    organisation_group_sync(organisation=membership.organisation)
    return membership


@transaction.atomic
def membership_role_change(*, membership, role, by) -> Membership:
    _review_check(membership, by)
    _role_check(membership.organisation, role)
    if membership.role == Membership.Role.ORG_ADMIN and role != Membership.Role.ORG_ADMIN and not membership.organisation.memberships.filter(
        role=Membership.Role.ORG_ADMIN, status=Membership.Status.ACTIVE
    ).exclude(pk=membership.pk).exists():
        raise ValidationError(_("An organisation keeps at least one active admin."))
    membership.role = role
    membership.save(update_fields=["role"])
    organisation_group_sync(organisation=membership.organisation)
    return membership


LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
PROFILE_FIELDS = ("name_zh", "website", "description_en", "description_zh")


def _image_messages(field):
    if field == "signature":
        return (
            _("The signature image is larger than 2 MB."),
            _("The signature is not an image file this site can read."),
            _("Upload the signature as PNG, JPEG or WebP."),
        )
    return (
        _("The logo is larger than 2 MB."),
        _("The logo is not an image file this site can read."),
        _("Upload the logo as PNG, JPEG or WebP."),
    )


def logo_validate(upload, *, field="logo"):
    """A logo (or, with `field="signature"`, a signature scan) is a real PNG, JPEG or WebP image
    of at most 2 MB (checked by decoding it); the error is reported on `field`."""
    from PIL import Image as PILImage, UnidentifiedImageError

    too_large, unreadable, wrong_format = _image_messages(field)
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError({field: too_large})
    try:
        upload.seek(0)
        with PILImage.open(upload) as image:
            image.verify()
            image_format = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError({field: unreadable}) from None
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError({field: wrong_format})


@transaction.atomic
def organisation_profile_update(*, organisation, by, logo=None, **fields) -> Organisation:
    """An organisation admin (or a platform admin) edits the public profile; a new logo goes
    into the organisation's own collection."""
    from wagtail.images import get_image_model

    if not user_can_review_memberships(user=by, organisation=organisation):
        raise PermissionDenied(_("You cannot edit this organisation."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    if logo is not None:
        logo_validate(logo)
        image = get_image_model()(
            title=f"{organisation.name_en} logo", file=logo, collection=organisation.collection or Collection.get_first_root_node(),
            uploaded_by_user=by,
        )
        image.save()
        organisation.logo = image
    organisation.save()
    return organisation
