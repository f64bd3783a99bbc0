"""Payments and arrears steps belong to a rental programme (docs/payments.md, "Which
programme a payment belongs to"); fill it from what exists.

- A payment: the programme of the contract of the oldest charge it settled; a payment that
  settled nothing (credit): the programme of the most recent contract of the household with
  the payment's collector. Neither: left empty (only the collector and the registering
  organisation see it, as for any payment of no programme).
- An arrears step: the collector is the organisation of the person who took it when it
  collects a contract of the household, else the collector of the household's most recent
  contract; the programme that of the most recent contract of the household with that
  collector.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Payment = apps.get_model("rentals", "Payment")
    Allocation = apps.get_model("rentals", "Allocation")
    ArrearsStep = apps.get_model("rentals", "ArrearsStep")
    Contract = apps.get_model("rentals", "Contract")
    Membership = apps.get_model("core", "Membership")

    def latest(**lookup):
        return Contract.objects.filter(**lookup).order_by("-created_at", "-pk").first()

    # Set-based (two UPDATEs): at national scale there are millions of payments.
    oldest_settled = (
        Allocation.objects.filter(payment_id=OuterRef("pk"))
        .order_by("charge__month", "pk")
        .values("charge__contract__programme_id")[:1]
    )
    Payment.objects.filter(programme__isnull=True).update(programme_id=Subquery(oldest_settled))
    latest_collected = (
        Contract.objects.filter(
            household_id=OuterRef("household_id"), collector_id=OuterRef("collector_id")
        )
        .order_by("-created_at", "-pk")
        .values("programme_id")[:1]
    )
    Payment.objects.filter(programme__isnull=True).update(programme_id=Subquery(latest_collected))

    for step in ArrearsStep.objects.filter(collector__isnull=True).iterator():
        orgs = (
            Membership.objects.filter(user_id=step.by_id).values_list("organisation_id", flat=True)
            if step.by_id
            else []
        )
        contract = latest(household_id=step.household_id, collector_id__in=list(orgs))
        contract = contract or latest(household_id=step.household_id)
        if contract is not None:
            step.collector_id = contract.collector_id
            step.programme_id = contract.programme_id
            step.save(update_fields=["collector", "programme"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_notification_centre'),
        ('rentals', '0009_charge_contract_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='arrearsstep',
            name='collector',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation'),
        ),
        migrations.AddField(
            model_name='arrearsstep',
            name='programme',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.programme'),
        ),
        migrations.AddField(
            model_name='payment',
            name='programme',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.programme'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
