"""Two officials, two clicks: of two conflicting workflow steps exactly one wins (threads on PostgreSQL).

SQLite takes its write lock at BEGIN (``transaction_mode: IMMEDIATE``), so it serialises these by design; the
threads need real connections and committed data, which the PostgreSQL run has.
"""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.models import User
from calls import services
from calls.models import Application
from calls.tests.factories import complete_application, make_call, staff_team
from core.workflow import Conflict, transitions_for

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="SQLite serialises writers by design; the race runs on PostgreSQL")


def _race(pk, moves):
    """Run each (username, action, comment) in its own thread at once; return what each got."""
    barrier = threading.Barrier(len(moves))
    results = [None] * len(moves)

    def run(index, username, action, comment):
        try:
            actor = User.objects.get(username=username)
            barrier.wait()
            application = Application.objects.get(pk=pk)
            services.application_review(actor=actor, application=application, action=action, comment=comment)
            results[index] = "ok"
        except ValidationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.parametrize("moves", [
    [("renhua_st", "accept", ""), ("renhua_st", "return", "请补充材料")],
    [("renhua_st", "accept", ""), ("renhua_st", "accept", "")],
])
def test_two_conflicting_steps_on_one_application_one_wins(transactional_db, world, moves):
    staff_team(world)
    call = make_call(world)
    application = complete_application(world, call)
    services.application_submit(actor=world["leader"], application=application)
    for _attempt in range(5):
        Application.objects.filter(pk=application.pk).update(status="submitted")
        before = transitions_for(application).count()
        results = _race(application.pk, moves)
        assert results.count("ok") == 1, results
        loser = next(result for result in results if result != "ok")
        assert isinstance(loser, ValidationError)
        if isinstance(loser, Conflict):
            assert "已被他人处理" in loser.messages[0]
        moved = list(transitions_for(application).order_by("-pk"))[: transitions_for(application).count() - before]
        assert len(moved) == 1 and moved[0].from_state == "submitted"
        application.refresh_from_db()
        assert application.status == moved[0].to_state


def test_a_double_submit_at_the_same_instant_makes_one_record(transactional_db, world):
    """Two requests with one Idempotency-Key race: one creates, the other waits and replays it."""
    from django.test import Client

    from regions.models import Village

    barrier = threading.Barrier(2)
    codes = []

    def post():
        try:
            client = Client()
            client.force_login(User.objects.get(username="renhua_county_town"))
            barrier.wait()
            response = client.post("/api/v1/villages/", {"town": world.renhua_county_town.pk, "name": "董塘村"},
                                   content_type="application/json", HTTP_IDEMPOTENCY_KEY="same-key-123456")
            codes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [200, 201]
    assert Village.objects.filter(name="董塘村").count() == 1


def test_confirm_and_return_on_one_need_one_wins(transactional_db, world):
    from needs.models import IndustryCategory, Need
    from needs.services import need_create, need_transition

    need = need_create(actor=world["renhua_st"], cycle=world.cycle, town=world.renhua_county_town, title="贡柑黄龙病防控",
                       description="全镇贡柑受黄龙病影响", category=IndustryCategory.objects.get_or_create(name="果树")[0],  # flushed by earlier
                       service_types=["guidance"])
    barrier = threading.Barrier(2)
    results = []

    def act(action, comment):
        try:
            actor = User.objects.get(username="renhua_st")
            barrier.wait()
            need_transition(actor=actor, need=Need.objects.get(pk=need.pk), action=action, comment=comment)
            results.append("ok")
        except ValidationError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=move) for move in [("confirm", ""), ("return", "请补充")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results.count("ok") == 1, results
    assert len([t for t in transitions_for(need) if t.from_state == "submitted"]) == 1
