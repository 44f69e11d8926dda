from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_decimal
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy as _, to_locale

from academy.templatetags.academy_tags import can_access_admin

from .calculator import calculate, citation, products_matching
from .customs import CustomsInputError
from .forms import LandedCostForm, ProductSearchForm
from .logistics import LogisticsInputError
from .models import CustomsRule
from .money import format_money
from .selectors import ReferenceDataMissing, reference_row_detail

SUBMIT = "calculate"
# What a product link fills in; the rest of the query string is carried over as it was typed.
PRODUCT_FIELDS = ("hs", "weight", "battery")

LINE_LABELS = {
    "goods": _("Goods value"),
    "shipping": _("International shipping"),
    "duty": _("Import duty"),
    "vat": _("Import VAT / GST"),
    "total": _("Landed total"),
}
CHANNEL_KINDS = {
    "postal": _("Postal"), "line": _("E-commerce line"), "express": _("Express"), "rail": _("Rail container"),
    "sea": _("Sea container"), "lastmile": _("Overseas warehouse"),
}


def landed_cost(request):
    """The public landed-cost calculator: a GET form, so every result is a link to itself."""
    submitted = SUBMIT in request.GET
    form = LandedCostForm(request.GET if submitted else None, initial=_initial(request.GET))
    reference = form.reference
    search = ProductSearchForm(request.GET if "q" in request.GET else None)
    query = search.cleaned_data["q"].strip() if search.is_bound and search.is_valid() else ""
    products = products_matching(day=reference.day, query=query) if query else []

    calculation = None
    if submitted and form.is_valid():
        data = form.cleaned_data
        try:
            calculation = calculate(
                reference=reference, market=data["market"], hs_code=data["hs"], goods_value=data["value"],
                goods_currency=data["currency"], weight_kg=data["weight"], has_battery=data["battery"],
                incoterm=data["incoterm"], shipping_mode=data["shipping_mode"], channel=data["channel"],
                shipping=data["shipping"], shipping_currency=data["shipping_currency"],
            )
        except (CustomsInputError, ReferenceDataMissing, LogisticsInputError) as error:
            form.add_error(None, str(error).splitlines()[0])

    locale = to_locale(get_language() or "en")
    context = {
        "form": form,
        "search": search,
        "query": query,
        "products": [_product(p, request.GET) for p in products],
        "carried": [(k, v) for k, v in request.GET.items() if k not in {"q", SUBMIT}],
        "calculation": calculation,
        "show_admin_links": can_access_admin(request.user),
    }
    if calculation is not None:
        context.update(_present(calculation, reference, locale))
    return render(request, "practicum/landed_cost.html", context)


def _initial(params) -> dict:
    """Values carried in the query string (from a product link or a search) shown before a submit."""
    fields = LandedCostForm.base_fields
    return {name: params[name] for name in fields if name in params}


def _product(product, params) -> dict:
    kept = [(k, v) for k, v in params.items() if k not in {SUBMIT, *PRODUCT_FIELDS}]
    filled = [("hs", product.hs_code), ("weight", str((Decimal(product.weight_g) / 1000).normalize()))]
    if product.battery:
        filled.append(("battery", "on"))
    return {"product": product, "url": f"?{urlencode(kept + filled)}#calculator"}


def _present(calculation, reference, locale) -> dict:
    """The calculation with its amounts formatted for the reader's locale and its codes translated."""
    currency = calculation.currency
    lines = [
        {
            "line": line,
            "label": LINE_LABELS.get(line.code, line.label),
            "amount": format_money(line.amount, currency, locale),
            "amount_cny": format_money(line.amount_cny, "CNY", locale),
            "rule": _rule_label(line.rule),
        }
        for line in calculation.lines
    ]
    options = [_option(option, reference, currency, locale) for option in calculation.options]
    chosen = next((o for o in options if o["option"].chosen), None)
    landed = calculation.landed
    summary = None
    if landed is not None:
        total = calculation.total
        summary = {
            "total": format_money(total.amount, currency, locale),
            "total_cny": format_money(total.amount_cny, "CNY", locale),
            "taxes": format_money(landed.duty.amount + landed.vat.amount, currency, locale),
            "rule": _rule_label(landed.rule),
        }
    return {"lines": lines, "options": options, "chosen": chosen, "summary": summary,
            "market_label": calculation.market.name}


def _option(option, reference, currency, locale) -> dict:
    quote = option.quote
    channel = reference.channel(quote.channel)
    return {
        "option": option,
        "quote": quote,
        "kind": CHANNEL_KINDS.get(quote.kind, quote.kind),
        "price_cny": format_money(quote.price_cny, "CNY", locale) if quote.price_cny is not None else "",
        "price_market": format_money(option.price_market, currency, locale) if option.price_market is not None else "",
        "loss_rate": format_decimal(quote.loss_rate_pct.normalize(), locale=locale),
        "restrictions": [_note(note, quote, channel, locale) for note in quote.restrictions],
        "reasons": [_note(note, quote, channel, locale) for note in quote.reasons],
        "citations": (citation(channel),) if channel is not None else (),
    }


def _kg(grams, locale) -> str:
    return _("%(kg)s kg") % {"kg": format_decimal(Decimal(grams) / 1000, locale=locale)}


def _note(note, quote, channel, locale) -> str:
    """A channel's restriction or refusal in the reader's language (the logistics module's text is English)."""
    max_weight = _kg(channel.max_weight_g, locale) if channel is not None else ""
    texts = {
        "max_weight": lambda: _("up to %(weight)s") % {"weight": max_weight},
        "container": lambda: _("one price per container (restocking an overseas warehouse)"),
        "no_batteries": lambda: _("no batteries"),
        "dap_only": lambda: _("DAP only: the buyer clears customs"),
        "markets": lambda: _("serves %(markets)s only") % {"markets": ", ".join(sorted(channel.markets.split()))},
        "over_max_weight": lambda: _("%(weight)s is over the %(limit)s limit") % {
            "weight": _kg(quote.weight_g, locale), "limit": max_weight},
        "battery_refused": lambda: _("refuses batteries"),
        "market_not_served": lambda: _("does not serve %(market)s") % {"market": quote.market},
        "ddp_not_supported": lambda: _("cannot clear customs for the seller (DDP); ship DAP"),
    }
    if note.code not in texts or (channel is None and note.code in {"max_weight", "markets", "over_max_weight"}):
        return note.text
    return str(texts[note.code]())


def _rule_label(rule: str) -> str:
    try:
        return str(CustomsRule(rule).label)
    except ValueError:
        return rule


def reference_row(request, table, pk):
    """A reference row as the public sees it: every value, its source and its dated history."""
    detail = reference_row_detail(table=table, pk=pk)
    if detail is None:
        raise Http404
    return render(request, "practicum/reference_row.html", detail)
