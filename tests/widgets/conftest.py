"""The browser tests' fixtures, for every widget test module: a real `caseload serve` and
the practice's own site (defined beside the first browser test)."""

from tests.platform.test_e2e import live_server  # noqa: F401
from tests.widgets.test_widget_browser import caseload_serve, practice_site  # noqa: F401
