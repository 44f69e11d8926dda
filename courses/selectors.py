"""Reads of the learning side. Listings have a constant number of queries whatever their
length (pinned by tests): they select and prefetch what their templates touch."""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries
from wagtail.models import Locale

from academy.organisations.models import Membership, Organisation
from academy.organisations.selectors import user_is_platform_admin

from .models import (
    Competency,
    CompetencyEvidence,
    CourseOrganisation,
    CoursePage,
    CourseRun,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModulePage,
    ProgramPage,
    RunContentItem,
)
from .progress import OutlineLesson, OutlineModule, Requirement, program_progress, run_progress
from .search import query_segmented

STAFF_ROLES = (Membership.Role.ORG_ADMIN, Membership.Role.AUTHOR, Membership.Role.MENTOR)
TEACHING_ROLES = (CourseOrganisation.Role.LEAD_UNIVERSITY, CourseOrganisation.Role.CO_AUTHOR)


# ---------------------------------------------------------------- courses and who runs them


def course_in_default_locale(*, course):
    """The course page of the site's default language: it holds the partners and the runs."""
    locale = Locale.get_default()
    if course.locale_id == locale.pk:
        return course
    return CoursePage.objects.filter(translation_key=course.translation_key, locale=locale).first() or course


def course_for_reader(*, course):
    """A course (of the default language) in the reader's language, without a query when the
    reader reads the default language."""
    if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return course
    return course.localized


def course_partners(*, course):
    """Partners in their order, the lead university first (the university the course sits
    under, listed even when nobody added it as a partner row)."""
    course = course_in_default_locale(course=course)
    links = list(course.partners.select_related("organisation", "organisation__logo").prefetch_related("organisation__pages__locale"))
    owner = course.owner_organisation
    if owner is not None and not any(link.organisation_id == owner.pk for link in links):
        links.insert(0, CourseOrganisation(course=course, organisation=owner, role=CourseOrganisation.Role.LEAD_UNIVERSITY, sort_order=-1))
    links.sort(key=lambda link: (link.role != CourseOrganisation.Role.LEAD_UNIVERSITY, link.sort_order or 0))
    return links


def user_is_lead_staff(*, user, organisation):
    return user_is_platform_admin(user=user) or Membership.objects.filter(
        user=user, organisation=organisation, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES
    ).exists()


def user_can_manage_course(*, user, course):
    """Staff of the lead university and of co-author organisations run the course's cohorts."""
    if not (user and user.is_authenticated):
        return False
    if user_is_platform_admin(user=user):
        return True
    course = course_in_default_locale(course=course)
    organisation_ids = {
        link.organisation_id for link in course_partners(course=course) if link.role in TEACHING_ROLES
    }
    return Membership.objects.filter(
        user=user, organisation_id__in=organisation_ids, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES
    ).exists()


def runs_open_for(*, course, now=None):
    """Runs of a course that have not ended, soonest first, with seat counts."""
    now = now or timezone.now()
    course = course_in_default_locale(course=course)
    return list(
        CourseRun.objects.filter(course=course, ends_at__gte=now)
        .annotate(seats_taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE)))
        .order_by("starts_at", "pk")
    )


def course_detail(*, course, user):
    """What the course page shows: partners, runs with the reader's enrolment in each, and
    whether the reader teaches it."""
    runs = runs_open_for(course=course)
    mine = {}
    if user.is_authenticated:
        mine = {e.run_id: e for e in Enrolment.objects.filter(user=user, run__course__translation_key=course.translation_key)}
    now = timezone.now()
    for run in runs:
        run.my_enrolment = mine.get(run.pk)
        run.enrolment_open = run.enrolment_is_open(now)
        run.seats_left = None if run.capacity is None else max(run.capacity - run.seats_taken, 0)
    modules = list(ModulePage.objects.child_of(course).live().order_by("path"))
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path").only("id", "title", "path", "depth", "duration_minutes"))
    for module in modules:
        module.outline_lessons = [lesson for lesson in lessons if lesson.path.startswith(module.path)]
    return {
        "partners": course_partners(course=course),
        "runs": runs,
        "other_enrolments": [e for run_id, e in mine.items() if run_id not in {r.pk for r in runs}],
        "can_manage": user_can_manage_course(user=user, course=course),
        "modules": modules,
        "course_competencies": list(course.competencies.all()),
        "market_names": [countries.name(code) for code in course.markets],
    }


