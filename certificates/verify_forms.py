"""The upload box of the verification page (issue "Certificates", point 6): a verifier drops a
certificate's `credential.json` or its PDF. The file is read into memory, checked and forgotten:
`UploadCapMemoryHandler` keeps it off the disk and stops reading it past the size cap."""

from django import forms
from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _, gettext_lazy

UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # a certificate PDF with its fonts is well under 1 MB


def too_big_message(max_bytes: int) -> str:
    return _("The file is too large: the largest file checked here is %(size)s. A certificate PDF is smaller; is this the right file?") % {
        "size": filesizeformat(max_bytes),
    }


class UploadCapMemoryHandler(MemoryFileUploadHandler):
    """Keeps an uploaded file in memory whatever `FILE_UPLOAD_MAX_MEMORY_SIZE` says (the request's
    declared length was checked against the cap before the body is read, so nothing reaches a
    temporary file on disk), and skips the file once it passes `max_bytes` (a body whose declared
    length understated it), setting `too_big`."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.too_big = True
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


class VerificationUploadForm(forms.Form):
    """One file: a credential (JSON) or a certificate PDF. What it is is decided from its bytes by
    `certificates.verification.upload_verify`, never from its name."""

    file = forms.FileField(
        label=gettext_lazy("Credential or certificate PDF"),
        help_text=gettext_lazy(
            "A credential.json file or a certificate PDF. It is checked here and forgotten: uploads are never stored."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.jsonld,.pdf,application/json,application/ld+json,application/pdf"}
        ),
        error_messages={"required": gettext_lazy("Choose a file to check."), "empty": gettext_lazy("The file is empty.")},
    )

    def __init__(self, *args, max_bytes: int = UPLOAD_MAX_BYTES, file_too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.file_too_big = file_too_big
        # A file skipped for its size is absent from FILES: say it was too big, not missing.
        self.fields["file"].required = not file_too_big

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.file_too_big or (upload is not None and upload.size > self.max_bytes):
            raise forms.ValidationError(too_big_message(self.max_bytes), code="too_big")
        return upload
