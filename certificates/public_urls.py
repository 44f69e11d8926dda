"""The certificates pages people read, inside the language prefixes (`/zh-hans/certificates/…`):
the graduate's wallet and the public verification page. The JSON endpoints and the PDF, whose
addresses are signed into credentials or printed, are in `certificates.urls`, without a prefix."""

from django.urls import path

from . import verify_views, wallet_views

urlpatterns = [
    path("", wallet_views.certificate_wallet, name="certificate_wallet"),
    path("verify/<str:code>/", verify_views.certificate_verify, name="certificate_verify"),
    # For a verifier who has only a file (a credential.json or a PDF), not a code.
    path("verify/", verify_views.certificate_verify_upload, name="certificate_verify_upload"),
    # The holder's choice of who sees a certificate (a POST from the wallet). The unprefixed
    # certificates.urls has no <code>/visibility/ route, so this is reached in every language.
    path("<str:code>/visibility/", wallet_views.certificate_visibility, name="certificate_visibility"),
]
