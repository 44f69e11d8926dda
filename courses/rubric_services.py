"""Rubrics as the scoring module sees them, and the check every save of one goes through.

`rubric_spec_of` turns a saved `Rubric` (its criteria and levels) into the plain `RubricSpec` of
`courses.rubrics`; `rubric_check` validates it there and raises a `ValidationError` with the
scoring module's message, which the admin shows on the form after rolling the save back."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from academy.organisations.admin_scoping import user_is_organisation_staff

from .models import Rubric, RubricCriterion
from .rubrics import CriterionSpec, LevelSpec, RubricSpec, RubricSpecError, rubric_spec_validate

# The model permissions an organisation's editors group needs to author rubrics in the Wagtail
# admin (see migration 0006 and academy.organisations.services.GROUP_PERMISSIONS). Criteria and
# levels are edited inside their rubric's form, so the rubric's permissions are enough.
RUBRIC_GROUP_PERMISSIONS = tuple(("courses", f"{action}_rubric") for action in ("add", "change", "delete", "view"))


def rubric_spec_from(rubric: Rubric) -> RubricSpec:
    """The spec of `rubric` from its loaded criteria and levels, in their order; it queries only
    what is not prefetched (prefetch `criteria__levels` and `criteria__competency`). Keys are the
    primary keys as strings. Not validated."""
    return RubricSpec(criteria=tuple(
        CriterionSpec(
            key=str(criterion.pk),
            title=criterion.title,
            competency_code=criterion.competency.code if criterion.competency_id else "",
            levels=tuple(LevelSpec(key=str(level.pk), title=level.title, points=level.points) for level in criterion.levels.all()),
        )
        for criterion in rubric.criteria.all()
    ))


def rubric_spec_of(*, rubric: Rubric) -> RubricSpec:
    """The spec of the saved `rubric`, read afresh from the database in three queries whatever
    its size (criteria with their competencies, then levels). Not validated."""
    fresh = Rubric.objects.prefetch_related(
        Prefetch("criteria", queryset=RubricCriterion.objects.select_related("competency")), "criteria__levels",
    ).get(pk=rubric.pk)
    return rubric_spec_from(fresh)


def rubric_check(*, rubric: Rubric, by=None) -> RubricSpec:
    """The valid spec of the saved `rubric`; a `ValidationError` with the scoring module's message
    when it is invalid (no criteria, a criterion with fewer than two levels, two levels with one
    title, negative points). With `by`, `PermissionDenied` unless `by` is the organisation's
    active staff or a platform administrator."""
    if by is not None and not user_is_organisation_staff(user=by, organisation=rubric.organisation):
        raise PermissionDenied(_("Only the organisation's staff can manage its rubrics."))
    spec = rubric_spec_of(rubric=rubric)
    try:
        return rubric_spec_validate(spec)
    except RubricSpecError as error:
        raise ValidationError(str(error)) from error
