"""Photo bytes behind one interface: LocalStorage and S3Storage behave the same."""
import uuid

import pytest

from api.storage import LocalStorage, S3Storage, make_storage
from tests.helpers import assert_error_shape


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    endpoint = request.getfixturevalue("s3_endpoint")
    store = S3Storage(f"patrol-{uuid.uuid4().hex[:8]}", endpoint_url=endpoint)
    store.ensure_bucket()
    return store


def test_a_stored_photo_comes_back_byte_for_byte(storage):
    data = bytes(range(256)) * 1000
    storage.put("ab/abcdef.jpg", data)
    assert storage.exists("ab/abcdef.jpg")
    assert storage.get("ab/abcdef.jpg") == data


def test_storing_the_same_key_again_replaces_the_whole_object(storage):
    storage.put("cd/cdef.jpg", b"first")
    storage.put("cd/cdef.jpg", b"second, longer")
    assert storage.get("cd/cdef.jpg") == b"second, longer"


def test_a_missing_photo_is_file_not_found_in_every_store(storage):
    assert not storage.exists("ee/missing.jpg")
    with pytest.raises(FileNotFoundError):
        storage.get("ee/missing.jpg")


def test_deleting_is_safe_to_repeat(storage):
    storage.put("ff/gone.jpg", b"x")
    storage.delete("ff/gone.jpg")
    storage.delete("ff/gone.jpg")
    assert not storage.exists("ff/gone.jpg")


def test_keys_lists_every_stored_object_and_nothing_else(storage):
    for key in ("aa/1.jpg", "aa/1.preview.jpg", "bb/2.jpg"):
        storage.put(key, b"data")
    assert sorted(storage.keys()) == ["aa/1.jpg", "aa/1.preview.jpg", "bb/2.jpg"]


def test_creating_the_bucket_twice_is_harmless(s3_endpoint):
    store = S3Storage(f"patrol-{uuid.uuid4().hex[:8]}", endpoint_url=s3_endpoint)
    store.ensure_bucket()
    store.ensure_bucket()
    store.put("aa/x.jpg", b"x")
    assert store.client.head_object(Bucket=store.bucket, Key="aa/x.jpg")["ContentType"] == "image/jpeg"


def test_an_unreachable_store_is_an_error_not_a_missing_photo():
    import boto3
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    client = boto3.client("s3", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",  # nothing on port 9
                          config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    store = S3Storage("patrol-media", client=client)
    with pytest.raises(EndpointConnectionError):
        store.exists("aa/x.jpg")


def test_config_chooses_s3_when_asked(s3_endpoint):
    store = make_storage({"PATROL_STORAGE": "s3", "PATROL_S3_BUCKET": "patrol-media",
                          "PATROL_S3_ENDPOINT": s3_endpoint, "PATROL_S3_REGION": "us-east-1"})
    assert isinstance(store, S3Storage) and store.bucket == "patrol-media"
    assert isinstance(make_storage({"PATROL_MEDIA_DIR": "/tmp/x"}), LocalStorage)


# --- through the API -------------------------------------------------------------------------

@pytest.fixture
def s3_api(database_url, s3_endpoint, tmp_path):
    """The app with PATROL_STORAGE=s3 against the moto server, and a logged-in guard."""
    import os

    from api.app import create_app
    from api.db import db
    from tests import factories
    from tests.conftest import CHECKLISTS_DIR, ApiClient

    bucket = f"patrol-{uuid.uuid4().hex[:8]}"
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "PATROL_STORAGE": "s3",
                      "PATROL_S3_BUCKET": bucket, "PATROL_S3_ENDPOINT": s3_endpoint,
                      "PATROL_MEDIA_DIR": str(tmp_path / "unused-media"),
                      "PATROL_CHECKLISTS_DIR": CHECKLISTS_DIR})
    store = app.extensions["patrol_storage"]
    store.ensure_bucket()
    with app.app_context():
        db.connect(reuse_if_open=True)
        factories.gen_org()
        client = app.test_client()
        r = client.post("/api/v1/auth/login", json={"username": "guard1", "password": factories.PASSWORD})
        yield ApiClient(client, r.get_json()["token"]), store
        if not db.is_closed():
            db.close()


def _jpeg(size=(2000, 1500)):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (90, 160, 220)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def test_a_photo_uploaded_through_the_api_lives_in_s3_and_comes_back(s3_api, tmp_path):
    import io

    from PIL import Image

    api, store = s3_api
    data = _jpeg()
    up = api.post("/photos", data={"file": (io.BytesIO(data), "lamp.jpg", "image/jpeg")},
                  content_type="multipart/form-data")
    assert up.status_code == 201, up.get_json()
    pid = up.get_json()["id"]
    keys = set(store.keys())
    assert len(keys) == 2 and all(pid in k for k in keys)  # original and thumbnail in the bucket
    assert api.get(f"/photos/{pid}?size=preview").status_code == 200
    keys = set(store.keys())
    assert len(keys) == 3 and all(pid in k for k in keys)  # the preview is made on first view, into the bucket
    assert not (tmp_path / "unused-media").exists()  # nothing went to the local disk
    original = api.get(f"/photos/{pid}")
    assert original.status_code == 200 and original.data == data
    for size, longest in (("preview", 1280), ("thumb", 320)):
        r = api.get(f"/photos/{pid}?size={size}")
        assert r.status_code == 200 and r.mimetype == "image/jpeg"
        assert max(Image.open(io.BytesIO(r.data)).size) == longest


def test_a_photo_missing_from_the_bucket_is_a_404_not_a_500(s3_api):
    import io

    api, store = s3_api
    up = api.post("/photos", data={"file": (io.BytesIO(_jpeg((640, 480))), "x.jpg", "image/jpeg")},
                  content_type="multipart/form-data")
    pid = up.get_json()["id"]
    for key in list(store.keys()):
        store.delete(key)
    r = api.get(f"/photos/{pid}?size=thumb")
    assert_error_shape(r, 404)
    assert r.get_json()["code"] == 404
