"""Attachments in S3-compatible object storage (django-storages), against a local S3 server (moto, 127.0.0.1 only).

With ``S3_BUCKET`` set the platform keeps attachments in a private bucket; they are still served only by the scoped
views (streamed through the app), so a user outside the record's scope gets 404 whatever storage holds the file.
"""
import uuid

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")

from calls import services as call_services  # noqa: E402
from calls.tests.factories import PDF, make_call, pdf_file  # noqa: E402
from core.tests.test_attachments import OFFICIALS_OF_RENHUA, assert_download  # noqa: E402
from tests.deployment.settings_env import settings_built_with  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_server():
    """A moto S3 server in this process, on a free port of 127.0.0.1."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield "http://%s:%d" % (host, port)
    finally:
        server.stop()


@pytest.fixture
def s3(settings, s3_server):
    """A fresh private bucket, and the platform's storage settings pointing at it (as config/settings.py builds them
    from S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION)."""
    bucket = "kjtpy-%s" % uuid.uuid4().hex[:12]
    client = boto3.client("s3", endpoint_url=s3_server, **CREDENTIALS)
    client.create_bucket(Bucket=bucket)
    environment = {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_server, "S3_ACCESS_KEY_ID": "testing",
                   "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1"}
    built = settings_built_with(environment).STORAGES["default"]
    assert built["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": built}
    return client, bucket


def _keys(client, bucket):
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_an_attachment_goes_to_the_bucket_and_is_served_only_in_scope(s3, world, client, assert_denied):
    client_s3, bucket = s3
    call = make_call(world, publish=False)
    attachment = call_services.call_attachment_add(actor=world["renhua_st"], call=call, name="内部征求意见稿",
                                                   file=pdf_file("内部征求意见稿.pdf"))
    # Stored in the bucket under the random name, as the bytes uploaded, private.
    assert _keys(client_s3, bucket) == [attachment.file.name]
    stored = client_s3.get_object(Bucket=bucket, Key=attachment.file.name)["Body"].read()
    assert stored == PDF
    grants = client_s3.get_object_acl(Bucket=bucket, Key=attachment.file.name)["Grants"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants), grants  # no public grant
    # Served through the scoped view only: officials of 仁化 get the bytes, everyone else 404.
    assert_download(client, world, "/calls/attachments/%d/" % attachment.pk, PDF, allowed=OFFICIALS_OF_RENHUA,
                    assert_denied=assert_denied)


def test_a_file_missing_from_the_bucket_is_404_not_500(s3, world, client):
    client_s3, bucket = s3
    call = make_call(world, publish=False)
    attachment = call_services.call_attachment_add(actor=world["renhua_st"], call=call, name="通知",
                                                   file=pdf_file("通知.pdf"))
    client_s3.delete_object(Bucket=bucket, Key=attachment.file.name)
    client.force_login(world["renhua_st"])
    assert client.get("/calls/attachments/%d/" % attachment.pk).status_code == 404


def test_health_checks_the_bucket(s3, client, db):
    client_s3, bucket = s3
    response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content
    assert response.json()["Storage(alias='default')"] == "OK"
    assert _keys(client_s3, bucket) == []  # the probe file is deleted again
    client_s3.delete_bucket(Bucket=bucket)  # storage gone: the health endpoint says so
    response = client.get("/health/?format=json")
    assert response.status_code == 500
    assert response.json()["Storage(alias='default')"] != "OK"
