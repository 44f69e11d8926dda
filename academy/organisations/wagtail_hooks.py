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


def _organisation_page_guard(request, pages):
    from django.contrib import messages
    from django.shortcuts import redirect

    from .models import OrganisationPage
    from .selectors import user_is_platform_admin

    if user_is_platform_admin(user=request.user):
        return None
    for page in pages:
        if isinstance(page.specific_deferred, OrganisationPage):
            messages.error(request, _("Only a platform administrator can delete or unpublish an organisation's own page."))
            return redirect("wagtailadmin_explore", page.pk)
    return None


@hooks.register("before_delete_page")
def organisation_page_delete_guard(request, page):
    """An organisation's editors may delete pages below their organisation page, never the
    page itself (Wagtail lets edit and publish rights delete a page without children)."""
    return _organisation_page_guard(request, [page])


@hooks.register("before_unpublish_page")
def organisation_page_unpublish_guard(request, page):
    """Unpublishing the organisation page would hide the organisation from the site."""
    return _organisation_page_guard(request, [page])


@hooks.register("before_bulk_action")
def organisation_page_bulk_guard(request, action_type, objects, action_class_instance):
    """The same rule for the explorer's bulk delete and unpublish."""
    if action_type in ("delete", "unpublish") and getattr(action_class_instance, "models", None):
        from wagtail.models import Page

        if any(issubclass(model, Page) for model in action_class_instance.models):
            return _organisation_page_guard(request, objects)
    return None


@hooks.register("before_move_page")
def page_move_guard(request, page, destination):
    """Wagtail's move confirmation renders for any page; refuse it unless the move is allowed,
    so an editor cannot even read another organisation's draft titles through it."""
    from django.core.exceptions import PermissionDenied

    if not page.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied
    return None
