"""The accessibility checks reuse the browser harness of the end-to-end tests (Debian's chromium, skipped with a
clear message when it is missing, failing in CI)."""
from tests.e2e.conftest import _reseed_migration_data  # noqa: F401
