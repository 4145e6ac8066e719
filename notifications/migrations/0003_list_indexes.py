"""The outbox changelist at scale: newest first from an index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_delivery_tracking"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(fields=["-created_at", "-id"], name="outbox_recent"),
        ),
    ]
