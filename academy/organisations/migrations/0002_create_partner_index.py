"""The partner index page under the home page: every approved organisation's page goes below it."""

from django.db import migrations


def partner_index_create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("home.HomePage")
    PartnerIndexPage = apps.get_model("organisations.PartnerIndexPage")

    home = HomePage.objects.first()
    if home is None or PartnerIndexPage.objects.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(model="partnerindexpage", app_label="organisations")
    siblings = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).order_by("-path")
    last = siblings.first()
    step = int(last.path[-4:], 36) + 1 if last else 1
    path = home.path + _base36(step).rjust(4, "0")
    PartnerIndexPage.objects.create(
        title="Partners", draft_title="Partners", slug="partners", content_type=content_type, path=path,
        depth=home.depth + 1, numchild=0, url_path=f"{home.url_path}partners/", locale_id=home.locale_id, live=True,
        intro="Universities and enterprises that co-run courses and practicum projects on Silk Road Academy.",
    )
    Page.objects.filter(pk=home.pk).update(numchild=siblings.count() + 1)


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
    return out or "0"


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("home", "0002_create_homepage"),
    ]

    operations = [migrations.RunPython(partner_index_create, migrations.RunPython.noop)]
