"""The course catalog (courses.selectors.catalog_search and the catalog page): search, Chinese
search, facets and their counts, sorting, pagination, a query count that does not grow with
the catalog, and the anonymous page cache (academy.page_cache)."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail.search import index as search_index

from academy.organisations.models import OrganisationPage
from courses.factories import CoursePageFactory, course_tree, open_run
from courses.models import CatalogPage, Competency, CourseOrganisation, CoursePage
from courses.selectors import PAGE_SIZE, catalog_search

pytestmark = pytest.mark.django_db

Role = CourseOrganisation.Role
# Pinned by measurement: a search with every facet selected costs the most.
CATALOG_QUERIES = 13


def params(**values):
    """A QueryDict as the catalog page receives it; a list gives a repeated parameter."""
    query = QueryDict(mutable=True)
    for name, value in values.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


def titles(result):
    return [course.title for course in result.page.object_list]


def facet(result, name):
    """A facet's options as {value: count}, leaving out values with no course."""
    (found,) = [f for f in result.facets if f.name == name]
    return {value: count for value, _label, count, _selected in found.options if count}


def add_courses(organisation, start, stop):
    """Live courses with no modules, straight into the tree and the search index (cheap enough
    for a hundred)."""
    parent = OrganisationPage.objects.get(organisation=organisation, alias_of__isnull=True)
    for n in range(start, stop):
        course = CoursePageFactory.build(title=f"Trade course {n:03}", slug=f"trade-course-{n:03}")
        parent.add_child(instance=course)
        CourseOrganisation.objects.create(course=course, organisation=organisation, role=Role.LEAD_UNIVERSITY)
        search_index.insert_or_update_object(course)


def index(*pages):
    """Wagtail updates its search index after the transaction commits, which a test never does."""
    for page in pages:
        search_index.insert_or_update_object(page.specific)


# --- Facets ----------------------------------------------------------------------------------


@pytest.fixture
def catalog(university_a, university_b, enterprise, platform_admin):
    """Four courses spread over levels, markets, partners, run languages and competencies."""
    skills = {code: Competency.objects.get(code=code) for code in ("LOG.WH", "LOG.CH", "CUS.HS", "PAY.FX")}

    def make(title, organisation, level, markets, codes, run_languages, partners=()):
        course = course_tree(organisation=organisation, modules=0, title=title, level=level, markets=markets, partners=partners)
        course.competencies.set([skills[code] for code in codes])
        course.save()
        for language in run_languages:
            open_run(course=course, by=platform_admin, title=f"{title} {language}", language=language)
        index(course)
        return course

    return {
        "logistics": make("Cross-border logistics", university_a, "introductory", ["PL", "DE"], ["LOG.WH"], ["en"], partners=[(enterprise, Role.CO_AUTHOR)]),
        "customs": make("Customs for sellers", university_a, "intermediate", ["PL"], ["CUS.HS"], ["zh-hans"]),
        "payments": make("Marketplace payments", university_b, "advanced", ["KZ"], ["PAY.FX", "LOG.CH"], ["en", "zh-hans"]),
        "warehouse": make("Warehouse basics", university_b, "introductory", ["DE"], ["LOG.WH", "LOG.CH"], []),
    }


@pytest.fixture
def en():
    return Locale.get_default()


def test_without_filters_every_live_course_is_listed_by_title(catalog, en):
    """The catalog lists every live course of the language, by title, and counts every facet."""
    result = catalog_search(params=params(), locale=en)

    assert titles(result) == ["Cross-border logistics", "Customs for sellers", "Marketplace payments", "Warehouse basics"]
    assert result.total == 4 and result.sort == "title"
    assert facet(result, "level") == {"introductory": 2, "intermediate": 1, "advanced": 1}
    assert facet(result, "partner") == {"alpha-university": 2, "beta-university": 2, "gamma-trading": 1}
    assert facet(result, "language") == {"en": 2, "zh-hans": 2}
    assert facet(result, "market") == {"PL": 2, "DE": 2, "KZ": 1}
    assert facet(result, "competency") == {"LOG.WH": 2, "LOG.CH": 2, "CUS.HS": 1, "PAY.FX": 1}


