"""When a learner may see the correctness, marks and right answers of a submitted quiz attempt.

Each of the three is one of "immediately" (once the attempt is submitted), "after_due" (once the
attempt is submitted and the quiz's due date has passed) or "never", after Moodle's review
options (https://docs.moodle.org/en/Quiz_settings#Review_options) reduced to these moments, as
Open edX's "show answer" setting does. Pure: plain values in, a dict of booleans out."""

IMMEDIATELY = "immediately"
AFTER_DUE = "after_due"
NEVER = "never"
ASPECTS = ("correctness", "marks", "answers")


def review_visibility(options, *, now, due_at, submitted) -> dict:
    """Which of correctness, marks and answers the learner may see now. Nothing is shown before
    submission; "after_due" with no due date waits forever, the safe side; an unknown option
    counts as "never"."""

    def visible(option):
        if not submitted:
            return False
        if option == IMMEDIATELY:
            return True
        if option == AFTER_DUE:
            return due_at is not None and now >= due_at
        return False

    return {aspect: visible(options.get(aspect)) for aspect in ASPECTS}
