"""Writes of the certificates app: issuers and their signing keys, achievements, and the
issuance, re-issue and status changes of certificates (issue "Certificates", points 1 and 2).

- **Who signs** (`issuers_for_course_run`, `issuers_for_practicum`): the university that leads a
  course issues its credential, and the enterprise linked to the course as "certifier" (or,
  failing one, "practicum partner") co-signs; with no such partner there is one issuer. A
  practicum certificate is issued by the enterprise that posted the project and co-signed by the
  lead university of the project's linked course run, if any.
- **Idempotent issuance** (`certificate_issue`): among certificates not superseded there is one
  per holder and achievement (a partial unique constraint); a second call, or a concurrent one
  that loses the race on the constraint, returns the certificate that exists.
- **Status changes** follow `CERTIFICATE_TRANSITIONS` and are recorded as
  `CertificateStatusChange`; an illegal move raises `IllegalTransition`. Each change sets or
  clears the certificate's bits on its issuer's status lists and re-signs them
  (`certificates.status_services`), in the same transaction.
- **Signing** (`certificate_sign`, at issuance): the Open Badges 3.0 credential
  (`certificates.credentials`) gets a proof by the issuer's active key, then the co-issuer's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.organisations.transitions import IllegalTransition, transition_check

from . import proofs, status_list
from .keys import private_key_encrypt
from .models import Achievement, Certificate, CertificateStatusChange, Issuer, SigningKey
from .selectors import certificate_current
from .status_services import certificate_status_bits_apply

S = Certificate.Status

# The certificate state machine in one table; "" is the state before issuance.
CERTIFICATE_TRANSITIONS = {
    "": {S.ISSUED},
    S.ISSUED: {S.SUSPENDED, S.REVOKED},
    S.SUSPENDED: {S.ISSUED, S.REVOKED},
    S.REVOKED: set(),  # for good: a revoked certificate is re-issued, never restored
}

ISSUE_ATTEMPTS = 5  # a lost race returns at the first retry; the rest cover status index collisions


# --- Issuers and signing keys ----------------------------------------------------------------------


def issuer_for_organisation(*, organisation) -> Issuer:
    """The organisation's issuer, made on first use with the organisation's slug."""
    # get_or_create retries the read when a concurrent call created it first.
    issuer, _created = Issuer.objects.get_or_create(organisation=organisation, defaults={"slug": organisation.slug})
    return issuer


def issuer_signatory_update(
    *, issuer: Issuer, by, name: str, title_en: str = "", title_zh: str = "", signature=None,
) -> Issuer:
    """Set who signs the issuer's certificates (name and titles as printed) and, optionally, a new
    signature image (an uploaded file, validated as the organisation's logo is, kept in the
    organisation's collection). Only those who may edit the organisation's profile may."""
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    from academy.organisations.services import logo_validate, user_can_review_memberships

    organisation = issuer.organisation
    if not user_can_review_memberships(user=by, organisation=organisation):
        raise PermissionDenied(_("You cannot edit this organisation's signatory."))
    issuer.signatory_name = (name or "").strip()
    issuer.signatory_title_en = (title_en or "").strip()
    issuer.signatory_title_zh = (title_zh or "").strip()
    issuer.full_clean()
    if signature is not None:
        logo_validate(signature, field="signature")
        image = get_image_model()(
            title=f"{organisation.name_en}: signature of {issuer.signatory_name}", file=signature,
            collection=organisation.collection or Collection.get_first_root_node(), uploaded_by_user=by,
        )
        image.save()
        issuer.signature = image
    issuer.save()
    return issuer


def _signing_key_new(*, issuer: Issuer) -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    number = SigningKey.objects.filter(issuer=issuer).count() + 1
    key = SigningKey(
        issuer=issuer, key_id=f"key-{number}",
        public_key_multibase=proofs.public_key_multibase(private_key.public_key()),
        private_key_encrypted=private_key_encrypt(private_key),
        status=SigningKey.Status.ACTIVE,
    )
    key.full_clean()
    key.save()
    return key


def signing_key_active(*, issuer: Issuer) -> SigningKey:
    """The issuer's active signing key, made (as key-1) if the issuer has none yet."""
    key = SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).first()
    if key is not None:
        return key
    with transaction.atomic():
        Issuer.objects.select_for_update().get(pk=issuer.pk)  # one key-maker per issuer at a time
        key = SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).first()
        return key or _signing_key_new(issuer=issuer)


def signing_key_rotate(*, issuer: Issuer) -> SigningKey:
    """Retire the issuer's active key (it stays published, so what it signed still verifies) and
    make a new active one; returns the new key."""
    with transaction.atomic():
        Issuer.objects.select_for_update().get(pk=issuer.pk)
        SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).update(
            status=SigningKey.Status.RETIRED, retired_at=timezone.now(),
        )
        return _signing_key_new(issuer=issuer)


