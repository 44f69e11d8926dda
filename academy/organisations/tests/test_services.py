"""The organisation services: applying, approval and the space it creates, the transition table,
join requests, and the editors group that follows memberships."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale

from academy.organisations import services
from academy.organisations.factories import OrganisationFactory
from academy.organisations.models import (
    Membership,
    MembershipStatusChange,
    Organisation,
    OrganisationPage,
    OrganisationStatusChange,
)
from academy.organisations.transitions import IllegalTransition
from academy.people.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind, Status, Role, MStatus = Organisation.Kind, Organisation.Status, Membership.Role, Membership.Status

PAGE_CODENAMES = {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}
COLLECTION_CODENAMES = {
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document"),
}


def _apply(applicant, **overrides):
    data = {"kind": Kind.UNIVERSITY, "name_en": "Oasis Institute of Commerce", "name_zh": "绿洲商学院", "country": "KZ"}
    return services.organisation_apply(applicant=applicant, **(data | overrides))


def _space_counts():
    """Everything approval creates, counted, to prove something was not created twice."""
    return {
        "pages": OrganisationPage.objects.count(),
        "groups": Group.objects.count(),
        "collections": Collection.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
        "collection_permissions": GroupCollectionPermission.objects.count(),
        "organisation_changes": OrganisationStatusChange.objects.count(),
        "membership_changes": MembershipStatusChange.objects.count(),
        "active_memberships": Membership.objects.filter(status=MStatus.ACTIVE).count(),
    }


def _changes(obj):
    return [(c.from_status, c.to_status) for c in obj.status_changes.order_by("pk")]


# --- Applying --------------------------------------------------------------------------------


def test_apply_creates_pending_organisation_with_pending_admin_membership(student, partner_index):
    """Applying leaves a pending organisation, a pending org-admin membership for the applicant,
    one status-change row for each, and no page, group or collection yet."""
    organisation = _apply(student)

    assert organisation.status == Status.PENDING
    assert organisation.applied_by == student
    assert organisation.slug == "oasis-institute-of-commerce"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role, membership.status) == (student, Role.ORG_ADMIN, MStatus.PENDING)
    change = organisation.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", Status.PENDING, student)
    assert _changes(membership) == [("", MStatus.PENDING)]
    assert organisation.group is None and organisation.collection is None
    assert not organisation.pages.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": "school"}, "kind"),
        ({"country": "XX"}, "country"),
        ({"name_en": "   "}, "name_en"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_apply_validates_and_creates_nothing_when_invalid(student, partner_index, overrides, field):
    """An invalid application raises a ValidationError naming the field and leaves no rows."""
    with pytest.raises(ValidationError) as excinfo:
        _apply(student, **overrides)

    assert field in excinfo.value.message_dict
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    assert not OrganisationStatusChange.objects.exists()


def test_apply_refuses_a_name_already_taken(student, university_a):
    """Two organisations cannot share an English name."""
    with pytest.raises(ValidationError) as excinfo:
        _apply(student, name_en=university_a.name_en)

    assert "name_en" in excinfo.value.message_dict
    assert Organisation.objects.count() == 1


def test_apply_gives_each_organisation_its_own_slug(student, partner_index):
    """Names that slugify alike get distinct slugs, so their pages can sit side by side."""
    first = _apply(student, name_en="Oasis Institute")
    second = _apply(UserFactory(), name_en="Oasis  Institute!")

    assert (first.slug, second.slug) == ("oasis-institute", "oasis-institute-2")


# --- Approving -------------------------------------------------------------------------------


@pytest.mark.parametrize("approver", ["applicant", "student", "org_admin_of_another"])
def test_approve_is_for_platform_admins_only(request, student, partner_index, approver):
    """Only a platform admin approves: anyone else gets PermissionDenied and nothing changes."""
    organisation = _apply(student)
    by = {
        "applicant": lambda: student,
        "student": lambda: UserFactory(),
        "org_admin_of_another": lambda: request.getfixturevalue("org_admin_a"),
    }[approver]()
    before = _space_counts()

    with pytest.raises(PermissionDenied):
        services.organisation_approve(organisation=organisation, by=by)

    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING
    assert _space_counts() == before


def test_a_reviewer_with_the_review_permission_can_approve(student, partner_index):
    """A person given the review_organisation permission counts as a platform admin."""
    reviewer = UserFactory()
    reviewer.user_permissions.add(Permission.objects.get(codename="review_organisation"))
    organisation = _apply(student)

    services.organisation_approve(organisation=organisation, by=reviewer)

    organisation.refresh_from_db()
    assert organisation.status == Status.APPROVED


def test_approve_creates_the_page_under_the_partner_index_and_activates_the_applicant(student, partner_index, platform_admin):
    """Approval publishes the organisation's page under the partner index, activates the
    applicant's admin membership, puts them in the group and records both changes."""
    organisation = _apply(student)

    services.organisation_approve(organisation=organisation, by=platform_admin, note="Checked the registry.")

    organisation.refresh_from_db()
    assert organisation.status == Status.APPROVED
    page = organisation.pages.get()  # no Chinese partner index: no alias
    assert page.get_parent().specific == partner_index
    assert page.live and page.alias_of_id is None
    assert (page.title, page.slug) == ("Oasis Institute of Commerce", "oasis-institute-of-commerce")
    assert organisation.page == page
    change = organisation.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        Status.PENDING, Status.APPROVED, platform_admin, "Checked the registry.")
    membership = Membership.objects.get(organisation=organisation, user=student)
    assert membership.status == MStatus.ACTIVE
    assert _changes(membership) == [("", MStatus.PENDING), (MStatus.PENDING, MStatus.ACTIVE)]
    assert list(organisation.group.user_set.all()) == [student]


