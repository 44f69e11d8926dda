"""The demo: fictional universities and enterprises, their staff, the five demo logins of
PRODUCT.md and the home page's content in English and Simplified Chinese. Built with the same
factories and services as the tests, so the demo exercises the real approval path.

Every organisation and person here is invented; no name belongs to a real university or company.
"""

import random

import factory.random
from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page

from academy.home.models import HomePage
from academy.home.services import page_aliases_sync
from academy.organisations.factories import MembershipFactory, OrganisationFactory
from academy.organisations.models import Membership, Organisation, PartnerIndexPage
from academy.organisations.services import membership_approve, organisation_approve, organisation_profile_update
from academy.people.factories import UserFactory
from academy.people.models import User

DEMO_DOMAIN = "example.com"

ORGANISATIONS = [
    {
        "slug": "qingshan-university", "kind": Organisation.Kind.UNIVERSITY, "country": "CN",
        "name_en": "Qingshan University of International Trade", "name_zh": "青山国际贸易大学",
        "website": "https://qingshan-university.example.edu",
        "description_en": "A public university of commerce whose School of Cross-Border E-Commerce trains marketplace operators, customs specialists and logistics planners for the China–Central Asia corridor.",
        "description_zh": "一所公立商科大学，其跨境电子商务学院面向中国—中亚通道培养平台运营、报关与物流规划人才。",
    },
    {
        "slug": "steppe-bridge-university", "kind": Organisation.Kind.UNIVERSITY, "country": "KZ",
        "name_en": "Steppe Bridge University", "name_zh": "草原之桥大学",
        "website": "https://steppe-bridge.example.edu",
        "description_en": "A bilingual university on the Eurasian land bridge, teaching trade law, Russian- and Kazakh-language marketplace localisation and EAEU customs practice.",
        "description_zh": "位于亚欧大陆桥上的双语大学，讲授贸易法、俄语与哈萨克语市场本地化以及欧亚经济联盟海关实务。",
    },
    {
        "slug": "amber-loom-trading", "kind": Organisation.Kind.ENTERPRISE, "country": "CN",
        "name_en": "Amber Loom Trading", "name_zh": "琥珀织机跨境贸易",
        "website": "https://amber-loom.example.com",
        "description_en": "A cross-border marketplace seller of home textiles and small electronics, shipping to Kazakhstan, Poland and Germany from warehouses in Yiwu and Almaty.",
        "description_zh": "经营家纺与小家电的跨境电商卖家，从义乌和阿拉木图的仓库发货至哈萨克斯坦、波兰和德国。",
    },
    {
        "slug": "lotus-caravan-logistics", "kind": Organisation.Kind.ENTERPRISE, "country": "CN",
        "name_en": "Lotus Caravan Logistics", "name_zh": "莲驼国际物流",
        "website": "https://lotus-caravan.example.com",
        "description_en": "A logistics company running e-commerce lines, China–Europe rail consolidation and overseas warehouses, with a customs brokerage desk for small parcels.",
        "description_zh": "一家经营电商专线、中欧班列拼箱和海外仓的物流公司，设有小包报关服务台。",
    },
]

# One page below each organisation's page, as its editors would write. (Pages of the Chinese
# tree are aliases of these until someone translates them; the organisation's own name and
# description are bilingual fields.)
ORGANISATION_CONTENT = {
    "qingshan-university": (
        "School of Cross-Border E-Commerce",
        "<p>The school runs a three-year programme in marketplace operations with tracks in customs and logistics. Its practicum lab hosts the sandbox stores of the Silk Road Academy projects.</p><ul><li>Marketplace operations</li><li>Customs declaration and tariff classification</li><li>International logistics planning</li></ul>",
    ),
    "steppe-bridge-university": (
        "Centre for Eurasian Trade Law",
        "<p>The centre publishes an annual digest of customs and VAT changes for e-commerce in Kazakhstan, Russia and Belarus, written with its students.</p>",
    ),
    "amber-loom-trading": (
        "Practicum briefs",
        "<p>Each term we post a brief from our own catalogue: home textiles for Kazakhstan and Poland, with real weights, HS codes and competitor prices.</p>",
    ),
    "lotus-caravan-logistics": (
        "Rail and warehouse services",
        "<p>Weekly China–Europe rail consolidation from Xi'an, bonded storage in Małaszewicze and Almaty, and last-mile partners in twelve countries.</p>",
    ),
}

