"""The organisation views under /organisations/: applying, joining, the review queue, decisions
and the members page; who may use each, and the query counts of the listings."""

import pytest
from django.urls import reverse

from academy.organisations import services
from academy.organisations.factories import MembershipFactory, OrganisationFactory
from academy.organisations.models import Membership, Organisation
from academy.people.factories import UserFactory

pytestmark = pytest.mark.django_db

Role, MStatus = Membership.Role, Membership.Status

APPLY_URL = "/organisations/apply/"
JOIN_URL = "/organisations/join/"
REVIEW_URL = "/organisations/review/"


def _members_url(organisation):
    return f"/organisations/{organisation.slug}/members/"


def _form_errors(response):
    return response.context["form"].errors


@pytest.fixture
def admin_b(university_b, make_member):
    return make_member(university_b, Role.ORG_ADMIN, email="admin-b@example.com", display_name="Admin Beta")


# --- Applying --------------------------------------------------------------------------------


def test_urls_are_under_organisations():
    """The organisation views live under /organisations/."""
    assert reverse("organisation_apply") == APPLY_URL
    assert reverse("membership_request") == JOIN_URL
    assert reverse("organisation_review") == REVIEW_URL
    assert reverse("organisation_decide", args=[7]) == "/organisations/review/7/"
    assert reverse("membership_decide", args=[7]) == "/organisations/memberships/7/"
    assert reverse("organisation_members", args=["alpha"]) == "/organisations/alpha/members/"


@pytest.mark.parametrize("url", [APPLY_URL, JOIN_URL, REVIEW_URL, "/organisations/alpha-university/members/"])
def test_organisation_pages_need_a_signed_in_person(client, url):
    """Anonymous visitors are sent to the sign-in page."""
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_apply_form_shows_errors_and_creates_nothing_on_bad_input(client, student, partner_index):
    """A missing name, an unknown kind and a bad country come back as form errors; no
    organisation or membership is created."""
    client.force_login(student)

    response = client.post(APPLY_URL, {"kind": "school", "name_en": "", "country": "XX"})

    assert response.status_code == 200
    assert {"kind", "name_en", "country"} <= set(_form_errors(response))
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_apply_form_refuses_a_name_already_registered(client, student, university_a):
    """An English name already taken is a form error on that field."""
    client.force_login(student)

    response = client.post(APPLY_URL, {"kind": "university", "name_en": university_a.name_en, "country": "CN"})

    assert response.status_code == 200
    assert "name_en" in _form_errors(response)
    assert Organisation.objects.count() == 1


def test_apply_form_creates_a_pending_organisation_and_redirects(client, student, partner_index):
    """A valid application creates a pending organisation with the applicant as its pending
    admin and redirects to the dashboard; no page exists until approval."""
    client.force_login(student)

    response = client.post(APPLY_URL, {
        "kind": "enterprise", "name_en": "Desert Rose Exports", "name_zh": "沙漠玫瑰出口",
        "country": "AE", "website": "https://desert-rose.example.com", "description_en": "Dates and spices.",
    })

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    organisation = Organisation.objects.get()
    assert (organisation.status, organisation.kind, organisation.applied_by) == (Organisation.Status.PENDING, "enterprise", student)
    assert organisation.slug == "desert-rose-exports"
    membership = organisation.memberships.get()
    assert (membership.user, membership.role, membership.status) == (student, Role.ORG_ADMIN, MStatus.PENDING)
    assert not organisation.pages.exists()


# --- Joining ---------------------------------------------------------------------------------


def test_join_form_offers_only_organisations_the_person_can_join(client, author_a, university_a, university_b, partner_index):
    """The join form lists approved organisations the person is not yet in; pending ones and
    their own are left out."""
    OrganisationFactory(name_en="Pending Polytechnic")
    client.force_login(author_a)

    response = client.get(JOIN_URL)

    assert response.status_code == 200
    assert list(response.context["form"].fields["organisation"].queryset) == [university_b]


def test_join_form_creates_a_pending_request(client, student, university_a):
    """Asking to join creates a pending membership with the role and message, then redirects."""
    client.force_login(student)

    response = client.post(JOIN_URL, {"organisation": university_a.pk, "role": "author", "message": "I teach logistics."})

    assert response.status_code == 302
    membership = Membership.objects.get(user=student)
    assert (membership.organisation, membership.role, membership.status, membership.message) == (
        university_a, Role.AUTHOR, MStatus.PENDING, "I teach logistics.")


def test_join_form_refuses_a_role_the_organisation_does_not_have(client, student, university_a):
    """Asking to be a mentor at a university is a form error on "role"; nothing is stored."""
    client.force_login(student)

    response = client.post(JOIN_URL, {"organisation": university_a.pk, "role": "mentor"})

    assert response.status_code == 200
    assert "role" in _form_errors(response)
    assert not Membership.objects.filter(user=student).exists()


