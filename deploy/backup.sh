#!/usr/bin/env bash
# 备份 Backup: the database and the attachments into one dated folder, then old backups removed.
#
#   deploy/backup.sh [--env-file FILE] [--no-media] [BACKUP_DIR]
#
# - Database, from DATABASE_URL (as the app reads it):
#     PostgreSQL  pg_dump -Fc (custom format: compressed, restored with pg_restore) → db.dump
#     SQLite      sqlite3's online .backup (safe while the app writes) → db.sqlite3; no DATABASE_URL: var/db.sqlite3
# - Attachments: S3_BUCKET set → the bucket (S3_PREFIX inside it) is mirrored to BACKUP_DIR/s3-mirror with
#   `aws s3 sync` (or deploy/s3sync.py with boto3 when the AWS CLI is missing; BACKUP_S3_TOOL=aws|python chooses)
#   and the backup takes hard links of the mirror; else the MEDIA_ROOT folder (default var/media) is copied with
#   rsync, unchanged files hard-linked to the previous backup's (each backup is complete, unchanged files cost no
#   space).
# - Layout: BACKUP_DIR/kjtpy-YYYYmmdd-HHMMSS/{db.dump|db.sqlite3, media/, MANIFEST}; BACKUP_DIR/latest points at
#   the newest. A backup is written as *.partial and renamed when complete: a folder without .partial is whole.
# - Retention: after a successful backup, backups older than BACKUP_KEEP_DAYS days (default 14) are removed.
# - BACKUP_DIR: the argument, else $BACKUP_DIR, else /var/backups/kjtpy. Files are private to the user (umask 077).
#
# Not in the backup: the keys (SECRET_KEY, FIELD_ENCRYPTION_KEY in /etc/kjtpy/env or var/): keep them apart, the
# ID numbers in the database cannot be read without FIELD_ENCRYPTION_KEY.
# Restore: deploy/restore.sh (deploy/README.md, "Backups and restore").
set -euo pipefail
umask 077

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '%s\n' "backup: $*" >&2; }
die() { printf '%s\n' "backup: 错误 error: $*" >&2; exit 1; }

ENV_FILE="" WITH_MEDIA=1 TARGET=""
while [ $# -gt 0 ]; do
    case "$1" in
        --env-file) ENV_FILE="${2:?--env-file needs a file}"; shift 2 ;;
        --env-file=*) ENV_FILE="${1#*=}"; shift ;;
        --no-media) WITH_MEDIA=0; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) TARGET="$1"; shift ;;
    esac
done
if [ -n "$ENV_FILE" ]; then
    [ -r "$ENV_FILE" ] || die "cannot read $ENV_FILE"
    set -a; . "$ENV_FILE"; set +a
fi

BACKUP_DIR="${TARGET:-${BACKUP_DIR:-/var/backups/kjtpy}}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
case "$KEEP_DAYS" in ''|*[!0-9]*) die "BACKUP_KEEP_DAYS must be a number of days, not '$KEEP_DAYS'" ;; esac
. "$APP_DIR/deploy/lib.sh"
parse_database_url "${DATABASE_URL:-}"

mkdir -p "$BACKUP_DIR"
BACKUP_DIR="$(cd "$BACKUP_DIR" && pwd)"
# One backup at a time (a slow run overlapping the next timer).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$BACKUP_DIR/.lock"
    flock -n 9 || die "another backup is running in $BACKUP_DIR"
fi

NAME="kjtpy-$(date +%Y%m%d-%H%M%S)"
while [ -e "$BACKUP_DIR/$NAME" ]; do sleep 1; NAME="kjtpy-$(date +%Y%m%d-%H%M%S)"; done  # two in one second
FINAL="$BACKUP_DIR/$NAME"
WORK="$FINAL.partial"
PREVIOUS=""
if [ -L "$BACKUP_DIR/latest" ] && [ -d "$BACKUP_DIR/latest/" ]; then
    PREVIOUS="$(cd "$BACKUP_DIR/latest/" && pwd -P)"
fi
mkdir "$WORK"
trap 'rm -rf "$WORK"' EXIT
say "开始备份 starting $NAME → $BACKUP_DIR"