PENDING_ORGANISATION = {
    "slug": "harbour-lantern-college", "kind": Organisation.Kind.UNIVERSITY, "country": "MY",
    "name_en": "Harbour Lantern College", "name_zh": "港灯学院",
    "website": "https://harbour-lantern.example.edu",
    "description_en": "A college of applied business in Penang asking to co-run a Southeast Asia marketplace course.",
    "description_zh": "槟城的一所应用商科学院，申请合办东南亚市场课程。",
}

# email, display name, Latin name, native name, country, language, (organisation slug, role) or None
PEOPLE = [
    ("author@example.com", "Dr. Lin Yue", "Lin Yue", "林悦", "CN", "en", ("qingshan-university", Membership.Role.AUTHOR)),
    ("mentor@example.com", "Marat Akhmetov", "Marat Akhmetov", "Марат Ахметов", "KZ", "en", ("amber-loom-trading", Membership.Role.MENTOR)),
    ("student@example.com", "Aigerim Sadykova", "Aigerim Sadykova", "Әйгерім Садықова", "KZ", "en", None),
    ("graduate@example.com", "Chen Hao", "Chen Hao", "陈浩", "CN", "zh-hans", None),
    ("registrar@qingshan-university.example.edu", "Prof. Zhou Min", "Zhou Min", "周敏", "CN", "zh-hans", ("qingshan-university", Membership.Role.ORG_ADMIN)),
    ("dean@steppe-bridge.example.edu", "Prof. Dana Serikbayeva", "Dana Serikbayeva", "Дана Серикбаева", "KZ", "en", ("steppe-bridge-university", Membership.Role.ORG_ADMIN)),
    ("lecturer@steppe-bridge.example.edu", "Timur Bekov", "Timur Bekov", "Тимур Беков", "KZ", "en", ("steppe-bridge-university", Membership.Role.AUTHOR)),
    ("ops@amber-loom.example.com", "Wang Lei", "Wang Lei", "王磊", "CN", "zh-hans", ("amber-loom-trading", Membership.Role.ORG_ADMIN)),
    ("desk@lotus-caravan.example.com", "Liu Fang", "Liu Fang", "刘芳", "CN", "zh-hans", ("lotus-caravan-logistics", Membership.Role.ORG_ADMIN)),
    ("rail@lotus-caravan.example.com", "Sergei Orlov", "Sergei Orlov", "Сергей Орлов", "RU", "en", ("lotus-caravan-logistics", Membership.Role.MENTOR)),
]

PENDING_JOIN = ("applicant@example.com", "Nurlan Abenov", "Nurlan Abenov", "Нурлан Абенов", "KZ", "en", ("qingshan-university", Membership.Role.AUTHOR))
PENDING_JOIN_MESSAGE = "I teach customs declaration practice and would like to co-author the logistics module."

