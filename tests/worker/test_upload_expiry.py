"""The worker forgets photo uploads a phone abandoned: a week untouched, the row and the bytes kept
for it go in the prune step; an upload still being sent, and stored photos, stay."""
import hashlib
import os
from datetime import timedelta

from api import clock
from api.domain.scheduler import tick
from api.domain.uploads import upload_dir
from api.models import Photo, PhotoUpload
from tests.factories import noisy_jpeg, patch, start


def test_the_prune_step_forgets_uploads_untouched_for_a_week_with_their_bytes(login, app):
    guard = login("guard1")
    folder = upload_dir(app.config)
    abandoned, live = noisy_jpeg(), noisy_jpeg((1200, 900))
    old_id = start(guard, abandoned).get_json()["id"]
    assert patch(guard, old_id, 0, abandoned[:50_000]).status_code == 200
    stray = os.path.join(folder, "put-0123456789abcdef.seg")  # a request's piece whose process died
    with open(stray, "wb") as fh:
        fh.write(b"x" * 10)
    week_on = clock.now() + timedelta(days=7, minutes=1)
    os.utime(stray, (0, 0))
    # the other phone is still sending: touched within the week
    live_id = start(guard, live).get_json()["id"]
    PhotoUpload.update(updated_at=week_on - timedelta(days=1)).where(PhotoUpload.id == live_id).execute()
    assert patch(guard, live_id, 0, live[:50_000]).status_code == 200
    PhotoUpload.update(updated_at=week_on - timedelta(days=1)).where(PhotoUpload.id == live_id).execute()

    result = tick(now=week_on, steps=["prune"], upload_folder=folder)

    assert result["prune"]["uploads"] == 1
    assert [u.id for u in PhotoUpload.select()] == [live_id]
    assert sorted(os.listdir(folder)) == sorted([f"{live_id}.part", f"{live_id}.part.lock"])
    # a second pass (or a second worker) finds nothing more to do
    assert tick(now=week_on, steps=["prune"], upload_folder=folder)["prune"]["uploads"] == 0
    # the live one carries on from where it was
    r = patch(guard, live_id, 50_000, live[50_000:])
    assert r.status_code == 200 and r.get_json()["complete"]
    assert Photo.get_by_id(hashlib.sha256(live).hexdigest())
    # the abandoned one is gone: starting those bytes again starts from 0
    assert start(guard, abandoned).get_json()["offset"] == 0
