"""The demo practice's booking widget: one publishable key, made once, and the address of the
widget page Caseload serves for it. The key's full text is shown only when it is made (only
its hash is kept), so a later `caseload demo` says how to make another."""

from __future__ import annotations

from urllib.parse import urlsplit

from caseload.demo_appointments import contexts
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services
from resolvers.widgets.publishable_keys import create_key, practice_keys


async def ensure_demo_widget(services: Services, owner: Viewer) -> list[str]:
    ctx = contexts(services)(owner, services.clock())
    if await practice_keys(ctx):
        return []
    site = urlsplit(services.public_url)
    issued = await create_key(ctx, "Demo website", [f"{site.scheme}://{site.netloc}"])
    return [
        "Demo booking widget: a guest can book at",
        f"  {services.public_url.rstrip('/')}/widget/book?key={issued.text}",
        "  (the key is shown this once; make another with createPublishableKey).",
    ]
