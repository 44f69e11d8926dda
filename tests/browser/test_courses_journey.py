"""The learner's journey through a course in headless Chromium against the live server: find a
course in the catalog (search and a facet), enrol, open a lesson, mark it complete, watch the
progress bar move, and resume from the dashboard at the next lesson; and the Chinese catalog
finding “跨境物流与海外仓” by “物流” (jieba segmentation, from the index to the query).

The arrange steps build through the factories and services. Each commits at once (the live
server needs a real transaction), so Wagtail's search-index tasks, handed to Celery on commit
and run eagerly by the test settings, have indexed every page before the browser asks.
"""

import re

import pytest
from playwright.sync_api import expect

from . import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOGISTICS = "Cross-border logistics and overseas warehousing"
CUSTOMS = "Customs declarations for marketplace sellers"


def sign_in(page, *, email, password):
    helpers.sign_in(page, email=email, password=password, lands_on=None)


def course_link(page, title):
    """A course card's link in the catalog results."""
    return page.get_by_role("main").get_by_role("link", name=title, exact=True)


def progress_bar(scope, name):
    return scope.get_by_role("progressbar", name=name, exact=True)


def catalog_page(home_page):
    from courses.models import CatalogPage

    catalog = CatalogPage(title="Courses", slug="courses", intro="Courses co-run by universities and enterprises.")
    home_page.add_child(instance=catalog)
    catalog.save_revision().publish()
    return catalog


@pytest.fixture
def zh(home_page, partner_index):
    """The Chinese home and partner index pages, published, made before any organisation is
    approved (so approving one gives it a Chinese page to put translated courses under)."""
    from wagtail.models import Locale, Page

    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    for page in (home_page, partner_index):
        translation = Page.objects.get(pk=page.pk).specific.copy_for_translation(locale)
        # A draft translation is not served: /zh-hans/ would route through the English tree.
        Page.objects.get(pk=translation.pk).specific.save_revision().publish()
    return locale


