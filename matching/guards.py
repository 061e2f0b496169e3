"""Cross-record rules that read selection records, added to the calls app's workflow steps (see ``apps.py``).

The calls app sits below matching and imports nothing from it; matching adds these guards when Django starts, so
``core.workflow.apply_transition`` checks them under the row lock and the pages show their reasons.
"""
from django.utils.translation import gettext_lazy as _

from matching.choices import LIVE_PAIRING_STATES, RoundStatus
from matching.models import Pairing, SelectionRound


def no_pairing_for_application(application, actor):
    """No withdrawal once the application's team is paired through this call."""
    pairing = (Pairing.objects.filter(team_id=application.team_id, round__call_id=application.call_id,
                                      status__in=LIVE_PAIRING_STATES).select_related("town").first())
    if pairing:
        return str(_("团队已与%(t)s结对（%(s)s），不能撤回申报；如需退出，请联系组织单位办理调整更换。") % {
            "t": pairing.town.name, "s": pairing.get_status_display()})
    return None


def team_not_paired_elsewhere(application, actor):
    """An application is not accepted (and its leader not told "受理") when the team is already paired this cycle
    through another call: one team, one town per cycle; the organizer returns it with that reason instead."""
    pairing = (Pairing.objects.filter(team_id=application.team_id, cycle_id=application.call.cycle_id,
                                      status__in=LIVE_PAIRING_STATES).exclude(round__call_id=application.call_id)
               .select_related("town").first())
    if pairing:
        return str(_("该团队本周期已与%(t)s结对（%(s)s），一个团队只能结对一个镇，不能受理；请退回并说明。") % {
            "t": pairing.town.name, "s": pairing.get_status_display()})
    return None


def no_pairings_for_call(call, actor):
    """No cancelling a call whose selection made pairings, or while a selection round is open."""
    count = Pairing.objects.filter(round__call_id=call.pk, status__in=LIVE_PAIRING_STATES).count()
    if count:
        return str(_("该征集已产生 %(n)d 个结对，不能撤销；如需调整，请对结对办理调整更换。") % {"n": count})
    if SelectionRound.objects.filter(call_id=call.pk, status=RoundStatus.OPEN).exists():
        return str(_("该征集有进行中的遴选，请先取消遴选再撤销征集。"))
    return None
