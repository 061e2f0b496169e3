#!/usr/bin/env bash
# 恢复 Restore a backup made by deploy/backup.sh: the database, then the attachments.
#
#   deploy/restore.sh [--env-file FILE] [--yes] [--no-media | --media-only] BACKUP [TARGET_DATABASE_URL]
#
# - BACKUP: a backup folder (BACKUP_DIR/kjtpy-YYYYmmdd-HHMMSS or BACKUP_DIR/latest), or a bare db.dump/db.sqlite3.
# - The database restored into: TARGET_DATABASE_URL, else DATABASE_URL (no DATABASE_URL: var/db.sqlite3).
#     PostgreSQL  pg_restore --clean --if-exists --no-owner --no-privileges in one transaction: the backup's tables
#                 replace those of the same name (create the database first: createdb -O kjtpy kjtpy; the restored
#                 objects belong to the user of the URL). Tables the backup does not have are left alone: restore
#                 into an empty database for an exact copy.
#     SQLite      the backup replaces the file (sqlite3 .restore, or Python's backup API).
# - Attachments (unless --no-media): S3_BUCKET set → the backup's media/ is uploaded to the bucket (S3_PREFIX);
#   else copied into MEDIA_ROOT (default var/media). Files added since the backup are kept, none is deleted.
# - It overwrites data: it asks for "yes" on a terminal; --yes (or RESTORE_YES=1) for scripts.
# Stop the web, worker and scheduler services first; afterwards run `manage.py migrate` when the code is newer than
# the backup, then start them (deploy/README.md, "Backups and restore"). The keys are not in the backup: the
# restored database needs the FIELD_ENCRYPTION_KEY it was written with.
set -euo pipefail
umask 077

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '%s\n' "restore: $*" >&2; }
die() { printf '%s\n' "restore: 错误 error: $*" >&2; exit 1; }

ENV_FILE="" WITH_DB=1 WITH_MEDIA=1 YES="${RESTORE_YES:-0}" BACKUP="" TARGET_URL="" TARGET_SET=0
while [ $# -gt 0 ]; do
    case "$1" in
        --env-file) ENV_FILE="${2:?--env-file needs a file}"; shift 2 ;;
        --env-file=*) ENV_FILE="${1#*=}"; shift ;;
        --yes|-y) YES=1; shift ;;
        --no-media) WITH_MEDIA=0; shift ;;
        --media-only) WITH_DB=0; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *)
            if [ -z "$BACKUP" ]; then BACKUP="$1"
            elif [ "$TARGET_SET" = 0 ]; then TARGET_URL="$1"; TARGET_SET=1
            else die "too many arguments (see --help)"; fi
            shift ;;
    esac
done
[ -n "$BACKUP" ] || die "which backup? deploy/restore.sh BACKUP [TARGET_DATABASE_URL] (see --help)"
if [ -n "$ENV_FILE" ]; then
    [ -r "$ENV_FILE" ] || die "cannot read $ENV_FILE"
    set -a; . "$ENV_FILE"; set +a
fi
. "$APP_DIR/deploy/lib.sh"
[ "$TARGET_SET" = 1 ] || TARGET_URL="${DATABASE_URL:-}"

# What the backup holds.
BACKUP_KIND="" DUMP="" MEDIA_DIR=""
if [ -d "$BACKUP" ]; then
    BACKUP="$(cd "$BACKUP" && pwd -P)"
    case "$BACKUP" in *.partial) die "$BACKUP is an unfinished backup" ;; esac
    if [ -f "$BACKUP/db.dump" ]; then BACKUP_KIND=postgresql; DUMP="$BACKUP/db.dump"
    elif [ -f "$BACKUP/db.sqlite3" ]; then BACKUP_KIND=sqlite; DUMP="$BACKUP/db.sqlite3"; fi
    [ ! -d "$BACKUP/media" ] || MEDIA_DIR="$BACKUP/media"
    if [ -n "$DUMP" ] && [ -f "$BACKUP/MANIFEST" ] && command -v sha256sum >/dev/null 2>&1; then
        expected="$(sed -n 's/^database_sha256=//p' "$BACKUP/MANIFEST")"
        if [ -n "$expected" ] && [ "$expected" != "$(sha256sum "$DUMP" | cut -d' ' -f1)" ]; then
            die "$DUMP does not match the checksum in its MANIFEST (damaged copy?)"
        fi
    fi