def translate(page, locale, **fields):
    """The page's translation in `locale` with `fields` set, published."""
    from wagtail.models import Page

    translation = page.copy_for_translation(locale)
    translation = Page.objects.get(pk=translation.pk).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def test_find_a_course_enrol_complete_a_lesson_and_resume(page, make_organisation, platform_admin, home_page, password):
    """A learner signs in, finds the logistics course by searching the catalog and ticking a
    level, enrols in its open run, completes the first lesson and sees the course progress go
    from 0 to 1 of 4 on the lesson, the outline and the dashboard, whose Continue button then
    opens the second lesson."""
    from academy.people.factories import UserFactory
    from courses.factories import course_tree, open_run
    from courses.models import RunContentItem

    university = make_organisation(name_en="Qingshan University of Commerce", name_zh="青山商贸大学", slug="qingshan")
    course = course_tree(
        organisation=university, title=LOGISTICS, modules=2, lessons=2, level="introductory",
        summary="Shipping from a home warehouse to one abroad, and what each leg costs.",
    )
    course_tree(organisation=university, title=CUSTOMS, modules=1, lessons=1, level="advanced", summary="Filling in the forms.")
    catalog_page(home_page)
    run = open_run(course=course, by=platform_admin, title="Spring 2027")
    lessons = {
        item.title: item.pk
        for item in RunContentItem.objects.filter(run=run, kind=RunContentItem.Kind.LESSON)
    }
    assert len(lessons) == 4
    learner = UserFactory(email="dana.learner@example.com", display_name="Dana Learner")

    sign_in(page, email=learner.email, password=password)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # The catalog, from the dashboard: both courses, then only the one the search finds.
    page.get_by_role("link", name="Browse courses").click()
    expect(page).to_have_url(re.compile(r"/courses/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    expect(course_link(page, LOGISTICS)).to_be_visible()
    expect(course_link(page, CUSTOMS)).to_be_visible()

    search = page.get_by_role("search", name="Courses")
    search.get_by_role("searchbox").fill("logistics")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/courses/\?(.*&)?q=logistics"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^1 course matches “logistics”"))).to_be_visible()
    expect(course_link(page, LOGISTICS)).to_be_visible()
    expect(course_link(page, CUSTOMS)).to_have_count(0)

    # A facet narrows the search further; the query is kept.
    filters = page.locator("details.catalog-filters")
    summary = filters.locator("summary")
    if summary.is_visible():  # a narrow screen, or a browser that folds the filters away
        summary.click()
    level = page.get_by_role("group", name="Level")
    level.get_by_role("checkbox", name=re.compile(r"^Introductory")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"level=introductory"))
    expect(page).to_have_url(re.compile(r"q=logistics"))
    expect(page.get_by_role("list", name="Active filters").get_by_role("link", name=re.compile("Introductory"))).to_be_visible()
    expect(page.get_by_role("group", name="Level").get_by_role("checkbox", name=re.compile(r"^Introductory"))).to_be_checked()
    expect(course_link(page, LOGISTICS)).to_be_visible()
    expect(course_link(page, CUSTOMS)).to_have_count(0)

    # The course page, and enrolment in its open run.
    course_link(page, LOGISTICS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGISTICS)
    page.get_by_role("button", name="Enrol Spring 2027").click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.pk}/$"))
    expect(page.get_by_text("You are enrolled. Welcome to Spring 2027.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGISTICS)
    bar = progress_bar(page, "Course progress")
    expect(bar).to_have_attribute("value", "0")
    expect(bar).to_have_attribute("max", "4")
    expect(bar).to_have_accessible_description("0 of 4 lessons, 0 %")

    # The first lesson, marked complete: the bar moves on the lesson page itself.
    first, second = f"{LOGISTICS} · lesson 1.1", f"{LOGISTICS} · lesson 1.2"
    page.get_by_role("link", name=re.compile(r"^Start")).click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.pk}/lessons/{lessons[first]}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    expect(progress_bar(page, "Course progress")).to_have_attribute("value", "0")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.pk}/lessons/{lessons[first]}/$"))
    expect(page.get_by_role("heading", name="You have completed this lesson")).to_be_visible()
    expect(page.get_by_text(f"“{first}” is done.")).to_be_visible()
    expect(progress_bar(page, "Course progress")).to_have_attribute("value", "1")
    expect(progress_bar(page, "Course progress")).to_have_accessible_description("1 of 4 lessons, 25 %")

    # Back on the run's outline: the same progress, the lesson ticked, the next one up.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=LOGISTICS).click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.pk}/$"))
    expect(progress_bar(page, "Course progress")).to_have_attribute("value", "1")
    expect(progress_bar(page, "Course progress")).to_have_accessible_description("1 of 4 lessons, 25 %")
    outline = page.get_by_role("region", name="Lessons")
    expect(outline.get_by_role("link", name=f"Done: {first}", exact=True)).to_be_visible()
    expect(outline.get_by_role("link", name=re.compile(rf"^Not done yet: {re.escape(second)}"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(rf"^Continue\s*{re.escape(second)}"))).to_be_visible()

    # Resuming from the dashboard opens the next lesson not done.
    page.goto("/dashboard/")
    learning = page.get_by_role("region", name="Your learning")
    expect(progress_bar(learning, LOGISTICS)).to_have_attribute("value", "1")
    expect(progress_bar(learning, LOGISTICS)).to_have_accessible_description("1 of 4 lessons, 25 %")
    expect(learning.get_by_text(f"Next: {second}")).to_be_visible()
    learning.get_by_role("link", name=re.compile(r"^Continue")).click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.pk}/lessons/{lessons[second]}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(second)
    expect(progress_bar(page, "Course progress")).to_have_attribute("value", "1")


def test_the_chinese_catalog_finds_a_course_by_a_word_inside_its_title(page, zh, make_organisation, home_page):
    """In the /zh-hans/ catalog, searching “物流” finds “跨境物流与海外仓”: the index holds the
    title cut into words by jieba, and the query is cut the same way. The English catalog, in
    another language, finds nothing for it."""
    from courses.factories import course_tree

    university = make_organisation(name_en="Qingshan University of Commerce", name_zh="青山商贸大学", slug="qingshan")
    logistics = course_tree(organisation=university, title=LOGISTICS, modules=0)
    translate(logistics, zh, title="跨境物流与海外仓", summary="从国内仓到海外仓的发货方式。")
    customs = course_tree(organisation=university, title=CUSTOMS, modules=0)
    translate(customs, zh, title="报关单填写", summary="为跨境卖家填写报关单。")
    translate(catalog_page(home_page), zh, title="课程", intro="大学与企业合办的课程。")

    page.goto("/zh-hans/courses/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("课程")
    expect(course_link(page, "跨境物流与海外仓")).to_be_visible()
    expect(course_link(page, "报关单填写")).to_be_visible()

    searchbox = page.get_by_role("search").get_by_role("searchbox")
    searchbox.fill("物流")
    searchbox.press("Enter")
    expect(page).to_have_url(re.compile(r"/zh-hans/courses/\?(.*&)?q=%E7%89%A9%E6%B5%81"))
    expect(page.get_by_role("heading", level=2, name=re.compile("物流"))).to_be_visible()
    expect(course_link(page, "跨境物流与海外仓")).to_be_visible()
    expect(course_link(page, "报关单填写")).to_have_count(0)
    expect(course_link(page, LOGISTICS)).to_have_count(0)

    # The English catalog lists English titles only: “物流” finds nothing there.
    page.goto("/courses/?q=物流")
    expect(page.get_by_text("No course matches “物流” with these filters.")).to_be_visible()
