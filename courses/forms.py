"""Front-end forms of runs, invitations and lesson activities."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CourseRun


class CSVInvitationForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("One e-mail address per line, in the first column; a header line is allowed. At most 2,000 lines and 1 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise ValidationError(_("The file is larger than 1 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("The file is not text in UTF-8 or GB 18030."))


class ActivityResponseForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class CourseRunForm(forms.ModelForm):
    class Meta:
        model = CourseRun
        fields = [
            "title", "language", "pacing", "starts_at", "ends_at", "enrolment_opens_at", "enrolment_closes_at",
            "capacity", "enrolment_mode",
        ]
        widgets = {
            name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for name in ("starts_at", "ends_at", "enrolment_opens_at", "enrolment_closes_at")
        }
