"""Backup and restore round trip (backups.archive, backup_portal, restore_portal)
on a small data set: a throwaway PostgreSQL database of a few tables and rows
and two documents, backed up, restored into a new database and an empty folder,
verified; a damaged backup and a changed copy are caught.

The throwaway database stands beside the test database, not in it: the test
database's rows live in a transaction pg_dump cannot see, and a transactional
test would cost a flush of every table. The commands are schema-agnostic (they
count every table of the public schema), so a few tables prove them.
"""

import os
import shutil
import tarfile

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from psycopg import sql

from backups.archive import DOCUMENTS, Database, read_manifest
from backups.management.commands import backup_portal

DOCUMENT = b"%PDF-1.7\n% a science case\n%%EOF\n"
TEMPLATE = b"%PDF-1.7\n% a budget template\n%%EOF\n"
SCHEMA = """
CREATE TABLE accounts_user (id bigserial PRIMARY KEY, email text UNIQUE NOT NULL);
CREATE TABLE catalogue_statement (
    id bigserial PRIMARY KEY, text_en text NOT NULL, text_zh_hans text NOT NULL
);
CREATE TABLE proposals_document (
    id bigserial PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES accounts_user (id),
    file text NOT NULL
);
CREATE TABLE "Empty table" (id bigserial PRIMARY KEY);
INSERT INTO accounts_user (email) VALUES ('amina@lab.example.org'),
    ('gan.yong@cnsa.example.org');
INSERT INTO catalogue_statement (text_en, text_zh_hans)
    VALUES ('We share our data.', '我们共享数据。');
INSERT INTO proposals_document (owner_id, file)
    VALUES (1, 'proposals/7/science-case.pdf');
"""


def _server() -> Database:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("Backup and restore need PostgreSQL (pg_dump, pg_restore).")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("Backup and restore need pg_dump and pg_restore installed.")
    return Database.from_settings(settings.DATABASES["default"])


def _drop(database: Database) -> None:
    with database.named("postgres").connect(autocommit=True) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database.name)
            )
        )


def _url(database: Database) -> str:
    password = f":{database.password}" if database.password else ""
    host = database.host or "127.0.0.1"
    port = database.port or "5432"
    return f"postgres://{database.user}{password}@{host}:{port}/{database.name}"


@pytest.fixture(scope="module")
def databases():
    """The throwaway source database, seeded, and the name prefix of the
    restored ones; every one of them dropped afterwards."""
    prefix = f"ao_backup_test_{os.getpid()}"
    source = _server().named(f"{prefix}_source")
    made = []

    def named(suffix: str) -> Database:
        database = source.named(f"{prefix}_{suffix}")
        _drop(database)
        made.append(database)
        return database

    _drop(source)
    with source.named("postgres").connect(autocommit=True) as server:
        server.execute(
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(source.name))
        )
    with source.connect() as connection:
        connection.execute(SCHEMA)
    yield source, named
    for database in [source, *made]:
        _drop(database)


@pytest.fixture(scope="module")
def documents():
    names = [
        default_storage.save("proposals/7/science-case.pdf", ContentFile(DOCUMENT)),
        default_storage.save("ao-documents/3/budget.pdf", ContentFile(TEMPLATE)),
    ]
    yield names
    for name in names:
        default_storage.delete(name)


@pytest.fixture(scope="module")
def backup(databases, documents, tmp_path_factory):
    source, _named = databases
    folder = tmp_path_factory.mktemp("backups")
    call_command("backup_portal", folder, database_url=_url(source))
    (written,) = folder.iterdir()
    return written


