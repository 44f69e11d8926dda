from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = _("Silk Road Academy")

    def ready(self):
        from . import checks  # noqa: F401
