"""deploy/backup.sh and deploy/restore.sh end to end (issue 21): a backup restores to the same rows and files.

Each test makes its own small databases, so it runs the same in the SQLite and the PostgreSQL runs of the suite:

- PostgreSQL (BACKUP_TEST_POSTGRES_URL, else the server of the suite's DATABASE_URL, else 127.0.0.1:5432; skipped
  with the reason when unreachable): a database ``h21b_src_<random>`` with a few tables shaped like the app's
  (identity keys, a deferrable foreign key, text with Chinese, quotes and newlines, numeric, timestamptz, jsonb,
  bytea with NUL bytes) — built by SQL because ``manage.py migrate`` of the whole schema takes over a minute here —
  is backed up with pg_dump -Fc and restored into ``h21b_dst_<random>`` twice: into the empty database, then over
  changed rows (--clean --if-exists). Both databases are dropped at the end.
- SQLite: a WAL database with a write not yet checkpointed and a connection still open, the app's default.
- Attachments: a local MEDIA_ROOT (no S3), restored into another folder; a second backup hard-links unchanged files
  to the first; old backups are removed after BACKUP_KEEP_DAYS; and the S3 path against a local moto server with the
  boto3 fallback (deploy/s3sync.py) and, when installed, the AWS CLI.
"""
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"


def _postgres_server():
    """BACKUP_TEST_POSTGRES_URL, else the server of the suite's DATABASE_URL (PostgreSQL run), else the local one."""
    if os.environ.get("BACKUP_TEST_POSTGRES_URL"):
        return os.environ["BACKUP_TEST_POSTGRES_URL"].rstrip("/")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        scheme, _, rest = url.partition("://")
        return "%s://%s" % (scheme, rest.split("/", 1)[0])
    return "postgres://postgres@127.0.0.1:5432"


POSTGRES = _postgres_server()

# Text that breaks naive dumps: Chinese, quotes, backslashes, tabs, newlines, a COPY end marker.
AWKWARD = "黄坑镇「蔬菜」'单引号' \"双引号\" \\反斜杠\t制表\n换行\n\\.\n末尾"


