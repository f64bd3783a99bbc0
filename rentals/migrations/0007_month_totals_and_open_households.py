"""The monthly totals of each programme's charges and its households with an open charge
(rentals/services/totals.py keeps them from now on), filled from the charges already there."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, F, Min, Sum


def cents(amount):
    return int((amount or Decimal("0")) * 100)


def fill(apps, schema_editor):
    Charge = apps.get_model("rentals", "Charge")
    MonthTotal = apps.get_model("rentals", "MonthTotal")
    OpenHousehold = apps.get_model("rentals", "OpenHousehold")
    months = (
        Charge.objects.values("contract__programme_id", "month")
        .annotate(
            n=Count("pk"),
            billed=Sum("tenant_amount"),
            subsidy=Sum("subsidy_amount"),
            collected=Sum("settled"),
        )
        .order_by()
    )
    MonthTotal.objects.bulk_create(
        [
            MonthTotal(
                programme_id=row["contract__programme_id"],
                month=row["month"],
                charges=row["n"],
                billed_cents=cents(row["billed"]),
                subsidy_cents=cents(row["subsidy"]),
                collected_cents=cents(row["collected"]),
            )
            for row in months
        ],
        batch_size=1000,
    )
    households = (
        Charge.objects.filter(settled__lt=F("tenant_amount"))
        .values("contract__programme_id", "contract__household_id")
        .annotate(oldest=Min("month"))
        .order_by()
    )
    OpenHousehold.objects.bulk_create(
        (
            OpenHousehold(
                programme_id=row["contract__programme_id"],
                household_id=row["contract__household_id"],
                oldest_open_month=row["oldest"],
            )
            for row in households.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_apitoken_expiry'),
        ('households', '0003_search_indexes'),
        ('rentals', '0006_arrearsstep_letter'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('charges', models.PositiveIntegerField(default=0)),
                ('billed_cents', models.BigIntegerField(default=0)),
                ('subsidy_cents', models.BigIntegerField(default=0)),
                ('collected_cents', models.BigIntegerField(default=0)),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.programme')),
            ],
            options={
                'ordering': ['programme', 'month'],
                'constraints': [models.UniqueConstraint(fields=('programme', 'month'), name='month_total_once'), models.CheckConstraint(condition=models.Q(('charges__gte', 0), ('billed_cents__gte', 0), ('subsidy_cents__gte', 0)), name='month_total_not_negative'), models.CheckConstraint(condition=models.Q(('collected_cents__gte', 0), ('collected_cents__lte', models.F('billed_cents'))), name='month_total_never_overpaid'), models.CheckConstraint(condition=models.Q(('charges__gt', 0), models.Q(('billed_cents', 0), ('subsidy_cents', 0), ('collected_cents', 0)), _connector='OR'), name='month_total_no_sums_without_charges')],
            },
        ),
        migrations.CreateModel(
            name='OpenHousehold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('oldest_open_month', models.DateField()),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.household')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.programme')),
            ],
            options={
                'indexes': [models.Index(fields=['programme', 'oldest_open_month'], name='open_household_month')],
                'constraints': [models.UniqueConstraint(fields=('programme', 'household'), name='open_household_once')],
            },
        ),
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(condition=models.Q(('status', 'active')), fields=['programme', 'household'], name='contract_active_household'),
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(condition=models.Q(('status', 'waiting')), fields=['programme', 'category', 'priority'], name='application_waiting'),
        ),
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(condition=models.Q(('status', 'active')), fields=['programme', 'category'], name='contract_active_category'),
        ),
        migrations.AddIndex(
            model_name='unit',
            index=models.Index(fields=['programme', 'appliance_model', 'status'], name='unit_by_model_status'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
