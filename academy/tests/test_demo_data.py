"""`manage.py load_demo_data`: the five demo logins, the demo organisations built through the real
approval path, idempotence, --reset and --seed, and the refusal outside demo settings."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page, Revision

from academy.organisations.models import (
    Membership,
    MembershipStatusChange,
    Organisation,
    OrganisationPage,
    OrganisationStatusChange,
    PartnerIndexPage,
)
from academy.people.models import User

pytestmark = pytest.mark.django_db

LOGINS = ["admin@example.com", "author@example.com", "mentor@example.com", "student@example.com", "graduate@example.com"]
APPROVED = {"qingshan-university", "steppe-bridge-university", "amber-loom-trading", "lotus-caravan-logistics"}


def _load(*args):
    out = StringIO()
    call_command("load_demo_data", *args, stdout=out)
    return out.getvalue()


def _counts():
    """The rows the demo creates, counted (revisions are compared on their own)."""
    return {
        "users": User.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "organisations": Organisation.objects.count(),
        "approved": Organisation.objects.filter(status=Organisation.Status.APPROVED).count(),
        "memberships": Membership.objects.count(),
        "active_memberships": Membership.objects.filter(status=Membership.Status.ACTIVE).count(),
        "organisation_changes": OrganisationStatusChange.objects.count(),
        "membership_changes": MembershipStatusChange.objects.count(),
        "pages": Page.objects.count(),
        "live_pages": Page.objects.live().count(),
        "groups": Group.objects.count(),
        "group_members": User.groups.through.objects.count(),
        "collections": Collection.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
        "collection_permissions": GroupCollectionPermission.objects.count(),
        "images": get_image_model().objects.count(),
        "locales": Locale.objects.count(),
        **_assessment_counts(),
        **_certificate_counts(),
    }


def _certificate_counts():
    from certificates.models import Certificate, CertificateStatusChange, Issuer, SigningKey, StatusList

    return {
        "certificates": Certificate.objects.count(),
        "certificate_changes": CertificateStatusChange.objects.count(),
        "issuers": Issuer.objects.count(),
        "signing_keys": SigningKey.objects.count(),
        "status_lists": StatusList.objects.count(),
    }


def _certificates_demo():
    """Certificates as the demo promises them: graduate@example.com holds a course certificate
    co-signed by the university and the enterprise and a practicum certificate, student@ a
    practicum certificate, each with its PDF; one certificate is revoked with its reason. Every
    credential verifies with the published keys (and the revoked one says revoked); each
    issuer has a signatory."""
    from certificates.models import Achievement, Certificate, Issuer
    from certificates.verification import Outcome, credential_verify

    held = Certificate.objects.filter(holder__email="graduate@example.com", superseded=False).select_related("achievement")
    assert sorted(c.achievement.kind for c in held) == [Achievement.Kind.COURSE, Achievement.Kind.PRACTICUM]
    course_certificate = held.get(achievement__kind=Achievement.Kind.COURSE)
    assert course_certificate.co_issuer is not None and len(course_certificate.credential["proof"]) == 2
    assert (course_certificate.issuer.organisation.kind, course_certificate.co_issuer.organisation.kind) == ("university", "enterprise")
    assert Certificate.objects.filter(holder__email="student@example.com", achievement__kind=Achievement.Kind.PRACTICUM).exists()
    assert all(c.achievement.name_zh for c in held), "every demo certificate has its Chinese half"
    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED)
    assert revoked.status_reason and revoked.holder.email != "graduate@example.com"
    for certificate in Certificate.objects.all():
        assert certificate.pdf_sha256, f"{certificate.code} has no PDF"
        expected = Outcome.REVOKED if certificate.status == Certificate.Status.REVOKED else Outcome.VALID
        assert credential_verify(certificate.credential).outcome == expected
    assert not Issuer.objects.filter(signatory_name="").exists()


def _assessment_counts():
    from courses import models

    names = (
        "Assignment", "Rubric", "RubricCriterion", "RubricLevel", "Submission", "SubmissionFile", "Review", "ReviewScore",
        "QuizAttempt", "GradingType", "GradeCutoff", "CourseGradeRecord", "CoursePass",
    )
    counts = {name: getattr(models, name).objects.count() for name in names}
    return {
        **{f"assessment_{name}": count for name, count in counts.items()},
        "submissions": counts["Submission"], "reviews": counts["Review"], "course_passes": counts["CoursePass"],
    }


def _practicum_counts():
    """The practicum rows the demo creates whatever its seed (how many orders a day brings
    depends on the seed)."""
    from practicum import run_models
    from practicum.project_models import PracticumProject

    names = ("PracticumRun", "Team", "Store", "RunParticipant", "StockItem", "Listing", "SimulationDay")
    return {"practicum_projects": PracticumProject.objects.count(),
            **{f"practicum_{name}": getattr(run_models, name).objects.count() for name in names}}


def _simulation_counts():
    """The rows the played days leave: orders, their moves and the ledger."""
    from practicum import run_models

    names = ("Order", "OrderLine", "OrderTransition", "LedgerEntry", "LedgerPosting")
    return {name: getattr(run_models, name).objects.count() for name in names}


def _practicum_demo():
    """The demo run and student@example.com's team, checked as the demo promises them: a running
    run of the demo enterprise's project with its days played, student@example.com in Team
    Steppe with graduate@example.com, Team Vistula, a pending applicant, orders that completed
    (escrow released) and a stored journal that passes every ledger check."""
    from practicum import ledger
    from practicum.demo import DAYS_PLAYED
    from practicum.ledger_services import journal_entry_of
    from practicum.project_models import PracticumProject
    from practicum.run_models import LedgerEntry, Order, PracticumRun, RunParticipant

    project = PracticumProject.objects.get(title="Launch our home goods line in Kazakhstan and Poland")
    assert (project.organisation.slug, project.status, project.created_by.email) == (
        "amber-loom-trading", "published", "mentor@example.com")
    assert project.course_run is None or project.course_run.course.partners.filter(organisation=project.organisation).exists()
    run = PracticumRun.objects.get(project=project)
    assert (run.status, run.day) == (PracticumRun.Status.RUNNING, DAYS_PLAYED)
    assert sorted(run.teams.values_list("name", flat=True)) == ["Team Steppe", "Team Vistula"]
    place = RunParticipant.objects.get(run=run, user__email="student@example.com")
    assert (place.status, place.team.name) == (RunParticipant.Status.ACCEPTED, "Team Steppe")
    assert set(place.team.members.values_list("user__email", flat=True)) == {"student@example.com", "graduate@example.com"}
    assert run.participants.filter(status=RunParticipant.Status.APPLIED, team=None).count() == 1
    store = place.team.store
    assert Order.objects.filter(store=store).exists()
    assert Order.objects.filter(store__run=run, status=Order.Status.COMPLETED).exists()
    entries = [journal_entry_of(e) for e in LedgerEntry.objects.filter(run=run).prefetch_related("postings").select_related("reverses")]
    ledger.journal_check(entries)
    assert ledger.trial_balance(entries, store=store.key).balanced
    _practicum_ii_demo(run, store)
    return project, run


def _practicum_ii_demo(run, store):
    """Practicum II as the demo promises it: parcels by several channels, Team Steppe's container
    received in Poznań and selling from there, an inspected and a refused parcel, disputes the
    team answered, and Team Steppe's grade signed off with the rubric, recomputing to itself,
    with a pass for each member."""
    from practicum.dispute_models import Dispute, DisputeEvent
    from practicum.grade_services import grade_verify
    from practicum.review_models import PracticumGrade, PracticumPass
    from practicum.shipment_models import CustomsDeclaration, Shipment
    from practicum.warehouse_models import InboundShipment

    channels = set(Shipment.objects.filter(store__run=run).values_list("channel", flat=True))
    assert {"ECOM_LINE", "EXPRESS", "WH_LASTMILE"} <= channels
    assert InboundShipment.objects.filter(store=store, warehouse="WH-PL-POZ", status=InboundShipment.Status.RECEIVED).exists()
    declarations = CustomsDeclaration.objects.filter(shipment__store__run=run)
    assert declarations.filter(inspected=True).exists() and declarations.filter(refused=True).exists()
    assert Dispute.objects.filter(store__run=run).exists()
    assert DisputeEvent.objects.filter(dispute__store=store).exclude(actor=None).exists()
    grade = PracticumGrade.objects.get(store=store, superseded=False)
    assert grade.rubric_score_pct is not None and grade.passed
    assert grade_verify(grade).ok
    assert set(PracticumPass.objects.filter(run=run).values_list("user__email", flat=True)) == {
        "student@example.com", "graduate@example.com"}


def test_demo_creates_the_five_logins_with_verified_e_mail_and_the_demo_password(db):
    """The five demo logins exist, can sign in with the demo password from the settings (their
    e-mail is verified and primary), and the command prints each of them with that password."""
    with override_settings(DEMO_PASSWORD="caravan-pass-77"):
        output = _load()

    for email in LOGINS:
        user = User.objects.get(email=email)
        assert user.is_active and user.check_password("caravan-pass-77"), email
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists(), email
        assert email in output
    assert output.count("caravan-pass-77") == 5
    assert settings.DEMO_PASSWORD not in output
    admin = User.objects.get(email="admin@example.com")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(email="student@example.com").is_staff


def test_demo_password_is_read_from_the_environment():
    """DEMO_PASSWORD in the environment overrides the default demo password."""
    env = {**os.environ, "DEMO_PASSWORD": "from-the-env-42"}
    result = subprocess.run(
        [sys.executable, "-c", "from academy.settings import test; print(test.DEMO_PASSWORD)"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-the-env-42"


def test_demo_approves_four_organisations_and_leaves_an_application_and_a_request_to_review(db):
    """Two universities and two enterprises are approved through the service, each with a live
    page under the partner index, an editors group holding its staff, a collection and a logo;
    one organisation and one join request wait for review, so the review screens show something."""
    _load()

    approved = Organisation.objects.filter(status=Organisation.Status.APPROVED)
    assert set(approved.values_list("slug", flat=True)) == APPROVED
    assert sorted(approved.values_list("kind", flat=True)) == ["enterprise", "enterprise", "university", "university"]
    partner_index = PartnerIndexPage.objects.get(locale__language_code="en")
    for organisation in approved:
        page = OrganisationPage.objects.get(organisation=organisation, alias_of__isnull=True)
        assert page.live and page.get_parent().pk == partner_index.pk, organisation.slug
        assert organisation.group and organisation.collection and organisation.logo, organisation.slug
        staff = set(organisation.memberships.filter(status=Membership.Status.ACTIVE).values_list("user", flat=True))
        assert staff and set(organisation.group.user_set.values_list("pk", flat=True)) == staff, organisation.slug
        assert organisation.status_changes.filter(to_status=Organisation.Status.APPROVED).count() == 1
    author = Membership.objects.get(user__email="author@example.com")
    assert (author.organisation.slug, author.role, author.status) == ("qingshan-university", "author", "active")
    mentor = Membership.objects.get(user__email="mentor@example.com")
    assert (mentor.organisation.slug, mentor.role, mentor.status) == ("amber-loom-trading", "mentor", "active")

    pending = Organisation.objects.get(status=Organisation.Status.PENDING)
    assert pending.slug == "harbour-lantern-college"
    assert not pending.pages.exists() and pending.group is None
    request = Membership.objects.get(status=Membership.Status.PENDING)
    assert (request.user.email, request.organisation.slug, request.role) == ("applicant@example.com", "qingshan-university", "author")
    assert request.message


def test_demo_site_renders_in_both_languages(client):
    """After loading, the home page has its content in English and Chinese, and the partner index
    lists the four organisations."""
    _load()

    english = client.get("/").content.decode()
    chinese = client.get("/zh-hans/").content.decode()
    partners = client.get("/partners/").content.decode()

    assert "Learn cross-border e-commerce where it is practised" in english
    assert "在实践中学习跨境电商" in chinese
    for name in ("Qingshan University of International Trade", "Steppe Bridge University", "Amber Loom Trading", "Lotus Caravan Logistics"):
        assert name in partners
    assert "Harbour Lantern College" not in partners


def test_loading_twice_changes_nothing_and_reset_rebuilds_the_same(django_capture_on_commit_callbacks, mailoutbox):
    """The command is idempotent: a second run creates, approves, deletes and sends nothing
    (courses' assessment included: assignments, submissions, reviews, attempts, policies; the
    practicum run included: no day is played again, no order or ledger entry added) and
    publishes no new revision of pages whose content it already set. --reset removes the demo's
    people, organisations, submitted files and practicum project and loads them again, to the
    same counts; --seed is accepted with it and seeds the new practicum run. (One test: each
    load of the demo costs seconds.)"""
    from academy.private_storage import private_storage
    from courses.models import Submission, SubmissionFile

    with django_capture_on_commit_callbacks(execute=True):
        _load()
    first, revisions, mails = _counts(), Revision.objects.count(), len(mailoutbox)
    practicum, simulation = _practicum_counts(), _simulation_counts()
    assert first["submissions"] == first["reviews"] == 2 and first["course_passes"] == 1
    project, run = _practicum_demo()
    _certificates_demo()
    assert run.seed == "demo-2026"
    assert {"student@example.com", "graduate@example.com"} <= {address for message in mailoutbox for address in message.to}

    with django_capture_on_commit_callbacks(execute=True):
        _load()

    assert _counts() == first
    assert (_practicum_counts(), _simulation_counts()) == (practicum, simulation)
    assert Revision.objects.count() == revisions, "the second run published new page revisions"
    assert len(mailoutbox) == mails, "the second run sent e-mail again"

    qingshan = Organisation.objects.get(slug="qingshan-university").pk
    old_submissions = set(Submission.objects.values_list("pk", flat=True))
    old_files = [stored.file.name for stored in SubmissionFile.objects.all()]
    assert old_files and all(private_storage().exists(name) for name in old_files)

    with django_capture_on_commit_callbacks(execute=True):
        output = _load("--reset", "--seed", "7")

    assert "Demo data removed." in output
    assert _counts() == first
    assert _practicum_counts() == practicum
    new_project, new_run = _practicum_demo()
    _certificates_demo()
    assert new_project.pk != project.pk and new_run.seed == "demo-7"
    assert Organisation.objects.get(slug="qingshan-university").pk != qingshan
    assert not old_submissions & set(Submission.objects.values_list("pk", flat=True))
    assert not any(private_storage().exists(name) for name in old_files)


def test_seed_option_takes_a_number_only(db):
    """--seed refuses anything but a number, before anything is loaded (a number is used by the
    --reset test above)."""
    with pytest.raises(CommandError):
        call_command("load_demo_data", "--seed", "eleven")

    assert not User.objects.exists()


@override_settings(ACADEMY_ALLOW_DEMO_DATA=False)
def test_demo_refuses_to_load_where_not_allowed(db):
    """With ACADEMY_ALLOW_DEMO_DATA off (production) the command raises CommandError and creates nothing."""
    with pytest.raises(CommandError):
        _load()

    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_demo_author_reaches_the_admin_and_edits_only_qingshan_pages(client):
    """author@example.com can open the Wagtail admin, and the only pages they may edit are
    Qingshan's page, in English and Chinese, and the pages below them."""
    _load()
    author = User.objects.get(email="author@example.com")
    qingshan_pages = list(OrganisationPage.objects.filter(organisation__slug="qingshan-university"))
    assert len(qingshan_pages) == 2

    client.force_login(author)
    assert client.get("/admin/").status_code == 200

    editable = [page for page in Page.objects.all() if page.permissions_for_user(author).can_edit()]
    assert all(page.page_ptr in editable for page in qingshan_pages)
    outside = [
        page for page in editable
        if not any(page.pk == root.pk or page.is_descendant_of(root) for root in qingshan_pages)
    ]
    assert outside == []
