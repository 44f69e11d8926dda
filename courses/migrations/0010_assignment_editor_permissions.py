"""Give every existing organisation's editors group the model permissions of assignments, so its
staff see "Assignments" under "Assessment" in the admin (the admin views confine them to their
own organisation). Organisations approved later get them from
academy.organisations.services.GROUP_PERMISSIONS."""

from django.db import migrations

from ._group_grants import grant_to_editors_groups

# Spelled out rather than imported: a migration must not change when the code does.
CODENAMES = ("add_assignment", "change_assignment", "delete_assignment", "view_assignment")


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0009_assignments_and_grades"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_to_editors_groups(CODENAMES)]
