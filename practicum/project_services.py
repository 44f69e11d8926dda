"""Writes of practicum projects: the check every save of a project goes through.

The admin saves the project with its KPIs, products and competitor listings, then calls
`project_check` in the same transaction; a refusal rolls the whole save back and the form shows
the message (`practicum.wagtail_hooks`). The rules are those of issue "Practicum I", point 2: an
approved enterprise posts the project through its own staff, the KPI weights make 100 %, the
stores have somewhere to sell and something to sell, the competitors sell the project's
products in the project's markets at prices in the market's currency, and the rubric is the
enterprise's own.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.organisations.admin_scoping import user_is_organisation_staff
from academy.organisations.models import Organisation
from academy.organisations.selectors import user_is_platform_admin

from .models import Market
from .project_models import PracticumProject
from .selectors import ReferenceDataMissing, row_in_force

# The model permissions an organisation's editors group needs to post projects in the Wagtail
# admin (see migration 0004 and academy.organisations.services.GROUP_PERMISSIONS). KPIs, products
# and competitor listings are edited inside the project's form.
PROJECT_GROUP_PERMISSIONS = tuple(("practicum", f"{action}_practicumproject") for action in ("add", "change", "delete", "view"))

KPI_WEIGHTS_TOTAL = 100


def project_check(*, project: PracticumProject, by, day=None) -> None:
    """Refuse a saved project that breaks a rule of posting, with a message that says which.

    `day` is the day whose market rows decide each market's currency; by default today's date,
    since a competitor's price is checked when a mentor types it, not in the simulation.
    """
    if not user_is_organisation_staff(user=by, organisation=project.organisation):
        raise PermissionDenied(_("Only the enterprise's staff can manage its practicum projects."))
    organisation = project.organisation
    if organisation.kind != Organisation.Kind.ENTERPRISE or organisation.status != Organisation.Status.APPROVED:
        raise ValidationError({"organisation": _("Only an approved enterprise can post a practicum project.")})
    if project.ends_on <= project.starts_on:
        raise ValidationError({"ends_on": _("The project must end after it starts.")})
    if project.rubric_id is not None and project.rubric.organisation_id != project.organisation_id:
        raise ValidationError({"rubric": _("Choose one of the enterprise's own rubrics.")})
    if project.course_run_id is not None and not user_is_platform_admin(user=by):
        partners = project.course_run.course.partners.filter(organisation_id=project.organisation_id)
        if not partners.exists():
            raise ValidationError({"course_run": _("Choose a run of a course the enterprise co-runs.")})

    markets = list(project.target_markets or [])
    if not markets:
        raise ValidationError({"target_markets": _("Choose at least one target market.")})
    day = day or timezone.localdate()
    currencies = {}
    for code in markets:
        try:
            currencies[code] = row_in_force(Market, day=day, iso2=code).currency
        except ReferenceDataMissing:
            raise ValidationError(
                {"target_markets": _("The market %(code)s has no reference row in force on %(day)s.") % {"code": code, "day": day.isoformat()}}
            ) from None

    kpis = list(project.kpis.all())
    total = sum(kpi.weight_pct for kpi in kpis)
    if total != KPI_WEIGHTS_TOTAL:
        raise ValidationError(_("The KPI weights add up to %(total)s %%; they must add up to exactly 100 %%.") % {"total": total})

    skus = {product.sku for product in project.products.all()}
    if not skus:
        raise ValidationError(_("Add at least one product that the students may sell."))

    for listing in project.competitor_listings.all():
        if listing.market not in currencies:
            raise ValidationError(
                _("A competitor listing is for the market %(market)s, which is not one of the project's target markets.")
                % {"market": listing.market}
            )
        if listing.sku not in skus:
            raise ValidationError(
                _("A competitor listing is for the SKU %(sku)s, which is not one of the project's products.") % {"sku": listing.sku}
            )
        if listing.currency != currencies[listing.market]:
            raise ValidationError(
                _("A competitor listing in %(market)s is priced in %(currency)s; that market's currency is %(expected)s.")
                % {"market": listing.market, "currency": listing.currency, "expected": currencies[listing.market]}
            )