@pytest.mark.parametrize("name, value, expected", [
    ("level", "introductory", ["Cross-border logistics", "Warehouse basics"]),
    ("partner", "gamma-trading", ["Cross-border logistics"]),
    ("partner", "beta-university", ["Marketplace payments", "Warehouse basics"]),
    ("language", "zh-hans", ["Customs for sellers", "Marketplace payments"]),
    ("market", "PL", ["Cross-border logistics", "Customs for sellers"]),
    ("competency", "LOG.WH", ["Cross-border logistics", "Warehouse basics"]),
])
def test_each_facet_filters(catalog, en, name, value, expected):
    """Each facet keeps only the courses that have the value, and marks the value selected."""
    result = catalog_search(params=params(**{name: value}), locale=en)

    assert titles(result) == expected and result.total == len(expected)
    (found,) = [f for f in result.facets if f.name == name]
    assert [v for v, _label, _count, selected in found.options if selected] == [value]


def test_a_competency_area_takes_the_courses_of_its_skills(catalog, en):
    """Filtering by an area (logistics) keeps the courses tagged with any of its skills."""
    result = catalog_search(params=params(competency="LOG"), locale=en)

    assert titles(result) == ["Cross-border logistics", "Marketplace payments", "Warehouse basics"]


def test_values_of_one_facet_add_up_and_facets_combine(catalog, en):
    """Two values of one facet widen the list; two facets narrow it. A facet's counts take the
    other facets' filters into account, not its own."""
    widened = catalog_search(params=params(market=["PL", "KZ"]), locale=en)
    assert titles(widened) == ["Cross-border logistics", "Customs for sellers", "Marketplace payments"]

    narrowed = catalog_search(params=params(level="introductory", market="DE"), locale=en)
    assert titles(narrowed) == ["Cross-border logistics", "Warehouse basics"]
    assert facet(narrowed, "level") == {"introductory": 2}  # only introductory courses reach DE
    assert facet(narrowed, "market") == {"PL": 1, "DE": 2}  # among introductory courses


def test_facet_counts_count_courses_not_competency_matches(catalog, en):
    """With a competency area selected, a course tagged with two of its skills still counts
    once in the other facets."""
    result = catalog_search(params=params(competency="LOG"), locale=en)

    assert facet(result, "market") == {"PL": 1, "DE": 2, "KZ": 1}
    assert facet(result, "level") == {"introductory": 2, "advanced": 1}
    assert facet(result, "partner") == {"alpha-university": 1, "beta-university": 2, "gamma-trading": 1}


def test_search_and_facets(catalog, en):
    """A word search narrows the list and the facet counts with it."""
    result = catalog_search(params=params(q="warehouse"), locale=en)

    assert titles(result) == ["Warehouse basics"] and result.sort == "relevance"
    assert facet(result, "level") == {"introductory": 1}


@pytest.mark.parametrize("query, expected", [
    ('"warehouse', ["Warehouse basics"]),
    ("warehouse)", ["Warehouse basics"]),
    ("cross-border", ["Cross-border logistics"]),
    ('"', []),
    ("(*)", []),
])
def test_punctuation_in_a_query_is_not_search_syntax(catalog, en, query, expected):
    """A stray quote or bracket in the search box finds what the words find, and a query of
    punctuation alone finds nothing, instead of a database error."""
    assert titles(catalog_search(params=params(q=query), locale=en)) == expected


def test_unpublished_courses_are_not_listed(catalog, en):
    """A course taken offline leaves the catalog."""
    catalog["customs"].unpublish()

    assert "Customs for sellers" not in titles(catalog_search(params=params(), locale=en))


# --- Sorting and pages -----------------------------------------------------------------------


def test_sort_by_level_puts_the_easiest_first(catalog, en):
    """Sorting by level goes introductory, intermediate, advanced (then by title)."""
    result = catalog_search(params=params(sort="level"), locale=en)

    assert titles(result) == ["Cross-border logistics", "Warehouse basics", "Customs for sellers", "Marketplace payments"]


