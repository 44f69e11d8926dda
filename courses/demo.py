"""Demo courses: the catalog and program index, three co-run courses with English and Chinese
text from data/demo/courses/*.json, a program grouping them, open runs with a grading policy,
a student part-way through one course and a graduate who passed another. Each course has a quiz
of several question types and an assignment with a rubric whose criteria give evidence for
competencies; the student has a quiz attempt and a submission a mentor reviewed, the graduate
full marks on the quiz and a submission an instructor reviewed. Built with the same factories
and services as the tests; running it again changes nothing."""

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
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
    LessonPage,
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


def _body(blocks, language, assignments=None):
    """The lesson body in `language`; an assignment block holds the course's assignment in that
    language (`assignments`) under the fixed id `ASSIGNMENT_BLOCK_ID`, which submissions name."""
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
        elif kind == "assignment":
            out.append(("assignment", {
                "assignment": assignments[language], "due_after_days": block.get("due_after_days"), "grading_type": "Assignment",
            }))
        else:
            raise ValueError(f"Unknown demo block type {kind!r}")
    body = LessonPage._meta.get_field("body").stream_block.to_python(out)
    for child in body:
        if child.block_type == "assignment":
            child.id = ASSIGNMENT_BLOCK_ID
    return body


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
    assignments = _course_assignment(data, lead, admin)
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
                duration_minutes=lesson_data["duration_minutes"], body=_body(lesson_data["body"], "en", assignments),
            )
            module.add_child(instance=lesson)
            lesson.competencies.set(Competency.objects.filter(code__in=lesson_data["competencies"]))
            lesson = _publish_with(lesson)
            _translate(lesson, zh, title=lesson_data["title_zh"], summary=lesson_data["summary_zh"], body=_body(lesson_data["body"], "zh", assignments))
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


def _enrolment(user, run):
    return Enrolment.objects.filter(user=user, run=run).first() or enrolment_request(user=user, run=run)