def test_join_form_refuses_an_organisation_the_person_already_belongs_to(client, author_a, university_a):
    """A second request to one's own organisation is a form error, not a second membership."""
    client.force_login(author_a)

    response = client.post(JOIN_URL, {"organisation": university_a.pk, "role": "org_admin"})

    assert response.status_code == 200
    assert "organisation" in _form_errors(response)
    assert Membership.objects.filter(user=author_a).count() == 1


# --- The review queue ------------------------------------------------------------------------


def test_review_queue_lists_pending_organisations_and_requests_for_a_platform_admin(client, platform_admin, student, university_a):
    """A platform admin sees every pending organisation and join request."""
    OrganisationFactory(name_en="Harbour Lantern College")
    MembershipFactory(organisation=university_a, user=student, role=Role.AUTHOR)
    client.force_login(platform_admin)

    response = client.get(REVIEW_URL)

    assert response.status_code == 200
    assert [o.name_en for o in response.context["organisations"]] == ["Harbour Lantern College"]
    assert [m.user for m in response.context["memberships"]] == [student]
    assert "Harbour Lantern College" in response.content.decode()


def test_review_queue_is_forbidden_to_everyone_else(client, student, author_a, org_admin_a):
    """Students, authors and organisation admins get 403 on the review queue."""
    for person in (student, author_a, org_admin_a):
        client.force_login(person)
        assert client.get(REVIEW_URL).status_code == 403, person


# --- Deciding on organisations ---------------------------------------------------------------


def test_organisation_decide_is_post_only(client, platform_admin, partner_index):
    """A GET never decides anything: 405 and the organisation stays pending."""
    organisation = OrganisationFactory()
    client.force_login(platform_admin)

    response = client.get(f"/organisations/review/{organisation.pk}/?decision=approve")

    assert response.status_code == 405
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING


@pytest.mark.parametrize("person", ["student", "org_admin_a"])
def test_organisation_decide_is_forbidden_to_non_admins(request, client, partner_index, person):
    """Anyone but a platform admin gets 403 and the organisation stays pending."""
    organisation = OrganisationFactory()
    client.force_login(request.getfixturevalue(person))

    response = client.post(f"/organisations/review/{organisation.pk}/", {"decision": "approve"})

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING
    assert not organisation.pages.exists()


@pytest.mark.parametrize("decision, status", [("approve", Organisation.Status.APPROVED), ("reject", Organisation.Status.REJECTED)])
def test_platform_admin_decides_an_application(client, platform_admin, student, partner_index, decision, status):
    """Approve or reject from the queue changes the status, keeps the note, and returns to it."""
    organisation = services.organisation_apply(applicant=student, kind="university", name_en="Oasis Institute", country="KZ")
    client.force_login(platform_admin)

    response = client.post(f"/organisations/review/{organisation.pk}/", {"decision": decision, "note": "Seen."})

    assert response.status_code == 302
    assert response["Location"] == REVIEW_URL
    organisation.refresh_from_db()
    assert organisation.status == status
    assert organisation.status_changes.order_by("pk").last().note == "Seen."
    assert organisation.pages.exists() == (decision == "approve")


@pytest.mark.parametrize("data", [{"decision": "approve"}, {"decision": "maybe"}])
def test_organisation_decide_changes_nothing_when_the_move_is_illegal_or_unclear(client, platform_admin, university_a, data):
    """Approving an approved organisation, or an unknown decision, changes nothing."""
    client.force_login(platform_admin)
    changes = university_a.status_changes.count()

    response = client.post(f"/organisations/review/{university_a.pk}/", data)

    assert response.status_code == 302
    university_a.refresh_from_db()
    assert university_a.status == Organisation.Status.APPROVED
    assert university_a.status_changes.count() == changes
    assert university_a.pages.count() == 1


def test_organisation_decide_on_an_unknown_organisation_is_404(client, platform_admin):
    """Deciding on an organisation that does not exist is a 404."""
    client.force_login(platform_admin)

    assert client.post("/organisations/review/999999/", {"decision": "approve"}).status_code == 404


# --- Deciding on join requests ---------------------------------------------------------------


def test_membership_decide_is_post_only(client, org_admin_a, student, university_a):
    """A GET on a join request is 405 and the request stays pending."""
    membership = MembershipFactory(organisation=university_a, user=student)
    client.force_login(org_admin_a)

    assert client.get(f"/organisations/memberships/{membership.pk}/").status_code == 405
    membership.refresh_from_db()
    assert membership.status == MStatus.PENDING