HOME_BODY = {
    "en": [
        ("hero", {
            "eyebrow": "Belt and Road talent",
            "heading": "Learn cross-border e-commerce where it is practised",
            "lead": "Courses co-run by universities and enterprises, a sandbox store on real briefs, and certificates that anyone can verify.",
            "primary_label": "Create an account", "primary_url": "/accounts/signup/",
            "secondary_label": "Meet our partners", "secondary_url": "/partners/",
        }),
        ("features", {
            "heading": "The hard parts, taught by the people who do them",
            "features": [
                {"title": "Logistics", "text": "Postal lines, express, China–Europe rail and overseas warehouses: what each costs, how long it takes, what it refuses."},
                {"title": "Customs", "text": "HS codes, declared values, duty and VAT, and de minimis thresholds that differ per country and change every year."},
                {"title": "Payment security", "text": "Escrow holds the buyer's money until delivery; every yuan moves on a double-entry ledger you can audit."},
                {"title": "Reputation", "text": "Ratings, disputes and refunds shape demand. Run a store long enough to live with your decisions."},
            ],
        }),
        ("partners", {"heading": "Co-run by universities and enterprises", "intro": "Every course has a lead university and enterprise partners who author case studies, post practicum projects and co-sign certificates."}),
        ("call_to_action", {"heading": "Teach or mentor with us", "text": "Universities and enterprises register an organisation; once approved it gets its own space to author courses and post projects.", "button_label": "Register an organisation", "button_url": "/organisations/apply/"}),
    ],
    "zh-hans": [
        ("hero", {
            "eyebrow": "“一带一路”人才培养",
            "heading": "在实践中学习跨境电商",
            "lead": "高校与企业合办课程，在真实项目上经营沙盘店铺，获得任何人都可验证的证书。",
            "primary_label": "注册账号", "primary_url": "/zh-hans/accounts/signup/",
            "secondary_label": "了解合作伙伴", "secondary_url": "/zh-hans/partners/",
        }),
        ("features", {
            "heading": "难点，由一线从业者来教",
            "features": [
                {"title": "物流", "text": "邮政小包、商业快递、中欧班列与海外仓：各自的成本、时效与限制。"},
                {"title": "报关", "text": "HS 编码、申报价值、关税与增值税，以及各国每年调整的免税门槛。"},
                {"title": "支付安全", "text": "第三方担保在妥投前托管买家货款；每一笔资金都记在可审计的复式账本上。"},
                {"title": "信誉", "text": "评分、纠纷与退款影响需求。经营足够长的时间，承担自己决策的后果。"},
            ],
        }),
        ("partners", {"heading": "高校与企业合办", "intro": "每门课程由一所牵头高校与企业伙伴共同开设：企业撰写案例、发布实训项目并联合签发证书。"}),
        ("call_to_action", {"heading": "成为授课或导师机构", "text": "高校与企业注册机构；审核通过后即拥有自己的空间，可编写课程、发布项目。", "button_label": "注册机构", "button_url": "/zh-hans/organisations/apply/"}),
    ],
}
PARTNER_INDEX = {
    "en": ("Partners", "Universities and enterprises that co-run courses and practicum projects on Silk Road Academy."),
    "zh-hans": ("合作伙伴", "在丝路学堂合办课程与实训项目的高校和企业。"),
}


LOGO_COLOURS = {
    "qingshan-university": ("#0f5e5c", "#e9c98f"),
    "steppe-bridge-university": ("#6b3f8a", "#f3e6c4"),
    "amber-loom-trading": ("#b0641b", "#fff4e0"),
    "lotus-caravan-logistics": ("#1f4e8c", "#dbe8f7"),
}


