"""Give every existing organisation's editors group the model permissions of the question bank,
so its staff see "Question banks" in the admin (the admin views confine them to their own
organisation). Organisations approved later get them from
academy.organisations.services.GROUP_PERMISSIONS."""

from django.db import migrations

from ._group_grants import grant_to_editors_groups

# Spelled out rather than imported: a migration must not change when the code does.
CODENAMES = (
    "add_questionbank", "change_questionbank", "delete_questionbank", "view_questionbank",
    "add_question", "change_question", "delete_question", "view_question",
)


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0003_question_bank"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_to_editors_groups(CODENAMES)]