def test_approve_gives_the_group_exactly_the_page_permissions_on_its_own_page(student, partner_index, platform_admin):
    """The group gets add/change/publish/lock/unlock on the organisation's page and nothing on any
    other page: its editors can edit their page and cannot edit the partner index."""
    organisation = _apply(student)
    services.organisation_approve(organisation=organisation, by=platform_admin)
    organisation.refresh_from_db()
    page = organisation.pages.get()

    granted = set(GroupPagePermission.objects.filter(group=organisation.group).values_list("page_id", "permission__codename"))
    assert granted == {(page.pk, codename) for codename in PAGE_CODENAMES}
    student.refresh_from_db()
    assert page.permissions_for_user(student).can_edit()
    assert page.permissions_for_user(student).can_publish()
    assert not partner_index.permissions_for_user(student).can_edit()


def test_approve_gives_the_organisation_a_collection_and_admin_access(student, partner_index, platform_admin):
    """Approval creates a collection under the root, grants the group image and document rights
    there only, and lets the group into the Wagtail admin."""
    organisation = _apply(student)
    services.organisation_approve(organisation=organisation, by=platform_admin)
    organisation.refresh_from_db()

    collection = organisation.collection
    assert collection.name == organisation.name_en
    assert collection.get_parent() == Collection.get_first_root_node()
    granted = set(
        GroupCollectionPermission.objects.filter(group=organisation.group)
        .values_list("collection_id", "permission__content_type__app_label", "permission__codename")
    )
    assert granted == {(collection.pk, app, codename) for app, codename in COLLECTION_CODENAMES}
    assert {(p.content_type.app_label, p.codename) for p in organisation.group.permissions.all()} == set(services.GROUP_PERMISSIONS)
    assert ("wagtailadmin", "access_admin") in services.GROUP_PERMISSIONS
    assert organisation.group.name == "oasis-institute-of-commerce editors"
    student.refresh_from_db()
    assert student.has_perm("wagtailadmin.access_admin")


def test_approve_adds_a_chinese_alias_when_the_partner_index_is_translated(student, home_page, partner_index, platform_admin):
    """With a zh-hans partner index, approval also puts the organisation page there, as an alias
    that follows the English page; the group gets its page permissions on both pages (editors
    translate their pages by converting the Chinese aliases, which needs rights in that tree),
    and Chinese readers are given the alias."""
    zh = Locale.objects.create(language_code="zh-hans")
    home_page.copy_for_translation(zh)
    partner_index_zh = partner_index.copy_for_translation(zh)
    organisation = _apply(student)

    services.organisation_approve(organisation=organisation, by=platform_admin)

    organisation.refresh_from_db()
    source = organisation.pages.get(locale__language_code="en")
    alias = organisation.pages.get(locale=zh)
    assert alias.alias_of_id == source.pk
    assert alias.get_parent().pk == partner_index_zh.pk
    granted = set(GroupPagePermission.objects.filter(group=organisation.group).values_list("page_id", "permission__codename"))
    assert granted == {(page.pk, codename) for page in (source, alias) for codename in PAGE_CODENAMES}
    with translation.override("zh-hans"):
        assert organisation.page == alias
    with translation.override("en"):
        assert organisation.page == source


