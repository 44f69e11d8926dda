"""The rules that issue certificates, as receivers of the other apps' signals: a course run
passed, a program completed (recorded by `courses` when a course pass completes one) and a
practicum passed each enqueue `certificates.tasks.certificate_issue_pdf`. The signals are sent
once the pass is committed; the task is still enqueued on commit, so a sender inside a
transaction never has a worker look for a pass that is not there yet."""

from django.db import transaction


def _enqueue(rule, pass_id):
    from .tasks import certificate_issue_pdf

    transaction.on_commit(lambda: certificate_issue_pdf.delay(rule, pass_id))


def course_run_passed(sender, course_pass, **kwargs):
    from .tasks import RULE_COURSE_RUN

    _enqueue(RULE_COURSE_RUN, course_pass.pk)


def program_completed(sender, program_completion, **kwargs):
    from .tasks import RULE_PROGRAM

    _enqueue(RULE_PROGRAM, program_completion.pk)


def practicum_passed(sender, practicum_pass, **kwargs):
    from .tasks import RULE_PRACTICUM

    _enqueue(RULE_PRACTICUM, practicum_pass.pk)


def connect():
    from courses.signals import course_run_passed as course_run_passed_signal
    from courses.signals import program_completed as program_completed_signal
    from practicum.signals import practicum_passed as practicum_passed_signal

    course_run_passed_signal.connect(course_run_passed, dispatch_uid="certificates.course_run_passed")
    program_completed_signal.connect(program_completed, dispatch_uid="certificates.program_completed")
    practicum_passed_signal.connect(practicum_passed, dispatch_uid="certificates.practicum_passed")
