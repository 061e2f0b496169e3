import datetime as dt

import pytest

from matching.models import Pairing


@pytest.fixture
def proposed(world):
    """Two county pairings in 仁化县 (one with alternates) and one city pairing, all proposed."""
    from teams.models import Team

    spare = Team.objects.create(cycle=world.cycle, name="备选柑橘团队", lead_unit=world.other_unit, leader_name="刘敏")
    a = Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.team, organizer_level="county",
                               status="proposed", alternates=[{"team_id": spare.pk, "team_name": spare.name, "score": 0.9},
                                                              {"team_id": world.other_team.pk, "team_name": "茶叶团队", "score": 0.5}])
    b = Pairing.objects.create(cycle=world.cycle, town=world.renhua_city_town, team=world.other_team, organizer_level="city",
                               status="proposed")
    return {"county": a, "city": b, "spare": spare}


@pytest.fixture
def published(world, proposed):
    from notices.services import notice_publish

    return notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]],
                          title="仁化县农村科技特派员团队选派名单公示", start_date=dt.date(2024, 9, 27),
                          contact="仁化县科学技术局 0751-6381234", doc_number="仁科〔2024〕9号",
                          today=dt.date(2024, 9, 27))
