"""Back up the portal (its PostgreSQL database and its documents), restore a
backup into a fresh database and storage location, and prove the copy whole.

A backup is one folder, `ao-portal-<UTC time>/`, holding:

- `database.dump`: `pg_dump --format=custom` of the whole database;
- `documents.tar`: every file of the documents storage (Django's default
  storage: the media root on disk, or the bucket), by its storage name;
- `manifest.json`: when it was taken, the row count of every table, the SHA-256
  of every document, and the SHA-256 of the two files above.

The row counts and the dump come from one snapshot: the counts are read in a
REPEATABLE READ transaction whose snapshot pg_dump shares (`--snapshot`), so
they describe exactly the rows dumped, even while the portal is in use.

`restore` refuses a backup whose dump or document archive does not match its
manifest, and a target database or folder that is not empty; then it runs
pg_restore (one transaction, stopping at the first error), unpacks the
documents, and `verify`s: every table with the same row count, every document
with the same hash, nothing missing, nothing extra. Every refusal or mismatch
is a BackupError naming what differs; the management commands (backup_portal,
restore_portal) turn it into an error exit.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
DOCUMENTS = "documents.tar"
FORMAT = 1
CHUNK = 1024 * 1024
# Connection options of DATABASE_URL (`?sslmode=verify-full&sslrootcert=...`,
# Django's OPTIONS) that the PostgreSQL tools read from the environment.
TOOL_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A backup or restore that cannot go on, or a copy that differs; its
    arguments are the sentences to show."""


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is, for psycopg and the PostgreSQL tools."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    # The TOOL_OPTIONS given, as (name, value) pairs.
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        engine = settings_dict.get("ENGINE", "")
        if "postgresql" not in engine:
            raise BackupError(
                f"Only PostgreSQL databases are backed up (this one uses {engine})."
            )
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            options=tuple(
                (name, str(value))
                for name, value in sorted((settings_dict.get("OPTIONS") or {}).items())
                if name in TOOL_OPTIONS and value
            ),
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        return cls.from_settings(dj_database_url.parse(url))

    def named(self, name: str) -> "Database":
        return Database(
            name, self.user, self.password, self.host, self.port, self.options
        )

    def connect(self, **kwargs) -> psycopg.Connection:
        params = {"dbname": self.name, "user": self.user, "password": self.password}
        params |= {"host": self.host, "port": self.port} | dict(self.options)
        return psycopg.connect(
            **{key: value for key, value in params.items() if value}, **kwargs
        )

    def tool_arguments(self) -> list[str]:
        found = [("--host", self.host), ("--port", self.port)]
        found += [("--username", self.user), ("--dbname", self.name)]
        return [part for option, value in found if value for part in (option, value)]

    def tool_environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        if self.password:
            environment["PGPASSWORD"] = self.password
        for name, value in self.options:
            environment[TOOL_OPTIONS[name]] = value
        return environment


# --- backing up -------------------------------------------------------------------


def back_up(*, database: Database, storage, destination: Path, now: datetime) -> Path:
    """Write a backup folder under `destination` and return it."""
    folder = Path(destination) / f"ao-portal-{now:%Y%m%dT%H%M%SZ}"
    try:
        # Personal data and unreleased proposals: readable by the owner only.
        folder.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        raise BackupError(f"{folder} exists already; nothing was written.") from None
    try:
        _write(folder, database=database, storage=storage, now=now)
    except BaseException:
        # A half-written folder is no backup: nothing of it stays.
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _write(folder: Path, *, database: Database, storage, now: datetime) -> None:
    tables = _dump(database, folder / DUMP)
    documents = _archive_documents(storage, folder / DOCUMENTS)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": database.name,
        "tables": tables,
        "documents": documents,
        "files": {name: _sha256_of(folder / name) for name in (DUMP, DOCUMENTS)},
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8"
    )
    for name in (DUMP, DOCUMENTS, MANIFEST):
        (folder / name).chmod(0o600)


def _dump(database: Database, target: Path) -> dict[str, int]:
    """pg_dump the database and return its row counts, from one snapshot."""
    with database.connect() as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.transaction():
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = row_counts(connection)
            _run(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                *database.tool_arguments(),
                database=database,
            )
    return counts


def _archive_documents(storage, target: Path) -> dict[str, str]:
    """Every file of `storage` into a tar at `target`; returns their SHA-256."""
    hashes = {}
    with tarfile.open(target, "w") as archive:
        for name in sorted(_storage_files(storage)):
            try:
                hashes[name] = _add_document(archive, storage, name)
            except OSError as error:
                # Removed or changed between the listing and the reading (the
                # portal is in use): the backup is not whole.
                raise BackupError(
                    f"The document {name} could not be read ({error}); it was "
                    "probably removed or changed during the backup. No backup "
                    "was written: run it again."
                ) from error
    return hashes


