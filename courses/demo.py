"""Demo courses: the catalog and program index, three co-run courses with English and Chinese
text from data/demo/courses/*.json, a program grouping them, open runs, a student part-way
through one course and a graduate who completed another. Built with the same factories and
services as the tests; running it again changes nothing."""

import datetime
import json

from django.conf import settings
from wagtail.models import Locale, Page

from academy.home.models import HomePage

from .factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, ProgramPageFactory, run_dates
from .models import (
    CatalogPage,
    Competency,
    CourseOrganisation,
    CoursePage,
    CourseRun,
    Enrolment,
    ProgramIndexPage,
    ProgramRequirement,
    RunContentItem,
)
from .services import enrolment_request, lesson_complete, lesson_visit, run_create

DATA_DIR = settings.BASE_DIR / "data" / "demo"
ROLE_KEYS = {
    "lead": CourseOrganisation.Role.LEAD_UNIVERSITY,
    "co_author": CourseOrganisation.Role.CO_AUTHOR,
    "practicum_partner": CourseOrganisation.Role.PRACTICUM_PARTNER,
    "certifier": CourseOrganisation.Role.CERTIFIER,
}
INDEX_PAGES = {
    CatalogPage: {
        "en": ("Courses", "courses", "Courses co-run by universities and enterprises: search by topic, market or competency, and enrol in a run."),
        "zh-hans": ("课程", "courses", "高校与企业合办的课程：按主题、市场或能力查找，并报名参加一期课程。"),
    },
    ProgramIndexPage: {
        "en": ("Programs", "programs", "Talent tracks made of several courses, each leading to a role in cross-border e-commerce."),
        "zh-hans": ("项目", "programs", "由多门课程组成的人才培养项目，每个项目对应跨境电商中的一个岗位。"),
    },
}


def _publish(page):
    page = Page.objects.get(pk=page.pk).specific
    page.save_revision().publish()
    return Page.objects.get(pk=page.pk).specific


def _translate(page, locale, **fields):
    """The page's translation in `locale` (turning an alias into a page of its own), with
    `fields` set and published."""
    translation = page.get_translation_or_none(locale)
    if translation is not None and translation.alias_of_id is None:
        return translation.specific
    if translation is not None:
        translation.specific.delete()
    translation = page.copy_for_translation(locale, copy_parents=False, alias=False)
    translation = Page.objects.get(pk=translation.pk).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return Page.objects.get(pk=translation.pk).specific


def index_pages():
    home = HomePage.objects.get(locale__language_code="en")
    zh = Locale.objects.get(language_code="zh-hans")
    for model, texts in INDEX_PAGES.items():
        page = model.objects.filter(locale=home.locale).first()
        if page is None:
            title, slug, intro = texts["en"]
            page = model(title=title, slug=slug, intro=intro)
            home.add_child(instance=page)
            page = _publish(page)
        title, _slug, intro = texts["zh-hans"]
        _translate(page, zh, title=title, intro=intro)


def _body(blocks, language):
    other = "zh" if language == "en" else "en"
    out = []
    for block in blocks:
        kind = block["type"]
        if kind == "rich_text":
            out.append(("rich_text", block[language]))
        elif kind == "case_study":
            out.append(("case_study", {
                "title": block[f"title_{language}"], "organisation": block.get(f"organisation_{language}", ""),
                "situation": block[f"situation_{language}"], "questions": block.get(f"questions_{language}", []),
                "takeaway": block.get(f"takeaway_{language}", ""), "reflection_required": bool(block.get("reflection_required")),
            }))
        elif kind == "step_list":
            out.append(("step_list", {
                "title": block[f"title_{language}"],
                "steps": [{"title": step[f"title_{language}"], "detail": step.get(f"detail_{language}", "")} for step in block["steps"]],
            }))
        elif kind == "market_note":
            out.append(("market_note", {
                "country": block["country"], "title": block[f"title_{language}"], "note": block[f"note_{language}"],
                "as_of": datetime.date.fromisoformat(block["as_of"]) if block.get("as_of") else None,
            }))
        elif kind == "glossary_term":
            out.append(("glossary_term", {
                "term": block[f"term_{language}"], "other_language_term": block[f"term_{other}"],
                "definition": block[f"definition_{language}"],
            }))
        else:
            raise ValueError(f"Unknown demo block type {kind!r}")
    return out


def _course(data, organisations):
    from academy.organisations.models import OrganisationPage

    zh = Locale.objects.get(language_code="zh-hans")
    lead = organisations[data["partners"]["lead"]]
    parent = OrganisationPage.objects.get(organisation=lead, alias_of__isnull=True)
    course = CoursePage.objects.child_of(parent).filter(slug=data["slug"]).first()
    if course is not None:
        return course
    competencies = list(Competency.objects.filter(code__in=data["competencies"]))
    course = CoursePageFactory.build(
        title=data["title_en"], slug=data["slug"], summary=data["summary_en"], about=data["about_en"],
        level=data["level"], effort_hours=data["effort_hours"], markets=data["markets"],
    )
    parent.add_child(instance=course)
    course.competencies.set(competencies)
    for order, (key, slug) in enumerate(data["partners"].items()):
        course.partners.add(CourseOrganisation(organisation=organisations[slug], role=ROLE_KEYS[key], sort_order=order))
    course = _publish_with(course)
    _translate(course, zh, title=data["title_zh"], summary=data["summary_zh"], about=data["about_zh"])
    for number, module_data in enumerate(data["modules"], start=1):
        module = ModulePageFactory.build(title=module_data["title_en"], slug=f"module-{number}", summary=module_data["summary_en"])
        course.add_child(instance=module)
        module = _publish(module)
        _translate(module, zh, title=module_data["title_zh"], summary=module_data["summary_zh"])
        for lesson_number, lesson_data in enumerate(module_data["lessons"], start=1):
            lesson = LessonPageFactory.build(
                title=lesson_data["title_en"], slug=f"lesson-{number}-{lesson_number}", summary=lesson_data["summary_en"],
                duration_minutes=lesson_data["duration_minutes"], body=_body(lesson_data["body"], "en"),
            )
            module.add_child(instance=lesson)
            lesson.competencies.set(Competency.objects.filter(code__in=lesson_data["competencies"]))
            lesson = _publish_with(lesson)
            _translate(lesson, zh, title=lesson_data["title_zh"], summary=lesson_data["summary_zh"], body=_body(lesson_data["body"], "zh"))
    return CoursePage.objects.get(pk=course.pk)


def _publish_with(page):
    """Publish a page built in memory with its child relations (partners, competencies)."""
    page.save_revision().publish()
    return Page.objects.get(pk=page.pk).specific


def _program(data, courses, organisations):
    from academy.organisations.models import OrganisationPage

    zh = Locale.objects.get(language_code="zh-hans")
    parent = OrganisationPage.objects.get(organisation=organisations[data["lead"]], alias_of__isnull=True)
    from .models import ProgramPage

    program = ProgramPage.objects.child_of(parent).filter(slug=data["slug"]).first()
    if program is not None:
        return program
    program = ProgramPageFactory.build(title=data["title_en"], slug=data["slug"], summary=data["summary_en"], about=data["about_en"])
    for order, requirement in enumerate(data["requirements"]):
        row = ProgramRequirement(title=requirement["title_en"], rule=requirement["rule"], minimum=requirement.get("minimum"), sort_order=order)
        row.courses = [courses[slug] for slug in requirement["courses"]]
        program.requirements.add(row)
    parent.add_child(instance=program)
    program = _publish_with(program)
    translation = _translate(program, zh, title=data["title_zh"], summary=data["summary_zh"], about=data["about_zh"])
    for row, requirement in zip(translation.requirements.order_by("sort_order"), data["requirements"]):
        ProgramRequirement.objects.filter(pk=row.pk).update(title=requirement["title_zh"])
    _publish(translation)
    return program


def _run(course, *, by, title, language, starts_in_days, capacity=40):
    run = CourseRun.objects.filter(course=course, title=title).first()
    if run is None:
        run = run_create(course=course, by=by, title=title, language=language, capacity=capacity,
                         pacing=CourseRun.Pacing.INSTRUCTOR_PACED, enrolment_mode=CourseRun.EnrolmentMode.OPEN,
                         **run_dates(starts_in_days=starts_in_days, length_days=120))
    return run


def _learn(user, run, lessons_done, *, visit_next=True):
    enrolment = Enrolment.objects.filter(user=user, run=run).first() or enrolment_request(user=user, run=run)
    lessons = list(run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False).order_by("position"))
    for item in lessons[:lessons_done]:
        lesson_complete(enrolment=enrolment, item=item, by=user)
    if visit_next and lessons_done < len(lessons):
        lesson_visit(enrolment=enrolment, item=lessons[lessons_done])
    return enrolment


def courses_demo_load(*, admin, organisations, people):
    index_pages()
    courses = {}
    for path in sorted((DATA_DIR / "courses").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        courses[data["slug"]] = _course(data, organisations)
    program_path = DATA_DIR / "program.json"
    if program_path.exists():
        _program(json.loads(program_path.read_text(encoding="utf-8")), courses, organisations)

    runs = {}
    for slug, course in courses.items():
        runs[slug] = _run(course, by=admin, title="Autumn 2026", language="en", starts_in_days=-21)
        _run(course, by=admin, title="2027 春季班", language="zh-hans", starts_in_days=30)
    # A past run the graduate completed, whose content is the same course.
    customs = next((course for slug, course in courses.items() if "customs" in slug), None)
    logistics = next((course for slug, course in courses.items() if "logistics" in slug), None)
    if logistics is not None:
        _learn(people["student@example.com"], runs[logistics.slug], 3)
    if customs is not None:
        _learn(people["graduate@example.com"], runs[customs.slug], len(runs[customs.slug].content_items.all()), visit_next=False)
    return courses
