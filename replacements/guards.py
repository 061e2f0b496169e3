"""Guards this app adds to lower apps' workflow steps (registered from ``ReplacementsConfig.ready``)."""
from django.utils.translation import gettext as _


def no_working_pairings(cycle, actor):
    """A cycle is closed only once its pairings have ended (the end of a cycle ends them on its last day)."""
    from matching.models import Pairing
    from replacements.services import WORKING

    working = Pairing.objects.filter(cycle=cycle, status__in=WORKING).count()
    if working:
        return _("本周期仍有%(n)d个结对在帮扶中：周期届满后由系统结束各结对（或在“周期结束”页面结束），再结束周期。") % {
            "n": working}
    return None
