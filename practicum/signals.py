"""Signals the practicum sends for other apps to act on without this app knowing them
(HOUSE_RULES: signals only decouple apps), as `courses.signals.course_run_passed` does."""

from django.dispatch import Signal

# Sent once per student and run, after the transaction that recorded the pass commits, with
# `practicum_pass` (a practicum.models.PracticumPass) and `grade` (its PracticumGrade).
# Certificates issue on it.
practicum_passed = Signal()
