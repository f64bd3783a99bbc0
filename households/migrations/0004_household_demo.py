from django.db import migrations, models


def mark_earlier_demo_households(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Households an earlier `demo_data` made: created through a management command (the demo
    is the only command that registers households); hand-made ones came through web or API."""
    Household = apps.get_model("households", "Household")
    AuditEvent = apps.get_model("core", "AuditEvent")
    made_by_command = AuditEvent.objects.filter(
        action="create", via="command", household__isnull=False
    ).values("household_id")
    Household.objects.filter(pk__in=made_by_command).update(demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_apitoken_expiry"),
        ("households", "0003_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="demo",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_earlier_demo_households, migrations.RunPython.noop),
    ]
