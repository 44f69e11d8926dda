"""Reads of the certificates app."""

from .models import Certificate


def certificate_current(*, holder, achievement) -> Certificate | None:
    """The holder's current (not superseded) certificate of the achievement, if any."""
    return (
        Certificate.objects.filter(holder=holder, achievement=achievement, superseded=False)
        .select_related("achievement", "issuer__organisation", "co_issuer__organisation")
        .first()
    )
