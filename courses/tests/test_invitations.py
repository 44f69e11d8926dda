"""Invitations to a run: a CSV of addresses imported by an instructor (each line invited,
skipped or reported with its number), the e-mails, and accepting an invitation with the
account of the address it was sent to."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from academy.people.factories import UserFactory
from courses import services
from courses.factories import course_tree, open_run
from courses.models import CourseRun, Enrolment, Invitation

pytestmark = pytest.mark.django_db

S = Enrolment.Status

CSV = """E-mail,Name
good.one@example.com,Good One
not-an-address,Bad Row
Good.One@Example.com,Same person again
,someone@example.com in the wrong column

  good.two@example.com  ,Good Two
"""


@pytest.fixture
def course(university_a):
    return course_tree(organisation=university_a, modules=1, lessons=1)


@pytest.fixture
def run(course, author_a):
    return open_run(course=course, by=author_a, enrolment_mode=CourseRun.EnrolmentMode.INVITATION)


def import_csv(run, by, text, capture):
    with capture(execute=True):
        return services.invitations_import(run=run, by=by, text=text)


# --- Importing -------------------------------------------------------------------------------


def test_good_rows_are_invited_and_e_mailed(run, author_a, django_capture_on_commit_callbacks):
    """Every good address gets an invitation and an e-mail with its own acceptance link."""
    report = import_csv(run, author_a, CSV, django_capture_on_commit_callbacks)

    assert report.sent == [(2, "good.one@example.com"), (7, "good.two@example.com")]
    invitations = {i.email: i for i in Invitation.objects.filter(run=run)}
    assert set(invitations) == {"good.one@example.com", "good.two@example.com"}
    assert all(i.status == Invitation.Status.SENT and i.invited_by == author_a for i in invitations.values())
    assert sorted(message.to[0] for message in mail.outbox) == ["good.one@example.com", "good.two@example.com"]
    for message in mail.outbox:
        token = invitations[message.to[0]].token
        assert reverse("courses:invitation_accept", args=[token]) in message.body


def test_bad_rows_are_reported_with_their_line_numbers_and_none_is_lost(run, author_a, django_capture_on_commit_callbacks):
    """A bad address and a row with nothing in the first column are reported by line, the
    duplicate is skipped, the header and the blank line are ignored: every other line is
    accounted for exactly once."""
    report = import_csv(run, author_a, CSV, django_capture_on_commit_callbacks)

    assert [(line, text) for line, text, _message in report.errors] == [(3, "not-an-address"), (5, ",someone@example.com in the wrong column")]
    assert [(line, email) for line, email, _reason in report.skipped] == [(4, "good.one@example.com")]
    accounted = sorted([line for line, *_ in report.sent] + [line for line, *_ in report.errors] + [line for line, *_ in report.skipped])
    assert accounted == [2, 3, 4, 5, 7]
    assert Invitation.objects.count() == 2


def test_a_file_without_a_header_invites_its_first_line(run, author_a, django_capture_on_commit_callbacks):
    """Without a header, the first line is an address like the others."""
    report = import_csv(run, author_a, "first@example.com\nsecond@example.com\n", django_capture_on_commit_callbacks)

    assert report.sent == [(1, "first@example.com"), (2, "second@example.com")]


def test_enrolled_learners_and_accepted_invitations_are_skipped(run, author_a, django_capture_on_commit_callbacks):
    """An address already enrolled, or whose invitation was accepted, is skipped with a reason
    and gets no e-mail; an invitation sent before is sent again."""
    enrolled = UserFactory(email="enrolled@example.com")
    Enrolment.objects.create(run=run, user=enrolled, status=S.ACTIVE)
    accepted = UserFactory(email="accepted@example.com")
    services.invitation_accept(invitation=Invitation.objects.create(run=run, email=accepted.email), user=accepted)
    Invitation.objects.create(run=run, email="again@example.com")
    Enrolment.objects.filter(user=accepted).update(status=S.WITHDRAWN)

    report = import_csv(run, author_a, "enrolled@example.com\naccepted@example.com\nagain@example.com\n", django_capture_on_commit_callbacks)

    assert [(line, email) for line, email, _reason in report.skipped] == [(1, "enrolled@example.com"), (2, "accepted@example.com")]
    assert report.sent == [(3, "again@example.com")]
    assert [message.to for message in mail.outbox] == [["again@example.com"]]


def test_only_the_course_staff_import_invitations(run, author_b, student):
    """Staff of another university and learners cannot invite people to the run."""
    for outsider in (author_b, student):
        with pytest.raises(PermissionDenied):
            services.invitations_import(run=run, by=outsider, text="someone@example.com\n")

    assert not Invitation.objects.exists()


def test_a_binary_file_is_refused_as_not_text(run, author_a):
    """Bytes that happen to decode (a PNG read as GB 18030) are still not a list of addresses."""
    text = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08".decode("gb18030")

    with pytest.raises(ValidationError, match="not a text file"):
        services.invitations_import(run=run, by=author_a, text=text)

    assert not Invitation.objects.exists()


# --- Accepting -------------------------------------------------------------------------------


def test_the_invited_person_is_enrolled_even_after_enrolment_closed(course, author_a, student):
    """An invitation skips the enrolment window: accepted after enrolment closed, it enrols."""
    now = timezone.now()
    run = open_run(course=course, by=author_a, enrolment_mode=CourseRun.EnrolmentMode.INVITATION, enrolment_closes_at=now - datetime.timedelta(days=1))
    invitation = Invitation.objects.create(run=run, email=student.email, invited_by=author_a)

    enrolment = services.invitation_accept(invitation=invitation, user=student)

    assert enrolment.status == S.ACTIVE and enrolment.source == Enrolment.Source.INVITATION
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (Invitation.Status.ACCEPTED, student)


def test_an_invitation_is_accepted_with_a_verified_secondary_address(run, student):
    """The invitation may go to any verified address of the account, not only the primary one."""
    EmailAddress.objects.create(user=student, email="work@example.org", verified=True, primary=False)
    invitation = Invitation.objects.create(run=run, email="Work@Example.org")

    assert services.invitation_accept(invitation=invitation, user=student).status == S.ACTIVE


def test_someone_else_cannot_accept_an_invitation(run, student):
    """Another account, or an unverified address on it, does not accept the invitation."""
    invitation = Invitation.objects.create(run=run, email="invited@example.com")
    EmailAddress.objects.create(user=student, email="invited@example.com", verified=False, primary=False)

    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=invitation, user=student)

    assert not Enrolment.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.SENT


def test_accepting_an_invitation_to_a_full_run_waitlists(course, author_a, student):
    """An invitation skips the window and approval, not the capacity: a full run waitlists."""
    run = open_run(course=course, by=author_a, enrolment_mode=CourseRun.EnrolmentMode.INVITATION, capacity=1)
    first = UserFactory()
    services.invitation_accept(invitation=Invitation.objects.create(run=run, email=first.email), user=first)

    enrolment = services.invitation_accept(invitation=Invitation.objects.create(run=run, email=student.email), user=student)

    assert enrolment.status == S.WAITLISTED


def test_accepting_twice_keeps_one_enrolment(run, student):
    """Following the link again changes nothing."""
    invitation = Invitation.objects.create(run=run, email=student.email)
    first = services.invitation_accept(invitation=invitation, user=student)

    second = services.invitation_accept(invitation=invitation, user=student)

    assert first.pk == second.pk and Enrolment.objects.count() == 1
    assert second.status_changes.count() == 1


def test_a_revoked_invitation_or_an_ended_run_cannot_be_accepted(course, author_a, student):
    """A withdrawn invitation, or one to a run that has ended, enrols nobody."""
    run = open_run(course=course, by=author_a, enrolment_mode=CourseRun.EnrolmentMode.INVITATION)
    revoked = Invitation.objects.create(run=run, email=student.email, status=Invitation.Status.REVOKED)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept(invitation=revoked, user=student)

    ended = open_run(course=course, by=author_a, title="Last year", starts_in_days=-200, length_days=100)
    with pytest.raises(ValidationError, match="ended"):
        services.invitation_accept(invitation=Invitation.objects.create(run=ended, email=student.email), user=student)

    assert not Enrolment.objects.exists()


# --- The instructor's page -------------------------------------------------------------------


def test_run_manage_page_imports_an_uploaded_file_and_shows_the_report(client, run, author_a, django_capture_on_commit_callbacks):
    """An instructor uploads a CSV on the run's page and sees which lines were invited and
    which were not, with their numbers."""
    client.force_login(author_a)
    upload = SimpleUploadedFile("learners.csv", CSV.encode("utf-8-sig"), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:run_manage", args=[run.pk]), {"file": upload})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.sent == [(2, "good.one@example.com"), (7, "good.two@example.com")]
    html = response.content.decode()
    assert "not-an-address" in html and "good.two@example.com" in html
    assert len(mail.outbox) == 2


def test_run_manage_page_reads_a_gb18030_file(client, run, author_a):
    """A CSV saved by Chinese Excel (GB 18030, Chinese header) is read."""
    client.force_login(author_a)
    upload = SimpleUploadedFile("学员.csv", "邮箱,姓名\nwang@example.com,王伟\n".encode("gb18030"), content_type="text/csv")

    response = client.post(reverse("courses:run_manage", args=[run.pk]), {"file": upload})

    assert response.status_code == 200
    assert response.context["report"].sent == [(2, "wang@example.com")]


@pytest.mark.parametrize("content", [b"\xff\xfe\xff\xfe not text", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08"], ids=["undecodable", "png"])
def test_run_manage_page_refuses_a_file_that_is_not_text(client, run, author_a, content):
    """A file that is not text in UTF-8 or GB 18030 gets a clear error on the form, and nobody
    is invited."""
    client.force_login(author_a)
    upload = SimpleUploadedFile("learners.csv", content, content_type="text/csv")

    response = client.post(reverse("courses:run_manage", args=[run.pk]), {"file": upload})

    assert response.status_code == 400
    assert response.context["report"] is None
    errors = " ".join(response.context["form"].errors["file"])
    assert "UTF-8" in errors or "not a text file" in errors
    assert not Invitation.objects.exists()
