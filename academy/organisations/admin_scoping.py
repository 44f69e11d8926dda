"""Confining a Wagtail `ModelViewSet` to the organisations a person works for.

Model permissions in Wagtail are model-wide: an author with "change question" may change every
question. Organisation data (question banks, rubrics, practicum projects) must stay inside its
organisation, so `OrganisationScopedViewSetMixin` narrows every view of the viewset to the
objects whose organisation the person is active staff of: the listing, edit, delete, inspect,
copy, history and usage views (another organisation's object gives 404, as if it did not exist),
and the choices of the form's foreign keys (`organisation_form_fields`). Platform administrators
see everything. The model permissions still decide what a person may do at all.

Usage::

    class QuestionViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
        model = Question
        organisation_field = "bank__organisation"
        organisation_form_fields = {"bank": "organisation"}
"""

from django.contrib.admin.utils import unquote
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage

from .models import Membership, Organisation
from .selectors import user_is_platform_admin


def organisations_staffed_by(*, user):
    """The approved organisations where `user` holds an active membership (any staff role), or
    None for a platform administrator, meaning every organisation."""
    if user_is_platform_admin(user=user):
        return None
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        status=Organisation.Status.APPROVED,
        memberships__user=user,
        memberships__status=Membership.Status.ACTIVE,
    )


def user_is_organisation_staff(*, user, organisation) -> bool:
    """Whether `user` may work on `organisation`'s own data: its active staff, or a platform admin."""
    organisations = organisations_staffed_by(user=user)
    return organisations is None or organisations.filter(pk=organisation.pk).exists()


class OrganisationScopedViewMixin:
    """Narrows a generic admin view to the user's organisations. The viewset passes
    `organisation_field` (the path from the model to its organisation) and
    `organisation_form_fields` (form field name -> path from that field's model to its
    organisation, "" when the field chooses an organisation itself)."""

    organisation_field = "organisation"
    organisation_form_fields = {}

    @cached_property
    def scoped_organisations(self):
        return organisations_staffed_by(user=self.request.user)

    def scope_queryset(self, queryset):
        organisations = self.scoped_organisations
        if organisations is None:
            return queryset
        lookup = f"{self.organisation_field}__in" if self.organisation_field else "pk__in"
        return queryset.filter(**{lookup: organisations.values("pk")})

    def scope_form(self, form):
        organisations = self.scoped_organisations
        if organisations is None:
            return form
        for name, path in self.organisation_form_fields.items():
            field = form.fields.get(name)
            if field is None or not hasattr(field, "queryset"):
                continue
            lookup = f"{path}__in" if path else "pk__in"
            field.queryset = field.queryset.filter(**{lookup: organisations.values("pk")})
        return form


class ScopedFormMixin(OrganisationScopedViewMixin):
    def get_form(self, form_class=None):
        return self.scope_form(super().get_form(form_class))


class ScopedIndexView(OrganisationScopedViewMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scope_queryset(super().get_base_queryset())


class ScopedCreateView(ScopedFormMixin, generic.CreateView):
    pass


class ScopedEditView(ScopedFormMixin, generic.EditView):
    def get_queryset(self):
        return self.scope_queryset(super().get_queryset())


class ScopedCopyView(ScopedFormMixin, generic.CopyView):
    def get_object(self, queryset=None):
        # CopyView looks the object up on the whole model; look it up among the user's instead.
        obj = get_object_or_404(self.scope_queryset(self.model._default_manager.all()), pk=unquote(str(self.kwargs[self.pk_url_kwarg])))
        if self.permission_policy and not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "view"], obj
        ):
            raise PermissionDenied
        return obj


class ScopedDeleteView(OrganisationScopedViewMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scope_queryset(super().get_queryset())

    def form_valid(self, form):
        # Organisation data is often protected by what uses it (a bank by its questions, a
        # question version by attempts). Wagtail refuses protected deletes only when its reference
        # index knows the references, so refuse with a message here rather than fail with a 500.
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(object)s” cannot be deleted while other records still use it.") % {"object": self.object},
            )
            return redirect(self.index_url_name)


class ScopedInspectView(OrganisationScopedViewMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scope_queryset(self.model._default_manager.all()), pk=unquote(str(self.pk)))


class ScopedHistoryView(OrganisationScopedViewMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scope_queryset(super().get_base_object_queryset())


class ScopedUsageView(OrganisationScopedViewMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scope_queryset(super().get_base_object_queryset())


class OrganisationScopedViewSetMixin:
    """Put before `ModelViewSet` in the bases. Subclass the `Scoped*View` classes for views of
    your own (they keep the scoping); every view class of the viewset must be one of them."""

    organisation_field = "organisation"
    organisation_form_fields = {}

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    copy_view_class = ScopedCopyView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            organisation_field=self.organisation_field,
            organisation_form_fields=self.organisation_form_fields,
            **kwargs,
        )

    def on_register(self):
        super().on_register()
        # A view class that is not scoped would show every organisation's objects.
        for attribute in ("index_view_class", "add_view_class", "edit_view_class", "copy_view_class", "delete_view_class",
                          "inspect_view_class", "history_view_class", "usage_view_class"):
            view_class = getattr(self, attribute)
            if not issubclass(view_class, OrganisationScopedViewMixin):
                raise TypeError(f"{type(self).__name__}.{attribute} must subclass OrganisationScopedViewMixin, not {view_class.__name__}.")