def lesson_url_in_run(*, user, lesson):
    """Where an enrolled learner reads a lesson: in their active run that teaches it."""
    if not user.is_authenticated:
        return None
    item = (
        RunContentItem.objects.filter(
            page__translation_key=lesson.translation_key, retired=False,
            run__enrolments__user=user, run__enrolments__status=Enrolment.Status.ACTIVE,
        )
        .order_by("-run__starts_at")
        .first()
    )
    return reverse("courses:lesson", args=[item.run_id, item.pk]) if item else None


# ---------------------------------------------------------------- runs, outline and progress


def runs_localize(runs, locale=None):
    """Attach to each run its course in the reader's language (one query for the lot), for
    `CourseRun.display_course`."""
    runs = list(runs)
    locale = locale or Locale.get_active()
    keys = {run.course.translation_key for run in runs}
    if not keys or locale.pk == Locale.get_default().pk:
        return runs
    local = {c.translation_key: c for c in CoursePage.objects.filter(translation_key__in=keys, locale=locale).live()}
    for run in runs:
        run._local_course = local.get(run.course.translation_key)
    return runs


OUTLINE_CACHE_KEY = "courses:run-outline:{run_id}"


def run_outline_forget(*, run_ids):
    """Drop cached outlines (after content is published to a run or a page it teaches goes)."""
    from django.core.cache import cache

    cache.delete_many([OUTLINE_CACHE_KEY.format(run_id=run_id) for run_id in run_ids])


def run_outline(*, run):
    """The modules and lessons a run teaches: one query, cached until content is published to the
    run again or a page it teaches is deleted (the outline is read on every lesson view)."""
    from django.core.cache import cache

    key = OUTLINE_CACHE_KEY.format(run_id=run.pk)
    items = cache.get(key)
    if items is None:
        items = list(run.content_items.filter(retired=False, revision__isnull=False).order_by("position"))
        cache.set(key, items, 3600)
    modules = []
    by_module = {}
    for item in items:
        if item.kind == RunContentItem.Kind.MODULE:
            by_module[item.pk] = []
    for item in items:
        if item.kind == RunContentItem.Kind.LESSON and item.module_id in by_module:
            by_module[item.module_id].append(OutlineLesson(
                item_id=item.pk, module_id=item.module_id, title=item.title, required=item.required,
                activity_keys=tuple(item.activity_keys or ()),
            ))
    for item in items:
        if item.kind == RunContentItem.Kind.MODULE:
            modules.append(OutlineModule(item_id=item.pk, title=item.title, lessons=tuple(by_module[item.pk])))
    return modules, {item.pk: item for item in items}


def enrolment_progress(*, enrolment, outline=None):
    modules, _items = outline or run_outline(run=enrolment.run)
    completed = set(LessonCompletion.objects.filter(enrolment=enrolment).values_list("item_id", flat=True))
    return run_progress(modules=modules, completed_ids=completed, last_item_id=enrolment.last_item_id)


def enrolment_for(*, user, run):
    if not user.is_authenticated:
        return None
    enrolment = Enrolment.objects.filter(user=user, run=run).first()
    if enrolment is not None:
        enrolment.run = run  # already loaded by the caller, with its course
    return enrolment


