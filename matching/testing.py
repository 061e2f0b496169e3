"""Test data for selection: a county call over three towns with confirmed needs, and four accepted applications."""
import datetime as dt

from calls.models import Application, ApplicationTown, Call
from needs.models import IndustryCategory, Need
from needs.search import index_needs
from regions.models import Town, TownClassification
from teams.models import Team
from portal.testing import CYCLE_YEAR


def build_selection(world):
    """Return a namespace: call, towns (by name), teams (by name), applications."""
    cycle, renhua = world.cycle, world.renhua
    towns = {"董塘镇": world.renhua_county_town}
    for code, name in [("440224106", "红山镇"), ("440224107", "石塘镇")]:
        town = Town.objects.create(county=renhua, code=code, name=name)
        TownClassification.objects.create(cycle=cycle, town=town, town_class="consolidation", organizing_level="county")
        towns[name] = town
    categories = {c.name: c for c in IndustryCategory.objects.all()}
    needs = [
        Need.objects.create(cycle=cycle, town=towns["董塘镇"], title="贡柑黄龙病防控", description="贡柑黄龙病严重，需要绿色防控",
                            category=categories["果树"], service_types=["guidance"], status="confirmed"),
        Need.objects.create(cycle=cycle, town=towns["红山镇"], title="白毛茶加工", description="白毛茶加工工艺落后，茶叶品质不稳",
                            category=categories["茶叶"], service_types=["transfer"], status="confirmed"),
        Need.objects.create(cycle=cycle, town=towns["石塘镇"], title="生猪养殖粪污处理", description="猪场粪污资源化利用",
                            category=categories["畜牧"], service_types=["guidance"], status="confirmed"),
        Need.objects.create(cycle=cycle, town=towns["石塘镇"], title="未确认的需求", description="香菇",
                            category=categories["食用菌"], service_types=["guidance"], status="submitted"),
    ]
    index_needs(needs)
    call = Call.objects.create(cycle=cycle, organizer_level="county", city=world.city, county=renhua,
                               issuer="仁化县科学技术局", title="仁化县农村科技特派员团队征集", doc_number="仁科〔2025〕3号",
                               notice="现公开征集……", open_date=dt.date(CYCLE_YEAR, 1, 1), close_date=dt.date(CYCLE_YEAR, 2, 1),
                               status="published")
    call.towns.set(towns.values())
    team_specs = [
        (world.team, "柑橘黄龙病综合防控与绿色栽培", ["董塘镇"], {"董塘镇"}),
        (world.other_team, "茶树栽培与茶叶精深加工", ["红山镇", "董塘镇"], set()),
        (Team.objects.create(cycle=cycle, name="生猪健康养殖团队", lead_unit=world.unit,
                             expertise_summary="生猪养殖、畜禽粪污资源化利用"), None, ["石塘镇"], set()),
        (Team.objects.create(cycle=cycle, name="柑橘栽培第二团队", lead_unit=world.other_unit,
                             expertise_summary="柑橘栽培与果园管理"), None, ["董塘镇", "红山镇"], set()),
    ]
    teams, applications = {}, {}
    for team, summary, ranked, prior in team_specs:
        if summary:
            team.expertise_summary = summary
            team.save()
        application = Application.objects.create(call=call, team=team, status="accepted", service_plan="帮扶思路")
        for rank, name in enumerate(ranked, start=1):
            ApplicationTown.objects.create(application=application, town=towns[name], rank=rank,
                                           visits=3 if name in prior else 0, years=2 if name in prior else 0)
        teams[team.name] = team
        applications[team.name] = application

    class Selection:
        pass

    result = Selection()
    result.call, result.towns, result.teams, result.applications, result.needs = call, towns, teams, applications, needs
    return result
