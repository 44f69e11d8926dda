"""Give every existing organisation's editors group the model permissions of practicum projects,
so an enterprise's mentors see "Practicum projects" in the admin (the admin views confine them to
their own enterprise, and the form offers enterprises only). Organisations approved later get
them from academy.organisations.services.GROUP_PERMISSIONS. KPIs, products and competitor
listings are edited inside the project's form, so the project's permissions are enough."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Spelled out rather than imported: a migration must not change when the code does.
CODENAMES = ("add_practicumproject", "change_practicumproject", "delete_practicumproject", "view_practicumproject")


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="practicum", codename__in=CODENAMES))


def _editors_groups(apps):
    Organisation = apps.get_model("organisations", "Organisation")
    return [organisation.group for organisation in Organisation.objects.filter(group__isnull=False).select_related("group")]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create practicum's
    # now so they can be granted here.
    app_config = apps.get_app_config("practicum")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    permissions = _permissions(apps)
    for group in _editors_groups(apps):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = _permissions(apps)
    for group in _editors_groups(apps):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("practicum", "0003_practicum_projects"),
        ("organisations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
