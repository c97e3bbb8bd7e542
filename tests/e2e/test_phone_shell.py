"""The phone app's shell as served: small, self-contained, and complete for offline use."""
import re
from pathlib import Path

from api.phone import STATIC
from tests.helpers import assert_error_shape

SHELL_BUDGET = 200 * 1024


def _shell_files():
    return [p for p in Path(STATIC).rglob("*") if p.is_file() and "icons" not in p.parts]


def _precached():
    sw = (Path(STATIC) / "sw.js").read_text(encoding="utf-8")
    block = re.search(r"const FILES = \[(.*?)\];", sw, re.S).group(1)
    return {f for f in re.findall(r"'([^']+)'", block)}


def test_the_whole_shell_is_under_200_kb_before_compression():
    assert sum(p.stat().st_size for p in _shell_files()) < SHELL_BUDGET


def test_nothing_loads_from_another_host():
    for p in _shell_files():
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"""(import|src=|href=|url\()\s*['"(]?https?://""", text), p.name


def test_every_module_the_app_imports_is_precached_for_offline_use():
    precached = _precached()
    for p in Path(STATIC).rglob("*.js"):
        if p.name == "sw.js":
            continue
        assert str(p.relative_to(STATIC)) in precached, f"{p.name} is not in the service worker's FILES"
        for target in re.findall(r"""(?:from|import\()\s*['"](\.{1,2}/[^'"]+)['"]""", p.read_text(encoding="utf-8")):
            resolved = (p.parent / target).resolve().relative_to(Path(STATIC).resolve())
            assert str(resolved) in precached, f"{p.name} imports {target}, not precached"
    for name in precached - {"./"}:
        assert (Path(STATIC) / name).is_file(), f"precached {name} does not exist"


def test_service_worker_is_stamped_with_the_shell_version_and_never_http_cached(client):
    r = client.get("/m/sw.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/m/"
    assert r.headers["Cache-Control"] == "no-cache"
    body = r.get_data(as_text=True)
    assert "__SHELL_VERSION__" not in body
    assert re.search(r"const VERSION = '[0-9a-f]{16}';", body)


def test_manifest_and_shell_are_served_with_their_types(client):
    r = client.get("/m/manifest.webmanifest")
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    assert r.get_json()["start_url"] == "/m/#/today"
    r = client.get("/m/")
    assert r.status_code == 200 and "<script type=\"module\" src=\"app.js\">" in r.get_data(as_text=True)
    assert client.get("/m/app.js").mimetype == "text/javascript"
    assert client.get("/m/icons/icon-192.png").mimetype == "image/png"


def test_a_path_outside_the_shell_is_404_not_a_file_leak(client):
    assert_error_shape(client.get("/m/../api/config.py"), 404)
    assert_error_shape(client.get("/m/nope.js"), 404)


def test_chinese_and_english_say_the_same_things():
    src = (Path(STATIC) / "i18n.js").read_text(encoding="utf-8")
    table = re.search(r"const MESSAGES = \{\n(.*?)\n\};", src, re.S).group(1)
    lines = table.splitlines()
    string = r"'(?:[^'\\]|\\.)+'"
    pairs = [re.fullmatch(rf"  ([a-z_]+): \[({string}), ({string})\],", line) for line in lines]
    assert all(pairs), [line for line, m in zip(lines, pairs) if not m]  # every message in both, none empty
    keys = [m.group(1) for m in pairs]
    assert len(keys) == len(set(keys))
    used = set()
    for p in set(Path(STATIC).rglob("*.js")) - {Path(STATIC) / "i18n.js"}:
        used |= set(re.findall(r"\bt\('([a-z_]+)'", p.read_text(encoding="utf-8")))
    assert used - set(keys) == set()
    # enum labels are the server's vocabulary (i18n.label), not copies in the table
    assert not [k for k in keys if k.startswith(("prio_", "wo_", "trade_", "role_"))]
    assert not {"status_due", "status_done", "status_missed"} & set(keys)
