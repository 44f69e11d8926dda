"""The mentor's grading form: a level for every criterion of the project's rubric, a comment,
and the sign-off (`practicum.grade_services.grade_sign_off` does the rest). Like the courses'
review form (`courses.assignment_forms.ReviewForm`): a missing level is an error on its own
criterion, and every other level chosen and the comment come back as typed."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy


class GradeForm(forms.Form):
    """`criteria` are the rubric's criteria with their levels loaded (none for a project
    without a rubric, which grades on its KPIs alone)."""

    comment = forms.CharField(
        label=gettext_lazy("Comment to the team"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the team did well and what to work on. The team reads it with the grade."),
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.level_name(criterion)] = forms.ChoiceField(
                label=criterion.title, widget=forms.RadioSelect,
                choices=[(str(level.pk), level.title) for level in criterion.levels.all()],
                error_messages={
                    "required": _("Choose a level for “%(criterion)s”.") % {"criterion": criterion.title},
                    "invalid_choice": _("Choose one of the levels of “%(criterion)s”.") % {"criterion": criterion.title},
                },
            )

    @staticmethod
    def level_name(criterion) -> str:
        return f"level_{criterion.pk}"

    def rows(self):
        """Per criterion, for the template: the criterion, its levels with whether each is the
        one chosen (as typed, or the initial one), and its field."""
        rows = []
        for criterion in self.criteria:
            field = self[self.level_name(criterion)]
            chosen = str(field.value() or "")
            rows.append({
                "criterion": criterion,
                "max_points": max((level.points for level in criterion.levels.all()), default=0),
                "levels": [(level, str(level.pk) == chosen) for level in criterion.levels.all()],
                "field": field,
            })
        return rows

    def choices(self) -> dict[str, str]:
        """{criterion key: level key} for `grade_sign_off`."""
        return {str(criterion.pk): self.cleaned_data[self.level_name(criterion)] for criterion in self.criteria}

    @classmethod
    def initial_from(cls, grade) -> dict:
        """The current grade's levels and comment, to start a re-grade from."""
        if grade is None:
            return {}
        initial = {f"level_{criterion}": level for criterion, level in (grade.rubric_choices or {}).items()}
        initial["comment"] = grade.comment
        return initial


__all__ = ["GradeForm"]
