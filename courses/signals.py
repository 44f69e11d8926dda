"""Signals the courses app sends for other apps to act on without this app knowing them
(HOUSE_RULES: signals only decouple apps). Receivers connect in their own
`signal_handlers.py`, from `AppConfig.ready()`."""

from django.dispatch import Signal

# Sent once per learner and run, after the transaction that recorded the pass commits, with
# `course_pass` (a courses.models.CoursePass) and `enrolment`. Certificates issue on it.
course_run_passed = Signal()

# Sent once per learner and program, after the transaction that recorded the completion commits,
# with `program_completion` (a courses.models.ProgramCompletion). Certificates issue on it.
program_completed = Signal()
