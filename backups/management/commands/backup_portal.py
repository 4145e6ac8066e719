"""`manage.py backup_portal DESTINATION`: the database and the documents, with
a manifest of row counts and hashes (backups.archive)."""

from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backups.archive import BackupError, Database, back_up


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format) and every "
        "document of the storage into a new folder under DESTINATION, with a "
        "manifest of row counts and SHA-256 hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path)
        parser.add_argument(
            "--database-url",
            help="The database to back up (default: the portal's, DATABASE_URL).",
        )

    def handle(self, *args, destination, database_url=None, **options):
        try:
            database = (
                Database.from_url(database_url)
                if database_url
                else Database.from_settings(settings.DATABASES["default"])
            )
            folder = back_up(
                database=database,
                storage=default_storage,
                destination=destination,
                now=timezone.now().astimezone(UTC),
            )
        except BackupError as error:
            raise CommandError("\n".join(map(str, error.args))) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
