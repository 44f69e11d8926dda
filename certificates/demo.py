"""The certificates part of the demo: removing what issuance left for the demo organisations, so
`load_demo_data --reset` can delete their people, courses, projects and organisations (which
certificates, achievements and issuers protect)."""

from django.db.models import Q


def certificates_demo_reset(*, organisations) -> None:
    """Remove the certificates issued or co-signed by `organisations` (newest versions first:
    a version protects the one it supersedes), the achievements of their courses and practicum
    projects, and their issuers with their signing keys. Call before the courses and practicum
    are reset."""
    from .models import Achievement, Certificate, Issuer, SigningKey

    certificates = Certificate.objects.filter(
        Q(issuer__organisation__in=organisations) | Q(co_issuer__organisation__in=organisations)
        | Q(achievement__course__partners__organisation__in=organisations)
        | Q(achievement__practicum_project__organisation__in=organisations)
    ).distinct()
    achievement_ids = set(certificates.values_list("achievement_id", flat=True))
    for certificate in certificates.order_by("-version"):
        certificate.delete()
    Achievement.objects.filter(
        Q(pk__in=achievement_ids) | Q(course__partners__organisation__in=organisations)
        | Q(practicum_project__organisation__in=organisations),
        certificates__isnull=True,
    ).delete()
    issuers = Issuer.objects.filter(organisation__in=organisations, certificates_issued__isnull=True, certificates_co_signed__isnull=True)
    SigningKey.objects.filter(issuer__in=issuers).delete()
    issuers.delete()
