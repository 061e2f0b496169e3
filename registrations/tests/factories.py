"""Test data for registration: pairings whose notice has closed, and prepared submissions."""
from django.utils import timezone

from matching.models import Pairing
from registrations import services


def cleared_pairing(world, town, team, level, status="notice_cleared"):
    """A pairing as the notice step leaves it (organizer level follows the town's organizer)."""
    return Pairing.objects.create(cycle=world.cycle, town=town, team=team, organizer_level=level, status=status,
                                  notice_cleared_at=timezone.now() if status == "notice_cleared" else None)


def county_pairing(world):
    """柑橘团队 in 董塘镇 (仁化县, county-organized)."""
    return cleared_pairing(world, world.renhua_county_town, world.team, "county")


def city_pairing(world):
    """茶叶团队 in 黄坑镇 (仁化县, city-organized)."""
    return cleared_pairing(world, world.renhua_city_town, world.other_team, "city")


def prepare(world, actor, pairings, recipient, number="仁科〔2025〕20号"):
    return services.submission_create(actor=world[actor], cycle=world.cycle, recipient=recipient, pairings=pairings,
                                      doc_number=number, contact="科技股 李明 0751-6388888")
