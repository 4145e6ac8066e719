"""Indexes for the administrators' changelists at scale, each in its order:
assignments due first, reviews latest change first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_audit_decisions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reviewassignment",
            index=models.Index(fields=["due_at", "id"], name="assignment_due"),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["-updated_at", "id"], name="review_recent"),
        ),
    ]