def test_sort_by_newest(catalog, en):
    """The newest first-published course comes first; one with no publication date comes last
    on every database."""
    now = timezone.now()
    for age, course in enumerate(["warehouse", "logistics", "payments"]):
        CoursePage.objects.filter(pk=catalog[course].pk).update(first_published_at=now - datetime.timedelta(days=age))
    CoursePage.objects.filter(pk=catalog["customs"].pk).update(first_published_at=None)

    result = catalog_search(params=params(sort="newest"), locale=en)

    assert titles(result) == ["Warehouse basics", "Cross-border logistics", "Marketplace payments", "Customs for sellers"]


def test_an_unknown_sort_or_relevance_without_a_query_sorts_by_title(catalog, en):
    """Sorting by relevance needs a query; an unknown sort is ignored."""
    for sort in ("relevance", "price; DROP TABLE"):
        result = catalog_search(params=params(sort=sort), locale=en)
        assert result.sort == "title"
        assert titles(result)[0] == "Cross-border logistics"


def test_pages_of_results(university_a, en):
    """Results come PAGE_SIZE at a time; a page past the end shows the last page."""
    add_courses(university_a, 0, PAGE_SIZE + 2)

    first = catalog_search(params=params(), locale=en)
    second = catalog_search(params=params(page="2"), locale=en)
    beyond = catalog_search(params=params(page="99"), locale=en)

    assert len(titles(first)) == PAGE_SIZE and first.total == PAGE_SIZE + 2
    assert titles(second) == [f"Trade course {n:03}" for n in (PAGE_SIZE, PAGE_SIZE + 1)]
    assert titles(beyond) == titles(second)
    searched = catalog_search(params=params(q="trade", page="2"), locale=en)
    assert len(titles(searched)) == 2 and searched.total == PAGE_SIZE + 2


# --- Query count -----------------------------------------------------------------------------


def test_catalog_query_count_does_not_grow_with_the_catalog(university_a, en, django_assert_max_num_queries):
    """Listing, searching, filtering and sorting cost the same bounded number of queries with
    1, 10 and 100 courses."""
    requests = [
        params(),
        params(sort="level", page="2"),
        params(q="trade"),
        params(q="trade", level="introductory", market="PL", partner="alpha-university", sort="relevance"),
        params(level="introductory", competency="LOG", language="en", sort="newest"),  # matches nothing
    ]
    for start, stop in ((0, 1), (1, 10), (10, 100)):
        add_courses(university_a, start, stop)
        for request in requests:
            with django_assert_max_num_queries(CATALOG_QUERIES):
                result = catalog_search(params=request, locale=en)
            # Touch what the course cards show, so lazy queries would be counted too.
            with django_assert_max_num_queries(0):
                for course in result.page.object_list:
                    list(course.competencies.all()), course.card_partners, course.card_next_run
        assert catalog_search(params=params(q="trade"), locale=en).total == stop


# --- Chinese ---------------------------------------------------------------------------------


@pytest.fixture
def zh(home_page, partner_index):
    """The Chinese home and partner index pages, before any organisation is approved."""
    locale = Locale.objects.create(language_code="zh-hans")
    home_page.copy_for_translation(locale)
    Page.objects.get(pk=partner_index.pk).specific.copy_for_translation(locale)
    return locale


def test_a_chinese_title_is_found_by_a_word_inside_it(zh, make_organisation, en):
    """“跨境物流与海外仓” is found by “物流” and by “海外仓” in the Chinese catalog (Chinese has no
    spaces; the index holds the title cut into words), and not in the English one."""
    university = make_organisation(name_en="Qingshan University", slug="qingshan")
    course = course_tree(organisation=university, modules=0, title="Cross-border logistics and overseas warehouses")
    chinese = course.copy_for_translation(zh)
    chinese.title, chinese.summary = "跨境物流与海外仓", "从国内仓到海外仓的发货方式。"
    chinese.save_revision().publish()
    other = course_tree(organisation=university, modules=0, title="Customs declarations")
    other_chinese = other.copy_for_translation(zh)
    other_chinese.title = "报关单填写"
    other_chinese.save_revision().publish()
    index(course, chinese, other, other_chinese)

    for query in ("物流", "海外仓", "跨境物流", "物流 海外"):
        assert titles(catalog_search(params=params(q=query), locale=zh)) == ["跨境物流与海外仓"], query
    assert titles(catalog_search(params=params(q="报关"), locale=zh)) == ["报关单填写"]
    assert titles(catalog_search(params=params(q="物流"), locale=en)) == []
    assert titles(catalog_search(params=params(q="logistics"), locale=en)) == ["Cross-border logistics and overseas warehouses"]


