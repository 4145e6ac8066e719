"""Give the "Administrators" group the permission to manage reviews.

Permissions are normally created after the migrations run; this one is created
here so that the group holds it from the start. The group is created if the
demo seed has not made it yet.
"""

from django.db import migrations

GROUP = "Administrators"
CODENAME = "manage_reviews"
NAME = (
    "Can assign reviewers, reopen reviews, rank proposals and release decisions"
)


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="reviews", model="reviewassignment"
    )
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="reviews", codename=CODENAME
    ).first()
    group = Group.objects.filter(name=GROUP).first()
    if permission is not None and group is not None:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
