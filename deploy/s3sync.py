"""Copy an S3 bucket (or a folder of it) to a local folder and back, with boto3: deploy/backup.sh and
deploy/restore.sh use it when the AWS CLI is not installed (or BACKUP_S3_TOOL=python).

    python deploy/s3sync.py download s3://BUCKET[/PREFIX] LOCAL_DIR   # bucket → folder; files gone from the bucket
                                                                      # are removed from the folder (a mirror)
    python deploy/s3sync.py upload LOCAL_DIR s3://BUCKET[/PREFIX]     # folder → bucket; nothing is deleted

Like ``aws s3 sync``, an object is copied when it is missing on the other side or differs in size or is newer.
The connection comes from the app's variables: S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION,
S3_ADDRESSING_STYLE. Downloads go to a temporary name, then replace the file (a backup's hard-linked copies of the
previous file stay as they were).
"""
import os
import sys
import tempfile
from pathlib import Path, PurePosixPath


def _client():
    import boto3
    from botocore.config import Config

    style = os.environ.get("S3_ADDRESSING_STYLE", "").strip() or None
    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL", "").strip() or None,
        aws_access_key_id=os.environ.get("S3_ACCESS_KEY_ID", "").strip() or None,
        aws_secret_access_key=os.environ.get("S3_SECRET_ACCESS_KEY", "").strip() or None,
        region_name=os.environ.get("S3_REGION", "").strip() or None,
        config=Config(s3={"addressing_style": style} if style else {}, retries={"max_attempts": 5, "mode": "standard"}),
    )


def _split(uri):
    if not uri.startswith("s3://"):
        raise SystemExit("not an s3:// address: %s" % uri)
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    prefix = prefix.strip("/")
    return bucket, (prefix + "/" if prefix else "")


def _safe_relative(key, prefix):
    """The object's path under the prefix, or None for a folder marker or a name that would leave the folder."""
    rel = key[len(prefix):]
    if not rel or rel.endswith("/"):
        return None
    parts = PurePosixPath(rel).parts
    if any(part in ("..", "") for part in parts) or rel.startswith("/"):
        return None
    return PurePosixPath(*parts)


def download(uri, local_dir):
    client = _client()
    bucket, prefix = _split(uri)
    root = Path(local_dir)
    root.mkdir(parents=True, exist_ok=True)
    seen = set()
    copied = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            rel = _safe_relative(item["Key"], prefix)
            if rel is None:
                continue
            seen.add(rel)
            target = root.joinpath(*rel.parts)
            modified = item["LastModified"].timestamp()
            if target.is_file():
                stat = target.stat()
                if stat.st_size == item["Size"] and stat.st_mtime >= modified:
                    continue
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".s3sync-")
            os.close(handle)
            try:
                client.download_file(bucket, item["Key"], temporary)
                os.utime(temporary, (modified, modified))
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            copied += 1
    removed = 0
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and PurePosixPath(*path.relative_to(root).parts) not in seen:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    print("s3sync: %d downloaded, %d unchanged, %d removed (%s → %s)" % (copied, len(seen) - copied, removed, uri,
                                                                      local_dir))


def upload(local_dir, uri):
    client = _client()
    bucket, prefix = _split(uri)
    root = Path(local_dir)
    existing = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            existing[item["Key"]] = (item["Size"], item["LastModified"].timestamp())
    copied = total = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith(".s3sync-"):
            continue
        total += 1
        key = prefix + "/".join(path.relative_to(root).parts)
        stat = path.stat()
        if key in existing and existing[key][0] == stat.st_size and existing[key][1] >= stat.st_mtime:
            continue
        client.upload_file(str(path), bucket, key)
        copied += 1
    print("s3sync: %d uploaded, %d unchanged (%s → %s)" % (copied, total - copied, local_dir, uri))


def main(argv):
    if len(argv) == 3 and argv[0] == "download":
        download(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == "upload":
        upload(argv[1], argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
