"""Public JSON endpoints of certificates, outside the language prefixes: a credential's and a
key's address must not depend on the visitor's language (they are signed into credentials)."""

from django.urls import path

from . import views, wallet_views

urlpatterns = [
    path("issuers/<slug:slug>/", views.certificate_issuer, name="certificate_issuer"),
    path("achievements/<int:pk>/", views.certificate_achievement, name="certificate_achievement"),
    path("status/<slug:slug>/<slug:purpose>/", views.certificate_status_list, name="certificate_status_list"),
    path("<str:code>/credential.json", views.certificate_credential, name="certificate_credential"),
    path("<str:code>/certificate.pdf", wallet_views.certificate_pdf, name="certificate_pdf"),
]
