"""Writes of the assessment: question banks and the versions of their questions, quizzes and
learners' attempts at them.

A question's authoring form is `Question.content`; `question_version_record` turns it into the
spec of `courses.questions`, validates it there and records a new immutable `QuestionVersion`
only when the spec changed, so saving without a change records nothing and attempts that pinned
an earlier version keep it."""

import datetime
import hashlib
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.organisations.admin_scoping import user_is_organisation_staff

from .models import AttemptAnswer, Enrolment, Question, QuestionBank, QuestionVersion, Quiz, QuizAttempt
from .question_authoring import question_spec_from_content
from .questions import QuestionSpecError, question_from_spec, question_to_spec, score

# The model permissions an organisation's editors group needs to author question banks in the
# Wagtail admin (see migration 0004 and academy.organisations.services.GROUP_PERMISSIONS).
QUESTION_BANK_GROUP_PERMISSIONS = tuple(
    ("courses", f"{action}_{model}") for model in ("questionbank", "question") for action in ("add", "change", "delete", "view")
)


def _staff_check(*, user, organisation):
    if not user_is_organisation_staff(user=user, organisation=organisation):
        raise PermissionDenied(_("Only the organisation's staff can manage its question banks."))


@transaction.atomic
def question_bank_create(*, organisation, title: str, by, description: str = "") -> QuestionBank:
    """A bank for `organisation`, created by its active staff or a platform administrator."""
    _staff_check(user=by, organisation=organisation)
    bank = QuestionBank(organisation=organisation, title=title.strip(), description=description)
    bank.full_clean()
    bank.save()
    return bank


def question_spec_validated(*, question) -> tuple[str, dict]:
    """The kind and canonical spec of `question.content` (every field spelled out, as
    `courses.questions.question_to_spec` gives it); a `ValidationError` on `content` with the
    scoring module's message when the spec is invalid."""
    try:
        kind, spec = question_spec_from_content(question.content)
        return kind, question_to_spec(question_from_spec(kind, spec))
    except QuestionSpecError as error:
        raise ValidationError({"content": [str(error)]}) from error


@transaction.atomic
def question_version_record(*, question: Question, by) -> QuestionVersion:
    """Record the saved `question`'s content as its next version when the spec differs from the
    current version's (kind included); return the current version either way. Earlier versions
    are never changed."""
    _staff_check(user=by, organisation=question.bank.organisation)
    kind, spec = question_spec_validated(question=question)
    # The lock serialises concurrent saves of one question, so version numbers never collide.
    locked = Question.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=question.pk)
    current = locked.current_version
    if current is not None and current.kind == kind and current.spec == spec:
        question.current_version = current
        return current
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = QuestionVersion(question=locked, number=number, kind=kind, spec=spec, created_by=by)
    version.full_clean()
    version.save()
    Question.objects.filter(pk=question.pk).update(current_version=version)
    question.current_version = version
    return version


# --- Quizzes --------------------------------------------------------------------------------------
#
# A learner's attempt at the quiz of a lesson block. Starting pins each question's current
# version; submitting scores each saved response against the pinned version with
# courses.questions.score, on the server only, and completes the lesson's `quiz:<block_id>`
# activity (courses.services.lesson_activities_check).

# Network latency between the learner pressing "Submit" and the request arriving.
SUBMIT_GRACE = datetime.timedelta(seconds=30)


