"""The cycle workflow: planned → open → closed, taken by the city S&T bureau."""
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.workflow import Step, Workflow

CYCLE_EDITORS = frozenset({Role.CITY_ST})

# States are Cycle.Status (planned, open, closed); written as values here because choices load before models.
CYCLE_WORKFLOW = Workflow("cycles.Cycle", title="帮扶周期", steps={
    "open": Step(sources=("planned",), target="open", roles=CYCLE_EDITORS, label=str(_("启动周期")), style="success"),
    "close": Step(sources=("open",), target="closed", roles=CYCLE_EDITORS, label=str(_("结束周期")),
                  needs_comment=True, style="secondary"),
    "reopen": Step(sources=("closed",), target="open", roles=CYCLE_EDITORS, label=str(_("重新开启")),
                   needs_comment=True, style="outline-secondary"),
})
