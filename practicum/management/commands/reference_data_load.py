from django.core.management.base import BaseCommand
from django.db import transaction

from practicum.reference_data import reference_data_load


class Command(BaseCommand):
    help = "Load (or refresh) the dated reference data from data/reference/*.csv. Rows added in the admin are kept."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = reference_data_load()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rows")
