"""Writes of the staff's bulk actions on certificates (issue "Certificates", point 2): issue for a
cohort, re-issue, suspend, lift a suspension and revoke, as a `CertificateBatch` that a Celery
worker on the `pdf` queue works through while the admin's progress bar follows its counts.

- **Creating** (`certificate_batch_create`) checks everything before anything is queued: the
  user's model permission for the action, that every certificate is one their organisations
  issued or co-signed (`selectors.certificates_for_staff`; an unknown code and another
  organisation's code get the same refusal, and nothing is created), a reason for a suspension
  or revocation, and, for an issue batch, the course run among those the user may certify
  (`selectors.course_runs_certifiable_by`), whose items are the passes without a current
  certificate (`selectors.course_run_cohort`, the same reading the preview shows). The task is
  enqueued when the batch is committed.
- **Running** (`certificate_batch_run`) takes one item per short transaction that locks the
  batch row, reads `done`, applies the item and counts it, so the bar moves item by item, a
  crash leaves `done` equal to the items whose effect committed, and a redelivered task (or a
  second worker) carries on after the last one instead of starting again. Each item is itself
  idempotent: issuing for a pass that already has its certificate, or suspending a suspended
  certificate, is recorded as skipped, not as a failure. An item refused by the rules (a revoked
  certificate cannot be re-issued) is recorded with the reason and the batch goes on.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.organisations.transitions import IllegalTransition

from . import services
from .models import Certificate, CertificateBatch
from .selectors import certificates_for_staff, course_run_cohort, course_runs_certifiable_by

logger = logging.getLogger(__name__)

A = CertificateBatch.Action
S = Certificate.Status

# What each action needs: issuing and re-issuing add certificates, status changes change them.
ACTION_PERMISSIONS = {
    A.ISSUE: ("certificates.add_certificate",),
    A.REISSUE: ("certificates.add_certificate", "certificates.change_certificate"),
    A.SUSPEND: ("certificates.change_certificate",),
    A.UNSUSPEND: ("certificates.change_certificate",),
    A.REVOKE: ("certificates.change_certificate",),
}
REASON_REQUIRED = {A.SUSPEND, A.REVOKE}
# The actions that make a new certificate, whose PDF is rendered straight away.
PDF_ACTIONS = {A.ISSUE, A.REISSUE}

# An item's outcome in `CertificateBatch.results`.
OUTCOME_DONE = "done"
OUTCOME_SKIPPED = "skipped"

# Item failures the rules explain; anything else is logged and recorded as unexpected.
EXPECTED_FAILURES = (ValidationError, IllegalTransition, ObjectDoesNotExist, PermissionDenied)


def user_may_batch(*, user, action: str) -> bool:
    """Whether `user` holds the model permissions an action needs (the admin shows only those)."""
    permissions = ACTION_PERMISSIONS.get(action)
    return bool(permissions and user and user.is_authenticated and user.has_perms(permissions))


def _codes_clean(codes) -> list[str]:
    seen, cleaned = set(), []
    for code in codes:
        code = str(code).strip()
        if code and code not in seen:
            seen.add(code)
            cleaned.append(code)
    return cleaned


def certificate_batch_create(*, action: str, by, course_run=None, codes=(), reason: str = "") -> CertificateBatch:
    """A queued batch of `action` by `by`, its task enqueued on commit; refused (nothing created)
    with ValidationError or PermissionDenied when the user may not act or there is nothing to do.

    An issue batch needs `course_run` and computes its items (the passes without a current
    certificate); the other actions need `codes`, each a certificate the user may act on."""
    if action not in A.values:
        raise ValidationError({"action": _("Choose what to do with the certificates.")})
    if not user_may_batch(user=by, action=action):
        raise PermissionDenied(_("You may not do this to certificates."))
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Say why; the verification page shows the reason.")})

    if action == A.ISSUE:
        if course_run is None:
            raise ValidationError({"course_run": _("Choose the course run to issue certificates for.")})
        if not course_runs_certifiable_by(user=by).filter(pk=course_run.pk).exists():
            raise PermissionDenied(_("You may not issue certificates for this course run."))
        cohort = course_run_cohort(run=course_run)
        items = cohort["to_issue"]
        if not items:
            if cohort["counts"]["held"]:
                message = _("Every learner who passed this run already holds a certificate: there is nothing to issue.")
            else:
                message = _("No learner has passed this run yet: there is nothing to issue.")
            raise ValidationError({"course_run": message})
    else:
        items = _codes_clean(codes)
        if not items:
            raise ValidationError({"codes": _("Choose at least one certificate.")})
        allowed = set(certificates_for_staff(user=by).filter(code__in=items).values_list("code", flat=True))
        if allowed != set(items):
            # Unknown and another organisation's certificates alike: nothing is queued.
            raise ValidationError({"codes": _("Some of the chosen certificates cannot be found. Nothing was changed.")})
        course_run = None

    with transaction.atomic():
        batch = CertificateBatch(
            action=action, course_run=course_run, items=items, reason=reason if action in REASON_REQUIRED else "",
            total=len(items), requested_by=by,
        )
        batch.full_clean()
        batch.save()
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from .tasks import certificate_batch_run_pdf

    certificate_batch_run_pdf.delay(batch_id)


def _pdf_render(certificate: Certificate) -> None:
    # Imported here: the renderer pulls in WeasyPrint, which nothing else here needs.
    from .pdf_services import certificate_pdf_render

    certificate_pdf_render(certificate=certificate, force=False)


def _issue(*, batch: CertificateBatch, item) -> tuple[str, Certificate]:
    from courses.models import CoursePass

    course_pass = CoursePass.objects.select_related("enrolment__run__course", "enrolment__user").get(
        pk=item, enrolment__run_id=batch.course_run_id,
    )
    started = timezone.now()
    certificate = services.certificate_issue_for_course_pass(course_pass=course_pass)
    return (OUTCOME_SKIPPED if certificate.created_at < started else OUTCOME_DONE), certificate


def _reissue(*, batch: CertificateBatch, certificate: Certificate) -> tuple[str, Certificate]:
    if certificate.superseded:
        # Already replaced (by this batch's earlier turn, or by someone else): the newest version
        # is the result.
        newest = Certificate.objects.filter(
            holder_id=certificate.holder_id, achievement_id=certificate.achievement_id, superseded=False,
        ).first()
        return OUTCOME_SKIPPED, newest or certificate
    return OUTCOME_DONE, services.certificate_reissue(certificate=certificate, by=batch.requested_by)


def _status(*, batch: CertificateBatch, certificate: Certificate) -> tuple[str, Certificate]:
    wanted = {A.SUSPEND: S.SUSPENDED, A.UNSUSPEND: S.ISSUED, A.REVOKE: S.REVOKED}[batch.action]
    if certificate.status == wanted:
        return OUTCOME_SKIPPED, certificate
    if batch.action == A.SUSPEND:
        changed = services.certificate_suspend(certificate=certificate, reason=batch.reason, by=batch.requested_by)
    elif batch.action == A.UNSUSPEND:
        changed = services.certificate_unsuspend(certificate=certificate, by=batch.requested_by, reason=batch.reason)
    else:
        changed = services.certificate_revoke(certificate=certificate, reason=batch.reason, by=batch.requested_by)
    return OUTCOME_DONE, changed


def _item_apply(*, batch: CertificateBatch, item) -> tuple[str, Certificate]:
    if batch.action == A.ISSUE:
        return _issue(batch=batch, item=item)
    certificate = Certificate.objects.select_related("holder", "achievement", "issuer", "co_issuer").get(code=item)
    if batch.action == A.REISSUE:
        return _reissue(batch=batch, certificate=certificate)
    return _status(batch=batch, certificate=certificate)


def _failure_reason(error: Exception) -> str:
    if isinstance(error, ObjectDoesNotExist):
        return _("It no longer exists.")
    if isinstance(error, (ValidationError, PermissionDenied)):
        messages = getattr(error, "messages", None) or [str(error)]
        return " ".join(str(message) for message in messages)
    if isinstance(error, IllegalTransition):
        return _("Its status does not allow this: %(detail)s") % {"detail": error}
    return _("An unexpected error stopped this item; it is in the server log.")


def _pdf_after(*, batch: CertificateBatch, item, certificate: Certificate) -> None:
    """Render a new certificate's PDF. A renderer failure does not undo the issue (the PDF is
    rendered again when it is first downloaded); it is recorded against the item."""
    try:
        with transaction.atomic():
            _pdf_render(certificate)
    except Exception:  # noqa: BLE001 - the certificate stands; the failure is shown and logged
        logger.exception("Certificate batch %s: the PDF of %s was not rendered", batch.pk, certificate.code)
        batch.failures = [*batch.failures, {
            "item": item, "code": certificate.code,
            "reason": _("Issued, but its PDF could not be rendered yet; it is rendered when first downloaded."),
        }]


def _item_run(batch_id: int) -> bool:
    """Apply the batch's next item in one transaction holding the batch row; False when there is
    none left (or the batch is no longer running)."""
    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to requested_by.
        batch = CertificateBatch.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=batch_id)
        if batch.status != CertificateBatch.Status.RUNNING or batch.done >= batch.total:
            return False
        item = batch.items[batch.done]
        try:
            with transaction.atomic():
                outcome, certificate = _item_apply(batch=batch, item=item)
        except DatabaseError:
            raise  # the connection or the database is at fault, not the item: stop the batch
        except Exception as error:  # noqa: BLE001 - recorded per item, so one bad item does not stop the rest
            if not isinstance(error, EXPECTED_FAILURES):
                logger.exception("Certificate batch %s: item %r failed", batch_id, item)
            batch.failures = [*batch.failures, {"item": item, "reason": _failure_reason(error)}]
        else:
            batch.results = [*batch.results, {"item": item, "code": certificate.code, "outcome": outcome}]
            if outcome == OUTCOME_DONE and batch.action in PDF_ACTIONS:
                _pdf_after(batch=batch, item=item, certificate=certificate)
        batch.done += 1
        batch.save(update_fields=["done", "failures", "results"])
    return True


def certificate_batch_run(*, batch: CertificateBatch) -> CertificateBatch:
    """Work through the batch's items from the first one not done, then mark it done (with
    `finished_at`). Safe to call again, and from two workers at once: items are taken one at a
    time under the batch's row lock, and a finished batch is left as it is."""
    with transaction.atomic():
        locked = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status in (CertificateBatch.Status.DONE, CertificateBatch.Status.FAILED):
            return locked
        if locked.status == CertificateBatch.Status.QUEUED:
            locked.status = CertificateBatch.Status.RUNNING
            locked.save(update_fields=["status"])
    try:
        while _item_run(batch.pk):
            pass
    except Exception as error:
        with transaction.atomic():
            CertificateBatch.objects.filter(pk=batch.pk, status=CertificateBatch.Status.RUNNING).update(
                status=CertificateBatch.Status.FAILED, error=str(error)[:500] or type(error).__name__, finished_at=timezone.now(),
            )
        raise
    CertificateBatch.objects.filter(pk=batch.pk, status=CertificateBatch.Status.RUNNING).update(
        status=CertificateBatch.Status.DONE, finished_at=timezone.now(),
    )
    return CertificateBatch.objects.get(pk=batch.pk)