# --- Who signs ------------------------------------------------------------------------------------


def issuers_for_course_run(*, run) -> tuple[Issuer, Issuer | None]:
    """(issuer, co-issuer) of a course run's certificates: the course's lead university, and its
    "certifier" enterprise, else its "practicum partner", else none."""
    from courses.models import CourseOrganisation

    Role = CourseOrganisation.Role
    links = list(
        CourseOrganisation.objects.filter(course_id=run.course_id).select_related("organisation").order_by("sort_order", "pk")
    )
    by_role = {}
    for link in links:
        by_role.setdefault(link.role, link.organisation)
    lead = by_role.get(Role.LEAD_UNIVERSITY) or run.course.specific.owner_organisation
    if lead is None:
        raise ValidationError(_("The course has no lead university to issue its certificates."))
    partner = by_role.get(Role.CERTIFIER) or by_role.get(Role.PRACTICUM_PARTNER)
    issuer = issuer_for_organisation(organisation=lead)
    co_issuer = issuer_for_organisation(organisation=partner) if partner and partner.pk != lead.pk else None
    return issuer, co_issuer


def issuers_for_program(*, program) -> tuple[Issuer, Issuer | None]:
    """(issuer, co-issuer) of a program's certificates: the university that leads the program
    (whose page it sits under), and the first "certifier" enterprise of its required courses, in
    the order of its requirements, else the first "practicum partner", else none."""
    from courses.models import CourseOrganisation

    lead = program.owner_organisation
    if lead is None:
        raise ValidationError(_("The program has no lead university to issue its certificates."))
    course_ids = [course.pk for requirement in program.requirements.all() for course in requirement.courses.all()]
    order = {pk: position for position, pk in enumerate(course_ids)}
    links = sorted(
        CourseOrganisation.objects.filter(
            course_id__in=course_ids, role__in=[CourseOrganisation.Role.CERTIFIER, CourseOrganisation.Role.PRACTICUM_PARTNER],
        ).exclude(organisation=lead).select_related("organisation"),
        key=lambda link: (link.role != CourseOrganisation.Role.CERTIFIER, order[link.course_id], link.sort_order, link.pk),
    )
    issuer = issuer_for_organisation(organisation=lead)
    co_issuer = issuer_for_organisation(organisation=links[0].organisation) if links else None
    return issuer, co_issuer


def issuers_for_practicum(*, project) -> tuple[Issuer, Issuer | None]:
    """(issuer, co-issuer) of a practicum project's certificates: the enterprise that posted the
    project, and the lead university of its linked course run, if any."""
    issuer = issuer_for_organisation(organisation=project.organisation)
    co_issuer = None
    if project.course_run_id:
        university, _partner = issuers_for_course_run(run=project.course_run)
        co_issuer = university if university.pk != issuer.pk else None
    return issuer, co_issuer


# --- Achievements ---------------------------------------------------------------------------------


def _chinese_title(page) -> str:
    from wagtail.models import Locale

    locale = Locale.objects.filter(language_code__startswith="zh").first()
    if locale is None:
        return ""
    translation = page.get_translation_or_none(locale)
    return translation.title if translation is not None and translation.pk != page.pk else ""


# What a course's or a program's certificate says it took, in English and in Chinese.
PAGE_CRITERIA = {
    Achievement.Kind.COURSE: (
        "Passed the course “{name}”: reached the pass mark and completed every required lesson.",
        "通过课程“{name}”：成绩达到及格线并完成全部必修课。",
    ),
    Achievement.Kind.PROGRAM: (
        "Completed the program “{name}”: passed the courses every one of its requirements asks for.",
        "完成培养项目“{name}”：通过其每项要求所规定的课程。",
    ),
}


def _achievement_for_page(*, kind: str, page) -> Achievement:
    """The achievement of a course or program page, made on first use from its titles (the
    Chinese one from its Chinese translation) and its competencies."""
    name_zh = _chinese_title(page)
    criteria_en, criteria_zh = PAGE_CRITERIA[kind]
    achievement, created = Achievement.objects.get_or_create(
        kind=kind, **{kind: page},
        defaults={
            "name_en": page.title,
            "name_zh": name_zh,
            "criteria_en": criteria_en.format(name=page.title),
            "criteria_zh": criteria_zh.format(name=name_zh or page.title),
        },
    )
    if created:
        achievement.competencies.set(page.competencies.all())
    return achievement


def achievement_for_course(*, course) -> Achievement:
    """The course's achievement, made on first use from the course's titles and competencies."""
    return _achievement_for_page(kind=Achievement.Kind.COURSE, page=course)


