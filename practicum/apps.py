from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticumConfig(AppConfig):
    name = "practicum"
    verbose_name = _("Practicum")
