"""Celery tasks of the certificates app. Names with "pdf" are routed to the `pdf` queue
(`CELERY_TASK_ROUTES`), where issuance, signing and rendering run."""

from celery import shared_task

RULE_COURSE_RUN = "course_run_passed"
RULE_PROGRAM = "program_completed"
RULE_PRACTICUM = "practicum_passed"


@shared_task(acks_late=True)
def certificate_issue_pdf(rule: str, pass_id: int) -> str:
    """Issue the certificate a rule earned and render its PDF: `rule` names what was passed and
    `pass_id` is the CoursePass, ProgramCompletion or PracticumPass. Idempotent, so a redelivered
    or duplicated task is harmless; returns the certificate's code."""
    from . import services
    from .pdf_services import certificate_pdf_ensure

    if rule == RULE_COURSE_RUN:
        from courses.models import CoursePass

        course_pass = CoursePass.objects.select_related("enrolment__run__course", "enrolment__user").get(pk=pass_id)
        certificate = services.certificate_issue_for_course_pass(course_pass=course_pass)
    elif rule == RULE_PROGRAM:
        from courses.models import ProgramCompletion

        completion = ProgramCompletion.objects.select_related("program", "user").get(pk=pass_id)
        certificate = services.certificate_issue_for_program_completion(program_completion=completion)
    elif rule == RULE_PRACTICUM:
        from practicum.models import PracticumPass

        practicum_pass = PracticumPass.objects.select_related("run__project__organisation", "grade", "user").get(pk=pass_id)
        certificate = services.certificate_issue_for_practicum_pass(practicum_pass=practicum_pass)
    else:
        raise ValueError(f"Unknown certificate rule {rule!r}.")
    certificate_pdf_ensure(certificate=certificate)
    return certificate.code


@shared_task(acks_late=True)
def certificate_batch_run_pdf(batch_id: int) -> str:
    """Work through a staff member's certificate batch (issue for a cohort, re-issue, suspend,
    lift a suspension, revoke; `certificates.batch_services`), rendering the PDFs of the
    certificates it makes. A redelivered task carries on after the last item done; returns the
    batch's status."""
    from .batch_services import certificate_batch_run
    from .models import CertificateBatch

    batch = CertificateBatch.objects.get(pk=batch_id)
    return certificate_batch_run(batch=batch).status
