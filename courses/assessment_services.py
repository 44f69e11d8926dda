"""Writes of the assessment: question banks and the versions of their questions.

A question's authoring form is `Question.content`; `question_version_record` turns it into the
spec of `courses.questions`, validates it there and records a new immutable `QuestionVersion`
only when the spec changed, so saving without a change records nothing and attempts that pinned
an earlier version keep it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from academy.organisations.admin_scoping import user_is_organisation_staff

from .models import Question, QuestionBank, QuestionVersion
from .question_authoring import question_spec_from_content
from .questions import QuestionSpecError, question_from_spec, question_to_spec

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
