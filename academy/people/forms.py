from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form; the rest of the profile is filled in later."""

    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["preferred_language"].choices = [("", _("Same as the site"))] + list(settings.LANGUAGES)

    def signup(self, request, user):
        from .services import user_profile_update

        user_profile_update(
            user=user,
            display_name=self.cleaned_data.get("display_name", ""),
            preferred_language=self.cleaned_data.get("preferred_language", ""),
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "name_latin", "name_native", "country", "preferred_language"]