def quiz_check(*, quiz, by):
    """Refuse a quiz without questions, with a question or bank of another organisation, or
    drawing more questions from a bank than it has besides those the quiz asks anyway."""
    _staff_check(user=by, organisation=quiz.organisation)
    slots = list(quiz.slots.select_related("question__bank"))
    draws = list(quiz.draws.select_related("bank"))
    if not slots and not draws:
        raise ValidationError(_("Add at least one question to the quiz."))
    foreign_banks = [draw.bank.title for draw in draws if draw.bank.organisation_id != quiz.organisation_id]
    if foreign_banks:
        raise ValidationError(_("These banks belong to another organisation: %(titles)s.") % {"titles": ", ".join(foreign_banks)})
    fixed = {slot.question_id for slot in slots}
    for bank_id in {draw.bank_id for draw in draws}:
        wanted = sum(draw.count for draw in draws if draw.bank_id == bank_id)
        available = Question.objects.filter(bank_id=bank_id, current_version__isnull=False).exclude(pk__in=fixed).count()
        if wanted > available:
            title = next(draw.bank.title for draw in draws if draw.bank_id == bank_id)
            raise ValidationError(
                _("The bank “%(bank)s” has %(available)s questions to draw from, not %(wanted)s.")
                % {"bank": title, "available": available, "wanted": wanted}
            )
    foreign = [slot.question.title for slot in slots if slot.question.bank.organisation_id != quiz.organisation_id]
    if foreign:
        raise ValidationError(_("These questions belong to another organisation: %(titles)s.") % {"titles": ", ".join(foreign)})
    unversioned = [slot.question.title for slot in slots if slot.question.current_version_id is None]
    if unversioned:
        raise ValidationError(_("These questions have no saved version yet: %(titles)s.") % {"titles": ", ".join(unversioned)})


def _attempt_seed(enrolment, block_id, number):
    return hashlib.sha256(f"{enrolment.pk}:{block_id}:{number}".encode()).hexdigest()


def _quiz_block_value(item, block_id):
    """The value of the quiz block `block_id` in the revision pinned to `item`, or None."""
    from .selectors import lesson_content

    page = lesson_content(item=item)
    for child in page.body if page is not None else ():
        if child.id == block_id and child.block_type == "quiz":
            return child.value
    return None


def quiz_block_value(*, item, block_id):
    """The quiz block's `quiz` (read afresh) and `due_after_days` as pinned to the lesson, or a
    ValidationError when the lesson has no such quiz."""
    if f"quiz:{block_id}" not in (item.activity_keys or []):
        raise ValidationError(_("That quiz is not part of this lesson."))
    value = _quiz_block_value(item, block_id)
    # The pinned lesson is cached with the quiz as it was then: read the quiz's settings now.
    quiz = Quiz.objects.filter(pk=value["quiz"].pk).first() if value is not None and value.get("quiz") is not None else None
    if quiz is None:
        raise ValidationError(_("That quiz is not part of this lesson."))
    return {"quiz": quiz, "due_after_days": value.get("due_after_days")}


@transaction.atomic
def attempt_start(*, enrolment, item, block_id, quiz, by, now=None) -> QuizAttempt:
    """Start the learner's next attempt at the quiz of a lesson block: within the attempt limit,
    with each question's current version pinned and the deadline set by the time limit. An
    attempt still open is returned instead of starting another; one whose time is up is
    submitted with what it saved first (and returned when it was the last one allowed)."""
    from .services import _active_check

    _active_check(enrolment, by)
    if item.run_id != enrolment.run_id or f"quiz:{block_id}" not in (item.activity_keys or []):
        raise ValidationError(_("That quiz is not part of this lesson."))
    now = now or timezone.now()
    # The enrolment row serialises concurrent starts of one learner, so numbers never collide.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    attempts = QuizAttempt.objects.filter(enrolment=enrolment, block_id=block_id)
    open_attempt = attempts.filter(submitted_at__isnull=True).order_by("-number").first()
    if open_attempt is not None and not attempt_is_late(attempt=open_attempt, now=now):
        return open_attempt
    used = attempts.count()
    if open_attempt is not None:
        # Its time is up: it counts with what was saved, and is returned, submitted, when no
        # attempt is left (raising would roll the submission back).
        closed = attempt_submit(attempt=open_attempt, responses={}, by=by, now=now)
        if quiz.attempt_limit and used >= quiz.attempt_limit:
            return closed
    if quiz.attempt_limit and used >= quiz.attempt_limit:
        raise ValidationError(_("You have used all your attempts at this quiz."))
    number = used + 1
    seed = _attempt_seed(enrolment, block_id, number)
    entries = _attempt_questions(quiz, seed)
    if quiz.shuffle_questions:
        random.Random(seed).shuffle(entries)
    deadline = now + datetime.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    attempt = QuizAttempt(
        enrolment=enrolment, quiz=quiz, item=item, block_id=block_id, number=number, seed=seed, started_at=now, deadline_at=deadline,
    )
    attempt.full_clean()
    attempt.save()
    AttemptAnswer.objects.bulk_create([
        AttemptAnswer(attempt=attempt, version_id=version_id, position=position, marks=marks)
        for position, (version_id, marks) in enumerate(entries, start=1)
    ])
    return attempt


