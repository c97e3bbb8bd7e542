"""Printable pages (the posting notice, checkpoint label sheets) rendered from ``api/templates/`` with
Jinja2 and autoescaping, outside any request: the CLI and the domain use them as the API does."""
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, keep_trailing_newline=True)


def render(template, **context):
    """The named template as text; every value is escaped unless it is ``markupsafe.Markup``."""
    return _env.get_template(template).render(**context)
