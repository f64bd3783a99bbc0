"""API tokens expire and can be revoked.

Tokens made before this migration had no end: they get one now, WIJK_API_TOKEN_DAYS
(default 90) days after the migration runs, so that running installations keep working
until their users make new tokens (docs/configuration.md).
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import core.models


def existing_tokens_expire(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("core", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=settings.WIJK_API_TOKEN_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_sepa_creditor_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(existing_tokens_expire, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(
                default=core.models.api_token_expiry, verbose_name="expires at"
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revoked at"),
        ),
    ]
