"""The demo loader for calls is idempotent and gives the county official something to review."""
from calls.demo import load_calls_demo
from calls.models import Application, Call
from teams.models import Team


def test_it_loads_an_open_county_call_with_one_application_twice_without_duplicates(world):
    Team.objects.create(cycle=world.cycle, name="华农柑橘绿色栽培团队", lead_unit=world.unit)
    load_calls_demo(world.cycle)
    load_calls_demo(world.cycle)
    call = Call.objects.get()
    assert call.is_open and list(call.towns.all()) == [world.renhua_county_town]
    application = Application.objects.get()
    assert application.status == "submitted" and application.team.memberships.count() == 3
