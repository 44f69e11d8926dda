from django import template
from django.core.cache import cache

register = template.Library()


@register.simple_tag
def partners_index_url():
    """The partner index's URL, for the header (cached: it is on every page)."""
    url = cache.get("academy:partners-index-url")
    if url is None:
        from academy.organisations.models import PartnerIndexPage

        page = PartnerIndexPage.objects.live().first()
        url = page.url if page else ""
        cache.set("academy:partners-index-url", url, 300)
    return url


@register.filter
def can_access_admin(user):
    return user.is_authenticated and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


@register.simple_tag
def partner_organisations():
    from academy.organisations.selectors import organisations_public

    return organisations_public()


@register.filter
def monogram(name):
    """Up to two initials (or the first Chinese character) for an organisation without a logo."""
    words = [w for w in str(name).split() if w[:1].isalnum()]
    if not words:
        return "?"
    if not words[0].isascii():
        return words[0][0]
    return "".join(w[0] for w in words[:2]).upper()
