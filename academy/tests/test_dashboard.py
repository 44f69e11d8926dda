"""The personal dashboard at /dashboard/: each role gets its own sections, an organisation admin
sees their own organisation's join requests only, and the page's query count stays flat."""

import pytest

from academy.organisations.factories import MembershipFactory, OrganisationFactory
from academy.organisations.models import Membership
from academy.people.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
Role = Membership.Role


def _dashboard(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response, response.content.decode()


def test_dashboard_needs_sign_in(client):
    """An anonymous visitor is sent to sign in and comes back to the dashboard afterwards."""
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_student_sees_learning_and_the_way_to_join_an_organisation(client, student):
    """A student's dashboard shows their learning and certificates and offers to join or register
    an organisation, and nothing of the staff or platform sections."""
    response, html = _dashboard(client, student)

    assert response.context["roles"] == ["student"]
    assert "Your learning" in html and "Your certificates" in html
    assert "/organisations/join/" in html and "/organisations/apply/" in html
    assert "Your organisations" not in html and "Review applications" not in html


def test_author_sees_their_university_and_course_authoring(client, author_a, university_a):
    """A university author sees their organisation, its public page and the authoring note;
    no member management, no platform section, no student section."""
    response, html = _dashboard(client, author_a)

    assert response.context["roles"] == ["author"]
    assert "Your organisations" in html and "Alpha University of Commerce" in html
    assert "Courses you author" in html
    assert university_a.pages.get(alias_of__isnull=True).url in html
    assert "/organisations/alpha-university/members/" not in html
    assert "Review applications" not in html and "Your learning" not in html


def test_mentor_sees_their_enterprise_and_practicum_projects(client, mentor):
    """An enterprise mentor sees their enterprise and the practicum note, not the authoring one."""
    response, html = _dashboard(client, mentor)

    assert response.context["roles"] == ["mentor"]
    assert "Gamma Trading" in html and "Practicum projects you post" in html
    assert "Courses you author" not in html and "Your learning" not in html


def test_platform_admin_sees_the_platform_section(client, platform_admin, partner_index):
    """A platform admin sees how many organisations and requests wait, and links to the review
    queue and the CMS."""
    OrganisationFactory(name_en="Harbour Lantern College")
    response, html = _dashboard(client, platform_admin)

    assert response.context["roles"] == ["admin"]
    assert [o.name_en for o in response.context["pending_organisations"]] == ["Harbour Lantern College"]
    assert "organisations awaiting approval" in html
    assert 'href="/organisations/review/"' in html and 'href="/admin/"' in html
    assert "The scheduler has not reported yet." in html


def test_platform_admin_sees_the_scheduler_heartbeat(client, platform_admin):
    """Once beat has run, the platform section says how long ago."""
    from datetime import datetime

    from academy.tasks import scheduler_heartbeat

    when = scheduler_heartbeat.delay().get()
    response, html = _dashboard(client, platform_admin)

    assert response.context["scheduler_heartbeat"] == datetime.fromisoformat(when)
    assert "The scheduler last reported 0\xa0minutes ago." in html
    assert "has not reported yet" not in html


def test_pending_applicant_sees_their_application(client, student, partner_index):
    """Someone who applied for an organisation sees it on their dashboard as awaiting approval."""
    from academy.organisations import services

    services.organisation_apply(applicant=student, kind="university", name_en="Oasis Institute", country="KZ")
    response, html = _dashboard(client, student)

    assert [m.organisation.name_en for m in response.context["memberships"]] == ["Oasis Institute"]
    assert response.context["pending_memberships"] == []


def test_org_admin_sees_join_requests_to_their_organisation_only(client, org_admin_a, university_a, university_b):
    """An org admin sees pending requests to their organisation, with approve and reject
    buttons, and none of another organisation's."""
    to_a = MembershipFactory(organisation=university_a, user=UserFactory(display_name="Asker Alpha"), role=Role.AUTHOR, message="Let me in")
    MembershipFactory(organisation=university_b, user=UserFactory(display_name="Asker Beta"), role=Role.AUTHOR)

    response, html = _dashboard(client, org_admin_a)

    assert response.context["pending_memberships"] == [to_a]
    assert "Asker Alpha" in html and "Let me in" in html
    assert f'action="/organisations/memberships/{to_a.pk}/"' in html
    assert "Asker Beta" not in html
    assert "/organisations/alpha-university/members/" in html


def test_author_is_not_shown_join_requests(client, author_a, university_a):
    """An author of the same organisation does not see its join requests."""
    MembershipFactory(organisation=university_a, user=UserFactory(display_name="Asker Alpha"), role=Role.AUTHOR)

    response, html = _dashboard(client, author_a)

    assert response.context["pending_memberships"] == []
    assert "Asker Alpha" not in html


# --- Query counts ----------------------------------------------------------------------------

# Pinned by measurement, per role; the dashboard must not need more queries as lists grow.
QUERIES = {"student": 5, "author": 9, "mentor": 9, "org_admin": 10, "platform_admin": 7}


def _count(client, user, bound, django_assert_max_num_queries):
    client.force_login(user)
    client.get(URL)  # warm the per-site caches
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_student_dashboard_query_count(client, student, django_assert_max_num_queries):
    """A student's dashboard stays within its pinned number of queries."""
    _count(client, student, QUERIES["student"], django_assert_max_num_queries)


def test_mentor_dashboard_query_count(client, mentor, django_assert_max_num_queries):
    """A mentor's dashboard stays within its pinned number of queries."""
    _count(client, mentor, QUERIES["mentor"], django_assert_max_num_queries)


def test_staff_dashboard_queries_do_not_grow_with_organisations(client, make_organisation, make_member, django_assert_max_num_queries):
    """An author in ten organisations costs the dashboard as many queries as one in three."""
    author = UserFactory()

    def grow(start, stop):
        for n in range(start, stop):
            make_member(make_organisation(name_en=f"College {n}", slug=f"college-{n}"), Role.AUTHOR, user=author)

    grow(0, 3)
    few = _count(client, author, QUERIES["author"], django_assert_max_num_queries)
    grow(3, 10)
    many = _count(client, author, QUERIES["author"], django_assert_max_num_queries)
    assert len(client.get(URL).context["memberships"]) == 10

    assert few == many


def test_org_admin_dashboard_queries_do_not_grow_with_requests(client, org_admin_a, university_a, django_assert_max_num_queries):
    """An org admin with ten join requests waiting costs as many queries as with three."""
    def grow(start, stop):
        for _n in range(start, stop):
            MembershipFactory(organisation=university_a, user=UserFactory(), role=Role.AUTHOR)

    grow(0, 3)
    few = _count(client, org_admin_a, QUERIES["org_admin"], django_assert_max_num_queries)
    grow(3, 10)
    many = _count(client, org_admin_a, QUERIES["org_admin"], django_assert_max_num_queries)

    assert few == many


def test_platform_admin_dashboard_queries_do_not_grow_with_applications(client, platform_admin, university_a, django_assert_max_num_queries):
    """A platform admin with ten applications and requests waiting costs as many queries as with three."""
    def grow(start, stop):
        for n in range(start, stop):
            OrganisationFactory(name_en=f"Applicant College {n}")
            MembershipFactory(organisation=university_a, user=UserFactory(), role=Role.AUTHOR)

    grow(0, 3)
    few = _count(client, platform_admin, QUERIES["platform_admin"], django_assert_max_num_queries)
    grow(3, 10)
    many = _count(client, platform_admin, QUERIES["platform_admin"], django_assert_max_num_queries)
    assert len(client.get(URL).context["pending_memberships"]) == 10

    assert few == many