def test_approving_twice_raises_and_creates_nothing_twice(student, partner_index, platform_admin):
    """A second approval is an illegal transition: no second page, group, collection or row."""
    organisation = _apply(student)
    services.organisation_approve(organisation=organisation, by=platform_admin)
    before = _space_counts()

    with pytest.raises(IllegalTransition):
        services.organisation_approve(organisation=organisation, by=platform_admin)

    assert _space_counts() == before


def test_approve_without_a_partner_index_creates_nothing(student, partner_index, platform_admin):
    """Approval needs somewhere to put the page; without a partner index it fails whole."""
    organisation = _apply(student)
    partner_index.delete()

    with pytest.raises(ValidationError):
        services.organisation_approve(organisation=organisation, by=platform_admin)

    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING
    assert organisation.group is None and organisation.collection is None
    assert Membership.objects.get(organisation=organisation).status == MStatus.PENDING


# --- The transition table --------------------------------------------------------------------

ACTIONS = {
    "reject": (services.organisation_reject, Status.REJECTED),
    "suspend": (services.organisation_suspend, Status.SUSPENDED),
    "reinstate": (services.organisation_reinstate, Status.APPROVED),
}


@pytest.mark.parametrize(
    "action, start, allowed",
    [
        ("reject", Status.PENDING, True),
        ("reject", Status.APPROVED, False),
        ("reject", Status.REJECTED, False),
        ("reject", Status.SUSPENDED, False),
        ("suspend", Status.APPROVED, True),
        ("suspend", Status.PENDING, False),
        ("suspend", Status.REJECTED, False),
        ("suspend", Status.SUSPENDED, False),
        ("reinstate", Status.SUSPENDED, True),
        ("reinstate", Status.APPROVED, False),
        ("reinstate", Status.REJECTED, False),
    ],
)
def test_status_changes_follow_the_transition_table(partner_index, platform_admin, action, start, allowed):
    """Reject, suspend and reinstate move only along the transition table and record each move;
    an illegal move raises IllegalTransition and records nothing."""
    organisation = OrganisationFactory(status=start)
    service, target = ACTIONS[action]

    if allowed:
        service(organisation=organisation, by=platform_admin, note=f"{action}ed")
        organisation.refresh_from_db()
        assert organisation.status == target
        change = organisation.status_changes.get()
        assert (change.from_status, change.to_status, change.changed_by, change.note) == (start, target, platform_admin, f"{action}ed")
    else:
        with pytest.raises(IllegalTransition):
            service(organisation=organisation, by=platform_admin)
        organisation.refresh_from_db()
        assert organisation.status == start
        assert not organisation.status_changes.exists()


@pytest.mark.parametrize("action, start", [("reject", Status.PENDING), ("suspend", Status.APPROVED), ("reinstate", Status.SUSPENDED)])
def test_status_changes_are_for_platform_admins_only(org_admin_a, action, start):
    """Reject, suspend and reinstate refuse anyone but a platform admin, even an org admin."""
    organisation = OrganisationFactory(status=start)
    service, _target = ACTIONS[action]

    with pytest.raises(PermissionDenied):
        service(organisation=organisation, by=org_admin_a)

    organisation.refresh_from_db()
    assert organisation.status == start


def test_suspend_empties_the_group_and_reinstate_refills_it(university_a, author_a, org_admin_a, platform_admin):
    """Suspension takes every member out of the editors group but keeps the page; reinstating
    puts the active members back without creating a second page, group or collection."""
    group = university_a.group
    assert set(group.user_set.all()) == {author_a, org_admin_a}

    services.organisation_suspend(organisation=university_a, by=platform_admin)
    assert not group.user_set.exists()
    assert university_a.pages.get().live
    before = _space_counts()

    services.organisation_reinstate(organisation=university_a, by=platform_admin)
    university_a.refresh_from_db()
    assert university_a.status == Status.APPROVED
    assert set(group.user_set.all()) == {author_a, org_admin_a}
    after = _space_counts()
    assert after.pop("organisation_changes") == before.pop("organisation_changes") + 1
    assert after == before
    assert _changes(university_a)[-2:] == [(Status.APPROVED, Status.SUSPENDED), (Status.SUSPENDED, Status.APPROVED)]


