"""Setting up a benchmark that runs on its own (`python -m bench.practicum_day`,
`python -m bench.certificate_issue`): a throwaway SQLite database in `tmp` and the test settings,
as `python -m bench` uses, migrated. Imports nothing of Django before the settings are chosen."""

import os
import warnings


def configure_and_migrate(tmp):
    os.environ["DJANGO_SETTINGS_MODULE"] = "academy.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["ACADEMY_VAR_DIR"] = tmp
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    warnings.filterwarnings("ignore", message="No directory at")
    warnings.filterwarnings("ignore", message="The FORMS_URLFIELD_ASSUME_HTTPS")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
