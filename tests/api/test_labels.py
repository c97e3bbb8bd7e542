"""Printable QR labels for checkpoints: `patrol checkpoints labels`."""
import re

import segno
from click.testing import CliRunner

from api.cli import cli
from api.commands.checkpoints import PER_SHEET, label_url, qr_svg, render_labels
from api.models import Checkpoint, Site

SITE = {"name": "绿荷苑小区", "name_en": "Green Lotus Garden", "code": "LHY"}


def _cp(n):
    return {"code": f"LHY-LAMP-{n:02d}", "name": f"主干道路灯 {n:02d}", "name_en": f"Main road lamp {n:02d}",
            "zone": "北片区 / North zone"}


def test_label_url_opens_the_phone_apps_scan_route():
    assert label_url("https://patrol.example.cn/", "LHY-T1-LOBBY") == "https://patrol.example.cn/m/#/scan/LHY-T1-LOBBY"
    assert label_url("https://x.cn/base", "A B") == "https://x.cn/base/m/#/scan/A%20B"


def test_each_label_has_its_qr_code_both_names_and_the_printed_code():
    page = render_labels(SITE, [_cp(1), _cp(2)], "https://patrol.example.cn")
    assert page.count('<div class="label">') == 2
    assert page.count("<svg") == 2
    for n in (1, 2):
        assert f"主干道路灯 {n:02d}" in page and f"Main road lamp {n:02d}" in page
        assert f'<div class="code">LHY-LAMP-{n:02d}</div>' in page
        # the QR code on the label encodes exactly the label URL
        assert qr_svg(label_url("https://patrol.example.cn", f"LHY-LAMP-{n:02d}")) in page


def test_qr_code_carries_the_label_url():
    url = label_url("https://patrol.example.cn", "LHY-B1-CP")
    assert qr_svg(url) == segno.make(url, error="m").svg_inline(omitsize=True, border=0, svgclass="qr",
                                                                 lineclass=None, dark="#000")
    assert qr_svg(url) != qr_svg(label_url("https://patrol.example.cn", "LHY-B2-CP"))


def test_labels_fill_a4_sheets_of_21():
    page = render_labels(SITE, [_cp(n) for n in range(1, PER_SHEET + 2)], "https://p.cn")
    assert PER_SHEET == 21
    assert page.count('<section class="sheet">') == 2
    assert "size: A4" in page
    assert "grid-template-columns: repeat(3, 70mm)" in page


def test_label_page_loads_nothing_from_the_network():
    page = render_labels(SITE, [_cp(1)], "https://p.cn")
    assert not re.search(r'(src|href)\s*=\s*"https?://', page)
    assert "@import" not in page


def test_names_are_escaped():
    page = render_labels(SITE, [dict(_cp(1), name="<script>alert(1)</script>")], "https://p.cn")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_cli_writes_every_active_checkpoint_of_the_site(org, database_url, tmp_path):
    out = tmp_path / "labels.html"
    r = CliRunner().invoke(cli, ["checkpoints", "labels", "--site", "LHY", "--out", str(out),
                                 "--base-url", "https://patrol.example.cn"], env={"DATABASE_URL": database_url})
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    lhy = Site.get(Site.code == "LHY")
    n = Checkpoint.select().where((Checkpoint.site == lhy) & (Checkpoint.active == True)).count()  # noqa: E712
    assert page.count('<div class="label">') == n
    assert f"{n} labels" in r.output
    assert "1 号楼大堂" in page and "Tower 1 lobby" in page
    assert '<div class="code">LHY-T1-LOBBY</div>' in page
    assert "HQT-LOBBY" not in page  # another site's checkpoints are not on this sheet


def test_cli_zone_option_limits_the_sheet(org, database_url, tmp_path):
    out = tmp_path / "p.html"
    r = CliRunner().invoke(cli, ["checkpoints", "labels", "--site", "LHY", "--zone", "P", "--out", str(out),
                                 "--base-url", "https://p.cn"], env={"DATABASE_URL": database_url})
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "LHY-B1-CP" in page and "LHY-T1-LOBBY" not in page


def test_cli_refuses_an_unknown_site(org, database_url, tmp_path):
    r = CliRunner().invoke(cli, ["checkpoints", "labels", "--site", "NOPE", "--out", str(tmp_path / "x.html")],
                           env={"DATABASE_URL": database_url})
    assert r.exit_code != 0
    assert "no site NOPE" in r.output
    assert not (tmp_path / "x.html").exists()


def test_cli_warns_that_plain_http_on_a_lan_address_blocks_camera_and_offline(org, database_url, tmp_path):
    r = CliRunner().invoke(cli, ["checkpoints", "labels", "--site", "HQT", "--out", str(tmp_path / "h.html"),
                                 "--base-url", "http://192.168.1.20:8000"], env={"DATABASE_URL": database_url})
    assert r.exit_code == 0, r.output
    assert "HTTPS" in r.output


def test_label_page_from_the_api_escapes_names_and_keeps_only_the_asked_ids(login, org):
    lhy = Site.get(Site.code == "LHY")
    cps = list(Checkpoint.select().where((Checkpoint.site == lhy) & (Checkpoint.active == True))  # noqa: E712
               .order_by(Checkpoint.id).limit(2))
    Checkpoint.update(name="<b>大堂</b>").where(Checkpoint.id == cps[0].id).execute()
    r = login("super1").get(f"/checkpoints/labels?site_id={lhy.id}&ids={cps[0].id}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert page.count('<div class="label">') == 1
    assert "&lt;b&gt;大堂&lt;/b&gt;" in page and "<b>" not in page
    assert f'<div class="code">{cps[0].code}</div>' in page and cps[1].code not in page
