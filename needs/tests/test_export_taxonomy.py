"""``manage.py export_taxonomy`` prints the edited taxonomy; the shipped seed file is replaced only when named."""
import hashlib
import io
import json

import pytest
from django.core.management import call_command

from matching.engine.taxonomy import DEFAULT_TAXONOMY_PATH
from needs.models import IndustryCategory

pytestmark = pytest.mark.django_db


def test_export_prints_the_database_taxonomy_and_leaves_the_seed_file_alone(tmp_path):
    before = hashlib.sha256(DEFAULT_TAXONOMY_PATH.read_bytes()).hexdigest()
    IndustryCategory.objects.create(name="测试新增类别", order=999)
    out = io.StringIO()
    call_command("export_taxonomy", stdout=out)
    names = [c["name"] for c in json.loads(out.getvalue())["categories"]]
    assert "测试新增类别" in names
    assert hashlib.sha256(DEFAULT_TAXONOMY_PATH.read_bytes()).hexdigest() == before

    target = tmp_path / "taxonomy.json"
    call_command("export_taxonomy", output=str(target), stdout=io.StringIO(), stderr=io.StringIO())
    assert "测试新增类别" in [c["name"] for c in json.loads(target.read_text(encoding="utf-8"))["categories"]]
    assert hashlib.sha256(DEFAULT_TAXONOMY_PATH.read_bytes()).hexdigest() == before
