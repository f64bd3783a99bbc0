import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0003: PostgreSQL cannot alter a table in the transaction that filled it.
    dependencies = [("rentals", "0003_contract_collector")]

    operations = [
        migrations.AlterField(
            model_name="contract",
            name="collector",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.organisation",
                verbose_name="collecting organisation",
            ),
        ),
    ]
