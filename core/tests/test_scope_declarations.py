"""Scope rules are declared on the models and derived by core.scoping (issue 13, item 5).

The authorization matrix proves the pages and the API end to end; these tests pin the derivation itself: what a
declaration means for each level, that a parent-scoped row follows its parent both ways, that the change check before
a save (may_write) reads the same declaration, and that overriding scope_q stays rare and explained.
"""
import ast
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Q

from calls.choices import CallStatus, OrganizerLevel
from calls.models import Call, CallAttachment
from core.roles import OFFICIAL_ROLES
from core.scoping import CHANGE_RULES, CHANGE, NOTHING, VIEW, ScopedModel, may_write, restrict
from matching.choices import PairingStatus
from matching.models import Pairing, SelectionRound
from needs.models import IndustryCategory, Need
from units.models import DispatchingUnit

pytestmark = pytest.mark.django_db

# The models that still override scope_q, each with a docstring saying why a declaration cannot say it. A new
# override is a decision: add it here with its reason.
ALLOWED_OVERRIDES = {
    "reports.AnnualReport",
    "accounts.User", "accounts.Notification", "core.TaskRun", "regions.City", "teams.Commissioner",
    "calls.Application", "notices.Objection", "registrations.RegistrationSubmission",
}


def _overrides():
    found = {}
    for model in apps.get_models():
        rule = model.__dict__.get("scope_q")
        if rule is not None:
            found[model._meta.label] = rule.__func__.__doc__ or ""
    return found


def test_overriding_the_scope_rule_is_rare_and_each_override_says_why():
    found = _overrides()
    assert set(found) == ALLOWED_OVERRIDES
    for label, doc in found.items():
        assert doc.strip().startswith("Override"), "%s.scope_q needs a docstring starting 'Override (why)'" % label


def test_no_app_model_spells_the_organizer_ladder_again():
    """The city/province/county ladder lives in core.scoping.organizer_q; models declare scope_organizer instead."""
    root = Path(settings.BASE_DIR)
    for path in root.glob("*/models.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert "organizer_change_q" not in names, path
        assert "organized_towns_q" not in names, path


def test_every_declared_path_is_a_real_relation():
    """A typo in a declaration would make a rule match nothing (or fail on the first request): check each path."""
    for model in apps.get_models():
        if not issubclass(model, ScopedModel):
            continue
        for attr in ("scope_parent", "scope_county", "scope_town", "scope_team", "scope_unit", "scope_owner"):
            path = getattr(model, attr)
            if path:
                model._default_manager.filter(**{"%s__isnull" % path: True}).exists()
        organizer = model.scope_organizer
        if organizer is not None:
            paths = organizer if isinstance(organizer, tuple) else [
                "%s__%s" % (organizer, f) if organizer else f for f in ("organizer_level", "city", "county")]
            for path in paths:
                model._default_manager.filter(**{"%s__isnull" % path: True}).exists()
        assert model.scope_view in ("tree", "organizer"), model
        assert model.scope_change in ("tree", "organizer", "all", "team_or_organizer") or \
            model.scope_change in CHANGE_RULES, model  # a named rule an app registered (town_organizer, seat_holder)


def test_the_organizer_rule_reads_by_level_and_changes_by_the_organizing_office(world):
    call = Call.objects.create(cycle=world.cycle, title="县级征集", organizer_level=OrganizerLevel.COUNTY,
                               city=world.city, county=world.renhua, open_date=dt.date.today(),
                               close_date=dt.date.today() + dt.timedelta(days=10))
    readers = {name for name, user in world.users.items() if restrict(Call, user, VIEW).filter(pk=call.pk).exists()}
    changers = {name for name, user in world.users.items() if restrict(Call, user, CHANGE).filter(pk=call.pk).exists()}
    # A draft: the city's roles, the province and the county's own offices read it; nobody outside; only 仁化's S&T
    # office (and the administrator) changes it.
    assert readers == {"admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural"}
    assert changers == {"admin", "renhua_st"}
    # Published, it is public to teams and units (scope_view_also) and still changed by its organizer alone.
    Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED)
    readers = {name for name, user in world.users.items() if restrict(Call, user, VIEW).filter(pk=call.pk).exists()}
    assert {"leader", "member", "other_leader", "unit"} <= readers
    assert "nanxiong_st" not in readers


def test_a_parent_scoped_row_follows_its_parent_for_reading_and_changing(world):
    call = Call.objects.create(cycle=world.cycle, title="市级征集", organizer_level=OrganizerLevel.CITY, city=world.city,
                               open_date=dt.date.today(), close_date=dt.date.today() + dt.timedelta(days=10))
    attachment = CallAttachment.objects.create(call=call, name="通知.pdf", file="calls/x.pdf")
    for user in world.users.values():
        for action in (VIEW, CHANGE):
            sees_call = restrict(Call, user, action).filter(pk=call.pk).exists()
            sees_file = restrict(CallAttachment, user, action).filter(pk=attachment.pk).exists()
            assert sees_call == sees_file, (user.username, action)


