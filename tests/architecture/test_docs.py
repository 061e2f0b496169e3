"""The domain description lives beside the code, and the workflow tables are generated from the declarations."""
from pathlib import Path

from core.workflow import render_workflow_docs

ROOT = Path(__file__).resolve().parents[2]


def test_the_workflow_tables_are_up_to_date():
    committed = (ROOT / "docs" / "workflows.md").read_text(encoding="utf-8")
    assert committed == render_workflow_docs(), "docs/workflows.md is stale: run `manage.py workflow_docs`"


def test_the_domain_the_code_cites_is_in_the_repository():
    assert (ROOT / "docs" / "domain.md").exists() and (ROOT / "docs" / "shaoguan-action-plan-2021.txt").exists()
