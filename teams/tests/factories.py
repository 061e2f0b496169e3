"""Test data for the registry: valid ID numbers and commissioners."""
import datetime as dt
import itertools

from core.china import make_id_number
from teams.choices import Education, Gender, TitleLevel
from teams.models import Commissioner

_sequence = itertools.count(1)


def id_number(sequence: int | None = None) -> str:
    return make_id_number("440224", dt.date(1980, 1, 1) + dt.timedelta(days=sequence or next(_sequence)), 11)


def make_commissioner(unit, *, name=None, user=None, education=Education.MASTER, **fields) -> Commissioner:
    sequence = next(_sequence)
    person = Commissioner(name=name or "特派员%d" % sequence, gender=Gender.MALE, phone="139%08d" % sequence,
                          unit=unit, education=education, title_level=fields.pop("title_level", TitleLevel.ASSOCIATE),
                          title="副研究员", specialty="果树栽培", user=user, **fields)
    person.set_id_number(id_number(sequence + 1000))
    person.full_clean()
    person.save()
    return person