elif [ -f "$BACKUP" ]; then
    DUMP="$BACKUP"; WITH_MEDIA=0
    if [ "$(head -c 5 "$DUMP")" = PGDMP ]; then BACKUP_KIND=postgresql
    elif [ "$(head -c 15 "$DUMP")" = "SQLite format 3" ]; then BACKUP_KIND=sqlite
    else die "$DUMP is neither a pg_dump -Fc archive nor an SQLite database"; fi
else
    die "no backup at $BACKUP"
fi
[ "$WITH_DB" = 0 ] || [ -n "$DUMP" ] || die "$BACKUP holds no database (db.dump or db.sqlite3)"

if [ "$WITH_DB" = 1 ]; then
    parse_database_url "$TARGET_URL"
    [ "$KIND" = "$BACKUP_KIND" ] || die "the backup is a $BACKUP_KIND database but the target is $KIND"
    if [ "$KIND" = postgresql ]; then TARGET_SHOWN="$(masked "$PG_URL")"; else TARGET_SHOWN="$SQLITE_PATH"; fi
fi
MEDIA_TARGET=""
if [ "$WITH_MEDIA" = 1 ]; then
    if [ -z "$MEDIA_DIR" ]; then
        say "附件 attachments: the backup has no media/ folder, skipped"; WITH_MEDIA=0
    elif [ -n "${S3_BUCKET:-}" ]; then MEDIA_TARGET="$(s3_uri)"
    else MEDIA_TARGET="${MEDIA_ROOT:-$VAR_DIR/media}"; fi
fi

say "备份 backup: $BACKUP"
[ "$WITH_DB" = 0 ] || say "将覆盖数据库 will overwrite the database: $TARGET_SHOWN"
[ "$WITH_MEDIA" = 0 ] || say "将写入附件 will copy the attachments into: $MEDIA_TARGET"
if [ "$YES" != 1 ]; then
    [ -t 0 ] || die "not on a terminal: add --yes to confirm"
    printf '输入 yes 继续 type yes to go on: ' >&2
    read -r answer
    [ "$answer" = yes ] || die "cancelled"
fi

# --- database ---------------------------------------------------------------------------------------------------------
if [ "$WITH_DB" = 1 ]; then
    if [ "$KIND" = postgresql ]; then
        command -v pg_restore >/dev/null 2>&1 || die "pg_restore not found (apt install postgresql-client)"
        say "数据库 database: pg_restore → $TARGET_SHOWN"
        pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
            --dbname="$PG_URL" "$DUMP"
    else
        mkdir -p "$(dirname "$SQLITE_PATH")"
        say "数据库 database: SQLite → $SQLITE_PATH"
        sqlite_copy "$DUMP" "$SQLITE_PATH"
    fi
fi

# --- attachments ------------------------------------------------------------------------------------------------------
if [ "$WITH_MEDIA" = 1 ]; then
    say "附件 attachments: $MEDIA_DIR → $MEDIA_TARGET"
    if [ -n "${S3_BUCKET:-}" ]; then
        s3_sync "$MEDIA_DIR" "$MEDIA_TARGET"
    else
        # Run as the app's user (sudo -u kjtpy …): the copies keep the backup's modes and belong to whoever copies.
        # MEDIA_ROOT itself keeps its own mode (copying "folder/." would give it the backup folder's).
        mkdir -p "$MEDIA_TARGET"
        mode="$(stat -c %a "$MEDIA_TARGET" 2>/dev/null || true)"
        if command -v rsync >/dev/null 2>&1; then
            rsync -a "$MEDIA_DIR"/ "$MEDIA_TARGET"/
        else
            cp -a "$MEDIA_DIR"/. "$MEDIA_TARGET"/
        fi
        [ -z "$mode" ] || chmod "$mode" "$MEDIA_TARGET"
    fi
fi
say "完成 done. 下一步 next: when the code is newer than the backup, \`.venv/bin/python manage.py migrate\`;" \
    "then start the services."
