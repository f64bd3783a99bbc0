import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_collector(apps, schema_editor):
    """Existing contracts: the household's organisation when it collects in the programme,
    else the scheme's collector."""
    Contract = apps.get_model("rentals", "Contract")
    RentalScheme = apps.get_model("rentals", "RentalScheme")
    ProgrammePartner = apps.get_model("core", "ProgrammePartner")
    partner_collects = ProgrammePartner.objects.filter(
        programme=OuterRef("programme"),
        organisation__households=OuterRef("household"),
        role="collector",
    ).values("organisation")[:1]
    scheme_collector = RentalScheme.objects.filter(programme=OuterRef("programme")).values(
        "collector"
    )[:1]
    # One UPDATE: on PostgreSQL a second pass over the same rows would queue foreign-key checks
    # that block the index this migration creates.
    Contract.objects.update(
        collector=Coalesce(Subquery(partner_collects), Subquery(scheme_collector))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_sepa_creditor_id"),
        ("rentals", "0002_payment_credit"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="collector",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.organisation",
                verbose_name="collecting organisation",
            ),
        ),
        migrations.RunPython(fill_collector, migrations.RunPython.noop),
    ]