# --- database ---------------------------------------------------------------------------------------------------------
if [ "$KIND" = postgresql ]; then
    command -v pg_dump >/dev/null 2>&1 ||
        die "pg_dump not found (apt install postgresql-client, of the server's major version or newer)"
    say "数据库 database: pg_dump $(masked "$PG_URL")"
    pg_dump --format=custom --compress=6 --dbname="$PG_URL" --file="$WORK/db.dump"
    # The archive must read back: its table of contents is listed (cheap, catches a truncated file).
    pg_restore --list "$WORK/db.dump" >/dev/null
    DB_FILE=db.dump
else
    [ -f "$SQLITE_PATH" ] || die "SQLite database $SQLITE_PATH not found"
    say "数据库 database: SQLite $SQLITE_PATH"
    sqlite_copy "$SQLITE_PATH" "$WORK/db.sqlite3"
    DB_FILE=db.sqlite3
fi

# --- attachments ------------------------------------------------------------------------------------------------------
MEDIA_KIND=none MEDIA_SOURCE=""
if [ "$WITH_MEDIA" = 1 ] && [ -n "${S3_BUCKET:-}" ]; then
    MEDIA_SOURCE="$(s3_uri)"
    MEDIA_KIND=s3
    MIRROR="$BACKUP_DIR/s3-mirror"
    mkdir -p "$MIRROR"
    say "附件 attachments: $MEDIA_SOURCE → $MIRROR"
    s3_sync "$MEDIA_SOURCE" "$MIRROR" --delete
    # The dated copy: hard links to the mirror (the next sync replaces changed files, never edits them in place).
    cp -al "$MIRROR" "$WORK/media" 2>/dev/null || { rm -rf "$WORK/media"; cp -a "$MIRROR" "$WORK/media"; }
elif [ "$WITH_MEDIA" = 1 ]; then
    MEDIA_ROOT="${MEDIA_ROOT:-$VAR_DIR/media}"
    MEDIA_SOURCE="$MEDIA_ROOT"
    MEDIA_KIND=local
    mkdir -p "$WORK/media"
    if [ -d "$MEDIA_ROOT" ]; then
        say "附件 attachments: $MEDIA_ROOT"
        if command -v rsync >/dev/null 2>&1; then
            link=()
            [ -z "$PREVIOUS" ] || [ ! -d "$PREVIOUS/media" ] || link=(--link-dest="$PREVIOUS/media")
            rsync -a ${link[@]+"${link[@]}"} "$MEDIA_ROOT"/ "$WORK/media"/
        else
            cp -a "$MEDIA_ROOT"/. "$WORK/media"/
        fi
    else
        say "附件 attachments: $MEDIA_ROOT does not exist (no uploads yet): empty media/"
    fi
fi

# --- manifest, then the backup becomes visible ------------------------------------------------------------------------
MEDIA_FILES=0
[ ! -d "$WORK/media" ] || MEDIA_FILES="$(find "$WORK/media" -type f | wc -l | tr -d ' ')"
REVISION="$(git -C "$APP_DIR" rev-parse HEAD 2>/dev/null || echo unknown)"
{
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "database=$KIND"
    echo "database_file=$DB_FILE"
    echo "database_sha256=$(sha256sum "$WORK/$DB_FILE" | cut -d' ' -f1)"
    echo "media=$MEDIA_KIND"
    echo "media_source=$MEDIA_SOURCE"
    echo "media_files=$MEDIA_FILES"
    echo "app_revision=$REVISION"
} >"$WORK/MANIFEST"
mv "$WORK" "$FINAL"
trap - EXIT
ln -sfn "$NAME" "$BACKUP_DIR/latest"
say "完成 done: $FINAL ($(du -sh "$FINAL" | cut -f1), $MEDIA_FILES attachment files)"

# --- retention --------------------------------------------------------------------------------------------------------
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'kjtpy-[0-9]*' -mtime +"$KEEP_DAYS" ! -name "$NAME" -print |
    while IFS= read -r old; do
        say "删除过期备份 removing $old (older than $KEEP_DAYS days)"
        rm -rf "$old"
    done
