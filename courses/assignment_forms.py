"""Front-end forms of assignments: a learner's hand-in and a reviewer's scoring with the rubric.

They gather and tidy what was typed; the rules (what the assignment asks for, the file checks,
the submission limit, who may review) are `courses.assignment_services`, whose errors the views
put back on these forms so that nothing typed is lost."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models.assignments import ASSIGNMENT_MAX_FILE_MB


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type="file" multiple>` (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SubmissionForm(forms.Form):
    """A hand-in: the text answer and the files. Whether each is required, how many files and of
    which kinds is the service's to say, per assignment."""

    text = forms.CharField(
        label=gettext_lazy("Your answer"), required=False, max_length=20000, strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    files = MultipleFileField(label=gettext_lazy("Files"), required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        # Refused before the service reads anything: no assignment allows more than this.
        limit = ASSIGNMENT_MAX_FILE_MB * 1024 * 1024
        too_big = [upload.name for upload in files if upload.size > limit]
        if too_big:
            raise ValidationError(
                _("%(names)s: files may be %(limit)s MB at most.") % {"names": ", ".join(too_big), "limit": ASSIGNMENT_MAX_FILE_MB}
            )
        return files


class ReviewForm(forms.Form):
    """A review with the assignment's rubric: a level and inline feedback for every criterion,
    and overall feedback. `criteria` are the rubric's criteria with their levels loaded."""

    comment = forms.CharField(
        label=gettext_lazy("Overall feedback"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the learner did well and what to do next. The learner reads it with the scores."),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.level_name(criterion)] = forms.ChoiceField(
                label=criterion.title, widget=forms.RadioSelect,
                choices=[(str(level.pk), level.title) for level in criterion.levels.all()],
                error_messages={"required": _("Choose a level for “%(criterion)s”.") % {"criterion": criterion.title}},
            )
            self.fields[self.comment_name(criterion)] = forms.CharField(
                label=_("Feedback on “%(criterion)s”") % {"criterion": criterion.title}, required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def level_name(criterion):
        return f"level_{criterion.pk}"

    @staticmethod
    def comment_name(criterion):
        return f"feedback_{criterion.pk}"

    def rows(self):
        """Per criterion, for the template: the criterion, its levels with whether each is the one
        chosen (typed or saved), its level and feedback fields."""
        rows = []
        for criterion in self.criteria:
            level_field = self[self.level_name(criterion)]
            chosen = str(level_field.value() or "")
            rows.append({
                "criterion": criterion,
                "levels": [(level, str(level.pk) == chosen) for level in criterion.levels.all()],
                "level_field": level_field,
                "comment_field": self[self.comment_name(criterion)],
            })
        return rows

    def service_arguments(self):
        """`choices`, `comments` and `comment` for `courses.assignment_services.review_save`."""
        data = self.cleaned_data
        return {
            "choices": {criterion.pk: int(data[self.level_name(criterion)]) for criterion in self.criteria},
            "comments": {str(criterion.pk): data.get(self.comment_name(criterion), "") for criterion in self.criteria},
            "comment": data.get("comment", ""),
        }

    @classmethod
    def initial_from(cls, *, review, criteria):
        """The form's initial values from the reviewer's own earlier review: each saved level is
        found again by its criterion and title (titles are unique in a criterion); a level since
        renamed or removed is left unchosen."""
        if review is None:
            return {}
        initial = {"comment": review.comment}
        scores = {score.criterion_id: score for score in review.scores.all()}
        for criterion in criteria:
            score = scores.get(criterion.pk)
            if score is None:
                continue
            initial[cls.comment_name(criterion)] = score.comment
            level = next((level for level in criterion.levels.all() if level.title == score.level_title), None)
            if level is not None:
                initial[cls.level_name(criterion)] = str(level.pk)
        return initial
