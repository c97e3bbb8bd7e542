"""A supervisor hears a guard's voice note in the finding's preview (issue #16)."""
import hashlib
import uuid

import requests

from tests.audio import recording


def _emergency_with_voice(server, username="guard1"):
    h = {"Authorization": f"Bearer {server.login(username)}"}
    data = recording("webm", seconds=2)
    api = f"{server.url}/api/v1"
    start = requests.post(f"{api}/voice-notes/uploads", headers=h, timeout=10,
                          json={"sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data)}).json()
    done = requests.patch(f"{api}/voice-notes/uploads/{start['id']}", data=data, timeout=30,
                          headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert done.status_code == 200, done.text
    note = done.json()["voice_note"]
    r = requests.post(f"{api}/findings", headers=h, timeout=10, json={
        "client_id": str(uuid.uuid4()), "emergency": True, "trade": "security", "checkpoint_code": "LHY-T2-LOBBY",
        "note": "2 号楼大堂有人晕倒", "voice_note_id": note["id"]})
    assert r.status_code == 201, r.text
    return r.json(), data


def test_the_findings_preview_plays_the_guards_voice_note(console, console_api):
    finding, data = _emergency_with_voice(console_api)
    at = console("super1", "app_pages/findings.py")
    at.button(key=f"fd_view_{finding['id']}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    players = at.get("audio")
    assert len(players) == 1
    assert any("现场录音" in c.value for c in at.caption)
