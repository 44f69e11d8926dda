"""Tenant isolation of the certificates section of the Wagtail admin: an administrator of
university B, holding every certificates permission, works only on what B signs.

Every test drives the real admin views with the test client, signed in as B's administrator,
against university A's certificate template, issuer, certificates, course run and batch, with A's
ids typed into URLs and POSTs. Each denial is checked twice: on the response (the 404 of an
unknown object, or Wagtail's refusal) and on the database (nothing of A's changed, no batch was
queued). B's own objects, and an enterprise that co-signed A's certificates, show the denials are
not simply "no admin access at all"."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Revision

from academy.organisations.models import Membership, Organisation
from academy.people.factories import UserFactory
from certificates.batch_services import certificate_batch_create
from certificates.models import Certificate, CertificateBatch, CertificateTemplate, Issuer
from certificates.tests.test_batches import (  # noqa: F401 - fixtures
    certificates_of,
    learners,
    rendered,
)
from courses.factories import course_tree, open_run
from courses.models import CourseOrganisation

pytestmark = pytest.mark.django_db

S = Certificate.Status


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def assert_not_found(response):
    assert response.status_code == 404, (response.status_code, response.get("Location"))


def snapshot(*objects):
    """Everything an edit, status change, re-issue or key rotation would change."""
    state = []
    for obj in objects:
        obj = type(obj).objects.get(pk=obj.pk)
        state.append({
            field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields if field.attname != "updated_at"
        })
    return state


def _template(organisation, name):
    template = CertificateTemplate(
        name=name, organisation=organisation, kind="course", title_en="Certificate", title_zh="证书",
        statement_en="has completed", statement_zh="已完成",
    )
    template.save()
    template.save_revision().publish()
    template.title_en = "Certificate (draft)"
    template.save_revision()
    return CertificateTemplate.objects.get(pk=template.pk)


@pytest.fixture
def world(university_a, university_b, author_a, enterprise, make_member, rendered):
    admin_a = make_member(university_a, Membership.Role.ORG_ADMIN, email="admin-a@example.com", display_name="Admin Alpha")
    admin_b = make_member(university_b, Membership.Role.ORG_ADMIN, email="admin-b@example.com", display_name="Admin Beta")
    mentor = make_member(enterprise, Membership.Role.MENTOR, email="mentor-g@example.com", display_name="Mentor Gamma")
    course_a = course_tree(
        organisation=university_a, modules=1, lessons=1, title="Alpha customs course",
        partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)],
    )
    run_a = open_run(course=course_a, by=author_a, title="Alpha spring")
    certificates_a = certificates_of(course_a, learners(run_a, 2, prefix="Alpha learner"), co_issuer_organisation=enterprise)
    learners(run_a, 1, prefix="Alpha due")
    solo_a = course_tree(organisation=university_a, modules=1, lessons=1, title="Alpha solo course")
    solo_certificate, = certificates_of(solo_a, [UserFactory(display_name="Alpha solo holder", name_latin="Alpha solo holder")])
    batch_a = certificate_batch_create(action="suspend", by=admin_a, codes=[certificates_a[0].code], reason="Alpha review")
    course_b = course_tree(organisation=university_b, modules=1, lessons=1, title="Beta logistics course")
    run_b = open_run(course=course_b, by=admin_b, title="Beta autumn")
    certificates_b = certificates_of(course_b, learners(run_b, 1, prefix="Beta learner"))
    return SimpleNamespace(
        admin_a=admin_a, admin_b=admin_b, mentor=mentor, client_b=client_for(admin_b),
        template_a=_template(university_a, "Alpha secret template"), template_b=_template(university_b, "Beta template"),
        issuer_a=Issuer.objects.get(organisation=university_a), issuer_b=Issuer.objects.get(organisation=university_b),
        course_a=course_a, run_a=run_a, certificates_a=certificates_a, solo_certificate=solo_certificate, batch_a=batch_a,
        run_b=run_b, certificates_b=certificates_b,
    )


# --- Templates ------------------------------------------------------------------------------------------


def test_another_organisations_template_cannot_be_seen_or_touched(world):
    """Listing, chooser, inspect, edit, history, usage, copy, compare, unpublish, delete: A's
    template is absent or 404, and neither a POSTed edit nor a delete changes it."""
    client, a = world.client_b, world.template_a
    ns = "wagtailsnippets_certificates_certificatetemplate"
    before = snapshot(a)
    revisions = Revision.objects.for_instance(a).count()

    listing = client.get(reverse(f"{ns}:list")).content.decode()
    assert "Beta template" in listing and "Alpha secret template" not in listing
    chooser = "wagtailsnippetchoosers_certificates_certificatetemplate"
    assert "Alpha secret template" not in client.get(reverse(f"{chooser}:choose")).content.decode()
    assert "Alpha secret template" not in client.get(reverse(f"{chooser}:choose_results")).content.decode()
    assert_not_found(client.get(reverse(f"{chooser}:chosen", args=[a.pk])))
    assert "Alpha secret" not in client.get(reverse(f"{chooser}:chosen_multiple") + f"?id={a.pk}").content.decode()
    for name in ("edit", "inspect", "history", "usage", "copy", "delete", "unpublish"):
        assert_not_found(client.get(reverse(f"{ns}:{name}", args=[a.pk])))
    assert_not_found(client.get(reverse(f"{ns}:revisions_compare", args=[a.pk, "earliest", "latest"])))
    latest = a.latest_revision_id
    assert_not_found(client.get(reverse(f"{ns}:revisions_revert", args=[a.pk, latest])))
    assert_not_found(client.post(reverse(f"{ns}:edit", args=[a.pk]), {
        "name": "Defaced", "organisation": str(world.template_b.organisation_id), "kind": "", "title_en": "X", "title_zh": "X",
        "statement_en": "X", "statement_zh": "X", "accent_colour": "#000000", "action-publish": "action-publish",
    }))
    assert_not_found(client.post(reverse(f"{ns}:unpublish", args=[a.pk])))
    assert_not_found(client.post(reverse(f"{ns}:delete", args=[a.pk])))
    bulk_delete = reverse("wagtail_bulk_action", args=["certificates", "certificatetemplate", "delete"])
    assert_not_found(client.get(f"{bulk_delete}?id={a.pk}"))
    assert_not_found(client.post(f"{bulk_delete}?id={world.template_b.pk}&id={a.pk}"))

    assert snapshot(a) == before and Revision.objects.for_instance(a).count() == revisions
    assert CertificateTemplate.objects.filter(pk=world.template_b.pk).exists()
    assert client.get(reverse(f"{ns}:edit", args=[world.template_b.pk])).status_code == 200


def test_a_template_cannot_be_made_for_another_organisation(world, university_a):
    """The organisation field offers only B, and A's id posted is refused."""
    client = world.client_b
    add = reverse("wagtailsnippets_certificates_certificatetemplate:add")
    assert "Alpha University of Commerce" not in client.get(add).content.decode()
    response = client.post(add, {
        "name": "Planted in A", "organisation": str(university_a.pk), "kind": "", "title_en": "X", "title_zh": "X",
        "statement_en": "X", "statement_zh": "X", "accent_colour": "#000000",
    })
    assert response.status_code == 200 and not CertificateTemplate.objects.filter(name="Planted in A").exists()