def achievement_for_program(*, program) -> Achievement:
    """The program's achievement, made on first use from the program's titles and competencies."""
    return _achievement_for_page(kind=Achievement.Kind.PROGRAM, page=program)


def achievement_for_practicum(*, project) -> Achievement:
    """The practicum project's achievement, made on first use from the project's title."""
    achievement, _created = Achievement.objects.get_or_create(
        kind=Achievement.Kind.PRACTICUM, practicum_project=project,
        defaults={
            "name_en": project.title,
            "name_zh": project.title_zh,
            "criteria_en": (
                f"Passed the practicum “{project.title}”: ran a cross-border store in the market simulation and "
                "reached the project's pass mark on its KPIs and the mentor's review."
            ),
            "criteria_zh": f"通过实训项目“{project.title_zh or project.title}”：在市场模拟中经营跨境店铺，关键绩效指标与导师评审达到项目及格线。",
        },
    )
    return achievement


# --- Issuance -------------------------------------------------------------------------------------


def _index_draw(*, issuer: Issuer, field: str) -> int:
    taken = set(Certificate.objects.filter(issuer=issuer).values_list(field, flat=True))
    return status_list.status_index_draw(taken=taken)


def _name_snapshot(holder) -> dict:
    return {
        "name_latin": (holder.name_latin or holder.get_full_name() or "").strip()[:120],
        "name_native": (holder.name_native or "").strip()[:120],
    }


def _certificate_insert(*, by=None, note="", **fields) -> Certificate:
    """Insert a certificate with fresh status list indices and record its issue. Field checks
    only: the uniqueness constraints are left to the database, which alone settles a race."""
    certificate = Certificate(
        revocation_index=_index_draw(issuer=fields["issuer"], field="revocation_index"),
        suspension_index=_index_draw(issuer=fields["issuer"], field="suspension_index"),
        status=S.ISSUED, **fields,
    )
    certificate.full_clean(validate_unique=False, validate_constraints=False)
    certificate.save()
    CertificateStatusChange.objects.create(certificate=certificate, from_status="", to_status=S.ISSUED, changed_by=by, note=note)
    return certificate_sign(certificate=certificate)


def certificate_sign(*, certificate: Certificate) -> Certificate:
    """Build the certificate's Open Badges 3.0 credential and sign it: a proof by the issuer's
    active key, then one by the co-issuer's (a proof set); stored on the certificate."""
    from .credentials import credential_build, verification_method_id

    credential = credential_build(certificate)
    created = timezone.now().replace(microsecond=0)
    for signer in (certificate.issuer, certificate.co_issuer):
        if signer is None:
            continue
        key = signing_key_active(issuer=signer)
        credential = proofs.proof_create(
            credential, private_key=key.private_key(),
            verification_method=verification_method_id(signer.slug, key.key_id), created=created,
        )
    certificate.credential = credential
    certificate.save(update_fields=["credential"])
    return certificate


def certificate_issue(
    *, holder, achievement: Achievement, issuer: Issuer, co_issuer: Issuer | None = None,
    grade_band: str = "", evidence: Iterable[Mapping] = (), issued_on=None,
) -> Certificate:
    """The holder's one current certificate of the achievement, issued if there is none.

    Idempotent: called again, or by a concurrent worker, it returns the existing certificate
    unchanged. The insert runs in a savepoint; losing the race on the partial unique constraint
    rolls the savepoint back and the winner's certificate is read and returned."""
    if co_issuer is not None and co_issuer.pk == issuer.pk:
        co_issuer = None
    evidence = [dict(item) for item in evidence]
    for _attempt in range(ISSUE_ATTEMPTS):
        current = certificate_current(holder=holder, achievement=achievement)
        if current is not None:
            return current
        try:
            with transaction.atomic():
                return _certificate_insert(
                    holder=holder, achievement=achievement, issuer=issuer, co_issuer=co_issuer,
                    grade_band=grade_band or "", evidence=evidence, issued_on=issued_on or timezone.localdate(),
                    **_name_snapshot(holder),
                )
        except IntegrityError:
            # Another call issued it first (read on the next turn), or a status index drawn
            # here was taken meanwhile (drawn again).
            continue
    current = certificate_current(holder=holder, achievement=achievement)
    if current is None:
        raise IntegrityError("The certificate could not be issued: status list indices kept colliding.")
    return current


