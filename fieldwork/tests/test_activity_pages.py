"""The service-activity pages: a member logs an activity with photos from the phone form (one record however often it
is sent), bad photos and dates are refused in Chinese with nothing saved, the town where it was done confirms it (one
by one or ticked at once), a cross-town activity is read by that town and its county, photos are served only in
scope, the list exports, the gallery shows what the user may see."""
from __future__ import annotations

import datetime as dt
import io
import os
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fieldwork import services
from fieldwork.choices import RecordStatus
from fieldwork.models import Activity, ActivityPhoto
from fieldwork.tests.factories import activity_values, day, field_pairing, photo
from portal.testing import ALL_USERS
from regions.models import Village

pytestmark = pytest.mark.django_db

LIST = reverse("fieldwork:activity_list")
CREATE = reverse("fieldwork:activity_create")
BULK = reverse("fieldwork:activity_bulk_confirm")
GALLERY = reverse("fieldwork:gallery")
# Who reads an activity of 柑橘团队 done in its own town 董塘镇 (仁化县): along the paired town, the team and its unit.
READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town", "leader", "member",
           "unit"]
# … and, for one done in 珠玑镇 (南雄市): that town's work team and its county as well.
CROSS_READERS = READERS + ["nanxiong_st", "nanxiong_rural", "nanxiong_county_town"]
EVERYONE_BUT_EXPERT = [name for name in ALL_USERS if name != "expert"]


@pytest.fixture
def field(world):
    pairing, people = field_pairing(world)
    return {"world": world, "pairing": pairing, "people": people}


def log(world, actor="member", photos=(), **overrides) -> Activity:
    return services.activity_save(actor=world[actor], values=activity_values(world, **overrides), photos=photos)


def form_data(world, people, **overrides) -> dict:
    data = {"date": day().isoformat(), "town": world.renhua_county_town.pk, "service_type": "training",
            "title": "贡柑春季修剪培训", "description": "在村果园现场示范春季修剪，讲解留梢与控梢。",
            "participants": [people[1].pk], "people_trained": "32", "households_served": "18",
            "enterprises_served": "", "technologies": "贡柑控梢技术", "demo_area_mu": "12.5",
            "village_name": "董塘村果园", "idempotency_key": uuid.uuid4().hex}
    data.update(overrides)
    return data


def stored_files() -> set[str]:
    root = settings.MEDIA_ROOT
    return {os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names}