def lesson_content(*, item):
    """The lesson as published to the run (its pinned revision, as a page object). A revision
    never changes, so the object is cached by revision id: reading it costs queries and a
    deserialisation on every lesson view otherwise."""
    from django.core.cache import cache

    from wagtail.models import Revision

    key = f"courses:revision-content:{item.revision_id}"
    page = cache.get(key)
    if page is None:
        revision = Revision.objects.filter(pk=item.revision_id).first()
        if revision is None:
            return None  # the page was deleted a moment ago
        page = revision.as_object()
        list(page.body)  # build the blocks before pickling
        cache.set(key, page, 24 * 3600)
    return page


@dataclass
class DashboardRun:
    enrolment: Enrolment
    progress: object
    next_url: str | None


def learner_runs(*, user):
    """The learner's runs with progress and the lesson to continue with; a constant number of
    queries (enrolments, outline items, completions). The run visited last comes first; runs
    never visited follow by start date (NULLS LAST spelled out: PostgreSQL would put them first)."""
    enrolments = list(
        Enrolment.objects.filter(user=user).exclude(status__in=[Enrolment.Status.WITHDRAWN, Enrolment.Status.REJECTED])
        .select_related("run", "run__course").order_by(F("last_visited_at").desc(nulls_last=True), "run__starts_at")
    )
    active_run_ids = [e.run_id for e in enrolments if e.status == Enrolment.Status.ACTIVE]
    items = list(RunContentItem.objects.filter(run_id__in=active_run_ids, retired=False, revision__isnull=False).order_by("run_id", "position"))
    completions = set(LessonCompletion.objects.filter(enrolment__in=[e for e in enrolments if e.status == Enrolment.Status.ACTIVE]).values_list("enrolment_id", "item_id"))
    runs_localize([enrolment.run for enrolment in enrolments])
    rows = []
    for enrolment in enrolments:
        progress, next_url = None, None
        if enrolment.status == Enrolment.Status.ACTIVE:
            run_items = [item for item in items if item.run_id == enrolment.run_id]
            modules = _outline_from_items(run_items)
            done = {item_id for enrolment_id, item_id in completions if enrolment_id == enrolment.pk}
            progress = run_progress(modules=modules, completed_ids=done, last_item_id=enrolment.last_item_id)
            if progress.next_lesson:
                next_url = reverse("courses:lesson", args=[enrolment.run_id, progress.next_lesson.item_id])
        rows.append(DashboardRun(enrolment=enrolment, progress=progress, next_url=next_url))
    return rows


def _outline_from_items(items):
    by_module = {item.pk: [] for item in items if item.kind == RunContentItem.Kind.MODULE}
    for item in items:
        if item.kind == RunContentItem.Kind.LESSON and item.module_id in by_module:
            by_module[item.module_id].append(OutlineLesson(item_id=item.pk, module_id=item.module_id, title=item.title, required=item.required))
    return [OutlineModule(item_id=item.pk, title=item.title, lessons=tuple(by_module[item.pk])) for item in items if item.kind == RunContentItem.Kind.MODULE]


def upcoming_dates(*, user, now=None, limit=6):
    """Dates coming up in the learner's runs: starts, ends, enrolment closing."""
    now = now or timezone.now()
    runs = CourseRun.objects.filter(
        enrolments__user=user, enrolments__status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.WAITLISTED, Enrolment.Status.PENDING]
    ).select_related("course")
    events = []
    for run in runs:
        for when, label in ((run.starts_at, "starts"), (run.ends_at, "ends")):
            if when >= now:
                events.append((when, label, run))
    events.sort(key=lambda event: event[0])
    events = events[:limit]
    runs_localize([run for _when, _label, run in events])
    return events


def run_roster(*, run):
    return list(run.enrolments.select_related("user").order_by("status", "queued_at", "created_at"))


