"""Field service on a phone (issue 18): a team member, at 390 px, logs a service activity with a photo while the
connection is gone — the form keeps it in the browser and says so — and when the connection returns it is sent by
itself: one record, with its photo processed (EXIF time kept). The town's work team then confirms it from its list
with 批量确认, and the activity reads 已确认.

Screenshots go to ``screenshots/field18/`` (ignored by git)."""
import datetime as dt
import io
import re

import pytest

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT_DIR = SHOTS / "field18"


def shot(page, name):
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT_DIR / f"{name}.png"), full_page=True)


def phone_photo(taken: dt.datetime) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (1600, 1200), (110, 150, 80))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_member_logs_an_activity_offline_and_the_work_team_confirms_it(page_for, live_server, world):
    from fieldwork.models import Activity
    from fieldwork.tests.factories import field_pairing

    field_pairing(world)
    today = dt.date.today()

    # 1. The member opens the form on a phone, then loses the connection while filling it in.
    member = page_for("member", width=390, height=844)
    member.goto(live_server.url + "/field/activities/new/")
    member.wait_for_selector("[data-offline-draft]")
    member.context.set_offline(True)
    member.fill("#id_title", "贡柑黄龙病田间诊断")
    member.fill("#id_description", "到村里果园查看黄龙病发病情况，讲解病树识别与清除。")
    member.check("input[name=service_type][value=guidance]")
    member.fill("#id_people_trained", "25")
    member.fill("#id_households_served", "12")
    member.set_input_files("#id_photos", [{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                           "buffer": phone_photo(dt.datetime.combine(today, dt.time(9, 30)))}])
    member.click("[data-testid=submit]")
    status = member.locator("[data-offline-status]")
    status.wait_for()
    assert "联网后自动提交" in status.inner_text()
    shot(member, "1-offline-kept-390")
    assert Activity.objects.count() == 0  # nothing reached the server

    # 2. The connection returns: the draft is sent by itself, once, and the page shows the new activity.
    member.context.set_offline(False)
    member.wait_for_url(re.compile(r"/field/activities/\d+/$"), timeout=20000)
    assert Activity.objects.count() == 1
    activity = Activity.objects.get()
    assert (activity.title, activity.status, activity.people_trained) == ("贡柑黄龙病田间诊断", "submitted", 25)
    photo = activity.photos.get()
    assert photo.processed and photo.has_exif and photo.taken_at.date() == today
    assert max(photo.width, photo.height) <= 1600
    member.reload()
    assert "待确认" in member.inner_text("main")
    shot(member, "2-sent-when-online-390")

    # 3. The work team of 董塘镇 confirms it from its list with 批量确认, on a phone too.
    town = page_for("renhua_county_town", width=390, height=844)
    town.goto(live_server.url + "/field/activities/?status=submitted")
    town.locator("input[name=ids][value='%d']:visible" % activity.pk).check()
    shot(town, "3-town-list-390")
    town.click("[data-testid=bulk-confirm]")
    town.wait_for_load_state("networkidle")
    assert "1" in town.inner_text("main")
    activity.refresh_from_db()
    assert activity.status == "confirmed" and activity.confirmed_by == world["renhua_county_town"]
    town.goto(live_server.url + activity.get_absolute_url())
    assert "已确认" in town.inner_text("main")
    shot(town, "4-confirmed-390")