def page_text(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ the form
def test_the_phone_form_offers_the_team_s_choices(client, field):
    world = field["world"]
    Village.objects.create(town=world.renhua_county_town, name="董塘村")
    Village.objects.create(town=world.renhua_city_town, name="黄坑村")
    Village.objects.create(town=world.nanxiong_county_town, name="珠玑村")
    client.force_login(world["member"])
    html = page_text(client.get(CREATE))
    assert 'data-offline-draft="activity-new-u%d"' % world["member"].pk in html
    assert "js/offline_form.js" in html and " defer" in html.split("offline_form.js")[1][:10]
    assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
    assert 'inputmode="numeric"' in html
    assert 'value="%s"' % timezone.localdate().isoformat() in html  # the date defaults to today
    # the paired town first and chosen, then the county's other towns (another county's are not offered)
    assert html.index("结对镇") < html.index("仁化县其他镇") and "本市其他县" not in html and "珠玑镇" not in html
    assert 'value="%d" selected' % world.renhua_county_town.pk in html
    assert "董塘村" in html and "黄坑村" not in html  # the villages of the chosen town only
    # the villages of another town of the county, for the script; none of another county's
    answer = client.get(CREATE, {"villages_of": world.renhua_city_town.pk}).json()
    assert [name for _pk, name in answer["options"]] == ["黄坑村"]
    assert client.get(CREATE, {"villages_of": world.nanxiong_county_town.pk}).json() == {"options": []}
    assert "技能培训" in html and "规划设计" in html  # the six service types
    assert "%s成员2" % world.team.name[:2] in html  # the team's members as participants


def test_a_member_logs_an_activity_with_two_photos(client, field):
    world, people = field["world"], field["people"]
    client.force_login(world["member"])
    taken = dt.datetime(day().year, 3, 15, 10, 0)
    data = form_data(world, people, photos=[photo("IMG_1.jpg", taken=taken, gps=(24.97, 113.75)),
                                            photo("IMG_2.jpg", kind="PNG")])
    response = client.post(CREATE, data)
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.status == RecordStatus.SUBMITTED and not activity.cross_town
    assert activity.team == world.team and activity.created_by == world["member"]
    assert (activity.people_trained, activity.households_served, activity.enterprises_served) == (32, 18, 0)
    assert str(activity.demo_area_mu) == "12.5" and activity.village_name == "董塘村果园"
    assert list(activity.participants.all()) == [people[1]]
    photos = list(activity.photos.order_by("pk"))
    assert [p.original_name for p in photos] == ["IMG_1.jpg", "IMG_2.jpg"]
    assert all(p.processed and p.thumbnail for p in photos)  # resized in the (here immediate) background task
    assert photos[0].has_exif and photos[0].latitude is not None and not photos[1].has_exif
    html = page_text(client.get(response["Location"]))
    assert "待董塘镇驻镇工作队确认" in html
    assert "拍摄时间：%s" % taken.strftime("%Y-%m-%d %H:%M") in html and "位置" in html and "无拍摄信息" in html
    assert reverse("fieldwork:photo_thumb", args=[photos[0].pk]) in html


def test_the_same_submission_twice_makes_one_record(client, field):
    world, people = field["world"], field["people"]
    client.force_login(world["member"])
    data = form_data(world, people, idempotency_key="draft-key-0001")
    first = client.post(CREATE, {**data, "photos": [photo("IMG_1.jpg")]})
    again = client.post(CREATE, {**data, "photos": [photo("IMG_1.jpg")]})  # the draft sent again when back online
    activity = Activity.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == activity.get_absolute_url()
    assert activity.photos.count() == 1


def test_a_huge_file_and_a_fake_jpeg_are_refused_by_name_and_nothing_is_saved(client, field, settings):
    world, people = field["world"], field["people"]
    client.force_login(world["member"])
    huge = SimpleUploadedFile("现场大图.jpg", b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024), content_type="image/jpeg")
    fake = SimpleUploadedFile("notes.jpg", "这是一段文字，不是照片。".encode(), content_type="image/jpeg")
    before = stored_files()
    response = client.post(CREATE, form_data(world, people, photos=[huge, fake, photo("IMG_9.jpg")]))
    assert response.status_code == 200
    html = page_text(response)
    assert "照片“现场大图.jpg”大小为50.0 MB，超过上限" in html
    assert "“notes.jpg”不是可识别的图片" in html
    assert 'data-error-summary' in html and "现场照片：" in html
    assert Activity.objects.count() == 0 and ActivityPhoto.objects.count() == 0
    assert stored_files() == before


