"""core.queries.related_count: the same figure as a joined Count, without grouping the whole table."""
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from core.queries import related_count
from regions.models import County, Town
from teams.models import Team, TeamMembership


def test_it_counts_what_a_joined_count_counts(world):
    joined = dict(County.objects.annotate(n=Count("towns")).values_list("name", "n"))
    counted = dict(County.objects.annotate(n=related_count(Town, "county")).values_list("name", "n"))
    assert counted == joined and set(counted.values()) != {0}
    leaders = dict(Team.objects.annotate(n=related_count(TeamMembership, "team", Q(role="leader"))).values_list("pk", "n"))
    assert leaders == dict(Team.objects.annotate(n=Count("memberships", filter=Q(memberships__role="leader")))
                           .values_list("pk", "n"))
    empty = County.objects.create(city=world.city, code="440299", name="空县")
    assert County.objects.annotate(n=related_count(Town, "county")).get(pk=empty.pk).n == 0  # 0, not None


def test_the_list_query_groups_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        list(County.objects.annotate(n=related_count(Town, "county")).order_by("code")[:25])
    (sql,) = [q["sql"] for q in queries.captured_queries]
    outer = sql.rsplit(")", 1)[-1]  # after the subquery: the outer query's own clauses
    assert "GROUP BY" not in outer and "LIMIT 25" in outer
    assert 'JOIN "regions_town"' not in sql
