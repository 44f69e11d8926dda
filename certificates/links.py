"""The absolute addresses of a certificate, built from `SITE_URL` and never from a request (they
are printed on PDFs, signed into credentials and shared on LinkedIn, so they must not depend on
which host or language a visitor used)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .credentials import credential_url  # the credential's address is its signed id

__all__ = ["credential_url", "pdf_url", "verification_url"]


def _absolute(name: str, **kwargs) -> str:
    # The default language has no prefix: the same address whoever renders it.
    with translation.override(settings.LANGUAGE_CODE):
        return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def verification_url(code: str) -> str:
    """The public verification page of the certificate with this code."""
    return _absolute("certificate_verify", code=code)


def pdf_url(code: str) -> str:
    """The certificate's PDF (served to those allowed to see it)."""
    return _absolute("certificate_pdf", code=code)