def _learn(user, run, lessons_done, *, visit_next=True):
    enrolment = _enrolment(user, run)
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
        zh_run = _run(course, by=admin, title="2027 春季班", language="zh-hans", starts_in_days=30)
        # Before anyone is graded: a pass is recorded once, with the policy in force then.
        for run in (runs[slug], zh_run):
            _grading_policy(run, by=admin)
    customs = next((course for slug, course in courses.items() if "customs" in slug), None)
    logistics = next((course for slug, course in courses.items() if "logistics" in slug), None)
    if logistics is not None:
        # Mid-course: module 1 and its quiz done, the assignment of module 2 handed in and
        # reviewed by the enterprise mentor, that lesson's reflection still to write.
        run, student = runs[logistics.slug], people["student@example.com"]
        _learn(student, run, 3)
        _quiz_attempt(student, run, all_right=False)
        _review(_hand_in(student, run, DEMO_WORK[logistics.slug]), people["mentor@example.com"], DEMO_WORK[logistics.slug])
    if customs is not None:
        # Passed: every lesson done, the quiz with full marks, the assignment reviewed by an
        # instructor of the lead university; the review's grade records the pass.
        run, graduate = runs[customs.slug], people["graduate@example.com"]
        _enrolment(graduate, run)
        _quiz_attempt(graduate, run, all_right=True)
        submission = _hand_in(graduate, run, DEMO_WORK[customs.slug])
        _learn(graduate, run, len(run.content_items.all()), visit_next=False)
        _review(submission, people["author@example.com"], DEMO_WORK[customs.slug])
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
            ("matching", "What each channel is for", {
                "prompt": "Match each channel with what it does best.",
                "pairs": [
                    {"prompt_id": "p1", "prompt": "China Post small packet", "answer_id": "k7", "answer": "Cheapest for light parcels without batteries"},
                    {"prompt_id": "p2", "prompt": "Dedicated e-commerce line", "answer_id": "m2", "answer": "Clears duties paid (DDP) and takes batteries"},
                    {"prompt_id": "p3", "prompt": "International express", "answer_id": "t5", "answer": "Delivers in 3–7 days"},
                ],
                "distractors": [{"answer_id": "r9", "answer": "Takes parcels up to 70 kg at postal prices"}],
                "scoring": "partial",
                "feedback_correct": "Right: each channel has its place; the listing's terms decide which one you use."}),
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
            ("matching", "各渠道的用途", {
                "prompt": "把每条渠道与它最擅长的用途配对。",
                "pairs": [
                    {"prompt_id": "p1", "prompt": "中国邮政小包", "answer_id": "k7", "answer": "寄送不带电的轻小包裹最便宜"},
                    {"prompt_id": "p2", "prompt": "电商专线", "answer_id": "m2", "answer": "可以含税清关（DDP），也收带电产品"},
                    {"prompt_id": "p3", "prompt": "国际快递", "answer_id": "t5", "answer": "3–7 天送达"},
                ],
                "distractors": [{"answer_id": "r9", "answer": "按邮政价格收寄 70 公斤以内的包裹"}],
                "scoring": "partial",
                "feedback_correct": "正确：每条渠道各有用途，用哪条取决于商品页面承诺的条款。"}),
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
            ("ordering", "Landed cost, step by step", {
                "prompt": "Put the steps of working out a landed cost in order.",
                "items": [
                    {"id": "k4", "text": "Convert the goods value and the freight into the market's currency and round them"},
                    {"id": "m1", "text": "Test the value against the de minimis threshold"},
                    {"id": "t7", "text": "Compute the duty and round it"},
                    {"id": "b2", "text": "Compute the VAT on the value plus the duty and round it"},
                    {"id": "r9", "text": "Add up the landed total and say who pays"},
                ],
                "scoring": "partial",
                "feedback_incorrect": "Duty comes before VAT, because VAT is charged on the value plus the duty."}),
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
            ("ordering", "到岸成本的计算步骤", {
                "prompt": "把计算到岸成本的步骤按顺序排列。",
                "items": [
                    {"id": "k4", "text": "把货值和运费换算成目的国货币并取整"},
                    {"id": "m1", "text": "对照免税门槛判断货值"},
                    {"id": "t7", "text": "计算关税并取整"},
                    {"id": "b2", "text": "以货值加关税为基础计算增值税并取整"},
                    {"id": "r9", "text": "加总到岸成本并说明由谁支付"},
                ],
                "scoring": "partial",
                "feedback_incorrect": "关税要在增值税之前计算，因为增值税按货值加关税征收。"}),
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
            ("multiple_choice", "Warning signs of a fraudulent order", {
                "prompt": "Which of these are warning signs that an order may be paid with a stolen card? Choose all that apply.",
                "options": [
                    {"id": "new", "text": "A new account placing a large first order", "correct": True, "feedback": ""},
                    {"id": "mismatch", "text": "Billing and delivery countries that differ", "correct": True, "feedback": ""},
                    {"id": "forwarder", "text": "Express shipping to a freight-forwarding address", "correct": True, "feedback": ""},
                    {"id": "repeat", "text": "A buyer with two earlier orders that were never disputed", "correct": False, "feedback": "That history speaks for the buyer."},
                ],
                "scoring": "partial",
                "feedback_correct": "Right: fraud shows up as a combination of signs, not a single one."}),
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
            ("multiple_choice", "欺诈订单的预警信号", {
                "prompt": "以下哪些是订单可能使用被盗信用卡支付的预警信号？请选出所有符合的选项。",
                "options": [
                    {"id": "new", "text": "新注册账号首单金额就很大", "correct": True, "feedback": ""},
                    {"id": "mismatch", "text": "账单国家与收货国家不一致", "correct": True, "feedback": ""},
                    {"id": "forwarder", "text": "要求用快递寄往货代地址", "correct": True, "feedback": ""},
                    {"id": "repeat", "text": "买家此前有两笔从未被投诉的订单", "correct": False, "feedback": "这样的历史记录对买家有利。"},
                ],
                "scoring": "partial",
                "feedback_correct": "正确：欺诈往往表现为多个信号的组合，而不是单一信号。"}),
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
        title=QUIZ_TITLES["en"], slug="check-your-understanding", summary="Four questions on the module, marked at once.",
        duration_minutes=10, body=[{"type": "quiz", "id": QUIZ_BLOCK_ID, "value": {"quiz": quizzes["en"].pk, "due_after_days": None, "grading_type": "Quiz"}}],
    )
    module.add_child(instance=lesson)
    lesson = _publish_with(lesson)
    _translate(lesson, zh, title=QUIZ_TITLES["zh"], summary="四道题检验本单元所学，提交后立即判分。",
               body=[{"type": "quiz", "id": QUIZ_BLOCK_ID, "value": {"quiz": quizzes["zh"].pk, "due_after_days": None, "grading_type": "Quiz"}}])


