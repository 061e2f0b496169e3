"""A double submit makes one record: forms carry a key, API clients send Idempotency-Key."""
import re

from needs.models import IndustryCategory, Need
from regions.models import Village


def _need_form(world, key):
    return {"town": world.renhua_county_town.pk, "title": "贡柑黄龙病防控", "description": "全镇贡柑受黄龙病影响",
            "category": IndustryCategory.objects.get(name="果树").pk, "service_types": ["guidance"],
            "priority": "high", "idempotency_key": key}


def test_the_need_form_posted_twice_makes_one_need(world, login):
    client = login("renhua_county_town")
    page = client.get("/needs/new/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    first = client.post("/needs/new/", _need_form(world, key))
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post("/needs/new/", _need_form(world, key), follow=True)
    assert Need.objects.count() == 1
    assert second.redirect_chain[0][0] == first.url
    assert "该表单已提交过，未重复保存" in second.content.decode()
    # A new form (a new key) is a new need.
    assert client.post("/needs/new/", _need_form(world, "b" * 32)).status_code == 302
    assert Need.objects.count() == 2


def test_a_failed_submit_does_not_use_up_its_key(world, login):
    client = login("renhua_county_town")
    data = _need_form(world, "c" * 32)
    data["title"] = ""
    assert client.post("/needs/new/", data).status_code == 200
    data["title"] = "补填标题"
    assert client.post("/needs/new/", data).status_code == 302
    assert Need.objects.get().title == "补填标题"


def test_an_api_create_retried_with_its_key_returns_the_first_record(world, login):
    client = login("renhua_county_town")
    body = {"town": world.renhua_county_town.pk, "name": "董塘村"}
    first = client.post("/api/v1/villages/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 20)
    again = client.post("/api/v1/villages/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 20)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replay"] == "true"
    assert Village.objects.count() == 1
    # Keys are per user: another user's same key is theirs alone.
    other = login("renhua_st").post("/api/v1/villages/", {"town": world.renhua_county_town.pk, "name": "新村"},
                                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 20)
    assert other.status_code == 201 and Village.objects.count() == 2
