"""Seed the reference tables from data/reference/*.csv so a fresh database can compute."""

from django.db import migrations


def load(apps, schema_editor):
    from practicum.reference_data import reference_data_load

    reference_data_load(get_model=lambda name: apps.get_model("practicum", name))


class Migration(migrations.Migration):
    dependencies = [("practicum", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
