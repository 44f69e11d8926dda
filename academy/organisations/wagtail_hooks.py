"""Admin wiring: platform administrators browse and correct organisations in Wagtail. Status
changes are not editable here; they go through the review queue and its services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Organisation


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 250
    add_to_admin_menu = True
    form_fields = ["kind", "name_en", "name_zh", "slug", "country", "website", "description_en", "description_zh", "logo"]
    list_display = ["name_en", "name_zh", "kind", "country", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name_en", "name_zh", "slug"]
    inspect_view_enabled = True


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisations")


class ReviewQueueMenuItem(MenuItem):
    def is_shown(self, request):
        from .selectors import user_is_platform_admin

        return user_is_platform_admin(user=request.user)


@hooks.register("register_admin_menu_item")
def register_review_queue_menu_item():
    return ReviewQueueMenuItem(_("Review applications"), reverse("organisation_review"), icon_name="tasks", order=260)
