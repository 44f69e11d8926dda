"""Programs, courses, modules, lessons, runs, enrolment, progress and assessment (courses and
assessment issues)."""
