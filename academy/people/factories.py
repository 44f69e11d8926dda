import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from .models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified primary e-mail address (so they can sign in)."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    name_latin = factory.SelfAttribute("display_name")
    country = "CN"
    preferred_language = ""
    is_active = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or settings.DEMO_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )
