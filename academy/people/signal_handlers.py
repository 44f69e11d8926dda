from allauth.account.signals import user_logged_in
from django.conf import settings
from django.dispatch import receiver
from django.urls import translate_url


@receiver(user_logged_in)
def language_cookie_set(sender, request, user, response=None, **kwargs):
    """Switch the site to the person's preferred language when they sign in: the cookie for
    later visits, and the redirect after sign-in goes to that language's URL."""
    if response is not None and user.preferred_language:
        if response.has_header("Location"):
            response["Location"] = translate_url(response["Location"], user.preferred_language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.preferred_language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