def runs_managed_by(*, user):
    """Runs of every course the person teaches (staff of a lead or co-author organisation)."""
    if user_is_platform_admin(user=user):
        qs = CourseRun.objects.all()
    else:
        organisation_ids = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES).values("organisation_id")
        owned_paths = [p for p in Organisation.objects.filter(pk__in=organisation_ids).values_list("pages__path", flat=True) if p]
        q = Q(course__partners__organisation_id__in=organisation_ids, course__partners__role__in=TEACHING_ROLES)
        for path in owned_paths:
            q |= Q(course__path__startswith=path)
        qs = CourseRun.objects.filter(q)
    return runs_localize(
        qs.distinct().select_related("course")
        .annotate(
            active_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True),
            pending_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.PENDING), distinct=True),
            waitlist_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED), distinct=True),
        )
        .order_by("-starts_at")
    )


# ---------------------------------------------------------------- programs


def completed_course_keys(*, user):
    if not user.is_authenticated:
        return set()
    return set(
        Enrolment.objects.filter(user=user, completed_at__isnull=False).values_list("run__course__translation_key", flat=True)
    )


def program_requirement_rules(requirements):
    """The pure requirement rules of a program's requirement rows (courses prefetched)."""
    return [
        Requirement(
            title=requirement.title, rule=requirement.rule, minimum=requirement.minimum,
            course_keys=tuple(course.translation_key for course in requirement.courses.all()),
        )
        for requirement in requirements
    ]


def program_detail(*, program, user):
    requirements = list(program.requirements.prefetch_related("courses"))
    locale = program.locale
    keys = {course.translation_key for requirement in requirements for course in requirement.courses.all()}
    local = {c.translation_key: c for c in CoursePage.objects.live().filter(translation_key__in=keys, locale=locale)}
    fallback = {c.translation_key: c for requirement in requirements for c in requirement.courses.all()}
    completed = completed_course_keys(user=user)
    progress = program_progress(requirements=program_requirement_rules(requirements), completed_course_keys=completed)
    rows = []
    for requirement, row in zip(requirements, progress.requirements):
        rows.append({
            "requirement": requirement,
            "progress": row,
            "courses": [
                {"page": local.get(c.translation_key) or fallback[c.translation_key], "completed": c.translation_key in completed}
                for c in requirement.courses.all()
            ],
        })
    return {"requirement_rows": rows, "program_progress": progress if user.is_authenticated else None}


def programs_listed(*, locale):
    return list(ProgramPage.objects.live().filter(locale=locale).order_by("title").prefetch_related("requirements__courses"))


def learner_programs(*, user):
    """Programs the learner has started (completed or enrolled in one of their courses)."""
    keys = set(Enrolment.objects.filter(user=user).exclude(status__in=[Enrolment.Status.WITHDRAWN, Enrolment.Status.REJECTED]).values_list("run__course__translation_key", flat=True))
    if not keys:
        return []
    locale = Locale.get_active()
    programs = list(
        ProgramPage.objects.live().filter(locale=locale, requirements__courses__translation_key__in=keys).distinct()
        .prefetch_related("requirements__courses")
    )
    completed = completed_course_keys(user=user)
    return [(program, program_progress(requirements=program_requirement_rules(program.requirements.all()), completed_course_keys=completed)) for program in programs]


# ---------------------------------------------------------------- competencies


def competency_tree():
    """Every competency with its children attached (two queries at most)."""
    nodes = list(Competency.objects.order_by("sort_order", "code"))
    by_parent = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    for node in nodes:
        node.child_nodes = by_parent.get(node.pk, [])
    return by_parent.get(None, [])


def learner_competencies(*, user):
    """The framework with the learner's evidence counted per competency and rolled up to areas."""
    roots = competency_tree()
    counts = dict(
        CompetencyEvidence.objects.filter(user=user).values("competency_id").annotate(n=Count("pk")).values_list("competency_id", "n")
    )
    recent = list(CompetencyEvidence.objects.filter(user=user).select_related("competency").order_by("-recorded_at")[:10])

    def walk(node):
        own = counts.get(node.pk, 0)
        node.evidence_count = own + sum(walk(child) for child in node.child_nodes)
        return node.evidence_count

    for root in roots:
        walk(root)
    return {"roots": roots, "recent": recent, "total": sum(counts.values())}


