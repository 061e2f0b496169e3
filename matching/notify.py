"""Who is told when a pairing moves: the town (its users, the stationed work team's account), the county's offices
and the team (leader and members), each with a link to the pairing — one query for all the recipients."""
from collections import defaultdict

from django.db.models import Q

from core.roles import COUNTY_ROLES, Role


def pairing_parties(pairings) -> dict:
    """``{pairing.pk: [users]}``: the active users of each pairing's town, county offices and team."""
    from accounts.models import User

    pairings = list(pairings)
    if not pairings:
        return {}
    towns = {p.town_id for p in pairings}
    counties = {p.town.county_id for p in pairings}
    teams = {p.team_id for p in pairings}
    users = list(User.objects.filter(is_active=True).filter(
        Q(role=Role.TOWN, town_id__in=towns) | Q(role__in=COUNTY_ROLES, county_id__in=counties)
        | Q(team_id__in=teams)))
    by_pairing = defaultdict(list)
    for pairing in pairings:
        for user in users:
            if ((user.role == Role.TOWN and user.town_id == pairing.town_id)
                    or (user.role in COUNTY_ROLES and user.county_id == pairing.town.county_id)
                    or (user.team_id is not None and user.team_id == pairing.team_id)):
                by_pairing[pairing.pk].append(user)
    return by_pairing


def tell_pairing_parties(pairings, *, title: str, body: str) -> None:
    """Post one inbox message per party of each pairing (mail too, when configured); ``title`` and ``body`` may use
    ``%(town)s`` and ``%(team)s``."""
    from accounts.services import notify

    pairings = list(pairings)
    parties = pairing_parties(pairings)
    for pairing in pairings:
        def fill(text):  # only the two names: a notice title with "%" in it stays as it is
            return str(text).replace("%(town)s", pairing.town.full_name).replace("%(team)s", pairing.team.name)

        notify(recipients=parties.get(pairing.pk, []), title=fill(title), body=fill(body), link=pairing.get_absolute_url())