def _quiz_response(kind, spec, *, right):
    """The response to a question of the demo quizzes: the right one, or (`right=False`) a
    plausible slip."""
    if kind == "single_choice":
        return next(option["id"] for option in spec["options"] if option["correct"])
    if kind == "multiple_choice":
        return [option["id"] for option in spec["options"] if option["correct"]]
    if kind == "true_false":
        return spec["answer"] if right else not spec["answer"]
    if kind == "numeric":
        return spec["answer"]
    if kind == "short_text":
        return spec["accepted"][0]
    if kind == "matching":
        return {pair["prompt_id"]: pair["answer_id"] for pair in spec["pairs"]}
    if kind == "ordering":
        return [item["id"] for item in spec["items"]]
    raise ValueError(f"No demo answer for a {kind!r} question")


def _quiz_attempt(user, run, *, all_right):
    """The learner takes the demo quiz of the run once: every answer right, or all but the
    true/false one."""
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
    responses = {
        answer.position: _quiz_response(answer.version.kind, answer.version.spec, right=all_right or answer.version.kind != "true_false")
        for answer in attempt.answers.select_related("version")
    }
    attempt_submit(attempt=attempt, responses=responses, by=user)


# ---------------------------------------------------------------- assignments and grades

ASSIGNMENT_BLOCK_ID = "demo-assignment"
# Every run: quizzes 40 %, the assignment 60 %, a pass at 60 % (one quiz and one assignment per
# run, so nothing is dropped).
GRADING_TYPES = [
    {"type": "Quiz", "short_label": "Q", "weight": Decimal("40"), "min_count": 1, "drop_count": 0},
    {"type": "Assignment", "short_label": "A", "weight": Decimal("60"), "min_count": 1, "drop_count": 0},
]
GRADE_CUTOFFS = [
    {"letter": "A", "minimum": Decimal("90")},
    {"letter": "B", "minimum": Decimal("80")},
    {"letter": "C", "minimum": Decimal("70")},
    {"letter": "Pass", "minimum": Decimal("60")},
]


def _course_assignment(data, organisation, admin):
    """The course's assignment in English and in Chinese ({"en": …, "zh": …}), each with its
    rubric, from the data file's `assignment`; checked as the admin checks them."""
    from .assignment_services import assignment_check
    from .models import Assignment, Rubric, RubricCriterion, RubricLevel
    from .rubric_services import rubric_check

    spec = data.get("assignment")
    if not spec:
        return {}
    assignments = {}
    for language in ("en", "zh"):
        rubric_spec = spec["rubric"]
        rubric = Rubric.objects.filter(organisation=organisation, title=rubric_spec[f"title_{language}"]).first()
        if rubric is None:
            rubric = Rubric.objects.create(
                organisation=organisation, title=rubric_spec[f"title_{language}"], description=rubric_spec[f"description_{language}"], created_by=admin,
            )
            for order, criterion_spec in enumerate(rubric_spec["criteria"]):
                criterion = RubricCriterion.objects.create(
                    rubric=rubric, title=criterion_spec[f"title_{language}"], description=criterion_spec[f"description_{language}"],
                    competency=Competency.objects.get(code=criterion_spec["competency"]), sort_order=order,
                )
                for level_order, level in enumerate(criterion_spec["levels"]):
                    RubricLevel.objects.create(
                        criterion=criterion, title=level[f"title_{language}"], description=level[f"description_{language}"],
                        points=Decimal(level["points"]), sort_order=level_order,
                    )
            rubric_check(rubric=rubric, by=admin)
        assignment = Assignment.objects.filter(organisation=organisation, title=spec[f"title_{language}"]).first()
        if assignment is None:
            assignment = Assignment(
                organisation=organisation, title=spec[f"title_{language}"], instructions=spec[f"instructions_{language}"], rubric=rubric,
                text_answer=spec["text_answer"], files=spec["files"], file_types=spec["file_types"],
                max_submissions=spec["max_submissions"], created_by=admin,
            )
            assignment.full_clean()
            assignment.save()
            assignment_check(assignment=assignment, by=admin)
        assignments[language] = assignment
    return assignments