def test_a_future_date_is_refused(client, field):
    world, people = field["world"], field["people"]
    client.force_login(world["member"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(CREATE, form_data(world, people, date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "活动日期不能晚于今天" in page_text(response)
    assert Activity.objects.count() == 0


def test_a_figure_typed_as_text_is_named(client, field):
    world, people = field["world"], field["people"]
    client.force_login(world["member"])
    response = client.post(CREATE, form_data(world, people, people_trained="三十", title=""))
    html = page_text(response)
    assert "培训人数（人次）应填写整数" in html and "请填写活动名称" in html
    assert Activity.objects.count() == 0


def test_the_form_is_for_team_members_only(field, assert_denied):
    # other_leader's team has no working pairing: it is sent back to the list with the reason (a redirect).
    assert_denied(CREATE, allowed=["leader", "member", "other_leader"])


def test_cross_town_work_is_marked(client, field):
    world, people = field["world"], field["people"]
    client.force_login(world["member"])
    response = client.post(CREATE, form_data(world, people, town=world.renhua_city_town.pk))
    activity = Activity.objects.get()
    assert activity.cross_town and activity.town == world.renhua_city_town
    assert "待黄坑镇驻镇工作队确认" in page_text(client.get(response["Location"]))


# ------------------------------------------------------------------------------------------------ edit, photos
def test_a_queried_activity_edited_goes_back_for_confirmation(client, field):
    world = field["world"]
    activity = log(world)
    services.record_act(actor=world["renhua_county_town"], record=activity, action="query", comment="请补充培训人数")
    client.force_login(world["member"])
    edit = reverse("fieldwork:activity_edit", args=[activity.pk])
    html = page_text(client.get(edit))
    assert "请补充培训人数" in html and 'data-offline-draft="activity-%d-u%d"' % (activity.pk, world["member"].pk) in html
    data = form_data(world, field["people"], title=activity.title, people_trained="40")
    assert client.post(edit, data).status_code == 302
    activity.refresh_from_db()
    assert activity.status == RecordStatus.SUBMITTED and activity.people_trained == 40


def test_only_the_team_edits_and_not_once_confirmed(client, field, assert_denied):
    world = field["world"]
    activity = log(world)
    edit = reverse("fieldwork:activity_edit", args=[activity.pk])
    assert_denied(edit, allowed=["leader", "member"])
    services.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")
    client.force_login(world["member"])
    response = client.get(edit, follow=True)
    assert "不能再修改" in page_text(response)


def test_photos_are_added_and_deleted_while_awaiting_confirmation(client, field, assert_denied):
    world = field["world"]
    activity = log(world, photos=[photo("IMG_1.jpg")])
    add = reverse("fieldwork:photo_add", args=[activity.pk])
    client.force_login(world["member"])
    client.post(add, {"photos": [photo("IMG_2.jpg"), photo("IMG_3.jpg")], "idempotency_key": "photo-key-001"})
    assert activity.photos.count() == 3
    client.post(add, {"photos": [photo("IMG_2.jpg")], "idempotency_key": "photo-key-001"})  # the same again
    assert activity.photos.count() == 3
    response = client.post(add, {"photos": [SimpleUploadedFile("a.jpg", b"text")]}, follow=True)
    assert "“a.jpg”不是可识别的图片" in page_text(response) and activity.photos.count() == 3
    first = activity.photos.order_by("pk").first()
    delete = reverse("fieldwork:photo_delete", args=[first.pk])
    assert client.get(delete).status_code == 405
    client.post(delete)
    assert activity.photos.count() == 2
    client.logout()
    assert_denied(add, method="post", data={}, allowed=["leader", "member"])
    services.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")
    other = activity.photos.first()
    # Once confirmed the team's delete is refused (a redirect with the reason); everyone else never finds it.
    assert_denied(reverse("fieldwork:photo_delete", args=[other.pk]), method="post", data={},
                  allowed=["leader", "member"])
    assert activity.photos.count() == 2


# ------------------------------------------------------------------------------------------------ confirmation
def test_the_town_confirms_and_another_town_cannot(client, field, assert_denied):
    world = field["world"]
    activity = log(world)
    detail = activity.get_absolute_url()
    assert_denied(detail, allowed=READERS)
    client.force_login(world["renhua_county_town"])
    html = page_text(client.get(detail))
    assert 'data-testid="action-confirm"' in html and 'data-testid="action-query"' in html
    assert 'data-testid="edit"' not in html  # the town confirms, it does not edit
    confirm = reverse("fieldwork:activity_action", args=[activity.pk, "confirm"])
    for name in ("renhua_city_town", "nanxiong_county_town"):
        client.force_login(world[name])
        assert client.post(confirm).status_code == 404
    activity.refresh_from_db()
    assert activity.status == RecordStatus.SUBMITTED
    client.force_login(world["renhua_county_town"])
    assert client.post(confirm).status_code == 302
    activity.refresh_from_db()
    assert activity.status == RecordStatus.CONFIRMED and activity.confirmed_by == world["renhua_county_town"]


def test_a_query_needs_a_reason_and_the_team_sees_it(client, field):
    world = field["world"]
    activity = log(world)
    client.force_login(world["renhua_county_town"])
    query = reverse("fieldwork:activity_action", args=[activity.pk, "query"])
    client.post(query, {"comment": ""})
    activity.refresh_from_db()
    assert activity.status == RecordStatus.SUBMITTED
    client.post(query, {"comment": "照片与活动地点不符，请核实"})
    activity.refresh_from_db()
    assert activity.status == RecordStatus.QUERIED
    client.force_login(world["member"])
    html = page_text(client.get(activity.get_absolute_url()))
    assert "照片与活动地点不符，请核实" in html and 'data-testid="action-resubmit"' in html
    assert 'data-testid="action-withdraw"' in html and 'data-testid="action-confirm"' not in html
    assert 'data-testid="count-queried"' in page_text(client.get(LIST))


def test_bulk_confirm_counts_and_names_the_skipped(client, field, assert_denied):
    world = field["world"]
    first, second = log(world, title="第一次培训"), log(world, title="第二次培训")
    done = log(world, title="已确认的活动")
    services.record_act(actor=world["renhua_county_town"], record=done, action="confirm")
    elsewhere = log(world, title="珠玑镇的活动", town=world.nanxiong_county_town)
    client.force_login(world["renhua_county_town"])
    html = page_text(client.get(LIST))
    assert 'data-testid="bulk-confirm"' in html
    assert 'data-testid="tick-%d"' % first.pk in html and 'data-testid="tick-%d"' % second.pk in html
    # the confirmed one and the cross-town one (confirmed by 珠玑镇) get no box
    assert 'data-testid="tick-%d"' % done.pk not in html and 'data-testid="tick-%d"' % elsewhere.pk not in html
    response = client.post(BULK, {"ids": [first.pk, second.pk, done.pk, elsewhere.pk]}, follow=True)
    html = page_text(response)
    assert "已确认 2 条服务活动。" in html
    assert "跳过 2 条" in html and "已确认的活动" in html and "编号%d：不在本镇范围内或不存在" % elsewhere.pk in html
    assert set(Activity.objects.filter(status=RecordStatus.CONFIRMED).values_list("pk", flat=True)) == {
        first.pk, second.pk, done.pk}
    elsewhere.refresh_from_db()
    assert elsewhere.status == RecordStatus.SUBMITTED
    assert "请先勾选" in page_text(client.post(BULK, {}, follow=True))
    client.logout()
    assert_denied(BULK, method="post", data={"ids": [elsewhere.pk]},
                  allowed=["renhua_city_town", "renhua_county_town", "nanxiong_city_town", "nanxiong_county_town"])


def test_the_team_sees_what_waits_and_a_big_button(client, field):
    world = field["world"]
    log(world)
    queried = log(world, title="被询问的活动")
    services.record_act(actor=world["renhua_county_town"], record=queried, action="query", comment="请补充")
    client.force_login(world["member"])
    html = page_text(client.get(LIST))
    assert 'data-testid="log-activity"' in html and "记录服务活动" in html
    submitted_tile = html.split('data-testid="count-submitted"')[1][:120]
    queried_tile = html.split('data-testid="count-queried"')[1][:120]
    assert ">1<" in submitted_tile and ">1<" in queried_tile
    assert 'data-testid="bulk-confirm"' not in html and 'name="ids"' not in html


# ------------------------------------------------------------------------------------------------ scope
def test_the_other_county_reads_only_work_done_in_its_town(client, field, assert_denied):
    world = field["world"]
    plain = log(world, title="本镇的活动")
    cross = log(world, title="到珠玑镇的跨镇帮扶", town=world.nanxiong_county_town)
    assert_denied(plain.get_absolute_url(), allowed=READERS)
    assert_denied(cross.get_absolute_url(), allowed=CROSS_READERS)
    client.force_login(world["nanxiong_st"])
    html = page_text(client.get(LIST))
    assert "到珠玑镇的跨镇帮扶" in html and "本镇的活动" not in html and 'data-testid="cross-town"' in html
    # 珠玑镇's work team confirms it; 董塘镇 (the paired town) reads it but may not.
    client.force_login(world["renhua_county_town"])
    assert 'data-testid="action-confirm"' not in page_text(client.get(cross.get_absolute_url()))
    client.post(reverse("fieldwork:activity_action", args=[cross.pk, "confirm"]))
    cross.refresh_from_db()
    assert cross.status == RecordStatus.SUBMITTED
    client.force_login(world["nanxiong_county_town"])
    client.post(reverse("fieldwork:activity_action", args=[cross.pk, "confirm"]))
    cross.refresh_from_db()
    assert cross.status == RecordStatus.CONFIRMED


def test_photos_are_served_in_scope_only(client, field, assert_denied):
    world = field["world"]
    mine = log(world, photos=[photo("IMG_1.jpg")]).photos.get()
    field_pairing(world, town=world.nanxiong_city_town, team=world.other_team)
    theirs = log(world, actor="other_leader", photos=[photo("TEA_1.jpg")],
                 town=world.nanxiong_city_town).photos.get()
    client.force_login(world["member"])
    for name in ("photo", "photo_thumb"):
        response = client.get(reverse("fieldwork:%s" % name, args=[mine.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline;")
        assert client.get(reverse("fieldwork:%s" % name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("fieldwork:photo_delete", args=[theirs.pk])).status_code == 404
    assert_denied(reverse("fieldwork:photo", args=[mine.pk]), allowed=READERS)
    assert_denied(reverse("fieldwork:photo_thumb", args=[theirs.pk]),
                  allowed=["province", "city_st", "city_rural", "nanxiong_st", "nanxiong_rural", "nanxiong_city_town",
                           "other_leader"])


def test_the_thumbnail_falls_back_to_the_upload_until_processed(client, field):
    world = field["world"]
    kept = log(world, photos=[photo("IMG_1.jpg")]).photos.get()
    ActivityPhoto.objects.filter(pk=kept.pk).update(thumbnail="", processed=False)
    client.force_login(world["member"])
    response = client.get(reverse("fieldwork:photo_thumb", args=[kept.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == kept.image.open("rb").read()
    assert "处理中" in page_text(client.get(kept.activity.get_absolute_url()))


def test_the_list_is_for_every_official_and_the_team(field, assert_denied):
    log(field["world"])
    assert_denied(LIST, allowed=EVERYONE_BUT_EXPERT)
    assert_denied(GALLERY, allowed=EVERYONE_BUT_EXPERT)


def test_filters_and_the_excel_export(client, field):
    from openpyxl import load_workbook

    world = field["world"]
    log(world, title="本镇技术指导", photos=[photo("IMG_1.jpg"), photo("IMG_2.jpg")])
    log(world, title="珠玑镇规划", service_type="planning", town=world.nanxiong_county_town, date=day(4, 2))
    client.force_login(world["renhua_st"])
    html = page_text(client.get(LIST, {"cross_town": "yes"}))
    assert "珠玑镇规划" in html and "本镇技术指导" not in html
    html = page_text(client.get(LIST, {"service_type": "guidance", "date_from": day(3, 1).isoformat(),
                                       "date_to": day(3, 31).isoformat()}))
    assert "本镇技术指导" in html and "珠玑镇规划" not in html
    assert "珠玑镇规划" in page_text(client.get(LIST, {"q": "规划"}))
    response = client.get(LIST, {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:4] == ["日期", "团队", "所在镇", "村"] and "照片" in header
    by_title = {row[header.index("活动名称")]: row for row in rows[1:]}
    assert by_title["本镇技术指导"][header.index("照片")] == 2
    assert by_title["珠玑镇规划"][header.index("所在镇")] == "珠玑镇（跨镇帮扶）"
    assert by_title["本镇技术指导"][header.index("状态")] == "待确认"
    assert by_title["本镇技术指导"][header.index("日期")] == dt.datetime(day().year, 3, 15)


def test_the_list_counts_photos_without_a_query_per_row(client, field, django_assert_max_num_queries):
    world = field["world"]
    for index in range(6):
        log(world, title="活动%d" % index, photos=[photo("IMG_%d.jpg" % index)])
    client.force_login(world["renhua_st"])
    client.get(LIST)
    with django_assert_max_num_queries(20):
        assert client.get(LIST).status_code == 200


def test_the_gallery_shows_confirmed_photos_in_scope(client, field):
    world = field["world"]
    confirmed = log(world, title="已确认的活动", photos=[photo("IMG_1.jpg")])
    services.record_act(actor=world["renhua_county_town"], record=confirmed, action="confirm")
    waiting = log(world, title="待确认的活动", photos=[photo("IMG_2.jpg")])
    client.force_login(world["renhua_st"])
    html = page_text(client.get(GALLERY))
    shown, hidden = confirmed.photos.get(), waiting.photos.get()
    assert 'data-testid="gallery-photo-%d"' % shown.pk in html and confirmed.get_absolute_url() in html
    assert 'data-testid="gallery-photo-%d"' % hidden.pk not in html
    html = page_text(client.get(GALLERY, {"status": "all"}))
    assert 'data-testid="gallery-photo-%d"' % hidden.pk in html
    html = page_text(client.get(GALLERY, {"status": "all", "town": world.nanxiong_county_town.pk}))
    assert 'data-testid="gallery-photo-' not in html
    for name in ("nanxiong_st", "nanxiong_county_town", "other_leader"):
        client.force_login(world[name])
        html = page_text(client.get(GALLERY, {"status": "all"}))
        assert 'data-testid="gallery-photo-' not in html, name
