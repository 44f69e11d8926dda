"""Model fields shared by the apps."""

from django import forms
from django.db import models
from django.utils.text import capfirst


class CheckboxListField(models.JSONField):
    """A JSON list of choice keys, edited as checkboxes. Subclasses set `list_choices`: a list of
    (key, label) pairs, or a function returning one (read when a form is built, so choices that
    come from the database need no restart)."""

    list_choices = ()

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.list_choices, widget=forms.CheckboxSelectMultiple, required=not self.blank,
            label=capfirst(self.verbose_name), help_text=self.help_text,
        )
