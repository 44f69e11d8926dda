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


def _course(data, organisations, admin):
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
    _course_quiz(CoursePage.objects.get(pk=course.pk), lead, admin)
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
        courses[data["slug"]] = _course(data, organisations, admin)
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
        _quiz_attempt(people["student@example.com"], runs[logistics.slug])
    if customs is not None:
        _learn(people["graduate@example.com"], runs[customs.slug], len(runs[customs.slug].content_items.all()), visit_next=False)
    return courses


# Quizzes: one "Check your understanding" lesson closing the first module of each course, in
# English and in Chinese (each language its own questions, so a Chinese run asks in Chinese).
# Figures come from data/reference (teaching values).
DEMO_QUIZZES = {
    "cross-border-logistics": {
        "en": [
            ("single_choice", "Cheapest channel for 250 g", {
                "prompt": "Using the reference tariffs, which channel is cheapest for a 250 g parcel to Poland?",
                "options": [
                    {"id": "post", "text": "China Post small packet", "correct": True, "feedback": "CNY 25 + 2 × 8 = CNY 41."},
                    {"id": "epacket", "text": "ePacket", "correct": False, "feedback": "CNY 28 + 2 × 9 = CNY 46."},
                    {"id": "line", "text": "Dedicated e-commerce line", "correct": False, "feedback": "CNY 60: its first weight is 500 g."},
                    {"id": "express", "text": "International express", "correct": False, "feedback": "CNY 180 for the first 500 g."},
                ]}),
            ("true_false", "ePacket and batteries", {
                "prompt": "ePacket accepts parcels that contain lithium batteries.", "answer": False,
                "feedback_false": "Right: postal channels refuse batteries; the e-commerce line and express take them."}),
            ("numeric", "E-commerce line price for 1.2 kg", {
                "prompt": "What does the dedicated e-commerce line charge, in CNY, for a 1.2 kg parcel?",
                "answer": "110", "tolerance": "0", "tolerance_kind": "absolute",
                "feedback_incorrect": "CNY 60 for the first 500 g, then two steps of 500 g at CNY 25: CNY 110."}),
        ],
        "zh": [
            ("single_choice", "250 克最便宜的渠道", {
                "prompt": "按参考运价，寄往波兰的 250 克包裹哪条渠道最便宜？",
                "options": [
                    {"id": "post", "text": "中国邮政小包", "correct": True, "feedback": "25 + 2 × 8 = 41 元。"},
                    {"id": "epacket", "text": "e邮宝", "correct": False, "feedback": "28 + 2 × 9 = 46 元。"},
                    {"id": "line", "text": "电商专线", "correct": False, "feedback": "60 元：首重为 500 克。"},
                    {"id": "express", "text": "国际快递", "correct": False, "feedback": "首重 500 克即 180 元。"},
                ]}),
            ("true_false", "e邮宝与电池", {
                "prompt": "e邮宝可以寄送含锂电池的包裹。", "answer": False,
                "feedback_false": "正确：邮政渠道不收带电产品，电商专线和快递可以。"}),
            ("numeric", "电商专线 1.2 千克运费", {
                "prompt": "电商专线寄送 1.2 千克包裹的运费是多少元人民币？",
                "answer": "110", "tolerance": "0", "tolerance_kind": "absolute",
                "feedback_incorrect": "首重 500 克 60 元，再加两个 500 克续重、每个 25 元，共 110 元。"}),
        ],
    },
    "customs-small-parcels": {
        "en": [
            ("single_choice", "EU duty on a EUR 40 parcel", {
                "prompt": "From 1 July 2026, what customs duty does an EU consignment worth EUR 40 with one tariff line pay?",
                "options": [
                    {"id": "zero", "text": "None", "correct": False, "feedback": "That was the rule before July 2026."},
                    {"id": "flat", "text": "EUR 3", "correct": True, "feedback": "A flat EUR 3 per distinct tariff line."},
                    {"id": "rate", "text": "The tariff rate on the value", "correct": False, "feedback": "Only above EUR 150."},
                ]}),
            ("true_false", "US de minimis", {
                "prompt": "The United States still lets parcels under USD 800 in duty-free.", "answer": False,
                "feedback_false": "Right: the US suspended its de minimis in August 2025."}),
            ("short_text", "HS subheading of cotton T-shirts", {
                "prompt": "Which six-digit HS subheading classifies cotton T-shirts?", "accepted": ["610910"],
                "case_sensitive": False, "whitespace": "collapse"}),
        ],
        "zh": [
            ("single_choice", "欧盟 40 欧元包裹的关税", {
                "prompt": "自 2026 年 7 月 1 日起，货值 40 欧元、只有一个税号的欧盟包裹要缴多少关税？",
                "options": [
                    {"id": "zero", "text": "不用缴", "correct": False, "feedback": "这是 2026 年 7 月之前的规则。"},
                    {"id": "flat", "text": "3 欧元", "correct": True, "feedback": "每个不同税号固定 3 欧元。"},
                    {"id": "rate", "text": "按税率乘以货值", "correct": False, "feedback": "只适用于 150 欧元以上。"},
                ]}),
            ("true_false", "美国小额豁免", {
                "prompt": "美国目前仍对 800 美元以下的包裹免征关税。", "answer": False,
                "feedback_false": "正确：美国已于 2025 年 8 月暂停小额豁免。"}),
            ("short_text", "纯棉T恤的六位税号", {
                "prompt": "纯棉T恤归入哪个六位 HS 子目？", "accepted": ["610910"],
                "case_sensitive": False, "whitespace": "collapse"}),
        ],
    },
    "cross-border-payments": {
        "en": [
            ("single_choice", "When escrow releases", {
                "prompt": "When does escrow release the buyer's payment to the seller?",
                "options": [
                    {"id": "placed", "text": "When the order is placed", "correct": False, "feedback": "Then the money is only held."},
                    {"id": "shipped", "text": "When the parcel ships", "correct": False, "feedback": "Shipping is not delivery."},
                    {"id": "delivered", "text": "When the buyer confirms delivery or the auto-release timer ends", "correct": True, "feedback": "That is what protects both sides."},
                ]}),
            ("true_false", "Chargebacks", {
                "prompt": "A chargeback can take back a card payment after the seller has been paid.", "answer": True,
                "feedback_true": "Right: that is why sellers keep delivery evidence."}),
            ("numeric", "EUR 25 in CNY", {
                "prompt": "At the teaching rate of CNY 8.20 per euro, how many CNY is EUR 25?",
                "answer": "205", "tolerance": "0", "tolerance_kind": "absolute"}),
        ],
        "zh": [
            ("single_choice", "担保交易何时放款", {
                "prompt": "担保交易在什么时候把买家的货款放给卖家？",
                "options": [
                    {"id": "placed", "text": "买家下单时", "correct": False, "feedback": "此时货款只是被托管。"},
                    {"id": "shipped", "text": "包裹发出时", "correct": False, "feedback": "发货不等于妥投。"},
                    {"id": "delivered", "text": "买家确认收货或自动放款期满时", "correct": True, "feedback": "这样才能同时保护买卖双方。"},
                ]}),
            ("true_false", "拒付", {
                "prompt": "卖家收款之后，拒付仍可能把信用卡货款追回。", "answer": True,
                "feedback_true": "正确：所以卖家要保留妥投凭证。"}),
            ("numeric", "25 欧元折合人民币", {
                "prompt": "按教学汇率 1 欧元 = 8.20 元，25 欧元是多少元人民币？",
                "answer": "205", "tolerance": "0", "tolerance_kind": "absolute"}),
        ],
    },
}
QUIZ_TITLES = {"en": "Check your understanding", "zh": "学习自测"}
QUIZ_BLOCK_ID = "demo-quiz"