def _grading_policy(run, *, by):
    from .grade_services import grading_policy_save
    from .models import GradingType

    if not GradingType.objects.filter(run=run).exists():
        grading_policy_save(run=run, types=GRADING_TYPES, cutoffs=GRADE_CUTOFFS, by=by)


# What the demo learners hand in and what their reviewers say, by course. `levels` names the
# level chosen for each criterion of the English rubric, in order; `comments` the feedback on
# each. The attached PDF is drawn from `file_lines` (ASCII: the PDF uses a standard font).
DEMO_WORK = {
    "cross-border-logistics": {
        "text": (
            "My sheet is attached as a PDF.\n\n"
            "Channels for the 250 g T-shirt (freight + expected loss on CNY 164):\n"
            "- China Post small packet: CNY 41 + 2.46 = 43.46, 15–40 days. Dropped: it cannot clear duties paid.\n"
            "- ePacket: CNY 46 + 1.31 = 47.31, 7–20 days. Dropped for the same reason.\n"
            "- E-commerce line: CNY 60 + 0.82 = 60.82, 10–20 days. Kept.\n"
            "- Express: CNY 180 + 0.16 = 180.16, 3–7 days. Clears DDP but costs three times as much.\n\n"
            "Landed cost by e-commerce line: goods PLN 84.97, freight PLN 31.09, duty EUR 3 = PLN 12.75, "
            "VAT 23 % × (84.97 + 31.09) = PLN 26.69; total PLN 155.50.\n\n"
            "Listing note: “Delivered in 10–20 days by our partner's line. No extra charges on delivery.”"
        ),
        "file_name": "landed-cost-sheet-poland.pdf",
        "file_lines": [
            "Landed-cost sheet: cotton T-shirt to Poland, EUR 20, 250 g packed",
            "",
            "Channel                 Freight CNY  Exp. loss CNY  Total CNY  Days   DDP",
            "China Post small packet     41.00        2.46        43.46    15-40  no",
            "ePacket                     46.00        1.31        47.31     7-20  no",
            "E-commerce line             60.00        0.82        60.82    10-20  yes",
            "International express      180.00        0.16       180.16     3-7   yes",
            "",
            "Kept: e-commerce line (cheapest channel that clears duties paid)",
            "Goods PLN 84.97 | Freight PLN 31.09 | Duty EUR 3 = PLN 12.75",
            "VAT 23% x (84.97 + 31.09) = PLN 26.69",
            "Landed total PLN 155.50",
        ],
        "levels": ["Excellent", "Developing", "Adequate"],
        "comments": [
            "Good screening: you dropped both postal channels for the right reason and kept express as the fallback.",
            "The VAT base must include the duty: 23 % × (84.97 + 31.09 + 12.75) = PLN 29.63, so the landed total is PLN 158.44, "
            "not 155.50. Every step before that one is right.",
            "“No extra charges on delivery” is good. Say plainly that the price includes duties and VAT: Polish buyers are used to "
            "paying at the door for parcels from China.",
        ],
        "comment": (
            "A solid sheet, Aigerim. Fix the VAT base and the note and hand it in again: you have one more submission. "
            "We make exactly this comparison at Amber Loom before opening a new market."
        ),
    },
    "customs-small-parcels": {
        "text": (
            "Declaration lines (origin CN for all three):\n"
            "1. Men's T-shirt, knitted, 100 % cotton: HS 610910, 1 piece, 0.18 kg, EUR 20.00\n"
            "2. Earrings, imitation jewellery of base metal: HS 711719, 1 pair, 0.03 kg, EUR 10.00\n"
            "3. Face serum, skin-care preparation, 30 ml: HS 330499, 1 bottle, 0.09 kg, EUR 15.00\n\n"
            "Three distinct tariff lines: flat duty 3 × EUR 3 = EUR 9 = PLN 38.24.\n"
            "Goods PLN 191.19, freight PLN 31.08; VAT 23 % × (191.19 + 31.08 + 38.24) = PLN 59.92; landed total PLN 320.43.\n\n"
            "Under IOSS the seller's IOSS number goes into the electronic customs data, never on the label. The three items are not "
            "a set put up for retail sale (GIR 3(b)): each is bought and used on its own, so each keeps its own code."
        ),
        "file_name": "cn22-mixed-parcel.pdf",
        "file_lines": [
            "CN22 customs declaration - mixed parcel to Poland (IOSS)",
            "",
            "Description                                   HS      Qty  Net kg  Value  Origin",
            "Men's T-shirt, knitted, 100% cotton            610910   1   0.18   EUR 20  CN",
            "Earrings, imitation jewellery of base metal    711719   1   0.03   EUR 10  CN",
            "Face serum, skin-care preparation, 30 ml       330499   1   0.09   EUR 15  CN",
            "",
            "Tariff lines: 3 | Flat duty EUR 9 = PLN 38.24",
            "VAT 23% = PLN 59.92 | Landed total PLN 320.43",
            "IOSS number: in the electronic data only",
        ],
        "levels": ["Excellent", "Complete", "Minor slip"],
        "comments": [
            "All three codes right, and the reason for the earrings (imitation jewellery of base metal, 7117) is exactly what a "
            "customs officer looks for.",
            "Precise descriptions and complete lines: nothing an ICS2 check would stop.",
            "Freight is CNY 60 ÷ 1.93 = 31.088…, which rounds to PLN 31.09, so the landed total is PLN 320.44. One grosz, but "
            "customs systems round the same way every time.",
        ],
        "comment": "Excellent work, Chen Hao: a declaration I would file as it is. Congratulations on completing the course.",
    },
}


