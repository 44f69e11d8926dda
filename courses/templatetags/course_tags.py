"""Template helpers of the learning pages: where the catalog and the program index live (for the
site header), a course card's query string, a lesson block's activity, and small formatting
filters. No business rules: progress and requirements come computed from `courses.progress`."""

from django import template
from django.utils.http import urlencode
from django_countries import countries

register = template.Library()

REQUEST_CACHE_ATTRIBUTE = "_course_index_urls"
INDEX_URLS_KEY = "courses:index-urls:{language}"


def _index_urls(context):
    """The URLs of the live catalog and program index in the active language, looked up once
    per request (one query for both: the header shows them on every page)."""
    from django.utils import translation
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Page

    from courses.models import CatalogPage, ProgramIndexPage

    request = context.get("request")
    cached = getattr(request, REQUEST_CACHE_ATTRIBUTE, None) if request is not None else None
    if cached is not None:
        return cached
    try:
        language = get_supported_content_language_variant(translation.get_language())
    except LookupError:
        from django.conf import settings

        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    from django.core.cache import cache

    urls = cache.get(INDEX_URLS_KEY.format(language=language))
    if urls is not None:
        if request is not None:
            setattr(request, REQUEST_CACHE_ATTRIBUTE, urls)
        return urls
    urls = {}
    # Filter on the locale's language code (a join) rather than Locale.get_active(), which
    # would cost a query of its own on every page.
    pages = (
        Page.objects.live().type(CatalogPage, ProgramIndexPage)
        .filter(locale__language_code=language).select_related("content_type")
    )
    for page in pages.order_by("path"):
        key = page.content_type.model
        if key not in urls:
            urls[key] = page.get_url(request=request) or ""
    # Cached for every request (the header is on every page); emptied when a page is published
    # or unpublished (courses.signal_handlers).
    cache.set(INDEX_URLS_KEY.format(language=language), urls, 300)
    if request is not None:
        setattr(request, REQUEST_CACHE_ATTRIBUTE, urls)
    return urls


@register.simple_tag(takes_context=True)
def catalog_url(context):
    """The course catalog's URL in the reader's language, or "" when there is none."""
    return _index_urls(context).get("catalogpage", "")


@register.simple_tag(takes_context=True)
def programs_url(context):
    """The program index's URL in the reader's language, or "" when there is none."""
    return _index_urls(context).get("programindexpage", "")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or "" removes one), for
    pagination and “clear” links that keep the reader's other choices."""
    request = context["request"]
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_without(context, name, value):
    """The current query string without one value of a multi-valued parameter (a facet chip's
    “remove” link); the page number is dropped since the results change."""
    request = context["request"]
    pairs = [(key, item) for key, items in request.GET.lists() for item in items if not (key == name and item == value) and key != "page"]
    return f"?{urlencode(pairs)}" if pairs else "?"


@register.simple_tag
def block_activity(block, responses=None, quizzes=None, assignments=None):
    """The activity a lesson block asks of the learner (its key, the anchor the view returns to
    and the answer saved so far; for a quiz its state from `selectors.lesson_quizzes`, for an
    assignment from `assignment_selectors.lesson_assignments`), or None for a block that asks
    nothing."""
    keys = block.block.activity_keys(block.value, block.id) if hasattr(block.block, "activity_keys") else []
    if not keys:
        return None
    key = keys[0]
    anchor = f"activity-{key.split(':')[-1]}"
    for name, states in (("quiz", quizzes or {}), ("assignment", assignments or {})):
        if key in states:
            return {"key": key, "anchor": anchor, name: states[key], "done": states[key]["done"]}
    responses = responses or {}
    return {"key": key, "anchor": anchor, "text": responses.get(key, ""), "done": bool(responses.get(key))}


@register.filter
def country_name(code):
    """A country's name in the reader's language from its ISO code (no flags: a flag is a
    political symbol, a name is not)."""
    return countries.name(code) if code else ""


@register.filter
def facet_label(name):
    """The heading of a catalog facet."""
    from django.utils.translation import gettext

    return {
        "partner": gettext("Partner"),
        "level": gettext("Level"),
        "language": gettext("Language"),
        "market": gettext("Destination market"),
        "competency": gettext("Competency"),
    }.get(name, name)


@register.filter
def selected_count(selected):
    """How many facet values a catalog search has chosen, over every facet."""
    return sum(len(values) for values in (selected or {}).values())


@register.filter
def is_future(moment):
    """Whether a date and time is still to come (enrolment that has not opened yet)."""
    from django.utils import timezone

    return bool(moment) and moment > timezone.now()


@register.filter
def text_lang(text):
    """A `lang` value for a short text in the other language of the site: Chinese when it has
    Han characters, English otherwise (so the browser picks the right font and voice)."""
    return "zh-Hans" if any("\u3400" <= char <= "\u9fff" for char in str(text)) else "en"


@register.filter
def report_lines(report):
    """An invitation import's outcome as one list in file order: (line, text, outcome,
    message) with outcome "error", "skipped" or "sent"."""
    if report is None:
        return []
    rows = [(line, text, "error", message) for line, text, message in report.errors]
    rows += [(line, email, "skipped", reason) for line, email, reason in report.skipped]
    rows += [(line, email, "sent", "") for line, email in report.sent]
    return sorted(rows, key=lambda row: row[0])


@register.filter
def enrolment_count(enrolments, status):
    """How many of a run's listed enrolments have a status (the roster is already loaded)."""
    return sum(1 for enrolment in enrolments if enrolment.status == status)


@register.filter
def visible_options(options):
    """The values of a facet worth offering: those that would find a course, and those chosen."""
    return [option for option in options if option[2] or option[3]]


@register.filter
def lesson_url_prefix(lesson_url, item_id):
    """`/learn/runs/3/lessons/28/` → `/learn/runs/3/lessons/`: the base of a run's lesson links."""
    suffix = f"{item_id}/"
    return lesson_url[: -len(suffix)] if lesson_url.endswith(suffix) else lesson_url