def certificate_reissue(*, certificate: Certificate, by=None, issued_on=None, note: str = "") -> Certificate:
    """A new version of a current certificate, with the holder's name as it is now; the old one
    is marked superseded in the same transaction. A revoked or superseded one cannot be re-issued."""
    with transaction.atomic():
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if old.superseded:
            raise IllegalTransition(f"Certificate {old.code} is already superseded.")
        if old.status == S.REVOKED:
            raise IllegalTransition(f"Certificate {old.code} is revoked; issue a new one instead.")
        old.superseded = True
        old.save(update_fields=["superseded"])
        certificate_status_bits_apply(certificate=old)
        return _certificate_insert(
            holder=old.holder, achievement=old.achievement, issuer=old.issuer, co_issuer=old.co_issuer,
            grade_band=old.grade_band, evidence=old.evidence, visibility=old.visibility,
            version=old.version + 1, supersedes=old, issued_on=issued_on or timezone.localdate(),
            by=by, note=note or f"Re-issue of version {old.version}.", **_name_snapshot(old.holder),
        )


def _status_change(*, certificate: Certificate, to: str, reason: str, by) -> Certificate:
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        transition_check(CERTIFICATE_TRANSITIONS, locked.status, to)
        previous = locked.status
        locked.status = to
        locked.status_reason = reason
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_changed_at"])
        CertificateStatusChange.objects.create(certificate=locked, from_status=previous, to_status=to, changed_by=by, note=reason)
        certificate_status_bits_apply(certificate=locked)
    return locked


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why; the verification page shows the reason.")})
    return reason


def certificate_suspend(*, certificate: Certificate, reason: str, by) -> Certificate:
    """Suspend an issued certificate for now, with the reason."""
    return _status_change(certificate=certificate, to=S.SUSPENDED, reason=_reason_required(reason), by=by)


def certificate_unsuspend(*, certificate: Certificate, by, reason: str = "") -> Certificate:
    """Lift a suspension: the certificate is valid again."""
    return _status_change(certificate=certificate, to=S.ISSUED, reason=(reason or "").strip(), by=by)


def certificate_revoke(*, certificate: Certificate, reason: str, by) -> Certificate:
    """Revoke a certificate for good, with the reason shown on its verification page."""
    return _status_change(certificate=certificate, to=S.REVOKED, reason=_reason_required(reason), by=by)


def certificate_visibility_set(*, certificate: Certificate, visibility: str, by) -> Certificate:
    """The holder chooses who sees the certificate: public, anyone with the link, or private.
    Only the holder may choose; an unknown choice is refused with a message."""
    if by is None or by.pk != certificate.holder_id:
        raise PermissionDenied(_("Only the certificate's holder chooses who sees it."))
    if visibility not in Certificate.Visibility.values:
        raise ValidationError({"visibility": _("Choose public, anyone with the link, or private.")})
    Certificate.objects.filter(pk=certificate.pk).update(visibility=visibility)
    certificate.visibility = visibility
    return certificate


# --- Rules: what a pass issues ----------------------------------------------------------------------


def certificate_issue_for_course_pass(*, course_pass) -> Certificate:
    """The certificate of a course run passed (`courses.models.CoursePass`)."""
    enrolment = course_pass.enrolment
    run = enrolment.run
    issuer, co_issuer = issuers_for_course_run(run=run)
    return certificate_issue(
        holder=enrolment.user, achievement=achievement_for_course(course=run.course), issuer=issuer, co_issuer=co_issuer,
        grade_band=course_pass.letter, issued_on=timezone.localdate(course_pass.passed_at),
    )


def certificate_issue_for_program_completion(*, program_completion) -> Certificate:
    """The certificate of a program completed (`courses.models.ProgramCompletion`)."""
    program = program_completion.program
    issuer, co_issuer = issuers_for_program(program=program)
    return certificate_issue(
        holder=program_completion.user, achievement=achievement_for_program(program=program), issuer=issuer, co_issuer=co_issuer,
        issued_on=timezone.localdate(program_completion.completed_at),
    )


def _sha256_json(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def practicum_evidence(*, practicum_pass) -> list[dict]:
    """The practicum work a certificate rests on, as titles and hashes: the KPI snapshot graded
    (its digest) and the grade record (sha256 of its canonical JSON)."""
    grade = practicum_pass.grade
    project = practicum_pass.run.project
    return [
        {"name": f"{project.title}: KPI snapshot", "digest": f"sha256:{grade.snapshot_digest}"},
        {"name": f"{project.title}: mentor's grade record", "digest": f"sha256:{_sha256_json(grade.record)}"},
    ]


def certificate_issue_for_practicum_pass(*, practicum_pass) -> Certificate:
    """The certificate of a practicum run passed (`practicum.models.PracticumPass`)."""
    project = practicum_pass.run.project
    issuer, co_issuer = issuers_for_practicum(project=project)
    return certificate_issue(
        holder=practicum_pass.user, achievement=achievement_for_practicum(project=project), issuer=issuer, co_issuer=co_issuer,
        evidence=practicum_evidence(practicum_pass=practicum_pass), issued_on=timezone.localdate(practicum_pass.passed_at),
    )
