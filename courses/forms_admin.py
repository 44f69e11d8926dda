"""The admin forms of the learning pages."""

from django.core.exceptions import ValidationError

from academy.home.forms import AcademyPageForm


class LearningPageForm(AcademyPageForm):
    """Programs, modules and lessons: the media checks of every page form."""


class CoursePageForm(LearningPageForm):
    """A course's partners: the lead-university role belongs to the university the course sits
    under, each organisation appears once, and only the lead university's staff change the list
    (a co-author edits lessons, not who co-runs the course)."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("partners")
        if formset is None or not formset.is_valid():
            return cleaned_data
        from courses.services import course_partners_check

        rows = [
            (form.cleaned_data["organisation"], form.cleaned_data["role"])
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("organisation")
        ]
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        try:
            course_partners_check(course=self.instance, parent=parent, rows=rows, by=self.for_user)
        except ValidationError as error:
            for message in error.messages:
                self.add_error(None, message)
        return cleaned_data