def test_backup_restores_into_a_fresh_database_and_folder_with_equal_counts(
    databases, documents, backup, tmp_path, capsys
):
    _source, named = databases
    restored = named("restored")
    manifest = read_manifest(backup)

    call_command(
        "restore_portal",
        backup,
        database_url=_url(restored),
        media_root=tmp_path / "media",
    )

    assert manifest["tables"] == {
        "Empty table": 0,
        "accounts_user": 2,
        "catalogue_statement": 1,
        "proposals_document": 1,
    }
    # (the tests' in-memory storage may hold other tests' files too)
    assert set(documents) <= set(manifest["documents"])
    assert (tmp_path / "media/proposals/7/science-case.pdf").read_bytes() == DOCUMENT
    with restored.connect() as connection:
        rows = connection.execute(
            "SELECT text_en, text_zh_hans FROM catalogue_statement"
        )
        assert rows.fetchall() == [("We share our data.", "我们共享数据。")]
    assert backup.stat().st_mode & 0o777 == 0o700  # personal data: owner only
    assert {(backup / name).stat().st_mode & 0o777 for name in manifest["files"]} == {
        0o600
    }
    shown = capsys.readouterr().out
    assert (
        f"Verified: 4 tables, 4 rows and {len(manifest['documents'])} documents "
        "equal to the backup." in shown
    )


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    databases, backup, tmp_path
):
    _source, named = databases
    target = named("refused")
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    extra = tmp_path / "extra.pdf"
    extra.write_bytes(b"%PDF-1.7\n% slipped in\n%%EOF\n")
    with tarfile.open(damaged / DOCUMENTS, "a") as archive:
        archive.add(extra, arcname="proposals/7/extra.pdf")

    with pytest.raises(CommandError) as refused:
        call_command(
            "restore_portal",
            damaged,
            database_url=_url(target),
            media_root=tmp_path / "media",
        )

    assert "- documents.tar has been altered or damaged" in str(refused.value)
    assert "Nothing was restored." in str(refused.value)
    assert not (tmp_path / "media").exists()
    with target.named("postgres").connect() as server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target.name]
        ).fetchone()
    assert exists is None


def test_a_changed_copy_fails_verification_naming_each_difference(
    databases, backup, tmp_path
):
    _source, named = databases
    restored = named("changed")
    call_command(
        "restore_portal",
        backup,
        database_url=_url(restored),
        media_root=tmp_path / "media",
    )
    (tmp_path / "media/proposals/7/science-case.pdf").write_bytes(b"changed")
    (tmp_path / "media/stray.pdf").write_bytes(b"%PDF")
    with restored.connect(autocommit=True) as connection:
        connection.execute("DELETE FROM catalogue_statement")

    with pytest.raises(CommandError) as differs:
        call_command(
            "restore_portal",
            backup,
            database_url=_url(restored),
            media_root=tmp_path / "media",
            verify_only=True,
        )

    message = str(differs.value)
    assert "- table catalogue_statement: rows 0, the backup has 1." in message
    assert "- document proposals/7/science-case.pdf: SHA-256 " in message
    assert "- document stray.pdf is not in the backup." in message


def test_restore_refuses_a_database_or_folder_that_is_not_empty(
    databases, backup, tmp_path
):
    source, named = databases
    (tmp_path / "media").mkdir()
    (tmp_path / "media/kept.pdf").write_bytes(b"%PDF")

    with pytest.raises(CommandError, match="has tables already"):
        call_command(
            "restore_portal",
            backup,
            database_url=_url(source),
            media_root=tmp_path / "empty",
        )
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "restore_portal",
            backup,
            database_url=_url(named("unused")),
            media_root=tmp_path / "media",
        )

    assert (tmp_path / "media/kept.pdf").read_bytes() == b"%PDF"
    with source.connect() as connection:
        users = connection.execute("SELECT count(*) FROM accounts_user").fetchone()
    assert users == (2,)


class _VanishingStorage:
    """The documents storage, where one listed file is gone by the time it is
    opened (removed by the portal during the backup)."""

    def __init__(self, storage, gone: str):
        self.storage, self.gone = storage, gone

    def listdir(self, folder):
        return self.storage.listdir(folder)

    def size(self, name):
        return self.storage.size(name)

    def open(self, name, mode="rb"):
        if name == self.gone:
            raise FileNotFoundError(2, "No such file or directory", name)
        return self.storage.open(name, mode)


def test_backup_of_a_document_removed_meanwhile_fails_and_leaves_nothing(
    databases, documents, tmp_path, monkeypatch
):
    source, _named = databases
    gone = documents[1]
    monkeypatch.setattr(
        backup_portal, "default_storage", _VanishingStorage(default_storage, gone)
    )

    with pytest.raises(CommandError) as refused:
        call_command("backup_portal", tmp_path, database_url=_url(source))

    assert f"The document {gone} could not be read" in str(refused.value)
    assert "No backup was written" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_backup_tools_get_the_connection_ssl_options():
    database = Database.from_url(
        "postgres://ao@db.example.org:5432/ao"
        "?sslmode=verify-full&sslrootcert=/etc/ao/ca.pem&connect_timeout=5"
    )

    environment = database.named("postgres").tool_environment()

    assert environment["PGSSLMODE"] == "verify-full"
    assert environment["PGSSLROOTCERT"] == "/etc/ao/ca.pem"
    assert "PGCONNECT_TIMEOUT" not in environment