def test_scope_roles_shut_out_everyone_else(world):
    """Selection rounds are declared for officials only: a team that reads the published call reads no round."""
    leader = world["leader"]
    assert leader.role not in OFFICIAL_ROLES
    assert SelectionRound.scope_q(leader, VIEW) == NOTHING


def test_readers_and_editors(world):
    """The industry dictionary: every signed-in user reads it, the city S&T bureau alone changes it; units: officials
    read all, a unit changes only itself."""
    category = IndustryCategory.objects.create(name="测试类别", order=99)
    for name, user in world.users.items():
        assert restrict(IndustryCategory, user, VIEW).filter(pk=category.pk).exists(), name
        assert restrict(IndustryCategory, user, CHANGE).filter(pk=category.pk).exists() == (name in ("admin", "city_st"))
    assert restrict(DispatchingUnit, world["renhua_rural"], VIEW).count() == 2
    assert list(restrict(DispatchingUnit, world["unit"], CHANGE)) == [world.unit]
    assert list(restrict(DispatchingUnit, world["leader"], VIEW)) == [world.unit]
    assert not restrict(DispatchingUnit, world["city_st"], CHANGE).exists()


def test_the_town_organizer_rule_decides_who_changes_a_need(world):
    """A need in a city-organized town is changed by the city and the town, not by its county; in a county-organized
    town by the county and the town, not by the city — read along the tree by all of them."""
    category = IndustryCategory.objects.create(name="种植", order=1)

    def need(town):
        return Need.objects.create(cycle=world.cycle, town=town, title="需求", description="说明", category=category,
                                   service_types=["technology"])

    city_need, county_need = need(world.renhua_city_town), need(world.renhua_county_town)

    def changers(row):
        return {n for n, u in world.users.items() if restrict(Need, u, CHANGE).filter(pk=row.pk).exists()}

    assert {"city_st", "renhua_city_town"} <= changers(city_need)
    assert "renhua_st" not in changers(city_need)
    assert {"renhua_st", "renhua_county_town"} <= changers(county_need)
    assert "city_st" not in changers(county_need)
    assert restrict(Need, world["renhua_rural"], VIEW).filter(pk=city_need.pk).exists()
    # The change check before a save reads the same declaration (the cycle comparison is asked of the database).
    draft = Need(cycle=world.cycle, town=world.renhua_county_town, title="新需求", description="说明", category=category)
    assert may_write(world["renhua_st"], draft)
    assert not may_write(world["city_st"], draft)
    assert not may_write(world["nanxiong_st"], draft)
    assert not Need.objects.filter(title="新需求").exists()


def test_pairings_are_read_along_the_tree_and_changed_by_the_organizing_level(world):
    pairing = Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.team,
                                     organizer_level="county", status=PairingStatus.PROPOSED)
    assert Pairing.scope_q(world["renhua_st"], CHANGE) == Q(organizer_level="county", town__county=world.renhua.pk)
    assert restrict(Pairing, world["renhua_st"], CHANGE).filter(pk=pairing.pk).exists()
    assert not restrict(Pairing, world["city_st"], CHANGE).filter(pk=pairing.pk).exists()
    assert restrict(Pairing, world["city_st"], VIEW).filter(pk=pairing.pk).exists()
    assert restrict(Pairing, world["leader"], VIEW).filter(pk=pairing.pk).exists()
    assert not restrict(Pairing, world["other_leader"], VIEW).filter(pk=pairing.pk).exists()


def test_a_read_grant_never_repeats_a_row(world):
    """``scope_view_also`` grants are subqueries: a county reading the city's notice listing two of its towns (or a
    campaign over two of its towns) gets the row once, so get() and counts hold."""
    from notices.models import NoticeEntry, PublicNotice
    from needs.models import CampaignTown, SurveyCampaign

    notice = PublicNotice.objects.create(cycle=world.cycle, organizer_level="city", city=world.city, title="市级公示",
                                         contact="x", start_date=dt.date.today(), working_days=5,
                                         first_day=dt.date.today(), last_day=dt.date.today(),
                                         ends_at="2100-01-01T00:00:00+08:00", issuer="韶关市科学技术局")
    PublicNotice.objects.filter(pk=notice.pk).update(status="published")  # a county reads the city's published ones
    pairing = Pairing.objects.create(cycle=world.cycle, town=world.renhua_city_town, team=world.team,
                                     organizer_level="city")
    for town in (world.renhua_city_town, world.renhua_county_town):
        NoticeEntry.objects.create(notice=notice, pairing=pairing, town=town, team_name="t", leader="l",
                                   town_label=town.name, county_name="仁化县")
    assert restrict(PublicNotice, world["renhua_st"]).filter(pk=notice.pk).count() == 1
    campaign = SurveyCampaign.objects.create(cycle=world.cycle, title="市级调研", organizer_level="city", city=world.city,
                                             due_date=dt.date.today())
    for town in (world.renhua_city_town, world.renhua_county_town):
        CampaignTown.objects.create(campaign=campaign, town=town)
    assert restrict(SurveyCampaign, world["renhua_st"]).count() == 1