def _pdf(lines):
    """A one-page PDF showing `lines` (ASCII) in Courier, a standard font, so the tables line up.
    Built by hand: the demo ships no files, and an upload is checked to be what its name says."""
    text = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"]
    for line in lines:
        text.append("({}) '".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")))
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _assignment_item(run):
    lessons = run.content_items.filter(kind=RunContentItem.Kind.LESSON, retired=False).order_by("position")
    return next((item for item in lessons if f"assignment:{ASSIGNMENT_BLOCK_ID}" in (item.activity_keys or [])), None)


def _hand_in(user, run, work):
    """The learner's submission of the run's assignment: the text and a PDF, handed in once."""
    from .assignment_services import submission_create
    from .models import Submission

    item = _assignment_item(run)
    enrolment = Enrolment.objects.filter(user=user, run=run, status=Enrolment.Status.ACTIVE).first()
    if item is None or enrolment is None:
        return None
    submission = Submission.objects.filter(enrolment=enrolment, block_id=ASSIGNMENT_BLOCK_ID).order_by("-number").first()
    if submission is None:
        upload = SimpleUploadedFile(work["file_name"], _pdf(work["file_lines"]), content_type="application/pdf")
        submission = submission_create(enrolment=enrolment, item=item, block_id=ASSIGNMENT_BLOCK_ID, text=work["text"], files=[upload], by=user)
    return submission


def _review(submission, reviewer, work):
    """`reviewer`'s review of the submission with the levels and feedback of `work`, given once
    (the learner is e-mailed)."""
    from .assignment_services import review_save
    from .models import Review

    if submission is None or Review.objects.filter(submission=submission, reviewer=reviewer).exists():
        return
    criteria = list(submission.assignment.rubric.criteria.prefetch_related("levels").order_by("sort_order"))
    choices = {
        criterion.pk: next(level.pk for level in criterion.levels.all() if level.title == title)
        for criterion, title in zip(criteria, work["levels"], strict=True)
    }
    comments = {criterion.pk: text for criterion, text in zip(criteria, work["comments"], strict=True)}
    review_save(submission=submission, by=reviewer, choices=choices, comments=comments, comment=work["comment"])


def courses_demo_reset(*, organisations):
    """Remove the demo organisations' assessment objects, which protect their organisation (and
    question versions, which attempts protect) from deletion: submissions (with their private
    files) and attempts first, then assignments, quizzes, questions, banks and rubrics."""
    from .models import Assignment, Question, QuestionBank, Quiz, QuizAttempt, Rubric, Submission, SubmissionFile

    for stored in SubmissionFile.objects.filter(submission__assignment__organisation__in=organisations):
        stored.file.delete(save=False)
    Submission.objects.filter(assignment__organisation__in=organisations).delete()
    QuizAttempt.objects.filter(quiz__organisation__in=organisations).delete()
    Assignment.objects.filter(organisation__in=organisations).delete()
    Quiz.objects.filter(organisation__in=organisations).delete()
    Question.objects.filter(bank__organisation__in=organisations).delete()
    QuestionBank.objects.filter(organisation__in=organisations).delete()
    Rubric.objects.filter(organisation__in=organisations).delete()
