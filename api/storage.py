"""Where photo bytes live: a local directory (default) or S3-compatible object storage.

Storage only moves bytes; it never decodes images. Keys look like ``ab/abcdef....jpg``.
"""
import os
import tempfile


class LocalStorage:
    """Files under one directory, written to a temporary name, fsynced, then renamed,
    so a crash never leaves a truncated file under a final name.

    ``durable=False`` (derived images, which can be made again from the original) skips both
    fsyncs: the rename still means readers never see half a file."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def _path(self, key):
        path = os.path.abspath(os.path.join(self.root, key))
        if not path.startswith(self.root + os.sep):
            raise ValueError("bad storage key")
        return path

    def put(self, key, data, durable=True):
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, path)
            if durable:
                self._sync_dir(folder)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_file(self, key, src):
        """Move the file ``src`` (on the same filesystem, e.g. a finished upload) to ``key``,
        durably: no second copy of the bytes is written."""
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd = os.open(src, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.replace(src, path)
        except OSError:  # another filesystem: copy, then the usual durable write
            with open(src, "rb") as fh:
                self.put(key, fh.read())
            os.unlink(src)
            return
        self._sync_dir(folder)

    @staticmethod
    def _sync_dir(folder):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def get(self, key):
        with open(self._path(key), "rb") as fh:
            return fh.read()

    def exists(self, key):
        return os.path.exists(self._path(key))

    def delete(self, key):
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass

    def keys(self):
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(".tmp-") or name.startswith("."):
                    continue
                yield os.path.relpath(os.path.join(folder, name), self.root)


_CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
                  ".heic": "image/heic", ".heif": "image/heif",
                  ".webm": "audio/webm", ".ogg": "audio/ogg", ".m4a": "audio/mp4"}


class S3Storage:
    """Aliyun OSS, MinIO and AWS S3 all speak this protocol.

    Behaves like LocalStorage: ``get`` of a missing key raises FileNotFoundError, ``exists`` is
    False only when the store says 404 (any other failure is raised, never taken as "absent"),
    and ``put`` is all-or-nothing (a single PUT; readers never see half an object). One boto3
    client per process: it is thread-safe and keeps its HTTP connections alive.
    """

    def __init__(self, bucket, endpoint_url=None, region="us-east-1", client=None):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region,
            config=BotoConfig(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5,
                              read_timeout=30, max_pool_connections=16,
                              # path-style works with MinIO and moto; OSS and AWS accept it too
                              s3={"addressing_style": "path"}))

    @staticmethod
    def _missing(exc):
        err = getattr(exc, "response", {}).get("Error", {})
        return str(err.get("Code")) in ("404", "NoSuchKey", "NotFound")

    def ensure_bucket(self):
        """Create the bucket if it is not there (first start against a fresh MinIO)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) not in ("404", "NoSuchBucket", "NotFound"):
                raise
            self.client.create_bucket(Bucket=self.bucket)

    def put(self, key, data, durable=True):
        ext = os.path.splitext(key)[1].lower()
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data,  # whole object or nothing
                               ContentType=_CONTENT_TYPES.get(ext, "application/octet-stream"))

    def put_file(self, key, src):
        with open(src, "rb") as fh:
            self.put(key, fh.read())
        os.unlink(src)

    def get(self, key):
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if self._missing(exc):
                raise FileNotFoundError(key) from exc
            raise

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if self._missing(exc):
                return False
            raise

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=key)  # deleting a missing key is not an error

    def keys(self):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket):
            for obj in page.get("Contents", []):
                yield obj["Key"]


def make_storage(config):
    if config.get("PATROL_STORAGE", "local") == "s3":
        return S3Storage(config["PATROL_S3_BUCKET"], config.get("PATROL_S3_ENDPOINT"),
                         config.get("PATROL_S3_REGION", "us-east-1"))
    return LocalStorage(config["PATROL_MEDIA_DIR"])


def current_storage():
    from flask import current_app

    return current_app.extensions["patrol_storage"]