# --- Issuers ----------------------------------------------------------------------------------------------


def test_another_organisations_issuer_cannot_be_seen_edited_or_rotated(world):
    """A's issuer is absent from the listing; inspect, edit and key rotation are 404 and a POSTed
    edit changes nothing."""
    client, a = world.client_b, world.issuer_a
    before = snapshot(a)
    keys = list(a.signing_keys.values_list("key_id", "status"))

    listing = client.get(reverse("certificate_issuers:index")).content.decode()
    assert "beta-university" in listing and "alpha-university" not in listing
    for name in ("inspect", "edit", "rotate_key", "history"):
        assert_not_found(client.get(reverse(f"certificate_issuers:{name}", args=[a.pk])))
    assert_not_found(client.post(reverse("certificate_issuers:edit", args=[a.pk]), {
        "slug": "defaced", "signatory_name": "Mallory", "signatory_title_en": "", "signatory_title_zh": "", "signature": "",
    }))
    assert_not_found(client.post(reverse("certificate_issuers:rotate_key", args=[a.pk])))

    assert snapshot(a) == before and list(a.signing_keys.values_list("key_id", "status")) == keys
    assert client.get(reverse("certificate_issuers:edit", args=[world.issuer_b.pk])).status_code == 200


# --- Certificates ------------------------------------------------------------------------------------------


def test_another_organisations_certificates_cannot_be_seen_or_acted_on(world):
    """Absent from the listing and its issuer filter; the page, the PDF and every action are
    404 by GET and POST; nothing changes and nothing is queued."""
    client = world.client_b
    targets = [*world.certificates_a, world.solo_certificate]
    before = snapshot(*targets)
    batches = CertificateBatch.objects.count()

    listing = client.get(reverse("certificates:index")).content.decode()
    assert "Beta learner 0" in listing and "Alpha learner" not in listing and "Alpha solo" not in listing
    assert "Alpha University of Commerce" not in listing and "Gamma Trading" not in listing
    for certificate in targets:
        for name in ("inspect", "pdf", "reissue", "suspend", "unsuspend", "revoke", "history"):
            assert_not_found(client.get(reverse(f"certificates:{name}", args=[certificate.pk])))
        for name in ("reissue", "suspend", "unsuspend", "revoke"):
            assert_not_found(client.post(reverse(f"certificates:{name}", args=[certificate.pk]), {"reason": "Mallory was here"}))

    assert snapshot(*targets) == before and CertificateBatch.objects.count() == batches
    assert client.get(reverse("certificates:inspect", args=[world.certificates_b[0].pk])).status_code == 200


