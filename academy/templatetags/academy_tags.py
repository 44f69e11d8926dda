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
    """Whether to show the admin link (cached for a minute per person: it is on every page, and
    working it out costs two permission queries)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    key = f"academy:admin-access:{user.pk}"
    allowed = cache.get(key)
    if allowed is None:
        allowed = user.has_perm("wagtailadmin.access_admin")
        cache.set(key, allowed, 60)
    return allowed


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


@register.simple_tag(takes_context=True)
def translated_path(context, language_code):
    """The current address in another language (the language is the address's prefix)."""
    from django.urls import translate_url

    request = context["request"]
    return translate_url(request.get_full_path(), language_code)
