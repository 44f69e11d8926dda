"""`manage.py landed_cost`: the landed-cost calculator's breakdown on the command line."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def _decimal(name, text):
    """Parse a number option here rather than in argparse, so bad input is one line on stderr."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"--{name} must be a number, not {text!r}.") from None
    if not value.is_finite():
        raise CommandError(f"--{name} must be a finite number.")
    return value


def _day(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--day must be a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Show how a goods value becomes a landed cost in a market, rule by rule (same engine as the calculator page)."

    def add_arguments(self, parser):
        parser.add_argument("--market", required=True, help="Destination market, ISO 3166 code (e.g. KZ).")
        parser.add_argument("--hs", required=True, help="HS code of the goods, 6 to 10 digits.")
        parser.add_argument("--value", required=True, help="Declared goods value.")
        parser.add_argument("--currency", required=True, help="Currency of the goods value (ISO 4217).")
        parser.add_argument("--weight-kg", required=True, help="Gross weight in kg.")
        parser.add_argument("--shipping", required=True, help="International shipping cost.")
        parser.add_argument("--shipping-currency", required=True, help="Currency of the shipping cost.")
        parser.add_argument("--incoterm", required=True, help="DDP (the seller pays duty and VAT) or DAP (the buyer does).")
        parser.add_argument("--day", default=None, help="Day of the rates, YYYY-MM-DD (default: today).")
        parser.add_argument("--json", action="store_true", help="Print the breakdown as JSON.")

    def handle(self, *args, **options):
        from practicum.customs import CustomsInputError
        from practicum.selectors import ReferenceDataMissing, landed_cost_on

        day = _day(options["day"]) if options["day"] else timezone.localdate()
        try:
            result = landed_cost_on(
                market=options["market"], hs_code=options["hs"], goods_value=_decimal("value", options["value"]),
                goods_currency=options["currency"], weight_kg=_decimal("weight-kg", options["weight_kg"]),
                shipping=_decimal("shipping", options["shipping"]),
                shipping_currency=options["shipping_currency"], incoterm=options["incoterm"], day=day,
            )
        except (CustomsInputError, ReferenceDataMissing) as exc:
            raise CommandError(str(exc).splitlines()[0]) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.market} {result.rule} ({result.incoterm}), {day.isoformat()}")
        for line in result.lines:
            self.stdout.write(f"  {line.label:<28} {line.amount:>16} {line.currency}   {line.formula}")