def test_org_admin_approves_a_request_to_their_organisation(client, org_admin_a, student, university_a):
    """An org admin's approval activates the request and returns to the page they came from."""
    membership = MembershipFactory(organisation=university_a, user=student)
    client.force_login(org_admin_a)

    response = client.post(f"/organisations/memberships/{membership.pk}/", {"decision": "approve", "back": _members_url(university_a)})

    assert response.status_code == 302
    assert response["Location"] == _members_url(university_a)
    membership.refresh_from_db()
    assert membership.status == MStatus.ACTIVE
    assert university_a.group.user_set.filter(pk=student.pk).exists()


def test_org_admin_of_a_cannot_decide_a_request_to_b_by_changing_the_id(client, org_admin_a, student, university_b):
    """An org admin of A posting approve or reject to a request to B gets 403 and the request is unchanged."""
    membership = MembershipFactory(organisation=university_b, user=student)
    client.force_login(org_admin_a)

    for decision in ("approve", "reject"):
        response = client.post(f"/organisations/memberships/{membership.pk}/", {"decision": decision})
        assert response.status_code == 403, decision

    membership.refresh_from_db()
    assert membership.status == MStatus.PENDING
    assert not membership.status_changes.exists()
    assert not university_b.group.user_set.filter(pk=student.pk).exists()