# ---------------------------------------------------------------- catalog

SORTS = {
    "relevance": None,
    "title": ("title",),
    # NULLS LAST spelled out: PostgreSQL puts them first in a descending order, SQLite last.
    "newest": (F("first_published_at").desc(nulls_last=True), "title"),
    # Easiest first: the stored values sort alphabetically, which would put “advanced” first.
    "level": ("level_rank", "title"),
}
PAGE_SIZE = 12


@dataclass
class Facet:
    name: str
    options: list  # (value, label, count, selected)


@dataclass
class CatalogResult:
    query: str
    page: object
    facets: list
    sort: str
    total: int
    selected: dict


def _params_list(params, name):
    if hasattr(params, "getlist"):
        return [v for v in params.getlist(name) if v]
    value = params.get(name)
    return [value] if value else []


def catalog_search(*, params, locale):
    """Live courses in one language, searched (Wagtail search, Chinese segmented) and filtered by
    partner, level, language, destination market and competency, with a count for every facet
    value given the other filters. A constant number of queries whatever the catalog's size."""
    query = (params.get("q") or "").strip()[:200]
    selected = {name: _params_list(params, name) for name in ("partner", "level", "language", "market", "competency")}
    sort = params.get("sort") or ("relevance" if query else "title")
    if sort not in SORTS or (sort == "relevance" and not query):
        sort = "title"

    base = CoursePage.objects.live().public().filter(locale=locale)
    ranked_ids = None
    if query:
        terms = query_segmented(query)
        # A query of punctuation alone has no word to look for: it matches nothing.
        ranked_ids = [page.pk for page in base.search(terms, operator="and", order_by_relevance=True)] if terms else []
        base = base.filter(pk__in=ranked_ids)

    default_locale = Locale.get_default()

    def filters(skip=None):
        q = Q()
        if selected["partner"] and skip != "partner":
            q &= Q(translation_key__in=CourseOrganisation.objects.filter(
                organisation__slug__in=selected["partner"], course__locale=default_locale
            ).values("course__translation_key"))
        if selected["level"] and skip != "level":
            q &= Q(level__in=selected["level"])
        if selected["language"] and skip != "language":
            q &= Q(translation_key__in=CourseRun.objects.filter(language__in=selected["language"]).values("course__translation_key"))
        if selected["market"] and skip != "market":
            market_q = Q()
            for code in selected["market"]:
                market_q |= Q(markets__contains=code[:2].upper())
            q &= market_q
        if selected["competency"] and skip != "competency":
            q &= Q(competencies__code__in=selected["competency"]) | Q(competencies__parent__code__in=selected["competency"])
        return q

    courses = base.filter(filters()).distinct()
    facets = _catalog_facets(base, filters, selected, default_locale)

    if sort == "relevance" and ranked_ids is not None:
        ids = list(courses.values_list("pk", flat=True))
        order = {pk: index for index, pk in enumerate(ranked_ids)}
        ids.sort(key=lambda pk: order.get(pk, len(order)))
        total = len(ids)
        paginator = Paginator(ids, PAGE_SIZE)
        page = paginator.get_page(params.get("page"))
        page_ids = list(page.object_list)
        objects = {c.pk: c for c in _catalog_cards(CoursePage.objects.filter(pk__in=page_ids))}
        page.object_list = [objects[pk] for pk in page_ids if pk in objects]
    else:
        if sort == "level":
            courses = courses.annotate(level_rank=_level_rank())
        ordered = courses.order_by(*SORTS[sort])
        paginator = Paginator(ordered, PAGE_SIZE)
        page = paginator.get_page(params.get("page"))
        total = paginator.count
        page.object_list = _catalog_cards(page.object_list)
    _attach_partners(page.object_list, default_locale)
    return CatalogResult(query=query, page=page, facets=facets, sort=sort, total=total, selected=selected)


