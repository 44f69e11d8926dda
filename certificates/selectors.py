"""Reads of the certificates app."""

from .models import Certificate


def certificate_current(*, holder, achievement) -> Certificate | None:
    """The holder's current (not superseded) certificate of the achievement, if any."""
    return (
        Certificate.objects.filter(holder=holder, achievement=achievement, superseded=False)
        .select_related("achievement", "issuer__organisation", "co_issuer__organisation")
        .first()
    )


# --- The graduate's wallet, the dashboard card and the PDF (issue "Certificates", point 7) ---------


def achievement_name(achievement) -> str:
    """The achievement's name in the active language: its Chinese name for a Chinese reader when
    it has one, its English name otherwise (as `Organisation.name` does for organisations)."""
    from django.utils import translation

    if (translation.get_language() or "").startswith("zh") and achievement.name_zh:
        return achievement.name_zh
    return achievement.name_en


def wallet_certificates(*, user) -> list[Certificate]:
    """The user's current (not superseded) certificates, newest first, each with its achievement,
    issuers and their organisations, `achievement_name` in the active language and
    `earlier_versions`: the versions it replaced, newest first.

    One query however many certificates and versions: every version is the holder's, so all are
    read at once and the superseded ones grouped under their achievement's current one. The
    signed credential and the evidence are left out (the wallet links to the credential)."""
    current, earlier = [], {}
    versions = (
        Certificate.objects.filter(holder=user)
        .select_related("achievement", "issuer__organisation", "co_issuer__organisation")
        .defer("credential", "evidence")
        .order_by("-issued_on", "-pk")
    )
    for certificate in versions:
        certificate.achievement_name = achievement_name(certificate.achievement)
        if certificate.superseded:
            earlier.setdefault(certificate.achievement_id, []).append(certificate)
        else:
            current.append(certificate)
    for certificate in current:
        certificate.earlier_versions = sorted(earlier.get(certificate.achievement_id, []), key=lambda old: -old.version)
    return current


def certificates_held(*, user) -> list[Certificate]:
    """The user's current certificates for the dashboard card, newest first, each with its
    achievement and `achievement_name` in the active language (one query)."""
    certificates = list(
        Certificate.objects.filter(holder=user, superseded=False)
        .select_related("achievement")
        .only("code", "status", "visibility", "issued_on", "achievement__name_en", "achievement__name_zh",
              "achievement__kind")
        .order_by("-issued_on", "-pk")
    )
    for certificate in certificates:
        certificate.achievement_name = achievement_name(certificate.achievement)
    return certificates


def certificate_held(*, user, code: str) -> Certificate | None:
    """The user's own certificate with this code, or None when there is none or it is someone
    else's (a view answers both with the same 404)."""
    if not user.is_authenticated:
        return None
    return Certificate.objects.filter(holder=user, code=code).select_related("achievement").first()


def certificate_viewer(*, certificate: Certificate, user) -> str | None:
    """Who `user` is to the certificate: its "holder", "staff" (platform staff), or None."""
    if not user.is_authenticated:
        return None
    if user.pk == certificate.holder_id:
        return "holder"
    return "staff" if (user.is_staff or user.is_superuser) else None


def certificate_visible_to(*, certificate: Certificate, user, pdf: bool = False) -> bool:
    """The holder's visibility choice (issue "Certificates", point 1), in one place: the holder
    and staff see everything; anyone else sees the verification page and the credential unless
    the certificate is private, and the PDF only when it is public."""
    Visibility = Certificate.Visibility
    if certificate.visibility == Visibility.PUBLIC:
        return True
    if not pdf and certificate.visibility == Visibility.LINK_ONLY:
        return True
    return certificate_viewer(certificate=certificate, user=user) is not None


def certificate_pdf_viewable(*, user, code: str) -> Certificate | None:
    """The certificate with this code if `user` may fetch its PDF, else None (unknown and
    forbidden alike), by `certificate_visible_to`."""
    certificate = Certificate.objects.filter(code=code).select_related("achievement").first()
    if certificate is None or not certificate_visible_to(certificate=certificate, user=user, pdf=True):
        return None
    return certificate
    if certificate.visibility == Certificate.Visibility.PUBLIC:
        return certificate
    if user.is_authenticated and (user.pk == certificate.holder_id or user.is_staff or user.is_superuser):
        return certificate
    return None


# --- Staff tools in the Wagtail admin (issue "Certificates", point 2) -----------------------------
#
# Each organisation's staff see what their organisation signs: the certificates it issued or
# co-signed, its issuer, the runs of courses it leads or certifies, and the batches they started.
# Platform administrators see everything. A thing outside the narrowing is "not found", the same
# answer as for a thing that does not exist.


def _staffed_organisation_ids(user):
    """The pks of `user`'s organisations as a subquery, or None for a platform administrator."""
    from academy.organisations.admin_scoping import organisations_staffed_by

    organisations = organisations_staffed_by(user=user)
    return None if organisations is None else organisations.values("pk")


