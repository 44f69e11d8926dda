"""Forms of the grade pages: the grading policy as two formsets (assignment types and letter
cutoffs, in per cent), and a gradebook override or its removal. They check what one field can
check; the policy as a whole is checked by `courses.grading.policy_validate` through
`courses.grade_services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .grade_selectors import SORT_CHOICES, STANDING_CHOICES

POLICY_EXTRA_ROWS = 2
POLICY_MAX_ROWS = 30


def _number(**attrs):
    return forms.NumberInput(attrs={"inputmode": "decimal", **attrs})


class GradingTypeForm(forms.Form):
    type = forms.CharField(
        label=_("Type"), max_length=60,
        help_text=_("As the quiz and assignment blocks name it, such as “Quiz”."),
    )
    short_label = forms.CharField(label=_("Short label"), max_length=10, required=False, help_text=_("Such as “Q”."))
    weight = forms.DecimalField(
        label=_("Weight (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, widget=_number(step="0.01"),
    )
    min_count = forms.IntegerField(
        label=_("Expected count"), min_value=0, max_value=1000, initial=0, widget=_number(step="1"),
        help_text=_("Items missing below this count as zero."),
    )
    drop_count = forms.IntegerField(
        label=_("Lowest dropped"), min_value=0, max_value=1000, initial=0, widget=_number(step="1"),
        help_text=_("How many of the lowest scores do not count."),
    )


class GradeCutoffForm(forms.Form):
    letter = forms.CharField(label=_("Letter"), max_length=20, help_text=_("Such as “A” or “Pass”."))
    minimum = forms.DecimalField(
        label=_("From (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, widget=_number(step="0.01"),
        help_text=_("The lowest course grade that reaches this letter."),
    )


class _DistinctRowsFormSet(forms.BaseFormSet):
    """Rows kept (not deleted, not left empty) must differ in `distinct_field`: two rows of one
    type or one letter would be one row in the database."""

    distinct_field = None
    duplicate_message = None

    def rows(self):
        """The cleaned rows kept, in order, without the formset's DELETE flag."""
        return [
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for row in self.rows():
            value = row[self.distinct_field].strip()
            if value in seen:
                raise forms.ValidationError(self.duplicate_message % {"value": value})
            seen.add(value)


class _TypeFormSet(_DistinctRowsFormSet):
    distinct_field = "type"
    duplicate_message = _("The type “%(value)s” is listed twice; give each type one row.")


class _CutoffFormSet(_DistinctRowsFormSet):
    distinct_field = "letter"
    duplicate_message = _("The letter “%(value)s” is listed twice; give each letter one row.")


GradingTypeFormSet = forms.formset_factory(
    GradingTypeForm, formset=_TypeFormSet, extra=POLICY_EXTRA_ROWS, can_delete=True, can_delete_extra=False,
    max_num=POLICY_MAX_ROWS, validate_max=True,
)
GradeCutoffFormSet = forms.formset_factory(
    GradeCutoffForm, formset=_CutoffFormSet, extra=POLICY_EXTRA_ROWS, can_delete=True, can_delete_extra=False,
    max_num=POLICY_MAX_ROWS, validate_max=True,
)


def policy_formsets(data=None, *, types=(), cutoffs=()):
    """The two policy formsets, bound to `data` or filled with the policy's rows."""
    return (
        GradingTypeFormSet(data, prefix="types", initial=None if data is not None else [
            {name: row[name] for name in ("type", "short_label", "weight", "min_count", "drop_count")} for row in types
        ]),
        GradeCutoffFormSet(data, prefix="cutoffs", initial=None if data is not None else [
            {"letter": row["letter"], "minimum": row["minimum"]} for row in cutoffs
        ]),
    )


REASON_HELP = _("Say why the score changes; the learner's record keeps it.")
REASON_REQUIRED = _("Give a reason: every change of a score is recorded with one.")


class GradeOverrideForm(forms.Form):
    """Set a learner's points on one item."""

    earned = forms.DecimalField(label=_("Points earned"), max_digits=8, decimal_places=2, min_value=0, widget=_number(step="0.01"))
    possible = forms.DecimalField(
        label=_("Out of"), max_digits=8, decimal_places=2, min_value=0, required=False, widget=_number(step="0.01"),
        help_text=_("Leave it as the item's full marks unless the item should count out of something else."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP,
        error_messages={"required": REASON_REQUIRED},
    )


class GradeOverrideClearForm(forms.Form):
    """Remove the override in force: the raw score counts again."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP,
        error_messages={"required": REASON_REQUIRED},
    )


class GradebookFilterForm(forms.Form):
    """The gradebook's filters, for display only: `courses.grade_selectors.gradebook_filters`
    reads the same GET parameters and ignores values it does not know."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Everyone"))] + STANDING_CHOICES)
    letter = forms.ChoiceField(label=_("Letter"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, letters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter"].choices = [("", _("Any letter"))] + [(letter, letter) for letter in letters]
