from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation


class OrganisationApplyForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name_en", "name_zh", "country", "website", "description_en", "description_zh"]
        widgets = {"description_en": forms.Textarea(attrs={"rows": 4}), "description_zh": forms.Textarea(attrs={"rows": 4})}


class MembershipRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    message = forms.CharField(label=_("Message to the organisation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class OrganisationProfileForm(forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("A square PNG, JPEG or WebP image of at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Organisation
        fields = ["name_zh", "website", "description_en", "description_zh"]
        widgets = {"description_en": forms.Textarea(attrs={"rows": 4}), "description_zh": forms.Textarea(attrs={"rows": 4})}
