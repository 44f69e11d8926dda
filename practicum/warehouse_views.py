"""The store's overseas warehouses page (issue "Practicum II", point 1): the warehouses in force
for the project's markets with their fees, the store's stock in each, its containers with every
figure of their landed cost and the rule it came from, the form to ship a container (with a
preview of its freight and arrival window) and what the store owes.

Access as every store page (`store_views._store_or_404`): the team's members read and ship, a
mentor of the run reads (a POST is refused with 403), anyone else gets 404. The writes are
`practicum.warehouse_services`'; a ValidationError comes back on the form with what was typed,
answered 400.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from academy.forms import validation_error_onto

from .ledger import AccountCode
from .ledger_labels import ACCOUNT_LABELS
from .store_views import Money, _store_context, _store_or_404
from .views import LINE_LABELS
from .warehouse_forms import InboundShipForm
from .warehouse_selectors import store_warehouses as warehouses_page
from .warehouse_services import inbound_plan, inbound_ship


@login_required
@require_http_methods(["GET", "POST"])
def store_warehouses(request, store_id):
    """The warehouses page; a POST previews ("preview") or ships a container."""
    access = _store_or_404(request, store_id)
    store = access.store
    page = warehouses_page(store=store)
    form_kwargs = {"warehouses": page.warehouses, "channels": page.channels, "products": page.products, "china": page.china}
    form, plan, status = None, None, 200
    if request.method == "POST":
        form = InboundShipForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "preview" in request.POST:
                    plan = inbound_plan(store=store, warehouse=data["warehouse"], channel=data["channel"],
                                        quantities=form.quantities())
                else:
                    inbound = inbound_ship(store=store, warehouse=data["warehouse"], channel=data["channel"],
                                           quantities=form.quantities(), by=request.user)
            except ValidationError as exc:
                validation_error_onto(form, exc)  # "quantities" is no field: its errors go on the form
            else:
                if plan is None:
                    messages.success(request, _("Container %(number)s is on its way to %(warehouse)s; it arrives on "
                                                "%(day)s.") % {"number": inbound.number, "warehouse": inbound.warehouse,
                                                              "day": inbound.arrives_on.isoformat()})
                    return redirect(reverse("practicum_warehouses", args=[store.pk]) + "#inbounds")
        if form.errors:
            status = 400
    elif access.can_edit:
        form = InboundShipForm(**form_kwargs)
    money = Money()
    context = _store_context(access, "warehouses")
    context.update({
        "page": page, "form": form, "plan": _plan_figures(plan, money) if plan else None,
        "warehouses": [_warehouse_row(w, money) for w in page.warehouses],
        "stock": [_stock_row(s, money) for s in page.stock],
        "inbounds": [_inbound_row(i, money) for i in page.inbounds],
        "owed": [{"label": ACCOUNT_LABELS.get(AccountCode(code), code), "code": code, "currency": currency,
                  "amount": money(amount, currency)} for (code, currency), amount in sorted(page.owed.items())],
        "available_text": money(page.available_minor, "CNY"),
    })
    return render(request, "practicum/store_warehouses.html", context, status=status)


def _per_kg(units: int, money) -> str:
    return money(units, "CNY")


def _warehouse_row(row, money) -> dict:
    return {"row": row, "storage": _per_kg(row.storage_fee_cny_minor_per_kg_day, money),
            "handling": _per_kg(row.inbound_handling_cny_minor_per_kg, money)}


def _stock_row(stock, money) -> dict:
    unit = Decimal(stock.cost_minor) / stock.on_hand / 100 if stock.on_hand else None
    return {"stock": stock, "cost": money(stock.cost_minor, "CNY"),
            "unit_cost": money.amount(unit.quantize(Decimal("0.01")), "CNY") if unit is not None else "—"}


def _inbound_row(inbound, money) -> dict:
    currency = inbound.currency
    lines = []
    for line in inbound.lines.all():
        unit = Decimal(line.landed_cost_minor) / line.quantity / 100 if line.landed_cost_minor else None
        lines.append({
            "line": line, "goods": money(line.goods_cost_minor, "CNY"), "freight": money(line.freight_share_minor, "CNY"),
            "duty": money(line.duty_minor, currency), "vat": money(line.vat_minor, currency),
            "handling": money(line.handling_minor, "CNY"), "landed": money(line.landed_cost_minor, "CNY"),
            "unit_cost": money.amount(unit.quantize(Decimal("0.01")), "CNY") if unit is not None else "",
            "breakdown": [{
                "code": row["code"], "label": LINE_LABELS.get(row["code"], row["label"]), "rule": row["rule"],
                "amount": money.amount(Decimal(row["amount"]), row["currency"]), "formula": row["formula"],
                "source": row["source"], "refs": row["refs"],
                "amount_cny": money.amount(Decimal(row["amount_cny"]), "CNY") if row.get("amount_cny") else "",
            } for row in line.lines],
        })
    return {
        "inbound": inbound, "lines": lines, "freight": money(inbound.freight_minor, "CNY"),
        "duty": money(inbound.duty_minor, currency), "vat": money(inbound.vat_minor, currency),
        "handling": money(inbound.handling_minor, "CNY"), "refs": inbound.refs,
        "received": inbound.status == inbound.Status.RECEIVED,
    }


def _plan_figures(plan, money) -> dict:
    return {
        "plan": plan, "freight": money(plan.freight_minor, "CNY"), "goods": money(plan.goods_cost_minor, "CNY"),
        "weight_kg": money.number(Decimal(plan.weight_g) / 1000),
        "lines": [{"line": line, "goods": money(line.goods_cost_minor, "CNY"), "freight": money(line.freight_share_minor, "CNY")}
                  for line in plan.lines],
    }


__all__ = ["store_warehouses"]
