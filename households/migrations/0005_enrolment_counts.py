"""The enrolments per programme and status (households/counts.py keeps them from now on),
filled from the enrolments already there."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def fill(apps, schema_editor):
    Enrolment = apps.get_model("households", "Enrolment")
    EnrolmentCount = apps.get_model("households", "EnrolmentCount")
    EnrolmentCount.objects.bulk_create(
        EnrolmentCount(programme_id=row["programme_id"], status=row["status"], n=row["n"])
        for row in Enrolment.objects.order_by()
        .values("programme_id", "status")
        .annotate(n=Count("pk"))
    )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_notification_centre'),
        ('households', '0004_household_demo'),
    ]

    operations = [
        migrations.CreateModel(
            name='EnrolmentCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(max_length=10)),
                ('n', models.BigIntegerField(default=0)),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.programme')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('programme', 'status'), name='enrolment_count_once'), models.CheckConstraint(condition=models.Q(('n__gte', 0)), name='enrolment_count_not_negative')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
