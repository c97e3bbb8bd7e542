"""The phone's sync (issue #15): 'First sync after login ≤ 3 requests and ≤ 40 KB compressed; later
syncs send only what changed (ETags or a since-cursor on tasks and checkpoints); JS, CSS and JSON
compressed'."""
import gzip
import json

import pytest

from api.domain import vocabulary

GZ = {"Accept-Encoding": "gzip, deflate, br"}


def _json(r):
    data = gzip.decompress(r.data) if r.headers.get("Content-Encoding") == "gzip" else r.data
    return json.loads(data)


@pytest.mark.parametrize("username", ["guard1", "tech1", "service1", "super1"])
def test_first_sync_is_one_request_under_40_kb_compressed_with_everything_the_phone_keeps(login, org, username):
    api = login(username)  # the login is the first request, the sync the second
    r = api.get("/sync", headers=GZ)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert len(r.data) <= 40 * 1024, len(r.data)
    body = _json(r)
    assert body["me"]["username"] == username
    assert body["sites"] and body["checkpoints"]
    assert {k for k, c in body["checklists"].items() if c["document"]["items"]} == set(body["checklists"])
    one = body["checklists"]["lobby"]
    direct = api.get("/checklists/lobby")
    assert one["etag"] == direct.headers["ETag"].strip('"') and one["document"] == direct.get_json()
    if username == "service1":
        assert body["tasks"] is None
    else:
        assert body["tasks"]["date"] and isinstance(body["tasks"]["items"], list)
    assert (body["work_orders"] is not None) == (username in ("guard1", "tech1"))


def test_a_later_sync_with_nothing_changed_is_a_304_and_named_checklists_come_back_without_items(login, org):
    guard = login("guard1")
    first = guard.get("/sync", headers=GZ)
    again = guard.get("/sync", headers=dict(GZ, **{"If-None-Match": first.headers["ETag"]}))
    assert again.status_code == 304 and not again.data
    etags = ",".join(c["etag"] for c in _json(first)["checklists"].values())
    lean = guard.get("/sync", query_string={"have": etags}, headers=GZ)
    body = _json(lean)
    assert all(c["document"] is None for c in body["checklists"].values())
    assert len(lean.data) < len(first.data)


def test_json_scripts_and_styles_are_gzipped_and_checklist_etags_still_answer_304(login, client):
    guard = login("guard1")
    r = guard.get("/checklists/lobby", headers=GZ)
    assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
    assert _json(r)["key"] == "lobby"
    assert guard.get("/checklists/lobby", headers=dict(GZ, **{"If-None-Match": r.headers["ETag"]})).status_code == 304
    for path in ("/m/app.js", "/m/app.css", "/m/data.js"):
        s = client.get(path, headers=GZ)
        assert s.status_code == 200 and s.headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(s.data)
    plain = client.get("/m/app.js")
    assert "Content-Encoding" not in plain.headers and plain.data.startswith(b"//") or b"import" in plain.data[:400]


def test_the_bundle_carries_the_vocabulary_labels_the_phone_shows_in_both_languages(login):
    tech = login("tech1")
    zh = tech.get("/sync", headers=dict(GZ, **{"Accept-Language": "zh-CN"}))
    en = tech.get("/sync", headers=dict(GZ, **{"Accept-Language": "en"}))
    assert zh.headers["ETag"] == en.headers["ETag"]  # a language switch needs no new sync
    labels = _json(zh)["labels"]
    assert labels == _json(en)["labels"] and set(labels) == set(vocabulary.LANGS)
    shown = {"priority": vocabulary.PRIORITIES, "wo_status": vocabulary.WORK_ORDER_STATUSES,
             "task_status": vocabulary.TASK_STATUSES, "trade": vocabulary.TRADES}
    for lang in vocabulary.LANGS:
        assert labels[lang] == {kind: {v: vocabulary.label(kind, v, lang) for v in values}
                                for kind, values in shown.items()}
    assert labels["zh"]["wo_status"]["in_progress"] == "维修中" and labels["en"]["priority"]["normal"] == "Normal (24 h)"
