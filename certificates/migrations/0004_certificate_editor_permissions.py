"""Give every existing organisation's editors group the model permissions of the certificates
admin (templates, the issuer's signatory, certificates and their batches), so its staff see
"Certificates" in the admin; the admin views confine them to what their organisation issued or
co-signed. Organisations approved later get them from
academy.organisations.services.GROUP_PERMISSIONS.

`publish_certificatetemplate` is made by Wagtail after migrations for models with draft states,
so it is made here when missing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Spelled out rather than imported: a migration must not change when the code does.
CODENAMES = (
    "add_certificatetemplate", "change_certificatetemplate", "delete_certificatetemplate", "view_certificatetemplate",
    "publish_certificatetemplate",
    "change_issuer", "view_issuer",
    "add_certificate", "change_certificate", "view_certificate",
)


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="certificates", codename__in=CODENAMES))


def _editors_groups(apps):
    Organisation = apps.get_model("organisations", "Organisation")
    return [organisation.group for organisation in Organisation.objects.filter(group__isnull=False).select_related("group")]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create the
    # certificates ones now so they can be granted here.
    app_config = apps.get_app_config("certificates")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(app_label="certificates", model="certificatetemplate")
    Permission.objects.get_or_create(
        content_type=content_type, codename="publish_certificatetemplate", defaults={"name": "Can publish certificate template"},
    )
    permissions = _permissions(apps)
    for group in _editors_groups(apps):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = _permissions(apps)
    for group in _editors_groups(apps):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_pdf_templates_signatories_batches"),
        ("organisations", "0002_create_partner_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
