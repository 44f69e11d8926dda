"""The people services: changing one's profile, validated, and only the profile fields."""

import pytest
from django.core.exceptions import ValidationError

from academy.people.models import User
from academy.people.services import user_profile_update

pytestmark = pytest.mark.django_db


def test_profile_update_saves_the_profile_fields(student):
    """Every profile field given is saved."""
    user_profile_update(
        user=student, display_name="Aru", name_latin="Aruzhan Seitkali", name_native="Аружан Сейткали",
        country="KZ", preferred_language="zh-hans",
    )

    stored = User.objects.get(pk=student.pk)
    assert (stored.display_name, stored.name_latin, stored.name_native, stored.country.code, stored.preferred_language) == (
        "Aru", "Aruzhan Seitkali", "Аружан Сейткали", "KZ", "zh-hans")


def test_profile_update_touches_only_the_fields_given(student):
    """Fields not passed keep their stored values."""
    user_profile_update(user=student, name_native="阿茹")

    stored = User.objects.get(pk=student.pk)
    assert stored.name_native == "阿茹"
    assert (stored.display_name, stored.country.code) == ("Aru Student", "CN")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"country": "XX"}, "country"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"name_latin": "y" * 121}, "name_latin"),
    ],
)
def test_profile_update_validates_and_saves_nothing_when_invalid(student, fields, field):
    """A value the model does not accept is a ValidationError on that field, and nothing is saved."""
    with pytest.raises(ValidationError) as excinfo:
        user_profile_update(user=student, **({"display_name": "Changed"} | fields))

    assert field in excinfo.value.message_dict
    stored = User.objects.get(pk=student.pk)
    assert stored.display_name == "Aru Student"
    assert (stored.preferred_language, stored.country.code) == ("", "CN")


@pytest.mark.parametrize("field", ["email", "is_staff", "is_superuser", "password", "nickname"])
def test_profile_update_rejects_fields_outside_the_profile(student, field):
    """Anything but a profile field (e-mail, staff flags, password, a typo) is refused with a
    TypeError before anything is changed."""
    with pytest.raises(TypeError):
        user_profile_update(user=student, display_name="Changed", **{field: "x"})

    stored = User.objects.get(pk=student.pk)
    assert stored.display_name == "Aru Student"
    assert (stored.email, stored.is_staff, stored.is_superuser) == ("a-student@example.com", False, False)
    assert student.display_name == "Aru Student"


def test_profile_update_accepts_empty_optional_fields(student):
    """Clearing the optional fields (native name, country, language) is allowed."""
    user_profile_update(user=student, name_native="", country="", preferred_language="")

    stored = User.objects.get(pk=student.pk)
    assert (stored.name_native, stored.country.code or "", stored.preferred_language) == ("", "", "")