def _level_rank():
    from .models.pages import Level

    return Case(*[When(level=value, then=Value(rank)) for rank, value in enumerate(Level.values)], default=Value(len(Level.values)))


CARD_IMAGE_SPEC = "fill-640x320"


def _catalog_cards(queryset):
    """Course cards with their image renditions and competencies prefetched (the card template
    renders `CARD_IMAGE_SPEC`), so a page of cards costs the same queries however many have images."""
    from wagtail.images import get_image_model

    return list(queryset.prefetch_related(
        Prefetch("image", queryset=get_image_model().objects.prefetch_renditions(CARD_IMAGE_SPEC)),
        "competencies",
    ))


def _attach_partners(courses, default_locale):
    """Partners (lead first) and open runs for a page of course cards, in three queries."""
    keys = [course.translation_key for course in courses]
    links = list(
        CourseOrganisation.objects.filter(course__translation_key__in=keys, course__locale=default_locale)
        .select_related("organisation", "course").order_by("sort_order")
    )
    now = timezone.now()
    runs = list(CourseRun.objects.filter(course__translation_key__in=keys, ends_at__gte=now).select_related("course").order_by("starts_at"))
    for course in courses:
        course.card_partners = [link.organisation for link in links if link.course.translation_key == course.translation_key]
        course.card_runs = [run for run in runs if run.course.translation_key == course.translation_key]
        # The run to offer: one still taking learners, in the reader's language first.
        enrollable = [run for run in course.card_runs if run.enrolment_closes_at >= now]
        language = translation.get_language() or settings.LANGUAGE_CODE
        enrollable.sort(key=lambda run: (run.language != language, run.starts_at))
        course.card_next_run = enrollable[0] if enrollable else None
        course.card_next_run_started = bool(course.card_next_run and course.card_next_run.starts_at <= now)
        course.card_next_run_open = bool(course.card_next_run and course.card_next_run.enrolment_opens_at <= now)


def _catalog_facets(base, filters, selected, default_locale):
    def ids(skip):
        return base.filter(filters(skip)).values("pk")

    partner_counts = (
        CourseOrganisation.objects.filter(course__locale=default_locale, course__translation_key__in=CoursePage.objects.filter(pk__in=ids("partner")).values("translation_key"))
        .values("organisation__slug", "organisation__name_en", "organisation__name_zh")
        .annotate(n=Count("course__translation_key", distinct=True))
        .order_by("organisation__name_en")
    )
    zh = (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")
    partner = Facet("partner", [
        (row["organisation__slug"], (row["organisation__name_zh"] if zh and row["organisation__name_zh"] else row["organisation__name_en"]), row["n"], row["organisation__slug"] in selected["partner"])
        for row in partner_counts
    ])
    from .models.pages import Level

    # Wagtail's page manager orders by path, which would join the GROUP BY: one row per course.
    level_counts = dict(
        base.filter(filters("level")).order_by().values("level").annotate(n=Count("pk", distinct=True)).values_list("level", "n")
    )
    level = Facet("level", [(value, label, level_counts.get(value, 0), value in selected["level"]) for value, label in Level.choices])
    language_counts = dict(
        CourseRun.objects.filter(course__translation_key__in=CoursePage.objects.filter(pk__in=ids("language")).values("translation_key"))
        .values("language").annotate(n=Count("course__translation_key", distinct=True)).values_list("language", "n")
    )
    languages = Facet("language", [(code, name, language_counts.get(code, 0), code in selected["language"]) for code, name in settings.LANGUAGES])
    market_counts = {}
    # By course: the competency filter joins, and a course with two matching competencies
    # would otherwise count twice.
    for value in dict(base.filter(filters("market")).values_list("pk", "markets")).values():
        # values_list gives CountryField(multiple=True) as its stored text, "PL,DE".
        codes = value.split(",") if isinstance(value, str) else [str(code) for code in value or []]
        for code in filter(None, codes):
            market_counts[code] = market_counts.get(code, 0) + 1
    market = Facet("market", sorted(
        [(code, countries.name(code), n, code in selected["market"]) for code, n in market_counts.items()], key=lambda o: o[1]
    ))
    competency_counts = dict(
        Competency.objects.filter(courses__in=ids("competency")).values("code").annotate(n=Count("courses", distinct=True)).values_list("code", "n")
    )
    competency_rows = list(Competency.objects.filter(code__in=competency_counts.keys()).order_by("sort_order", "code"))
    competency = Facet("competency", [(c.code, c.name, competency_counts[c.code], c.code in selected["competency"]) for c in competency_rows])
    return [partner, level, languages, market, competency]


def activity_responses(*, enrolment, item):
    if not item.activity_keys:
        return {}
    return dict(enrolment.activity_responses.filter(item=item).values_list("activity_key", "text"))


def run_invitations(*, run):
    return list(run.invitations.select_related("accepted_by").order_by("-created_at"))


def courses_managed_by(*, user):
    """Courses (in the default language) whose runs the person may open."""
    if not user.is_authenticated:
        return []
    locale = Locale.get_default()
    qs = CoursePage.objects.filter(locale=locale)
    if not user_is_platform_admin(user=user):
        organisation_ids = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, role__in=STAFF_ROLES).values("organisation_id")
        qs = qs.filter(partners__organisation_id__in=organisation_ids, partners__role__in=TEACHING_ROLES)
    return list(qs.distinct().order_by("title"))