def certificates_for_staff(*, user):
    """The certificates `user` may see and act on in the admin: those their organisations issued
    or co-signed (all of them for a platform administrator). A queryset, for listings to filter,
    search and paginate."""
    from django.db.models import Q

    organisation_ids = _staffed_organisation_ids(user)
    queryset = Certificate.objects.all()
    if organisation_ids is None:
        return queryset
    return queryset.filter(Q(issuer__organisation__in=organisation_ids) | Q(co_issuer__organisation__in=organisation_ids))


def issuers_for_staff(*, user):
    """The issuers of `user`'s organisations (all of them for a platform administrator)."""
    from .models import Issuer

    organisation_ids = _staffed_organisation_ids(user)
    queryset = Issuer.objects.all()
    return queryset if organisation_ids is None else queryset.filter(organisation__in=organisation_ids)


def course_runs_certifiable_by(*, user):
    """The course runs `user` may issue certificates for as a cohort: runs of courses whose lead
    university or certifier is one of their organisations (every run for a platform
    administrator), each with its course, newest first."""
    from courses.models import CourseOrganisation, CourseRun

    runs = CourseRun.objects.select_related("course").order_by("-starts_at", "-pk")
    organisation_ids = _staffed_organisation_ids(user)
    if organisation_ids is None:
        return runs
    # A subquery rather than a join: a course led and certified by the user's organisations would
    # otherwise be listed twice.
    certifying = CourseOrganisation.objects.filter(
        organisation__in=organisation_ids,
        role__in=[CourseOrganisation.Role.LEAD_UNIVERSITY, CourseOrganisation.Role.CERTIFIER],
    ).values("course_id")
    return runs.filter(course_id__in=certifying)


def certificate_batches_for_staff(*, user):
    """The batches `user` may follow: the ones they started (every batch for a platform
    administrator), newest first."""
    from .models import CertificateBatch

    batches = CertificateBatch.objects.select_related("course_run__course", "requested_by")
    if _staffed_organisation_ids(user) is None:
        return batches
    return batches.filter(requested_by=user) if user.is_authenticated else batches.none()


class CohortState:
    """Where a learner of a run stands for an issue batch."""

    HELD = "held"  # passed, and already holds a current certificate of the course
    TO_ISSUE = "to_issue"  # passed, and an issue batch would issue the certificate now
    NOT_PASSED = "not_passed"  # has not passed the run (yet)


def course_run_cohort(*, run) -> dict:
    """The learners of `run` for the "Issue for a cohort" preview and the issue batch: `rows`, one
    per learner (enrolled, or with a pass whatever the enrolment's status), each a dict with the
    `enrolment`, its `user`, its `course_pass` (or None), the current `certificate` of the course
    (or None) and the `state` (`CohortState`); `counts` by state; and `to_issue`, the CoursePass
    ids an issue batch works through, in the order of the rows.

    Three queries whatever the cohort's size: the course's achievement, the enrolments with their
    learners and passes, the current certificates of the achievement held by the run's learners.
    The achievement is only looked up, never made: a preview writes nothing."""
    from django.db.models import Q

    from courses.models import Enrolment

    from .models import Achievement

    enrolments = list(
        Enrolment.objects.filter(run=run)
        .filter(Q(status=Enrolment.Status.ACTIVE) | Q(course_pass__isnull=False))
        .select_related("user", "course_pass")
        .order_by("user__display_name", "user__email", "pk")
    )
    achievement = Achievement.objects.filter(kind=Achievement.Kind.COURSE, course_id=run.course_id).first()
    held = {}
    if achievement is not None and enrolments:
        current = (
            Certificate.objects.filter(achievement=achievement, superseded=False, holder__enrolments__run=run)
            .only("code", "status", "version", "holder_id", "issued_on")
        )
        held = {certificate.holder_id: certificate for certificate in current}
    rows, counts, to_issue = [], {CohortState.HELD: 0, CohortState.TO_ISSUE: 0, CohortState.NOT_PASSED: 0}, []
    for enrolment in enrolments:
        course_pass = getattr(enrolment, "course_pass", None)
        certificate = held.get(enrolment.user_id)
        if course_pass is None:
            state = CohortState.NOT_PASSED
        elif certificate is not None:
            state = CohortState.HELD
        else:
            state = CohortState.TO_ISSUE
            to_issue.append(course_pass.pk)
        counts[state] += 1
        rows.append({
            "enrolment": enrolment, "user": enrolment.user, "course_pass": course_pass, "certificate": certificate, "state": state,
        })
    return {"rows": rows, "counts": counts, "to_issue": to_issue, "achievement": achievement}


# --- The public verification page (issue "Certificates", point 6) ---------------------------------


def certificate_for_verification(*, code: str) -> Certificate | None:
    """The certificate with this code and all its verification page shows, in one query: the
    achievement, the issuer and co-issuer with their organisations, and the newer version that
    replaced it, if any. Who may see it is the view's decision (a private certificate answers the
    same 404 as an unknown code to everyone but its holder and staff)."""
    if not code or len(code) > Certificate._meta.get_field("code").max_length:
        return None
    return (
        Certificate.objects.filter(code=code)
        .select_related("achievement", "issuer__organisation", "co_issuer__organisation", "superseded_by")
        .defer("evidence")
        .first()
    )
