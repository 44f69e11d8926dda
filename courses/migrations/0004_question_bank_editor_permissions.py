"""Give every existing organisation's editors group the model permissions of the question bank,
so its staff see "Question banks" in the admin (the admin views confine them to their own
organisation). Organisations approved later get them from
academy.organisations.services.GROUP_PERMISSIONS."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Spelled out rather than imported: a migration must not change when the code does.
CODENAMES = (
    "add_questionbank", "change_questionbank", "delete_questionbank", "view_questionbank",
    "add_question", "change_question", "delete_question", "view_question",
)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create the
    # courses ones now so they can be granted in this migration.
    app_config = apps.get_app_config("courses")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Organisation = apps.get_model("organisations", "Organisation")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="courses", codename__in=CODENAMES))
    for organisation in Organisation.objects.filter(group__isnull=False).select_related("group"):
        organisation.group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="courses", codename__in=CODENAMES))
    for organisation in Organisation.objects.filter(group__isnull=False).select_related("group"):
        organisation.group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0003_question_bank"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
