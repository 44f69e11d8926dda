"""The personal dashboard at /dashboard/: each role gets its own sections, an organisation admin
sees their own organisation's join requests only, and the page's query count stays flat."""

import pytest

from academy.organisations.factories import MembershipFactory, OrganisationFactory
from academy.organisations.models import Membership
from academy.people.factories import UserFactory
from courses import services as course_services
from courses.factories import course_tree, open_run
from courses.models import CourseRun

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
# Every role's dashboard includes the learning section (courses.selectors via
# academy.selectors._learning_for); "learner" is a student with runs, progress and dates to show.
QUERIES = {"student": 11, "learner": 18, "author": 16, "mentor": 17, "org_admin": 17, "platform_admin": 14}


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


def test_student_dashboard_queries_do_not_grow_with_enrolments(client, student, university_a, author_a, django_assert_max_num_queries):
    """A student in five runs (with progress, a waitlist place and a pending request among them)
    costs the dashboard as many queries as a student in one."""
    def grow(start, stop):
        for n in range(start, stop):
            course = course_tree(organisation=university_a, modules=1, lessons=2, title=f"Course {n}")
            mode = CourseRun.EnrolmentMode.APPROVAL if n == 3 else CourseRun.EnrolmentMode.OPEN
            run = open_run(course=course, by=author_a, enrolment_mode=mode, capacity=0 if n == 4 else None)
            enrolment = course_services.enrolment_request(user=student, run=run)
            if n in (0, 1):
                item = run.content_items.filter(kind="lesson").first()
                course_services.lesson_complete(enrolment=enrolment, item=item, by=student)

    grow(0, 1)
    one = _count(client, student, QUERIES["learner"], django_assert_max_num_queries)
    grow(1, 5)
    five = _count(client, student, QUERIES["learner"], django_assert_max_num_queries)
    rows = client.get(URL).context["learner_runs"]
    assert len(rows) == 5 and sum(row.progress is not None for row in rows) == 3

    assert one == five


def test_the_practicum_card_links_a_students_store_and_a_mentors_runs(client, enterprise, mentor, student):
    """A student in a team gets a link to the store; the enterprise's mentor gets the run's board;
    another student is invited to the practicum runs."""
    from django.urls import reverse

    from practicum.factories import home_goods_project
    from practicum.run_services import participant_assign, run_create, team_create

    run = run_create(project=home_goods_project(organisation=enterprise, by=mentor), by=mentor, title="Spring cohort")
    participant_assign(run=run, user=student, team=None, by=mentor)
    store = team_create(run=run, user=student, name="Team Steppe").store

    _, html = _dashboard(client, student)
    assert reverse("practicum_store", args=[store.pk]) in html and "Team Steppe" in html
    _, html = _dashboard(client, mentor)
    assert reverse("practicum_run_board", args=[run.pk]) in html and "Spring cohort" in html
    _, html = _dashboard(client, UserFactory())
    assert reverse("practicum_runs") in html and reverse("practicum_store", args=[store.pk]) not in html