def _course_quiz(course, organisation, admin):
    """The course's quiz lesson (English and Chinese), made once when the course is made."""
    from .assessment_services import question_bank_create
    from .factories import question_with_version, quiz_with_questions
    from .models import ModulePage, QuestionBank

    questions_by_language = DEMO_QUIZZES.get(course.slug)
    if not questions_by_language:
        return
    zh = Locale.objects.get(language_code="zh-hans")
    quizzes = {}
    for language, questions in questions_by_language.items():
        title = f"{course.title} · {QUIZ_TITLES[language]}" if language == "en" else f"{QUIZ_TITLES[language]}：{course.get_translation(zh).title}"
        bank = QuestionBank.objects.filter(organisation=organisation, title=title).first() or question_bank_create(
            organisation=organisation, title=title, by=admin)
        made = [question_with_version(bank=bank, kind=kind, spec=spec, by=admin, title=name) for kind, name, spec in questions]
        quizzes[language] = quiz_with_questions(organisation=organisation, questions=made, by=admin, title=title, attempt_limit=3, time_limit_minutes=20)
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lesson = LessonPageFactory.build(
        title=QUIZ_TITLES["en"], slug="check-your-understanding", summary="Three questions on the module, marked at once.",
        duration_minutes=10, body=[{"type": "quiz", "id": QUIZ_BLOCK_ID, "value": {"quiz": quizzes["en"].pk, "due_after_days": None}}],
    )
    module.add_child(instance=lesson)
    lesson = _publish_with(lesson)
    _translate(lesson, zh, title=QUIZ_TITLES["zh"], summary="三道题检验本单元所学，提交后立即判分。",
               body=[{"type": "quiz", "id": QUIZ_BLOCK_ID, "value": {"quiz": quizzes["zh"].pk, "due_after_days": None}}])