def _attempt_questions(quiz, seed):
    """The (current version id, marks) of each question of a new attempt: the fixed questions in
    order, then each draw's questions, drawn with the attempt's seed from the bank's versioned
    questions that the attempt does not already ask."""
    slots = list(quiz.slots.select_related("question").order_by("sort_order", "pk"))
    if any(slot.question.current_version_id is None for slot in slots):
        raise ValidationError(_("This quiz is not ready yet."))
    entries = [(slot.question.current_version_id, slot.marks) for slot in slots]
    asked = {slot.question_id for slot in slots}
    for draw in quiz.draws.order_by("sort_order", "pk"):
        candidates = list(
            Question.objects.filter(bank_id=draw.bank_id, current_version__isnull=False).exclude(pk__in=asked)
            .order_by("pk").values_list("pk", "current_version_id")
        )
        if len(candidates) < draw.count:
            raise ValidationError(_("This quiz is not ready yet."))
        for question_id, version_id in random.Random(f"{seed}:draw:{draw.pk}").sample(candidates, draw.count):
            asked.add(question_id)
            entries.append((version_id, draw.marks))
    if not entries:
        raise ValidationError(_("This quiz is not ready yet."))
    return entries


def _locked_attempt(attempt):
    # of=("self",): the joins are not locked, and PostgreSQL refuses FOR UPDATE on the
    # nullable side of an outer join.
    return QuizAttempt.objects.select_for_update(of=("self",)).select_related("enrolment", "quiz").get(pk=attempt.pk)


def _attempt_owner_check(attempt, by):
    from .services import _active_check

    _active_check(attempt.enrolment, by)


def attempt_is_late(*, attempt, now) -> bool:
    """Whether the attempt's time limit, grace included, has run out."""
    return attempt.deadline_at is not None and now > attempt.deadline_at + SUBMIT_GRACE


def _responses_save(attempt, responses):
    """Save the responses given by position (a dict position -> JSON value); others unchanged."""
    for answer in attempt.answers.all():
        if answer.position in responses:
            answer.response = responses[answer.position]
            answer.save(update_fields=["response"])


@transaction.atomic
def attempt_save(*, attempt, responses, by, now=None) -> QuizAttempt:
    """Save responses without submitting. A submitted attempt, or one past its deadline, keeps
    what it has."""
    now = now or timezone.now()
    locked = _locked_attempt(attempt)
    _attempt_owner_check(locked, by)
    if locked.submitted_at is None and not attempt_is_late(attempt=locked, now=now):
        _responses_save(locked, responses)
    return locked


@transaction.atomic
def attempt_submit(*, attempt, responses, by, now=None) -> QuizAttempt:
    """Submit an attempt once: save the responses (ignored after the deadline and its grace),
    score every answer against its pinned version and complete the lesson's quiz activity.
    Submitting again returns the attempt unchanged."""
    now = now or timezone.now()
    locked = _locked_attempt(attempt)
    _attempt_owner_check(locked, by)
    if locked.submitted_at is not None:
        return locked
    if not attempt_is_late(attempt=locked, now=now):
        _responses_save(locked, responses or {})
    earned = possible = Decimal(0)
    for answer in locked.answers.select_related("version"):
        result = score(question_from_spec(answer.version.kind, answer.version.spec), answer.response)
        fraction = Decimal(result.fraction.numerator) / Decimal(result.fraction.denominator)
        answer.fraction = fraction.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        answer.save(update_fields=["fraction"])
        earned += answer.marks * fraction
        possible += answer.marks
    locked.earned = earned.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    locked.possible = possible
    locked.submitted_at = now
    locked.save(update_fields=["earned", "possible", "submitted_at"])
    from .grade_services import enrolment_grade_recompute, quiz_evidence_record
    from .services import lesson_activities_check

    quiz_evidence_record(attempt=locked)
    lesson_activities_check(enrolment=locked.enrolment, item=locked.item, by=by)
    enrolment_grade_recompute(enrolment=locked.enrolment)
    return locked
