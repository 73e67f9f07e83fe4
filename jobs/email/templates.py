"""Emails rendered from Jinja2 templates: NAME.subject.txt, NAME.txt and NAME.html."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("jobs.email", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, values: dict[str, Any]) -> Rendered:
    env = _environment()
    return Rendered(
        subject=" ".join(env.get_template(f"{name}.subject.txt").render(values).split()),
        text=env.get_template(f"{name}.txt").render(values).strip() + "\n",
        html=env.get_template(f"{name}.html").render(values),
    )
