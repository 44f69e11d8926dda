"""Admin wiring: the competency framework as an editable tree for platform administrators, and
a link from the admin to the run management pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Competency


class CompetencyViewSet(ModelViewSet):
    model = Competency
    icon = "tag"
    menu_label = _("Competencies")
    menu_order = 260
    add_to_admin_menu = True
    name = "competencies"
    list_display = ["code", "name_en", "name_zh", "parent"]
    list_filter = ["parent"]
    search_fields = ["code", "name_en", "name_zh"]
    form_fields = ["code", "parent", "name_en", "name_zh", "description_en", "description_zh", "sort_order"]
    ordering = ["sort_order", "code"]


@hooks.register("register_admin_viewset")
def register_competency_viewset():
    return CompetencyViewSet()


class TeachMenuItem(MenuItem):
    def is_shown(self, request):
        from .selectors import courses_managed_by

        return bool(courses_managed_by(user=request.user))


@hooks.register("register_admin_menu_item")
def register_teach_menu_item():
    return TeachMenuItem(_("Course runs"), reverse("courses:teach"), icon_name="group", order=250)
