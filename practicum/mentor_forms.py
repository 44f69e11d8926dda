"""Forms of the mentor pages. They only check the shape of the input; the rules (who may, which
states allow it) are the services', whose ValidationErrors the views put back on these forms."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from .run_clock import MAX_ADVANCE_DAYS
from .run_models import PracticumRun, RunParticipant, Team


def _model_field(name, **overrides):
    """The form field of a PracticumRun field, with its label, help text and validators."""
    model_field = PracticumRun._meta.get_field(name)
    field = model_field.formfield(**overrides)
    # formfield() leaves the model's own validators to the model; check them here too, so every
    # mistake is reported at once rather than after the form's own.
    field.validators = [*field.validators, *(v for v in model_field.validators if v not in field.validators)]
    if isinstance(field.widget, forms.NumberInput):
        field.widget.attrs.setdefault("inputmode", "numeric")
    return field


class RunForm(forms.Form):
    """A mentor starts a run, or changes one (`run` given: the status too, and the seed only while
    no day has been played, since the played days were drawn from it)."""

    title = _model_field("title")
    seed = _model_field("seed", required=False)
    status = _model_field("status")
    mode = _model_field("mode", widget=forms.RadioSelect)
    team_size_min = _model_field("team_size_min", min_value=1, max_value=20)
    team_size_max = _model_field("team_size_max", min_value=1, max_value=20)

    def __init__(self, *args, run: PracticumRun | None = None, **kwargs):
        self.run = run
        if run is not None:
            kwargs.setdefault("initial", {
                "title": run.title, "seed": run.seed, "status": run.status, "mode": run.mode,
                "team_size_min": run.team_size_min, "team_size_max": run.team_size_max,
            })
        super().__init__(*args, **kwargs)
        if run is None:
            del self.fields["status"]
            self.fields["seed"].help_text = _(
                "The seed of the run's market simulation: the same seed and the same decisions give the same orders. "
                "Leave it empty for a random one.")
            self.fields["title"].widget.attrs["placeholder"] = _("Autumn cohort 2026")
        elif run.day > 0:
            self.fields["seed"].disabled = True
            self.fields["seed"].required = True  # not "(optional)": it is fixed
            self.fields["seed"].help_text = _("The seed is fixed: days have been played from it.")
        else:
            self.fields["seed"].required = True

    def clean(self):
        data = super().clean()
        smallest, largest = data.get("team_size_min"), data.get("team_size_max")
        if smallest is not None and largest is not None and largest < smallest:
            self.add_error("team_size_max", _("The largest team cannot be smaller than the smallest."))
        return data


class AdvanceForm(forms.Form):
    """How many simulated days to play now."""

    days = forms.IntegerField(
        label=_("Days to play"), min_value=1, max_value=MAX_ADVANCE_DAYS, initial=1,
        help_text=lazy(lambda: gettext("From 1 to %(most)s days; a worker plays them one by one.") % {"most": MAX_ADVANCE_DAYS}, str)(),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "inline-auto"}),
    )


class DecideForm(forms.Form):
    """Accept or decline one application."""

    DECISIONS = (("accept", _("Accept")), ("decline", _("Decline")))

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)


class AssignForm(forms.Form):
    """Put a participant of the run in one of its teams, or out of any team."""

    participant = forms.ModelChoiceField(label=_("Student"), queryset=RunParticipant.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team"))

    def __init__(self, *args, run: PracticumRun, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = RunParticipant.objects.filter(run=run).select_related("user")
        self.fields["team"].queryset = Team.objects.filter(run=run)
        if teams is not None:
            # The board already holds the teams: reuse them for the options (no query per form).
            self.fields["team"].choices = [("", _("No team"))] + [(team.pk, team.name) for team in teams]


class TeamForm(forms.Form):
    """A mentor forms an empty team, to assign students to."""

    name = forms.CharField(label=_("Team name"), max_length=Team._meta.get_field("name").max_length,
                           help_text=_("The team gets its store and the project's starting capital at once."))
