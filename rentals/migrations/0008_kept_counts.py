"""The units and contracts per programme, appliance category and status, and the households
with an active contract (rentals/services/counts.py keeps them from now on), filled from the
units and contracts already there."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def fill(apps, schema_editor):
    Unit = apps.get_model("rentals", "Unit")
    Contract = apps.get_model("rentals", "Contract")
    KeptCount = apps.get_model("rentals", "KeptCount")
    rows = [
        KeptCount(
            programme_id=r["programme_id"],
            kind="units",
            category=r["appliance_model__category"],
            status=r["status"],
            n=r["n"],
        )
        for r in Unit.objects.order_by()
        .values("programme_id", "appliance_model__category", "status")
        .annotate(n=Count("pk"))
    ]
    rows += [
        KeptCount(
            programme_id=r["programme_id"],
            kind="contracts",
            category=r["category"],
            status=r["status"],
            n=r["n"],
        )
        for r in Contract.objects.order_by()
        .values("programme_id", "category", "status")
        .annotate(n=Count("pk"))
    ]
    rows += [
        KeptCount(programme_id=r["programme_id"], kind="households", category="", status="", n=r["n"])
        for r in Contract.objects.filter(status="active")
        .order_by()
        .values("programme_id")
        .annotate(n=Count("household_id", distinct=True))
    ]
    KeptCount.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_notification_centre'),
        ('rentals', '0007_month_totals_and_open_households'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeptCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('units', 'Units'), ('contracts', 'Contracts'), ('households', 'Households With Appliance')], max_length=10)),
                ('category', models.CharField(blank=True, max_length=20)),
                ('status', models.CharField(blank=True, max_length=15)),
                ('n', models.BigIntegerField(default=0)),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.programme')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('programme', 'kind', 'category', 'status'), name='kept_count_once'), models.CheckConstraint(condition=models.Q(('n__gte', 0)), name='kept_count_not_negative')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