def _quiz_attempt(user, run):
    """The learner takes the demo quiz of the run once: two of three right."""
    from .assessment_services import attempt_start, attempt_submit
    from .models import QuizAttempt

    lessons = run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False)
    item = next((i for i in lessons if f"quiz:{QUIZ_BLOCK_ID}" in (i.activity_keys or [])), None)
    enrolment = Enrolment.objects.filter(user=user, run=run, status=Enrolment.Status.ACTIVE).first()
    if item is None or enrolment is None or QuizAttempt.objects.filter(enrolment=enrolment, block_id=QUIZ_BLOCK_ID).exists():
        return
    content = item.revision.as_object()
    quiz = next(block.value["quiz"] for block in content.body if block.block_type == "quiz")
    attempt = attempt_start(enrolment=enrolment, item=item, block_id=QUIZ_BLOCK_ID, quiz=quiz, by=user)
    responses = {}
    for answer in attempt.answers.select_related("version"):
        spec = answer.version.spec
        if answer.version.kind == "single_choice":
            responses[answer.position] = next(option["id"] for option in spec["options"] if option["correct"])
        elif answer.version.kind == "true_false":
            responses[answer.position] = not spec["answer"]  # a slip: one answer wrong
        elif answer.version.kind in ("numeric", "short_text"):
            responses[answer.position] = spec.get("answer") or spec["accepted"][0]
    attempt_submit(attempt=attempt, responses=responses, by=user)


def courses_demo_reset(*, organisations):
    """Remove the demo organisations' assessment objects, which protect their organisation (and
    question versions, which attempts protect) from deletion: attempts first, then quizzes,
    questions, banks and rubrics."""
    from .models import Question, QuestionBank, Quiz, QuizAttempt, Rubric

    QuizAttempt.objects.filter(quiz__organisation__in=organisations).delete()
    Quiz.objects.filter(organisation__in=organisations).delete()
    Question.objects.filter(bank__organisation__in=organisations).delete()
    QuestionBank.objects.filter(organisation__in=organisations).delete()
    Rubric.objects.filter(organisation__in=organisations).delete()
