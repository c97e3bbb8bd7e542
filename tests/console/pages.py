"""Helpers of the console tests: what a page says, pressing a form's button, the API behind the console,
and a guard's round over real HTTP."""
import requests


def texts(at):
    """Everything a person would read on the page, as one string."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(el.value) for el in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        parts.append(df.value.to_string())
    return "\n".join(parts)


def api(server, username, method, path, **kw):
    h = {"Authorization": f"Bearer {server.login(username)}"}
    r = requests.request(method, f"{server.url}/api/v1{path}", headers=h, timeout=30, **kw)
    assert r.status_code < 400, r.text
    return r.json() if r.content else None


def submit(at, form_key):
    """Press the submit button of the form with this key (an ``st.form``, or a form kept as a draft whose
    button is ``<key>_submit``: console/drafts.py), and run the page."""
    form = next((f for f in at.get("form") if f.key == form_key), None)
    if form is not None:
        form.form_submit_button[0].click()
    else:
        at.button(key=f"{form_key}_submit").click()
    return at.run()


def _jpeg(text, color):
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), color)
    ImageDraw.Draw(img).text((40, 200), text, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def submit_round(server, username, checkpoint_code, checklist_key, failures, photo_text="fault"):
    """A guard's inspection over real HTTP: ``failures`` maps item keys to notes; each failure gets a photo.
    Returns the findings it opened."""
    import uuid
    from datetime import datetime, timedelta, timezone

    import requests

    token = server.login(username)
    h = {"Authorization": f"Bearer {token}"}
    version = requests.get(f"{server.url}/api/v1/checklists/{checklist_key}", headers=h, timeout=10).json()
    results = []
    for n, item in enumerate(version["items"]):
        if item["key"] in failures:
            photo = requests.post(f"{server.url}/api/v1/photos", headers=h, timeout=30, files={
                "file": ("fault.jpg", _jpeg(f"{photo_text} {checkpoint_code} {item['key']}", (120, 40 + n * 7, 40)),
                         "image/jpeg")})
            assert photo.status_code in (200, 201), photo.text
            results.append({"item_key": item["key"], "status": "fail", "note": failures[item["key"]],
                            "photo_ids": [photo.json()["id"]]})
        else:
            results.append({"item_key": item["key"], "status": "pass"})
    now = datetime.now(timezone.utc)
    r = requests.post(f"{server.url}/api/v1/inspections", headers=h, timeout=30, json={
        "id": str(uuid.uuid4()), "checkpoint_code": checkpoint_code, "checklist_key": checklist_key,
        "checklist_version": version["version"], "started_at": (now - timedelta(minutes=3)).isoformat(),
        "finished_at": now.isoformat(), "results": results})
    assert r.status_code == 201, r.text
    return r.json()["findings"]
