"""Photo bytes behind one interface: LocalStorage and S3Storage behave the same."""
import uuid

import pytest

from api.storage import LocalStorage, S3Storage, make_storage


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
