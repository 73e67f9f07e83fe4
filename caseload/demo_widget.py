"""The demo practice's booking widget: one publishable key, made once, and the address of the
widget page Caseload serves for it. The key's full text is shown only when it is made (only
its hash is kept), so a later `caseload demo` says how to make another. The page's address is
also kept in the var folder for `caseload serve` to show: a publishable key is public (it
stands in the source of every page that embeds the widget)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from caseload.demo_appointments import contexts
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services
from resolvers.widgets.publishable_keys import create_key, practice_keys

DEMO_WIDGET_FILE = "demo-widget-url"


def demo_widget_url(var_dir: Path) -> str | None:
    """The demo widget page's address, once `caseload demo` made its key here."""
    kept = var_dir / DEMO_WIDGET_FILE
    return kept.read_text().strip() if kept.is_file() else None


async def ensure_demo_widget(services: Services, owner: Viewer, var_dir: Path) -> list[str]:
    ctx = contexts(services)(owner, services.clock())
    if await practice_keys(ctx):
        return []
    site = urlsplit(services.public_url)
    issued = await create_key(ctx, "Demo website", [f"{site.scheme}://{site.netloc}"])
    address = f"{services.public_url.rstrip('/')}/widget/book?key={issued.text}"
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / DEMO_WIDGET_FILE).write_text(address + "\n")
    return [
        "Demo booking widget: a guest can book at",
        f"  {address}",
        "  (the key is shown this once; make another with createPublishableKey).",
    ]
