from django.db import transaction

from .models import User

PROFILE_FIELDS = ("display_name", "name_latin", "name_native", "country", "preferred_language")


@transaction.atomic
def user_profile_update(*, user: User, **fields) -> User:
    """Change a person's profile fields; unknown field names are a programming error."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    return user
