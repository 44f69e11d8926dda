from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "academy.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from . import signal_handlers  # noqa: F401
