# Shared by deploy/backup.sh and deploy/restore.sh (sourced, not run). Needs APP_DIR and die().

VAR_DIR="${KJTPY_VAR_DIR:-$APP_DIR/var}"
PYTHON="$APP_DIR/.venv/bin/python"; [ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

# A URL with its password hidden, for messages.
masked() { printf '%s' "$1" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#'; }

# parse_database_url URL → KIND (postgresql|sqlite) and PG_URL or SQLITE_PATH, the way the app's settings read it
# (dj-database-url; empty: var/db.sqlite3; a relative SQLite path is relative to the app folder, the services'
# working directory).
parse_database_url() {
    PG_URL="" SQLITE_PATH=""
    case "$1" in
        "") KIND=sqlite; SQLITE_PATH="$VAR_DIR/db.sqlite3" ;;
        postgres://*|postgresql://*|pgsql://*|postgis://*)
            KIND=postgresql; PG_URL="postgresql://${1#*://}"
            # The password goes to pg_dump/pg_restore in PGPASSWORD, not on their command line (which `ps` shows to
            # every local user); decoded from the URL by Python reading it from the environment, never from argv.
            if printf '%s' "$PG_URL" | grep -Eq '://[^:/@]*:[^@]*@'; then
                PGPASSWORD="$(KJTPY_URL="$PG_URL" "$PYTHON" -c 'import os, urllib.parse as u
print(u.unquote(u.urlsplit(os.environ["KJTPY_URL"]).password or ""), end="")')"
                export PGPASSWORD
                PG_URL="$(printf '%s' "$PG_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1@#')"
            fi ;;
        sqlite://*)
            KIND=sqlite; SQLITE_PATH="${1#sqlite://}"; SQLITE_PATH="${SQLITE_PATH#/}"
            case "$SQLITE_PATH" in ""|:memory:) die "an in-memory SQLite database cannot be backed up" ;; esac
            case "$SQLITE_PATH" in /*) ;; *) SQLITE_PATH="$APP_DIR/$SQLITE_PATH" ;; esac ;;
        *) die "DATABASE_URL: only postgres:// and sqlite:// are supported" ;;
    esac
}

# sqlite_copy SOURCE TARGET: SQLite's online backup (consistent while the app writes, the -wal file included; the
# target's pages are replaced under its lock). The sqlite3 shell when installed, else Python's sqlite3 module.
sqlite_copy() {
    if command -v sqlite3 >/dev/null 2>&1; then
        sqlite3 "$1" ".timeout 20000" ".backup '$2'"
    else
        "$PYTHON" - "$1" "$2" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1], timeout=20)
target = sqlite3.connect(sys.argv[2], timeout=20)
source.backup(target)
target.close()
source.close()
PY
    fi
    local check
    check="$("$PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0])' "$2")"
    [ "$check" = ok ] || die "the SQLite copy $2 fails its integrity check: $check"
}

# s3://BUCKET/PREFIX of the app's attachments (S3_BUCKET, S3_PREFIX).
s3_uri() {
    local prefix="${S3_PREFIX:-}"; prefix="${prefix#/}"; prefix="${prefix%/}"
    printf 's3://%s%s' "$S3_BUCKET" "${prefix:+/$prefix}"
}

# s3_sync SOURCE DESTINATION [--delete]: one side s3://…, the other a folder. The AWS CLI when installed (or
# BACKUP_S3_TOOL=aws), else deploy/s3sync.py with boto3 (BACKUP_S3_TOOL=python); both with the app's S3_* variables.
s3_sync() {
    local tool="${BACKUP_S3_TOOL:-}"
    if [ -z "$tool" ]; then
        if command -v aws >/dev/null 2>&1; then tool=aws; else tool=python; fi
    fi
    case "$tool" in
        aws)
            local args=()
            [ -z "${S3_ENDPOINT_URL:-}" ] || args+=(--endpoint-url "$S3_ENDPOINT_URL")
            AWS_ACCESS_KEY_ID="${S3_ACCESS_KEY_ID:-${AWS_ACCESS_KEY_ID:-}}" \
            AWS_SECRET_ACCESS_KEY="${S3_SECRET_ACCESS_KEY:-${AWS_SECRET_ACCESS_KEY:-}}" \
            AWS_DEFAULT_REGION="${S3_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}" \
                aws ${args[@]+"${args[@]}"} s3 sync "$@" --only-show-errors ;;
        python)
            case "$1" in
                s3://*) "$PYTHON" "$APP_DIR/deploy/s3sync.py" download "$1" "$2" ;;  # always mirrors (deletes)
                *) "$PYTHON" "$APP_DIR/deploy/s3sync.py" upload "$1" "$2" ;;
            esac ;;
        *) die "BACKUP_S3_TOOL must be aws or python, not '$tool'" ;;
    esac
}
