from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .services import user_profile_update


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Your profile is saved."))
        language = request.user.preferred_language
        response = redirect(translate_url(reverse("profile"), language) if language else reverse("profile"))
        if language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.preferred_language,
                                max_age=settings.LANGUAGE_COOKIE_AGE, secure=settings.LANGUAGE_COOKIE_SECURE)
        return response
    return render(request, "people/profile_edit.html", {"form": form})