def test_a_chinese_title_in_the_english_catalog_is_found_too(university_a, en):
    """A course titled in Chinese in the English tree is found by a Chinese word inside the title."""
    course = course_tree(organisation=university_a, modules=0, title="跨境物流与海外仓")
    index(course)

    assert titles(catalog_search(params=params(q="物流"), locale=en)) == ["跨境物流与海外仓"]
    assert titles(catalog_search(params=params(q="报关"), locale=en)) == []


# --- The catalog page and the page cache -----------------------------------------------------


@pytest.fixture
def catalog_page(home_page):
    page = CatalogPage(title="Courses", slug="courses", intro="Courses co-run by universities and enterprises.")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_anonymous_catalog_is_served_from_the_cache_without_queries(client, catalog_page, university_a, django_assert_num_queries):
    """The second anonymous visit to the catalog is a cache hit that runs no query."""
    course_tree(organisation=university_a, modules=0, title="Cross-border logistics")

    first = client.get("/courses/")
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert "Cross-border logistics" in first.content.decode()

    with django_assert_num_queries(0):
        second = client.get("/courses/")

    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert client.get("/courses/?level=advanced")["X-Page-Cache"] == "miss"  # each query its own entry


def test_publishing_a_page_empties_the_cache(client, catalog_page, university_a):
    """A course published after the catalog was cached shows up on the next anonymous visit."""
    client.get("/courses/")
    assert client.get("/courses/")["X-Page-Cache"] == "hit"

    course_tree(organisation=university_a, modules=0, title="Customs for sellers")

    response = client.get("/courses/")
    assert response["X-Page-Cache"] == "miss"
    assert "Customs for sellers" in response.content.decode()


def test_unpublishing_a_page_empties_the_cache(client, catalog_page, university_a):
    """A course taken offline leaves the cached catalog at once."""
    course = course_tree(organisation=university_a, modules=0, title="Customs for sellers")
    client.get("/courses/")

    course.unpublish()

    response = client.get("/courses/")
    assert response["X-Page-Cache"] == "miss"
    assert "Customs for sellers" not in response.content.decode()


def test_a_new_run_empties_the_cache(client, catalog_page, university_a, author_a, django_capture_on_commit_callbacks):
    """The catalog shows runs open for enrolment: a new run is not hidden behind the cache."""
    course = course_tree(organisation=university_a, modules=0, title="Customs for sellers")
    client.get("/courses/")
    assert client.get("/courses/")["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        open_run(course=course, by=author_a, title="Spring 2027")

    assert client.get("/courses/")["X-Page-Cache"] == "miss"


def test_a_signed_in_visitor_is_never_served_from_the_cache(client, catalog_page, student):
    """A signed-in visitor gets a fresh page every time, and their page is never stored for
    anonymous visitors."""
    client.get("/courses/")  # an anonymous visit fills the cache
    client.force_login(student)

    for _ in range(2):
        response = client.get("/courses/")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response

    client.logout()
    anonymous = client.get("/courses/")
    assert anonymous["X-Page-Cache"] == "hit"
    assert student.display_name not in anonymous.content.decode()


def test_the_catalog_page_links_a_course_card_to_its_course(client, catalog_page, university_a):
    """A course card links to the course's page."""
    course = course_tree(organisation=university_a, modules=0, title="Cross-border logistics")

    html = client.get("/courses/").content.decode()

    assert course.url in html
    assert reverse("courses:teach") not in html