def _add_document(archive: tarfile.TarFile, storage, name: str) -> str:
    info = tarfile.TarInfo(name)
    info.size = storage.size(name)
    info.mode = 0o640
    with storage.open(name, "rb") as document:
        reader = _HashingReader(document)
        archive.addfile(info, reader)
    return reader.hexdigest()


def _storage_files(storage, folder: str = "") -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in folders:
        yield from _storage_files(storage, f"{folder}/{name}" if folder else name)


class _HashingReader:
    """A file read by tarfile, hashed on the way."""

    def __init__(self, document):
        self.document = document
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.document.read(size)
        self.digest.update(data)
        return data

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


# --- restoring and verifying --------------------------------------------------------


def read_manifest(backup: Path) -> dict:
    path = Path(backup) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup of this format ({FORMAT}).")
    return manifest


def check_files(backup: Path, manifest: dict) -> None:
    """Refuse a dump or document archive that is not the one the manifest names."""
    problems = [
        f"{name} has been altered or damaged: its SHA-256 is {found}, the manifest "
        f"says {expected}."
        for name, expected in sorted(manifest["files"].items())
        if (found := _sha256_of(Path(backup) / name)) != expected
    ]
    if problems:
        raise BackupError(*problems, "Nothing was restored.")


def restore(*, backup: Path, database: Database, media_root: Path) -> dict:
    """Restore `backup` into the fresh `database` and the empty `media_root`,
    then verify them; returns what was verified (tables, rows, documents)."""
    backup = Path(backup)
    manifest = read_manifest(backup)
    check_files(backup, manifest)
    _refuse_filled_folder(Path(media_root))
    _create_empty_database(database)
    _run(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *database.tool_arguments(),
        str(backup / DUMP),
        database=database,
    )
    Path(media_root).mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / DOCUMENTS) as archive:
        archive.extractall(media_root, filter="data")
    return verify(manifest=manifest, database=database, media_root=Path(media_root))


def verify(*, manifest: dict, database: Database, media_root: Path) -> dict:
    """Compare a restored database and folder with the manifest: row counts per
    table, document hashes. Raises BackupError listing every difference."""
    with database.connect() as connection:
        tables = row_counts(connection)
    documents = {
        path.relative_to(media_root).as_posix(): _sha256_of(path)
        for path in sorted(Path(media_root).rglob("*"))
        if path.is_file()
    }
    problems = _differences(manifest["tables"], tables, "table", "rows")
    problems += _differences(manifest["documents"], documents, "document", "SHA-256")
    if problems:
        raise BackupError(*problems)
    return {
        "tables": len(tables),
        "rows": sum(tables.values()),
        "documents": len(documents),
    }


def _differences(expected: dict, found: dict, kind: str, what: str) -> list[str]:
    problems = [
        f"{kind} {name} is missing." for name in sorted(expected.keys() - found.keys())
    ]
    problems += [
        f"{kind} {name} is not in the backup."
        for name in sorted(found.keys() - expected.keys())
    ]
    problems += [
        f"{kind} {name}: {what} {found[name]}, the backup has {expected[name]}."
        for name in sorted(expected.keys() & found.keys())
        if expected[name] != found[name]
    ]
    return problems


def row_counts(connection) -> dict[str, int]:
    """The number of rows of every table of the public schema, in one query."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "ORDER BY tablename"
        )
    ]
    if not names:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=sql.Literal(name), table=sql.Identifier("public", name)
        )
        for name in names
    )
    return dict(connection.execute(query).fetchall())


def _refuse_filled_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(
            f"{folder} is not empty: documents are restored into an empty folder."
        )


def _create_empty_database(database: Database) -> None:
    """Create the target database, or accept it if it exists without tables."""
    with database.named("postgres").connect(autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database.name]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name))
            )
            return
    with database.connect() as connection:
        if row_counts(connection):
            raise BackupError(
                f"The database {database.name} has tables already: restore into a "
                "fresh database."
            )


def _run(tool: str, *arguments: str, database: Database) -> None:
    try:
        subprocess.run(  # noqa: S603 (our arguments, no shell)
            [tool, *arguments],
            env=database.tool_environment(),
            check=True,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools."
        ) from error
    except subprocess.CalledProcessError as error:
        raise BackupError(
            f"{tool} failed (exit {error.returncode}): {error.stderr.strip()}"
        ) from error


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as file:
            while chunk := file.read(CHUNK):
                digest.update(chunk)
    except OSError as error:
        raise BackupError(f"{path} cannot be read: {error}") from error
    return digest.hexdigest()
