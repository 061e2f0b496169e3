"""What the review and funding tell of a story (履历): each decided review (with the approved amount), each grant, and
its tranches paid summed per grant."""
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, local_date, money, story_source
from reviews.choices import ReviewStatus
from reviews.models import Grant, Review

DECISIONS = {ReviewStatus.APPROVED: (_("专家论证通过"), "success"),
             ReviewStatus.APPROVED_CHANGES: (_("专家论证修改后通过"), "success"),
             ReviewStatus.REJECTED: (_("专家论证未通过"), "danger")}


@story_source
def reviews_story(subject, user, kind):
    """Decided reviews (one query), grants with their paid tranches summed in the database (one query)."""
    if kind not in ("town", "team"):
        return []
    events = []
    reviews = (restrict(Review.objects.filter(**{kind: subject}), user).filter(status__in=list(DECISIONS))
               .exclude(decided_at=None).select_related("project").order_by())
    for review in reviews:
        what, level = DECISIONS[review.status]
        figures = {str(_("核定资助（元）")): money(review.approved_amount)} if review.approved_amount else {}
        events.append(StoryEvent(
            date=local_date(review.decided_at), category="review", cycle_id=review.cycle_id, level=level,
            title=str(_("%(what)s：%(title)s") % {"what": what, "title": review.project.title}),
            detail=review.get_mode_display(), url=review.get_absolute_url(), figures=figures))
    grants = (restrict(Grant.objects.filter(**{kind: subject}), user).select_related("project").order_by()
              .annotate(paid=Sum("disbursements__amount"), tranches=Count("disbursements"),
                        last_paid=Max("disbursements__paid_on")))
    for grant in grants:
        url = grant.get_absolute_url()
        detail = "%s，%s" % (grant.project.title, grant.get_budget_source_display())
        if grant.closure:
            detail += str(_("；%(how)s于 %(day)s") % {"how": grant.get_closure_display(),
                                                     "day": grant.closed_on.isoformat() if grant.closed_on else "—"})
        events.append(StoryEvent(
            date=grant.granted_on, category="review", cycle_id=grant.cycle_id, url=url, level="success",
            title=str(_("立项资助 %(number)s") % {"number": grant.project_number}), detail=detail,
            figures={str(_("资助金额（元）")): money(grant.amount)}))
        if grant.tranches:
            events.append(StoryEvent(
                date=grant.last_paid, category="review", cycle_id=grant.cycle_id, url=url,
                title=str(_("资金拨付 %(n)d 笔：%(number)s") % {"n": grant.tranches, "number": grant.project_number}),
                detail=str(_("最近一笔拨付于 %(day)s") % {"day": grant.last_paid.isoformat()}),
                figures={str(_("累计拨付（元）")): money(grant.paid), str(_("资助金额（元）")): money(grant.amount)}))
    return events
