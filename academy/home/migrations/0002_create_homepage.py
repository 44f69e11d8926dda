"""Replace Wagtail's welcome page with the site's home page, so a fresh production database
has a working site before any demo data exists."""

from django.db import migrations


def homepage_create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("home.HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore").delete()
    locale, _ = Locale.objects.get_or_create(language_code="en")
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    root = Page.objects.get(depth=1)
    path = root.path + "0001"
    while Page.objects.filter(path=path).exists():
        path = root.path + f"{int(path[-4:]) + 1:04d}"
    home = HomePage.objects.create(
        title="Silk Road Academy", draft_title="Silk Road Academy", slug="home", content_type=content_type,
        path=path, depth=2, numchild=0, url_path="/home/", locale=locale, live=True, body=[],
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "site_name": "Silk Road Academy", "root_page_id": home.id},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    run_before = []

    operations = [migrations.RunPython(homepage_create, migrations.RunPython.noop)]
