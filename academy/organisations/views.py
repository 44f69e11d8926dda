from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import validation_error_onto

from . import services
from .forms import DecisionForm, MembershipRequestForm, OrganisationApplyForm, OrganisationProfileForm
from .models import Membership, Organisation
from .selectors import (
    memberships_pending_for,
    organisation_members,
    organisations_joinable_for,
    organisations_pending,
    user_can_review_memberships,
    user_is_platform_admin,
)
from .transitions import IllegalTransition


def _nothing_changed(request, exc):
    messages.error(request, _("Nothing changed: %(reason)s") % {"reason": "; ".join(getattr(exc, "messages", [str(exc)]))})


def _form_submit(request, form, write, success_message, success_url):
    """Run a service with a valid form's data; its ValidationError lands on the form, so bad
    input comes back with a message and nothing typed is lost."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        write(**form.cleaned_data)
    except ValidationError as exc:
        validation_error_onto(form, exc)
        return None
    messages.success(request, success_message)
    return redirect(success_url)


@login_required
def organisation_apply(request):
    form = OrganisationApplyForm(request.POST or None)
    done = _form_submit(
        request, form, lambda **data: services.organisation_apply(applicant=request.user, **data),
        _("Thank you. A platform administrator will review your application."), "dashboard",
    )
    return done or render(request, "organisations/organisation_apply.html", {"form": form})


@login_required
def membership_request(request):
    organisations = organisations_joinable_for(user=request.user)
    form = MembershipRequestForm(request.POST or None, organisations=organisations)
    done = _form_submit(
        request, form, lambda **data: services.membership_request(user=request.user, **data),
        _("Your request has been sent to the organisation's admins."), "dashboard",
    )
    return done or render(request, "organisations/membership_request.html", {"form": form, "organisations": organisations})


@login_required
def review_queue(request):
    if not user_is_platform_admin(user=request.user):
        raise PermissionDenied
    return render(request, "organisations/review_queue.html", {
        "organisations": organisations_pending(),
        "memberships": memberships_pending_for(user=request.user),
    })


@login_required
@require_POST
def organisation_decide(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("organisation_review")
    action = services.organisation_approve if form.cleaned_data["decision"] == "approve" else services.organisation_reject
    try:
        action(organisation=organisation, by=request.user, note=form.cleaned_data["note"])
    except (IllegalTransition, ValidationError) as exc:
        _nothing_changed(request, exc)
    else:
        messages.success(request, _("%(name)s: %(status)s.") % {"name": organisation.name, "status": organisation.get_status_display()})
    return redirect("organisation_review")


@login_required
@require_POST
def membership_decide(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    if not user_can_review_memberships(user=request.user, organisation=membership.organisation):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    back = request.POST.get("back") or "dashboard"
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(back if back.startswith("/") and not back.startswith("//") else "dashboard")
    action = services.membership_approve if form.cleaned_data["decision"] == "approve" else services.membership_reject
    try:
        action(membership=membership, by=request.user, note=form.cleaned_data["note"])
    except (IllegalTransition, ValidationError) as exc:
        _nothing_changed(request, exc)
    else:
        messages.success(request, _("%(person)s: %(status)s.") % {"person": membership.user, "status": membership.get_status_display()})
    return redirect(back if back.startswith("/") and not back.startswith("//") else "dashboard")


@login_required
def organisation_members_view(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not user_can_review_memberships(user=request.user, organisation=organisation):
        raise PermissionDenied
    if request.method == "POST":
        membership_id = request.POST.get("membership", "")
        membership = get_object_or_404(Membership, pk=int(membership_id) if membership_id.isdigit() else None, organisation=organisation)
        try:
            if request.POST.get("action") == "remove":
                services.membership_remove(membership=membership, by=request.user)
            else:
                services.membership_role_change(membership=membership, role=request.POST.get("role", ""), by=request.user)
        except (IllegalTransition, ValidationError) as exc:
            _nothing_changed(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("organisation_members", slug=slug)
    return render(request, "organisations/organisation_members.html", {
        "organisation": organisation,
        "members": organisation_members(organisation=organisation),
        "roles": [(value, label) for value, label in Membership.Role.choices if value in services.ROLES_BY_KIND[organisation.kind]],
    })


@login_required
def organisation_edit(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not user_can_review_memberships(user=request.user, organisation=organisation):
        raise PermissionDenied
    form = OrganisationProfileForm(request.POST or None, request.FILES or None, instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in OrganisationProfileForm.Meta.fields}
        try:
            services.organisation_profile_update(organisation=organisation, by=request.user, logo=form.cleaned_data.get("logo") or None, **fields)
        except ValidationError as exc:
            validation_error_onto(form, exc)
        else:
            messages.success(request, _("The organisation's profile is saved."))
            return redirect("organisation_edit", slug=slug)
    return render(request, "organisations/organisation_edit.html", {"organisation": organisation, "form": form})
