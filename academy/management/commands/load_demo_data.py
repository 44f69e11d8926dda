from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from academy import demo


class Command(BaseCommand):
    help = "Load the demo organisations, people and pages (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Seed for everything random in the demo.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo's data first, then load it again.")

    def handle(self, *args, seed, reset, **options):
        if not demo.demo_allowed():
            raise CommandError("Refusing to load demo data with these settings (ACADEMY_ALLOW_DEMO_DATA is off, as in production).")
        if reset:
            demo.demo_reset()
            self.stdout.write("Demo data removed.")
        logins = demo.demo_load(seed=seed)
        # Wagtail indexes pages in background tasks; index now so the catalog's search finds the
        # demo courses before a worker has caught up.
        call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        for email, password, role in logins:
            self.stdout.write(f"  {email:<24} {password:<18} {role}")