# --- Join requests ---------------------------------------------------------------------------


@pytest.mark.parametrize("organisation_name, role", [("university_a", Role.MENTOR), ("enterprise", Role.AUTHOR)])
def test_request_refuses_a_role_the_organisation_kind_does_not_have(request, student, organisation_name, role):
    """A university has no mentors and an enterprise no authors: the request is refused with a
    ValidationError on "role" and nothing is stored."""
    organisation = request.getfixturevalue(organisation_name)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_request(organisation=organisation, user=student, role=role)

    assert "role" in excinfo.value.message_dict
    assert not Membership.objects.filter(user=student).exists()


def test_request_refuses_an_unknown_role_with_a_validation_error(student, university_a):
    """A role that does not exist at all is a ValidationError on "role", not a crash."""
    with pytest.raises(ValidationError) as excinfo:
        services.membership_request(organisation=university_a, user=student, role="dean")

    assert "role" in excinfo.value.message_dict


def test_request_to_an_organisation_not_yet_approved_is_refused(student, partner_index):
    """Only approved organisations take join requests."""
    organisation = OrganisationFactory()

    with pytest.raises(ValidationError):
        services.membership_request(organisation=organisation, user=student, role=Role.AUTHOR)

    assert not Membership.objects.filter(user=student).exists()


def test_request_creates_a_pending_membership_with_its_status_row(student, university_a):
    """A request is a pending membership with the message and a first status-change row."""
    membership = services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR, message="I teach customs.")

    assert (membership.status, membership.role, membership.message) == (MStatus.PENDING, Role.AUTHOR, "I teach customs.")
    assert _changes(membership) == [("", MStatus.PENDING)]
    assert not university_a.group.user_set.filter(pk=student.pk).exists()


def test_request_refuses_duplicates(student, university_a, author_a):
    """Asking again while a request is pending, or while already a member, is refused."""
    services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)

    with pytest.raises(ValidationError):
        services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)
    with pytest.raises(ValidationError):
        services.membership_request(organisation=university_a, user=author_a, role=Role.ORG_ADMIN)

    assert Membership.objects.filter(user=student).count() == 1
    assert Membership.objects.get(user=author_a).role == Role.AUTHOR


def test_request_again_after_rejection_reopens_the_same_membership(student, university_a, platform_admin):
    """After a rejection a person may ask again: the same membership goes back to pending with the
    new role and message, and the whole history is recorded."""
    membership = services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)
    services.membership_reject(membership=membership, by=platform_admin)

    again = services.membership_request(organisation=university_a, user=student, role=Role.ORG_ADMIN, message="Now I run the school.")

    assert again.pk == membership.pk
    again.refresh_from_db()
    assert (again.status, again.role, again.message) == (MStatus.PENDING, Role.ORG_ADMIN, "Now I run the school.")
    assert _changes(again) == [("", MStatus.PENDING), (MStatus.PENDING, MStatus.REJECTED), (MStatus.REJECTED, MStatus.PENDING)]


# --- Deciding join requests ------------------------------------------------------------------


def test_org_admin_approves_a_request_to_their_own_organisation(student, university_a, org_admin_a):
    """An org admin approves requests to their organisation; the new member joins the group."""
    membership = services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)

    services.membership_approve(membership=membership, by=org_admin_a)

    membership.refresh_from_db()
    assert membership.status == MStatus.ACTIVE
    assert university_a.group.user_set.filter(pk=student.pk).exists()
    assert membership.status_changes.order_by("pk").last().changed_by == org_admin_a


@pytest.mark.parametrize("service", [services.membership_approve, services.membership_reject])
def test_org_admin_of_another_organisation_cannot_decide(student, university_a, university_b, make_member, service):
    """An org admin of B cannot approve or reject a request to A."""
    admin_b = make_member(university_b, Role.ORG_ADMIN)
    membership = services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)

    with pytest.raises(PermissionDenied):
        service(membership=membership, by=admin_b)

    membership.refresh_from_db()
    assert membership.status == MStatus.PENDING
    assert not university_a.group.user_set.filter(pk=student.pk).exists()


