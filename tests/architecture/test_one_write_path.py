"""Statuses move only through core.workflow: no code outside it assigns a workflow field or updates it in bulk.

A static check over the platform's source (tests, migrations and the workflow module excluded), so a later app that
sets ``obj.status = ...`` by hand, or ``.update(status=...)``, fails ``make test``. Creating a record in its initial
state is not a move (``Model(status=...)``/``objects.create(status=...)`` are allowed and recorded with
``core.workflow.record_creation``).
"""
import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from core.workflow import WORKFLOWS

ROOT = Path(__file__).resolve().parents[2]
SKIP_PARTS = {"tests", "migrations", ".venv", "node_modules", "bench"}
# Not domain workflows: a background job's own progress record (core.models.TaskRun), written by the task runner.
# The scale generator (portal/scale.py, benchmark data, never run by the platform) builds each record in its final
# state before the bulk insert and writes the Transition rows the services would have written beside it.
ALLOWED = {
    ("core/tasks.py", "status"), ("core/scheduled.py", "status"), ("portal/scale.py", "status"),
}


def _state_field_names():
    return {workflow.state_field for workflow in WORKFLOWS}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP_PARTS & set(relative.parts) or relative.name.startswith("test") or relative.name == "testing.py":
            continue
        if relative.as_posix() == "core/workflow.py":
            continue
        yield relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_every_status_field_has_a_declared_workflow():
    """Each model field named ``status`` (or a declared state field) belongs to a workflow, or is listed here."""
    declared = {(workflow.model, workflow.state_field) for workflow in WORKFLOWS}
    not_workflows = {("core.TaskRun", "status")}  # a background job's progress, see ALLOWED
    missing = []
    for model in apps.get_models():
        if model._meta.app_label in {"django_tasks_database", "axes"} or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.fields:
            if field.name == "status" and (model._meta.label, "status") not in declared | not_workflows:
                missing.append(model._meta.label)
    assert not missing, "status without a declared workflow (core.workflow.Workflow): %s" % missing


def test_no_status_is_set_outside_the_workflow():
    names = _state_field_names()
    found = []
    for where, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr in names and (where, target.attr) not in ALLOWED:
                        found.append("%s:%d sets .%s" % (where, node.lineno, target.attr))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
                for keyword in node.keywords:
                    if keyword.arg in names and (where, keyword.arg) not in ALLOWED:
                        found.append("%s:%d .update(%s=…)" % (where, node.lineno, keyword.arg))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in names:
                    found.append("%s:%d setattr(…, %r)" % (where, node.lineno, node.args[1].value))
    assert not found, "statuses move only by core.workflow.apply_transition:\n" + "\n".join(found)


def test_workflows_declare_known_states():
    """Every step's sources and target are choices of the field it moves."""
    problems = []
    for workflow in WORKFLOWS:
        column = workflow.model_class()._meta.get_field(workflow.state_field)
        states = {value for value, _label in column.flatchoices}
        for action, step in workflow.items():
            for state in (*step.sources, step.target):
                if state not in states:
                    problems.append("%s.%s: %s" % (workflow.model, action, state))
    assert not problems, problems


def test_pages_admin_and_api_call_only_public_services():
    """A view, admin or API module calls a service's public functions; a private helper (``services._x``) would skip
    the checks the public service makes in order."""
    import re

    root = Path(settings.BASE_DIR)
    offenders = []
    for path in list(root.glob("*/views.py")) + list(root.glob("*/admin.py")) + list(root.glob("*/api.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bservices\._[a-z]", line):
                offenders.append("%s:%d" % (path.relative_to(root), number))
    assert offenders == []