def organisation_courses(*, organisation, locale):
    """The courses an organisation co-runs, in the reader's language where translated, each with
    the organisation's role; for its public page. Three queries."""
    default_locale = Locale.get_default()
    links = list(
        CourseOrganisation.objects.filter(organisation=organisation, course__locale=default_locale, course__live=True)
        .select_related("course").order_by("course__title")
    )
    keys = [link.course.translation_key for link in links]
    local = {c.translation_key: c for c in CoursePage.objects.live().filter(translation_key__in=keys, locale=locale)}
    return [(local.get(link.course.translation_key) or link.course, link) for link in links]


def lesson_quizzes(*, enrolment, item, page, run, now=None):
    """What each quiz block of a lesson shows the learner, by activity key: the quiz, attempts
    used and allowed, an attempt in progress, the latest submitted attempt with what of its
    result may be shown (`courses.review`), and whether another attempt can be started."""
    from .blocks import quiz_due_at
    from .models import Quiz, QuizAttempt
    from .review import review_visibility

    if not any(key.startswith("quiz:") for key in item.activity_keys or ()):
        return {}
    now = now or timezone.now()
    attempts = list(QuizAttempt.objects.filter(enrolment=enrolment, item=item).order_by("number"))
    blocks = [child for child in page.body if child.block_type == "quiz" and child.value.get("quiz") is not None]
    # The pinned lesson is cached with the quizzes as they were then: read their settings now.
    quizzes = Quiz.objects.in_bulk([child.value["quiz"].pk for child in blocks])
    states = {}
    for child in blocks:
        quiz = quizzes.get(child.value["quiz"].pk)
        if quiz is None:
            continue
        mine = [a for a in attempts if a.block_id == child.id]
        submitted = [a for a in mine if a.submitted_at is not None]
        latest = submitted[-1] if submitted else None
        due_at = quiz_due_at(run=run, value=child.value)
        states[f"quiz:{child.id}"] = {
            "quiz": quiz,
            "block_id": child.id,
            "used": len(mine),
            "open": next((a for a in mine if a.submitted_at is None), None),
            "latest": latest,
            "visibility": review_visibility(quiz.review_options, now=now, due_at=due_at, submitted=latest is not None),
            "can_start": not quiz.attempt_limit or len(mine) < quiz.attempt_limit,
            "due_at": due_at,
            "done": latest is not None,
        }
    return states
