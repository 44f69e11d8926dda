from wagtail.models import Locale


def page_aliases_sync(*, page):
    """Give a new page an alias in every other locale's tree (parents included), as
    `WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE` does for pages created in the admin, so pages
    created by services are reachable in every language too. Returns the page's translations."""
    for locale in Locale.objects.exclude(pk=page.locale_id):
        if not page.has_translation(locale):
            page.copy_for_translation(locale, copy_parents=True, alias=True)
    return list(page.get_translations())
