"""Reviewers work in the reviewers' admin site (/review/), not in /admin/: a
member of the Reviewers group who is neither a superuser nor an administrator
stops being staff."""

from django.db import migrations


def reviewers_leave_staff(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(
        groups__name="Reviewers", is_staff=True, is_superuser=False
    ).exclude(groups__name="Administrators").update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("reviews", "0003_panel_bidding_discussion_consensus"),
    ]

    operations = [
        migrations.RunPython(reviewers_leave_staff, migrations.RunPython.noop),
    ]
