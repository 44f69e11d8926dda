"""The public JSON endpoints of certificates (issue "Certificates", points 3 and 4; URL contracts
in PRODUCT.md): a certificate's signed Open Badges 3.0 credential, an issuer's profile with its
published keys, an issuer's signed status lists, and the achievement a credential names. No login; a private certificate's credential
answers the same 404 as an unknown code to everyone but its holder and staff."""

import json

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from .credentials import achievement_document, issuer_profile
from .jsonld_loader import OPEN_BADGES_CONTEXT
from .models import Achievement, Certificate, Issuer, SigningKey, StatusList
from .selectors import certificate_visible_to
from .status_list import PURPOSES
from .status_services import status_list_ensure

JSON_LD = "application/ld+json"
PUBLIC_MAX_AGE = 300  # five minutes: status changes and new keys reach verifiers soon


def _json_response(document, *, public: bool) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type=JSON_LD)
    # Verifiers fetch these from other origins (wallets, verification pages).
    response["Access-Control-Allow-Origin"] = "*"
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def certificate_credential(request, code):
    """The certificate's signed credential; 404 for an unknown code, an unsigned certificate, or a
    private one unless the visitor is its holder or staff."""
    certificate = Certificate.objects.filter(code=code).only("holder_id", "visibility", "credential").first()
    if certificate is None or not certificate.credential:
        raise Http404
    if not certificate_visible_to(certificate=certificate, user=request.user):
        raise Http404
    private = certificate.visibility == Certificate.Visibility.PRIVATE
    response = _json_response(certificate.credential, public=not private)
    if private:
        patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def certificate_issuer(request, slug):
    """The issuer's profile: every key it ever signed with, active and retired."""
    issuer = Issuer.objects.filter(slug=slug).select_related("organisation").first()
    if issuer is None:
        raise Http404
    keys = SigningKey.objects.filter(issuer=issuer).order_by("created_at", "pk")
    return _json_response(issuer_profile(issuer, keys), public=True)


@require_safe
def certificate_achievement(request, pk):
    """The achievement a credential's `achievement.id` names, as an OB 3.0 Achievement document:
    what it attests, its criteria and competency alignments (nothing about any holder)."""
    achievement = Achievement.objects.filter(pk=pk).first()
    if achievement is None:
        raise Http404
    return _json_response({"@context": list(OPEN_BADGES_CONTEXT), **achievement_document(achievement)}, public=True)


@require_safe
def certificate_status_list(request, slug, purpose):
    """The issuer's signed status list credential for `purpose` (revocation or suspension)."""
    if purpose not in PURPOSES:
        raise Http404
    status_list = StatusList.objects.filter(issuer__slug=slug, purpose=purpose).only("credential").first()
    if status_list is None:
        issuer = Issuer.objects.filter(slug=slug).first()
        if issuer is None:
            raise Http404
        # The issuer has not suspended or revoked anything yet: publish its empty list.
        status_list = status_list_ensure(issuer=issuer, purpose=purpose)
    return _json_response(status_list.credential, public=True)
