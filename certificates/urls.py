"""Public JSON endpoints of certificates, outside the language prefixes: a credential's and a
key's address must not depend on the visitor's language (they are signed into credentials)."""

from django.urls import path

from . import views

urlpatterns = [
    path("issuers/<slug:slug>/", views.certificate_issuer, name="certificate_issuer"),
    path("status/<slug:slug>/<slug:purpose>/", views.certificate_status_list, name="certificate_status_list"),
    path("<str:code>/credential.json", views.certificate_credential, name="certificate_credential"),
]