def _logo_png(slug, initials):
    """A plain monogram logo drawn with Pillow (the demo ships no image files)."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw, ImageFont

    background, foreground = LOGO_COLOURS.get(slug, ("#0f5e5c", "#ffffff"))
    image = Image.new("RGB", (256, 256), background)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((18, 18, 238, 238), radius=36, outline=foreground, width=8)
    font = ImageFont.load_default(size=96)
    draw.text((128, 132), initials, fill=foreground, font=font, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{slug}-logo.png", buffer.getvalue(), content_type="image/png")


def _organisation_content(organisation):
    from academy.home.models import StandardPage

    child_title, child_text = ORGANISATION_CONTENT[organisation.slug]
    page = organisation.pages.filter(alias_of__isnull=True).first().specific
    if not StandardPage.objects.child_of(page).exists():
        child = StandardPage(title=child_title, body=[("text", {"heading": "", "body": child_text})])
        Page.objects.get(pk=page.pk).add_child(instance=child)
        child.save_revision().publish()
        page_aliases_sync(page=child)


def demo_allowed():
    return getattr(settings, "ACADEMY_ALLOW_DEMO_DATA", False)


def _person(email, display, latin, native, country, language, *, is_superuser=False):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = UserFactory(
            email=email, display_name=display, name_latin=latin, name_native=native, country=country,
            preferred_language=language, password=settings.DEMO_PASSWORD,
            is_staff=is_superuser, is_superuser=is_superuser,
        )
    return user


def _home_pages():
    """The home and partner index pages in English and Chinese, with their content."""
    home = HomePage.objects.filter(locale__language_code="en").first() or HomePage.objects.first()
    partners = PartnerIndexPage.objects.filter(locale=home.locale).first()
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    home_zh = home.get_translation_or_none(zh) or home.copy_for_translation(zh)
    partners_zh = partners.get_translation_or_none(zh) or partners.copy_for_translation(zh)
    # Re-read each page before editing: publishing a stale copy would overwrite the tree's
    # child counts that creating the translations changed.
    for page, language in ((home, "en"), (home_zh, "zh-hans")):
        page = Page.objects.get(pk=page.pk).specific
        title = "Silk Road Academy" if language == "en" else "丝路学堂"
        if page.title != title or not page.body or page.has_unpublished_changes:
            page.title = title
            page.body = HOME_BODY[language]
            page.save_revision().publish()
    for page, language in ((partners, "en"), (partners_zh, "zh-hans")):
        page = Page.objects.get(pk=page.pk).specific
        if (page.title, page.intro) != PARTNER_INDEX[language] or page.has_unpublished_changes:
            page.title, page.intro = PARTNER_INDEX[language]
            page.save_revision().publish()


@transaction.atomic
def demo_reset():
    """Remove everything the demo created (people at the demo domains and the demo organisations)."""
    from certificates.demo import certificates_demo_reset
    from courses.demo import courses_demo_reset
    from practicum.demo import practicum_demo_reset

    slugs = [o["slug"] for o in ORGANISATIONS] + [PENDING_ORGANISATION["slug"]]
    organisations = Organisation.objects.filter(slug__in=slugs)
    # Certificates first: they protect their holders, achievements and issuers' organisations;
    # then practicum projects: they protect their enterprise and its rubrics.
    certificates_demo_reset(organisations=organisations)
    practicum_demo_reset(organisations=organisations)
    courses_demo_reset(organisations=organisations)
    for organisation in organisations:
        for page in sorted(organisation.pages.all(), key=lambda p: p.alias_of_id is None):
            page.delete()
        if organisation.group:
            organisation.group.delete()
        if organisation.logo:
            organisation.logo.delete()
        if organisation.collection:
            organisation.collection.delete()
    organisations.delete()
    emails = [p[0] for p in PEOPLE] + [PENDING_JOIN[0], "admin@example.com"]
    User.objects.filter(email__in=emails).delete()


@transaction.atomic
def demo_load(*, seed=2026):
    """Create (or complete) the demo. Running it twice changes nothing the second time."""
    random.seed(seed)
    factory.random.reseed_random(seed)

    admin = _person("admin@example.com", "Platform Admin", "Platform Admin", "平台管理员", "CN", "en", is_superuser=True)
    _home_pages()

    organisations = {}
    for data in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=data["slug"]).first()
        if organisation is None:
            organisation = OrganisationFactory(applied_by=admin, **data)
        if organisation.status == Organisation.Status.PENDING:
            organisation_approve(organisation=organisation, by=admin, note="Demo organisation.")
            organisation.refresh_from_db()
        if organisation.logo_id is None:
            initials = "".join(word[0] for word in data["name_en"].split()[:2]).upper()
            organisation_profile_update(organisation=organisation, by=admin, logo=_logo_png(data["slug"], initials))
        _organisation_content(organisation)
        organisations[data["slug"]] = organisation

    for email, display, latin, native, country, language, membership in PEOPLE:
        user = _person(email, display, latin, native, country, language)
        if membership:
            slug, role = membership
            member = MembershipFactory(organisation=organisations[slug], user=user, role=role)
            if member.status == Membership.Status.PENDING:
                membership_approve(membership=member, by=admin)

    applicant = _person(*PENDING_JOIN[:6])
    MembershipFactory(organisation=organisations[PENDING_JOIN[6][0]], user=applicant, role=PENDING_JOIN[6][1], message=PENDING_JOIN_MESSAGE)
    if not Organisation.objects.filter(slug=PENDING_ORGANISATION["slug"]).exists():
        OrganisationFactory(applied_by=applicant, **PENDING_ORGANISATION)

    from certificates.demo import certificates_demo_issuers, certificates_demo_load
    from courses.demo import courses_demo_load

    # Issuers with their signatories before any pass issues a certificate.
    certificates_demo_issuers(organisations=organisations, admin=admin)
    people = {user.email: user for user in User.objects.filter(email__in=[p[0] for p in PEOPLE])}
    courses_demo_load(admin=admin, organisations=organisations, people=people)

    from practicum.demo import practicum_demo_load

    practicum_demo_load(
        enterprise=organisations["amber-loom-trading"], mentor=people["mentor@example.com"],
        students=[people["student@example.com"], people["graduate@example.com"]], seed=seed,
    )
    certificates_demo_load(admin=admin)

    return demo_logins()


def demo_logins():
    password = settings.DEMO_PASSWORD
    return [
        ("admin@example.com", password, "platform admin"),
        ("author@example.com", password, "university author (Qingshan University of International Trade)"),
        ("mentor@example.com", password, "enterprise mentor (Amber Loom Trading)"),
        ("student@example.com", password, "student"),
        ("graduate@example.com", password, "graduate"),
    ]