def test_an_author_cannot_decide_requests_to_their_own_organisation(student, university_a, author_a):
    """Deciding join requests is for org admins; an author of the same organisation cannot."""
    membership = services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)

    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=membership, by=author_a)

    membership.refresh_from_db()
    assert membership.status == MStatus.PENDING


def test_deciding_a_request_twice_is_an_illegal_transition(student, university_a, org_admin_a):
    """An approved request cannot be approved or rejected again."""
    membership = services.membership_request(organisation=university_a, user=student, role=Role.AUTHOR)
    services.membership_approve(membership=membership, by=org_admin_a)

    with pytest.raises(IllegalTransition):
        services.membership_approve(membership=membership, by=org_admin_a)
    with pytest.raises(IllegalTransition):
        services.membership_reject(membership=membership, by=org_admin_a)

    assert len(_changes(membership)) == 2


# --- Removing and changing roles -------------------------------------------------------------


def test_the_last_active_org_admin_cannot_be_removed_or_demoted(university_a, org_admin_a, author_a, platform_admin):
    """An organisation keeps at least one active admin: removing or demoting the last one is a
    ValidationError, and their membership and group place stay as they were."""
    membership = Membership.objects.get(organisation=university_a, user=org_admin_a)

    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, by=platform_admin)
    with pytest.raises(ValidationError):
        services.membership_role_change(membership=membership, role=Role.AUTHOR, by=org_admin_a)

    membership.refresh_from_db()
    assert (membership.status, membership.role) == (MStatus.ACTIVE, Role.ORG_ADMIN)
    assert university_a.group.user_set.filter(pk=org_admin_a.pk).exists()


def test_an_org_admin_can_leave_once_another_admin_exists(university_a, org_admin_a, make_member):
    """With a second active admin the first can be removed, and leaves the editors group."""
    second = make_member(university_a, Role.ORG_ADMIN)
    membership = Membership.objects.get(organisation=university_a, user=org_admin_a)

    services.membership_remove(membership=membership, by=second)

    membership.refresh_from_db()
    assert membership.status == MStatus.REMOVED
    assert set(university_a.group.user_set.all()) == {second}


def test_removing_a_member_takes_them_out_of_the_group(university_a, author_a, org_admin_a):
    """A removed author is no longer an editor of the organisation's pages."""
    membership = Membership.objects.get(organisation=university_a, user=author_a)

    services.membership_remove(membership=membership, by=org_admin_a)

    assert set(university_a.group.user_set.all()) == {org_admin_a}
    author_a.refresh_from_db()
    assert not university_a.pages.get().permissions_for_user(author_a).can_edit()


def test_role_change_keeps_group_membership_right(university_a, author_a, org_admin_a):
    """Promoting an author and then demoting the former admin keeps both in the editors group,
    and the new admin can then manage members."""
    author_membership = Membership.objects.get(organisation=university_a, user=author_a)
    admin_membership = Membership.objects.get(organisation=university_a, user=org_admin_a)

    services.membership_role_change(membership=author_membership, role=Role.ORG_ADMIN, by=org_admin_a)
    services.membership_role_change(membership=admin_membership, role=Role.AUTHOR, by=author_a)

    author_membership.refresh_from_db()
    admin_membership.refresh_from_db()
    assert (author_membership.role, admin_membership.role) == (Role.ORG_ADMIN, Role.AUTHOR)
    assert set(university_a.group.user_set.all()) == {author_a, org_admin_a}
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=author_membership, by=org_admin_a)


def test_role_change_refuses_a_role_the_organisation_kind_does_not_have(university_a, author_a, org_admin_a):
    """An author at a university cannot be made a mentor."""
    membership = Membership.objects.get(organisation=university_a, user=author_a)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_role_change(membership=membership, role=Role.MENTOR, by=org_admin_a)

    assert "role" in excinfo.value.message_dict
    membership.refresh_from_db()
    assert membership.role == Role.AUTHOR


def test_a_removed_member_who_is_approved_again_is_back_in_the_group(university_a, author_a, org_admin_a):
    """Removal is not final: a new request, once approved, makes the person an editor again."""
    membership = Membership.objects.get(organisation=university_a, user=author_a)
    services.membership_remove(membership=membership, by=org_admin_a)

    again = services.membership_request(organisation=university_a, user=author_a, role=Role.AUTHOR)
    services.membership_approve(membership=again, by=org_admin_a)

    assert set(university_a.group.user_set.all()) == {author_a, org_admin_a}
