"""``patrol checkpoints labels``: printable QR sticker sheets for a site's checkpoints.

Each label carries a QR code of ``<base-url>/m/#/scan/<code>`` (the phone app opens the checkpoint
from it, and any phone camera can follow it), the checkpoint's Chinese and English names and its
code in print, so a guard whose phone cannot read QR codes types the code instead.
"""
import os
from urllib.parse import quote

import click
import segno
from markupsafe import Markup

from api.printables import render

# A4 sheet of 3 x 7 stickers, 70 x 42.3 mm each (the common "21 per sheet" label paper)
COLUMNS, ROWS = 3, 7
PER_SHEET = COLUMNS * ROWS


def label_url(base_url, code):
    """What the QR code says: the phone app's scan route for this checkpoint."""
    return f"{base_url.rstrip('/')}/m/#/scan/{quote(code, safe='-_.')}"


def qr_svg(data):
    """The QR code as inline SVG (no files, no network), sized by the stylesheet."""
    qr = segno.make(data, error="m", micro=False)
    return qr.svg_inline(omitsize=True, border=0, svgclass="qr", lineclass=None, dark="#000")


def render_labels(site, checkpoints, base_url):
    """The whole printable page: one A4 sheet per 21 checkpoints. ``site`` and each checkpoint
    are plain dicts (name, name_en, code, zone), so this renders without a database."""
    labels = [dict(cp, qr=Markup(qr_svg(label_url(base_url, cp["code"])))) for cp in checkpoints]
    sheets = [labels[start:start + PER_SHEET] for start in range(0, len(labels), PER_SHEET)]
    return render("checkpoint_labels.html", site=site, sheets=sheets, columns=COLUMNS, rows=ROWS)


def label_rows(site, zone_code=None, ids=None):
    """A site's active checkpoints in round order (only one zone's, or only ``ids``), and the site,
    as the dicts render_labels takes."""
    from api.models import Checkpoint, Zone

    query = (Checkpoint.select(Checkpoint, Zone).join(Zone)
             .where((Checkpoint.site == site) & (Checkpoint.active == True)))  # noqa: E712
    if zone_code:
        query = query.where(Zone.code == zone_code)
    if ids:
        query = query.where(Checkpoint.id.in_([int(i) for i in ids]))
    rows = [{"code": cp.code, "name": cp.name, "name_en": cp.name_en,
             "zone": " / ".join(x for x in (cp.zone.name, cp.zone.name_en) if x)}
            for cp in query.order_by(Checkpoint.sort_order, Checkpoint.code)]
    return {"name": site.name, "name_en": site.name_en, "code": site.code}, rows


def site_checkpoints(site_code, zone_code=None):
    """A site's (by code) active checkpoints in round order, as the dicts render_labels takes."""
    from api.models import Site

    site = Site.get_or_none(Site.code == site_code)
    if site is None:
        raise click.ClickException(f"no site {site_code}")
    return label_rows(site, zone_code)


@click.group("checkpoints")
def command():
    """Checkpoints: printable QR labels."""


@command.command("labels")
@click.option("--site", "site_code", required=True, help="Site code, e.g. LHY.")
@click.option("--zone", "zone_code", default=None, help="Only this zone's checkpoints (zone code).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the HTML page (print it on A4 sticker paper, 3 x 7).")
@click.option("--base-url", default=lambda: os.environ.get("PATROL_PUBLIC_URL", "http://127.0.0.1:8000"),
              show_default="PATROL_PUBLIC_URL or http://127.0.0.1:8000",
              help="The address phones reach the server at; the QR codes point to <base-url>/m/#/scan/<code>.")
def labels(site_code, zone_code, out_path, base_url):
    """Write an A4 sticker sheet of QR labels for a site's checkpoints."""
    from api.commands import connect

    if not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with https:// (or http://)", param_hint="--base-url")
    connect()
    site, cps = site_checkpoints(site_code, zone_code)
    if not cps:
        raise click.ClickException(f"site {site_code} has no active checkpoints" + (f" in zone {zone_code}" if zone_code else ""))
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write(render_labels(site, cps, base_url))
    sheets = (len(cps) + PER_SHEET - 1) // PER_SHEET
    click.echo(f"{len(cps)} labels on {sheets} A4 sheet(s) -> {out_path}")
    host = base_url.split("://", 1)[1].split("/")[0].split(":")[0]
    if base_url.startswith("http://") and host not in ("127.0.0.1", "localhost"):
        click.echo("note: phones allow the camera and offline use only over HTTPS; "
                   "print labels with the https:// address you serve the app at.")