def _env(**values):
    """The scripts' environment: this process's, without the suite's database and storage settings."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("S3_", "BACKUP_", "AWS_")) and key not in ("DATABASE_URL", "MEDIA_ROOT",
                                                                             "KJTPY_VAR_DIR")}
    env.update({key: str(value) for key, value in values.items()})
    return env


def _run(script, *args, env, timeout=60):
    result = subprocess.run(["bash", str(script), *map(str, args)], env=env, capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, "%s failed (%s):\n%s\n%s" % (script.name, result.returncode, result.stdout,
                                                                result.stderr)
    return result


def _only_backup(folder):
    backups = sorted(path for path in Path(folder).iterdir() if path.name.startswith("kjtpy-"))
    assert backups and not backups[-1].name.endswith(".partial"), backups
    return backups[-1]


def _write_media(root):
    files = {
        "calls/attachments/2024/申报书_黄坑镇.pdf": b"%PDF-1.4 " + os.urandom(2048),
        "fieldwork/photos/a1b2c3.jpg": os.urandom(4096),
        "reports/年度报告 2024.docx": b"PK\x03\x04" + os.urandom(512),
        "empty.txt": b"",
    }
    for name, content in files.items():
        path = Path(root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def _read_tree(root):
    root = Path(root)
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


# --- PostgreSQL -------------------------------------------------------------------------------------------------------

def _postgres_missing():
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        return "%s not installed (apt install postgresql-client)" % ", ".join(missing)
    try:
        import psycopg

        with psycopg.connect(POSTGRES + "/postgres", connect_timeout=5) as connection:
            server = connection.info.server_version // 10000
    except Exception as error:  # noqa: BLE001 - any failure to connect is a reason to skip
        return "PostgreSQL at %s unreachable: %s" % (POSTGRES, str(error).strip().splitlines()[0])
    client = re.search(r"(\d+)(?:\.\d+)?", subprocess.run(["pg_dump", "--version"], capture_output=True,
                                                          text=True).stdout)
    client_major = int(client.group(1)) if client else 0
    if client_major < server:
        return "pg_dump %s is older than the server (%s)" % (client_major, server)
    return None


def _admin(sql):
    import psycopg

    with psycopg.connect(POSTGRES + "/postgres", autocommit=True) as connection:
        connection.execute(sql)


SCHEMA = """
CREATE TABLE regions_town (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    code varchar(12) NOT NULL UNIQUE,
    name varchar(50) NOT NULL
);
CREATE TABLE needs_need (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    town_id bigint NOT NULL REFERENCES regions_town (id) DEFERRABLE INITIALLY DEFERRED,
    title text NOT NULL,
    budget numeric(12, 2),
    created_at timestamptz NOT NULL,
    extra jsonb NOT NULL DEFAULT '{}',
    sealed bytea
);
CREATE INDEX needs_need_town_id ON needs_need (town_id);
CREATE TABLE django_migrations (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    app varchar(255) NOT NULL,
    name varchar(255) NOT NULL,
    applied timestamptz NOT NULL
);
"""


def _fill(connection):
    towns = [("440224101", "闻韶镇"), ("440282106", "黄坑镇"), ("440222106", "隘子镇")]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO regions_town (code, name) VALUES (%s, %s)", towns)
        cursor.execute("SELECT id FROM regions_town ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        from psycopg.types.json import Jsonb

        cursor.executemany(
            "INSERT INTO needs_need (town_id, title, budget, created_at, extra, sealed) "
            "VALUES (%s, %s, %s, now() - make_interval(days => %s), %s, %s)",
            [(ids[n % 3], "%s #%d" % (AWKWARD, n), None if n % 7 == 0 else "%d.%02d" % (n * 1000, n),
              n, Jsonb({"产业": ["水稻", "茶叶"], "n": n, "quote": "'\""}), bytes([0, n % 256, 255]) * (n + 1))
             for n in range(60)])
        cursor.execute("DELETE FROM needs_need WHERE id % 11 = 0")  # gaps: the identity must not be renumbered
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('needs', '0001_initial', now())")
    connection.commit()


def _snapshot(url):
    import psycopg

    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        data = {}
        for table in ("regions_town", "needs_need", "django_migrations"):
            cursor.execute("SELECT * FROM %s ORDER BY id" % table)  # noqa: S608 - fixed names
            data[table] = cursor.fetchall()
        return data


def test_postgres_backup_restores_the_same_rows(tmp_path):
    reason = _postgres_missing()
    if reason:
        pytest.skip(reason)
    import psycopg

    suffix = uuid.uuid4().hex[:10]
    source, target = "h21b_src_" + suffix, "h21b_dst_" + suffix
    source_url, target_url = "%s/%s" % (POSTGRES, source), "%s/%s" % (POSTGRES, target)
    try:
        _admin('CREATE DATABASE "%s"' % source)
        _admin('CREATE DATABASE "%s"' % target)
        with psycopg.connect(source_url) as connection:
            connection.execute(SCHEMA)
            _fill(connection)
        expected = _snapshot(source_url)
        assert len(expected["needs_need"]) == 55 and len(expected["regions_town"]) == 3

        media = tmp_path / "media"
        files = _write_media(media)
        backups = tmp_path / "backups"
        _run(BACKUP, backups, env=_env(DATABASE_URL=source_url, MEDIA_ROOT=media))
        backup = _only_backup(backups)
        assert (backup / "db.dump").read_bytes()[:5] == b"PGDMP"
        manifest = (backup / "MANIFEST").read_text()
        assert "database=postgresql" in manifest and "media_files=4" in manifest

        # Into the empty database: the same rows, constraints and identities.
        restored_media = tmp_path / "restored-media"
        _run(RESTORE, "--yes", backup, target_url, env=_env(DATABASE_URL="", MEDIA_ROOT=restored_media))
        assert _snapshot(target_url) == expected
        assert _read_tree(restored_media) == files
        with psycopg.connect(target_url) as connection:
            last = max(row[0] for row in expected["needs_need"])
            new_id = connection.execute(
                "INSERT INTO needs_need (town_id, title, created_at) VALUES (%s, '新需求', now()) RETURNING id",
                (expected["regions_town"][0][0],)).fetchone()[0]
            assert new_id > last  # the identity continues after the restored rows
            connection.execute("UPDATE regions_town SET name = '改名'")
            connection.commit()
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                connection.execute("INSERT INTO needs_need (town_id, title, created_at) VALUES (-1, 'x', now())")
                connection.commit()

        # Over changed rows (--clean --if-exists): back to the backup exactly; the database comes from DATABASE_URL.
        _run(RESTORE, "--yes", "--no-media", backup, env=_env(DATABASE_URL=target_url))
        assert _snapshot(target_url) == expected
    finally:
        for name in (source, target):
            _admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


# --- SQLite and local attachments -------------------------------------------------------------------------------------

def _sqlite_rows(path):
    with sqlite3.connect(path) as connection:
        return {
            "town": connection.execute("SELECT * FROM regions_town ORDER BY id").fetchall(),
            "need": connection.execute("SELECT * FROM needs_need ORDER BY id").fetchall(),
        }


def test_sqlite_and_local_media_backup_restore_and_retention(tmp_path):
    database = tmp_path / "var" / "db.sqlite3"
    database.parent.mkdir()
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # the rows below stay in the -wal file: .backup must see them
    writer.execute("CREATE TABLE regions_town (id integer PRIMARY KEY AUTOINCREMENT, code text UNIQUE, name text)")
    writer.execute("CREATE TABLE needs_need (id integer PRIMARY KEY AUTOINCREMENT, town_id integer REFERENCES "
                   "regions_town (id), title text, sealed blob)")
    writer.executemany("INSERT INTO regions_town (code, name) VALUES (?, ?)", [("440282106", "黄坑镇"),
                                                                              ("440224101", "闻韶镇")])
    writer.executemany("INSERT INTO needs_need (town_id, title, sealed) VALUES (?, ?, ?)",
                       [(1 + n % 2, "%s #%d" % (AWKWARD, n), bytes([0, n, 255])) for n in range(40)])
    writer.commit()
    assert Path(str(database) + "-wal").stat().st_size > 0
    expected = _sqlite_rows(database)

    media = tmp_path / "media"
    files = _write_media(media)
    backups = tmp_path / "backups"
    old = backups / "kjtpy-20200101-000000"  # an expired backup …
    (old / "media").mkdir(parents=True)
    other = backups / "keep-me"  # … and a folder that is not a backup
    other.mkdir()
    long_ago = time.time() - 40 * 86400
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))

    # No DATABASE_URL: the app's default var/db.sqlite3 under KJTPY_VAR_DIR.
    env = _env(KJTPY_VAR_DIR=database.parent, MEDIA_ROOT=media, BACKUP_DIR=backups, BACKUP_KEEP_DAYS=30)
    _run(BACKUP, env=env)
    first = _only_backup(backups)
    assert not old.exists() and other.exists()
    assert (backups / "latest").resolve() == first.resolve()
    assert "database=sqlite" in (first / "MANIFEST").read_text()
    writer.close()

    # A second backup: unchanged attachments are hard links to the first backup's (rsync --link-dest).
    (media / "new.txt").write_bytes(b"later")
    second_env = _env(DATABASE_URL="sqlite:///%s" % database, MEDIA_ROOT=media, BACKUP_DIR=backups)
    _run(BACKUP, env=second_env)
    second = _only_backup(backups)
    assert second != first and (backups / "latest").resolve() == second.resolve()
    if shutil.which("rsync"):
        name = "fieldwork/photos/a1b2c3.jpg"
        assert (first / "media" / name).stat().st_ino == (second / "media" / name).stat().st_ino

    # Restore the first backup elsewhere: the same rows and files.
    target = tmp_path / "restored" / "db.sqlite3"
    restored_media = tmp_path / "restored" / "media"
    _run(RESTORE, "--yes", first, "sqlite:///%s" % target, env=_env(MEDIA_ROOT=restored_media))
    assert _sqlite_rows(target) == expected
    assert _read_tree(restored_media) == files

    # Restore over the original after it changed; the attachments added since stay.
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM needs_need WHERE id > 10")
    (media / "calls/attachments/2024/申报书_黄坑镇.pdf").unlink()
    media.chmod(0o750)
    _run(RESTORE, "--yes", first, env=_env(KJTPY_VAR_DIR=database.parent, MEDIA_ROOT=media))
    assert _sqlite_rows(database) == expected
    assert _read_tree(media) == {**files, "new.txt": b"later"}
    assert media.stat().st_mode & 0o777 == 0o750  # MEDIA_ROOT keeps its own mode

    # Refusals: no confirmation off a terminal, a PostgreSQL target for an SQLite backup.
    refused = subprocess.run(["bash", str(RESTORE), first], env=env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=30)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    refused = subprocess.run(["bash", str(RESTORE), "--yes", first, "postgres://nobody@127.0.0.1:1/none"], env=env,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert refused.returncode != 0 and "sqlite" in refused.stderr


# --- S3 attachments (a local moto server) -----------------------------------------------------------------------------

def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server():
    pytest.importorskip("moto", reason="moto is not installed (pip install -e '.[dev]')")
    pytest.importorskip("boto3", reason="boto3 is not installed")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the moto S3 server did not start")
                time.sleep(0.1)
        yield "http://127.0.0.1:%d" % port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("tool", ["python", "aws"])
def test_s3_attachments_backup_and_restore(tmp_path, s3_server, tool):
    if tool == "aws" and not shutil.which("aws"):
        pytest.skip("the AWS CLI is not installed (the python/boto3 path is tested)")
    import boto3

    settings = {"S3_BUCKET": "kjtpy-test", "S3_PREFIX": "media", "S3_ENDPOINT_URL": s3_server,
                "S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1",
                "S3_ADDRESSING_STYLE": "path", "BACKUP_S3_TOOL": tool}
    client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    client.create_bucket(Bucket="kjtpy-test")
    files = _write_media(tmp_path / "upload")
    for name, content in files.items():
        client.put_object(Bucket="kjtpy-test", Key="media/" + name, Body=content)
    client.put_object(Bucket="kjtpy-test", Key="elsewhere/not-ours.txt", Body=b"outside the prefix")

    database = tmp_path / "db.sqlite3"
    sqlite3.connect(database).execute("CREATE TABLE t (x)").connection.commit()
    backups = tmp_path / "backups"
    _run(BACKUP, backups, env=_env(DATABASE_URL="sqlite:///%s" % database, **settings), timeout=120)
    backup = _only_backup(backups)
    assert _read_tree(backup / "media") == files
    assert "media=s3" in (backup / "MANIFEST").read_text()

    # The bucket loses a file and another changes: the restore puts the backup's back.
    client.delete_object(Bucket="kjtpy-test", Key="media/fieldwork/photos/a1b2c3.jpg")
    client.put_object(Bucket="kjtpy-test", Key="media/empty.txt", Body=b"changed")
    _run(RESTORE, "--yes", "--media-only", backup, env=_env(**settings), timeout=120)
    stored = {}
    for item in client.list_objects_v2(Bucket="kjtpy-test", Prefix="media/")["Contents"]:
        stored[item["Key"][len("media/"):]] = client.get_object(Bucket="kjtpy-test", Key=item["Key"])["Body"].read()
    assert stored == files
