"""`manage.py restore_portal BACKUP --database-url URL --media-root DIR`: a
backup into a fresh database and an empty folder, then verified
(backups.archive). `--verify-only` compares an earlier restore again."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, Database, read_manifest, restore, verify


class Command(BaseCommand):
    help = (
        "Restore a backup folder into a fresh PostgreSQL database and an empty "
        "documents folder, then check every table's row count and every "
        "document's SHA-256 against the backup's manifest; exit 1 on any "
        "difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument(
            "--database-url",
            required=True,
            help="The fresh database to restore into (created if missing).",
        )
        parser.add_argument(
            "--media-root",
            required=True,
            type=Path,
            help="The empty folder that receives the documents.",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Restore nothing: compare the database and folder given.",
        )

    def handle(self, *args, backup, database_url, media_root, verify_only, **options):
        try:
            database = Database.from_url(database_url)
            if verify_only:
                checked = verify(
                    manifest=read_manifest(backup),
                    database=database,
                    media_root=media_root,
                )
            else:
                checked = restore(
                    backup=backup, database=database, media_root=media_root
                )
        except BackupError as error:
            raise CommandError(
                "The restored copy differs from the backup or could not be made:\n"
                + "\n".join(f"- {problem}" for problem in error.args)
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Verified: {checked['tables']} tables, {checked['rows']} rows and "
                f"{checked['documents']} documents equal to the backup."
            )
        )
