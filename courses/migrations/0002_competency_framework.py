"""Seed the cross-border e-commerce competency framework from data/competencies.json. The tree is
editable afterwards in the admin (Competencies); this migration never overwrites an edited row."""

import json

from django.conf import settings
from django.db import migrations


def framework_load(apps, schema_editor):
    Competency = apps.get_model("courses", "Competency")
    rows = json.loads((settings.BASE_DIR / "data" / "competencies.json").read_text(encoding="utf-8"))
    by_code = {}
    for order, row in enumerate(rows):
        parent = by_code.get(row["parent"]) if row.get("parent") else None
        competency, _created = Competency.objects.get_or_create(
            code=row["code"],
            defaults={
                "parent": parent, "name_en": row["name_en"], "name_zh": row.get("name_zh", ""),
                "description_en": row.get("description_en", ""), "description_zh": row.get("description_zh", ""),
                "sort_order": order,
            },
        )
        by_code[row["code"]] = competency


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(framework_load, migrations.RunPython.noop)]
