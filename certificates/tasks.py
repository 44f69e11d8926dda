"""Celery tasks of the certificates app. Names with "pdf" are routed to the `pdf` queue
(`CELERY_TASK_ROUTES`), where issuance, signing and rendering run."""

from celery import shared_task

RULE_COURSE_RUN = "course_run_passed"
RULE_PRACTICUM = "practicum_passed"


@shared_task(acks_late=True)
def certificate_issue_pdf(rule: str, pass_id: int) -> str:
    """Issue the certificate a rule earned: `rule` names what was passed and `pass_id` is the
    CoursePass or PracticumPass. Idempotent, so a redelivered or duplicated task is harmless;
    returns the certificate's code."""
    from . import services

    if rule == RULE_COURSE_RUN:
        from courses.models import CoursePass

        course_pass = CoursePass.objects.select_related("enrolment__run__course", "enrolment__user").get(pk=pass_id)
        certificate = services.certificate_issue_for_course_pass(course_pass=course_pass)
    elif rule == RULE_PRACTICUM:
        from practicum.models import PracticumPass

        practicum_pass = PracticumPass.objects.select_related("run__project__organisation", "grade", "user").get(pk=pass_id)
        certificate = services.certificate_issue_for_practicum_pass(practicum_pass=practicum_pass)
    else:
        raise ValueError(f"Unknown certificate rule {rule!r}.")
    return certificate.code