def test_an_author_cannot_decide_requests(client, author_a, student, university_a):
    """Only admins decide join requests, even in the author's own organisation."""
    membership = MembershipFactory(organisation=university_a, user=student)
    client.force_login(author_a)

    assert client.post(f"/organisations/memberships/{membership.pk}/", {"decision": "approve"}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == MStatus.PENDING


def test_membership_decide_never_redirects_off_site(client, org_admin_a, student, university_a):
    """The "back" field only ever sends the person to a page of this site, whatever the decision
    (an unclear one, an approval, or one that is no longer possible)."""
    membership = MembershipFactory(organisation=university_a, user=student)
    client.force_login(org_admin_a)

    for decision in ("maybe", "approve", "reject"):
        for back in ("//evil.example/phish", "/\\evil.example/phish", "https://evil.example/"):
            response = client.post(f"/organisations/memberships/{membership.pk}/", {"decision": decision, "back": back})
            assert response.status_code == 302
            location = response["Location"]
            assert location.startswith("/") and not location.startswith(("//", "/\\")), (decision, back, location)


# --- The members page ------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["org_admin_a", "platform_admin"])
def test_members_page_is_open_to_the_organisations_admins_and_platform_admins(request, client, author_a, person):
    """Org admins of the organisation and platform admins see its members with their e-mails."""
    client.force_login(request.getfixturevalue(person))

    response = client.get("/organisations/alpha-university/members/")

    assert response.status_code == 200
    assert "author-a@example.com" in response.content.decode()
    assert [value for value, _label in response.context["roles"]] == ["org_admin", "author"]


def test_members_page_is_forbidden_to_everyone_else(client, university_a, author_a, org_admin_a, admin_b, student):
    """Authors of the organisation, admins of other organisations and students get 403, and
    cannot remove anyone."""
    target = Membership.objects.get(user=org_admin_a)
    for person in (author_a, admin_b, student):
        client.force_login(person)
        assert client.get(_members_url(university_a)).status_code == 403, person
        assert client.post(_members_url(university_a), {"membership": target.pk, "action": "remove"}).status_code == 403, person
    target.refresh_from_db()
    assert target.status == MStatus.ACTIVE


def test_members_page_changes_a_role(client, org_admin_a, author_a, university_a):
    """An org admin promotes an author; the author stays in the editors group."""
    client.force_login(org_admin_a)
    membership = Membership.objects.get(user=author_a)

    response = client.post(_members_url(university_a), {"membership": membership.pk, "action": "role", "role": "org_admin"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ORG_ADMIN
    assert university_a.group.user_set.filter(pk=author_a.pk).exists()


def test_members_page_removes_a_member(client, org_admin_a, author_a, university_a):
    """An org admin removes an author, who leaves the editors group."""
    client.force_login(org_admin_a)
    membership = Membership.objects.get(user=author_a)

    client.post(_members_url(university_a), {"membership": membership.pk, "action": "remove"})

    membership.refresh_from_db()
    assert membership.status == MStatus.REMOVED
    assert not university_a.group.user_set.filter(pk=author_a.pk).exists()


def test_members_page_refuses_what_the_rules_forbid(client, org_admin_a, university_a):
    """Removing or demoting the last admin, or giving a role the organisation does not have
    (or one that does not exist), changes nothing and explains why."""
    client.force_login(org_admin_a)
    membership = Membership.objects.get(user=org_admin_a)

    for data in ({"action": "remove"}, {"action": "role", "role": "author"}, {"action": "role", "role": "mentor"}, {"action": "role", "role": "dean"}):
        response = client.post(_members_url(university_a), {"membership": membership.pk, **data}, follow=True)
        assert response.status_code == 200, data
        assert any("Nothing changed" in str(m) for m in response.context["messages"]), data
        membership.refresh_from_db()
        assert (membership.status, membership.role) == (MStatus.ACTIVE, Role.ORG_ADMIN), data


def test_members_page_cannot_reach_a_membership_of_another_organisation(client, org_admin_a, author_b, university_a):
    """Posting the id of B's member to A's members page is a 404 and B's member is untouched."""
    client.force_login(org_admin_a)
    membership_b = Membership.objects.get(user=author_b)

    response = client.post(_members_url(university_a), {"membership": membership_b.pk, "action": "remove"})

    assert response.status_code == 404
    membership_b.refresh_from_db()
    assert membership_b.status == MStatus.ACTIVE


def test_members_page_answers_a_malformed_membership_id_with_404(client, org_admin_a, university_a):
    """A blank or non-numeric membership id is a 404, not a server error."""
    client.force_login(org_admin_a)

    for value in ("", "abc"):
        response = client.post(_members_url(university_a), {"membership": value, "action": "remove"})
        assert response.status_code == 404, value


# --- Query counts of the listings ------------------------------------------------------------

# Pinned by measurement; a listing must not need more queries as it grows.
PUBLIC_LISTING_QUERIES = {"/": 11, "/partners/": 10}
REVIEW_QUEUE_QUERIES = 6
MEMBERS_PAGE_QUERIES = 9


def _count(client, url, bound, django_assert_max_num_queries):
    client.get(url)  # warm the per-site caches (site root paths, the header's partner link)
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_public_listings_make_a_constant_number_of_queries(client, make_organisation, make_member, django_assert_max_num_queries):
    """The home page (with its partner strip) and the partner index make as many queries for
    ten organisations as for three."""
    from academy.home.models import HomePage

    home = HomePage.objects.get()
    home.body = [("partners", {"heading": "Our partners"})]
    home.save_revision().publish()

    def grow(start, stop):
        for n in range(start, stop):
            kind = Organisation.Kind.UNIVERSITY if n % 2 else Organisation.Kind.ENTERPRISE
            organisation = make_organisation(name_en=f"Partner Number {n}", slug=f"partner-{n}", kind=kind)
            make_member(organisation, Role.ORG_ADMIN)

    grow(0, 3)
    few = {url: _count(client, url, bound, django_assert_max_num_queries) for url, bound in PUBLIC_LISTING_QUERIES.items()}
    assert "Partner Number 2" in client.get("/").content.decode()
    grow(3, 10)
    many = {url: _count(client, url, bound, django_assert_max_num_queries) for url, bound in PUBLIC_LISTING_QUERIES.items()}
    body = client.get("/partners/").content.decode()
    assert all(f"Partner Number {n}" in body for n in range(10))

    assert few == many


def test_review_queue_makes_a_constant_number_of_queries(client, platform_admin, university_a, django_assert_max_num_queries):
    """The review queue makes as many queries for ten pending organisations and requests as
    for three."""
    client.force_login(platform_admin)

    def grow(start, stop):
        for n in range(start, stop):
            OrganisationFactory(name_en=f"Applicant College {n}", applied_by=UserFactory())
            MembershipFactory(organisation=university_a, user=UserFactory(), role=Role.AUTHOR)

    grow(0, 3)
    few = _count(client, REVIEW_URL, REVIEW_QUEUE_QUERIES, django_assert_max_num_queries)
    grow(3, 10)
    many = _count(client, REVIEW_URL, REVIEW_QUEUE_QUERIES, django_assert_max_num_queries)
    assert len(client.get(REVIEW_URL).context["organisations"]) == 10

    assert few == many


def test_members_page_makes_a_constant_number_of_queries(client, org_admin_a, university_a, make_member, django_assert_max_num_queries):
    """The members page makes as many queries for ten members and requests as for three."""
    client.force_login(org_admin_a)

    def grow(start, stop):
        for n in range(start, stop):
            make_member(university_a, Role.AUTHOR)
            MembershipFactory(organisation=university_a, user=UserFactory(), role=Role.AUTHOR)

    grow(0, 3)
    few = _count(client, _members_url(university_a), MEMBERS_PAGE_QUERIES, django_assert_max_num_queries)
    grow(3, 10)
    many = _count(client, _members_url(university_a), MEMBERS_PAGE_QUERIES, django_assert_max_num_queries)
    assert len(client.get(_members_url(university_a)).context["members"]) == 21

    assert few == many
