import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_channel_proactive"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="tickets_tic_externa_1e6021_idx",
        ),
        migrations.AlterField(
            model_name="ticketevent",
            name="ticket",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="tickets.ticket",
            ),
        ),
    ]
