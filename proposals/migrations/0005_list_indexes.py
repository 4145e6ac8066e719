"""Indexes for the lists at scale: proposals newest first (the admin's
changelist and the dashboard order by -updated_at, id), and by reference
(decisions and the panel's assignments are listed in reference order)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0004_event_messages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(fields=["-updated_at", "id"], name="proposal_recent"),
        ),
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(fields=["reference"], name="proposal_reference"),
        ),
    ]
