"""Shared by the migrations that give existing organisations' editors groups the model
permissions of a new admin section (0004, 0006, 0008, 0010). Organisations approved later get them
from academy.organisations.services.GROUP_PERMISSIONS. Django does not load this module as a
migration (its name starts with an underscore); it lives with the migrations and, like them,
does not change when the app's code does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="courses", codename__in=codenames))


def _editors_groups(apps):
    Organisation = apps.get_model("organisations", "Organisation")
    return [organisation.group for organisation in Organisation.objects.filter(group__isnull=False).select_related("group")]


def grant_to_editors_groups(codenames):
    """A reversible RunPython granting `codenames` (of the courses app) to every editors group."""

    def grant(apps, schema_editor):
        # Permissions are normally created after all migrations (post_migrate); create the
        # courses ones now so they can be granted here.
        app_config = apps.get_app_config("courses")
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
        permissions = _permissions(apps, codenames)
        for group in _editors_groups(apps):
            group.permissions.add(*permissions)

    def revoke(apps, schema_editor):
        permissions = _permissions(apps, codenames)
        for group in _editors_groups(apps):
            group.permissions.remove(*permissions)

    return migrations.RunPython(grant, revoke)