def test_a_bulk_action_with_a_foreign_id_changes_nothing(world):
    """A's id alone, or slipped in among B's, is a 404 for the confirmation and the POST alike;
    "select all" means all of B's and none of A's."""
    client = world.client_b
    a, b = world.certificates_a[0], world.certificates_b[0]
    before = snapshot(a, b)
    batches = CertificateBatch.objects.count()
    for action in ("reissue", "suspend", "unsuspend", "revoke"):
        base = reverse("wagtail_bulk_action", args=["certificates", "certificate", action])
        for ids in ([a.pk], [b.pk, a.pk], ["x"]):
            query = "&".join(f"id={pk}" for pk in ids)
            assert_not_found(client.get(f"{base}?{query}"))
            assert_not_found(client.post(f"{base}?{query}", {"reason": "Mallory was here"}))
    assert snapshot(a, b) == before and CertificateBatch.objects.count() == batches

    base = reverse("wagtail_bulk_action", args=["certificates", "certificate", "revoke"])
    response = client.post(f"{base}?id=all", {"reason": "Beta's own review"})
    batch = CertificateBatch.objects.latest("pk")
    assert response.status_code == 302 and batch.items == [b.code]
    a.refresh_from_db()
    assert a.status == S.ISSUED


def test_an_enterprise_sees_and_acts_on_what_it_co_signed_only(world):
    """The certifier enterprise's mentor sees A's two co-signed certificates, not A's solo one."""
    client = client_for(world.mentor)
    listing = client.get(reverse("certificates:index")).content.decode()
    assert "Alpha learner 0" in listing and "Alpha learner 1" in listing and "Alpha solo" not in listing
    assert client.get(reverse("certificates:inspect", args=[world.certificates_a[0].pk])).status_code == 200
    assert_not_found(client.get(reverse("certificates:inspect", args=[world.solo_certificate.pk])))
    assert_not_found(client.post(reverse("certificates:revoke", args=[world.solo_certificate.pk]), {"reason": "x"}))


# --- Course runs and batches ---------------------------------------------------------------------------------


def test_another_organisations_run_cannot_be_previewed_or_issued_for(world):
    """A's run is not offered; its id typed in is refused by the form, and its preview is 404 by
    GET and POST: no batch, no certificate."""
    client = world.client_b
    certificates = Certificate.objects.count()
    batches = CertificateBatch.objects.count()
    choose = client.get(reverse("certificates:issue_cohort")).content.decode()
    assert "Beta autumn" in choose and "Alpha spring" not in choose and "Alpha review" not in choose
    picked = client.get(reverse("certificates:issue_cohort"), {"run": world.run_a.pk})
    assert picked.status_code == 200 and "Select a valid choice" in picked.content.decode()
    preview = reverse("certificates:issue_cohort_preview", args=[world.run_a.pk])
    assert_not_found(client.get(preview))
    assert_not_found(client.post(preview))
    assert Certificate.objects.count() == certificates and CertificateBatch.objects.count() == batches
    assert client.get(reverse("certificates:issue_cohort_preview", args=[world.run_b.pk])).status_code == 200


def test_another_persons_batch_cannot_be_followed(world):
    """A's batch page and its progress JSON are 404 for B."""
    client = world.client_b
    assert_not_found(client.get(reverse("certificates:batch", args=[world.batch_a.pk])))
    assert_not_found(client.get(reverse("certificates:batch_progress", args=[world.batch_a.pk])))
    assert client_for(world.admin_a).get(reverse("certificates:batch_progress", args=[world.batch_a.pk])).status_code == 200


def test_a_person_without_admin_access_gets_nothing(world):
    """A learner (no staff role) is sent to sign in as staff from every certificates admin URL,
    the progress JSON included."""
    client = client_for(world.certificates_a[0].holder)
    for url in (
        reverse("certificates:index"), reverse("certificates:batch_progress", args=[world.batch_a.pk]),
        reverse("certificates:issue_cohort_preview", args=[world.run_a.pk]),
        reverse("certificate_issuers:inspect", args=[world.issuer_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert Organisation.objects.count() >= 3
