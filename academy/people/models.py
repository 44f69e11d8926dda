"""People: the platform's user, who signs in with an e-mail address, and the profile fields a
certificate prints (a name in Latin script and one in the person's own script)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class UserManager(DjangoUserManager):
    """Users are identified by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


def language_choices():
    return settings.LANGUAGES


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True,
        help_text=_("How the platform greets you and how classmates see you."),
    )
    name_latin = models.CharField(
        _("name in Latin script"), max_length=120, blank=True,
        help_text=_("Your full name as it should be printed on certificates, in Latin letters."),
    )
    name_native = models.CharField(
        _("name in your own script"), max_length=120, blank=True,
        help_text=_("Your full name in your own script, for example in Chinese characters. Leave empty if it is the same."),
    )
    country = CountryField(_("country"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=language_choices,
        help_text=_("The language the site uses for you after you sign in."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return self.display_name or self.name_latin or super().get_full_name().strip()

    def get_short_name(self):
        return self.display_name or self.first_name or self.email.split("@")[0]
