"""Where document content lives: the local filesystem or any S3-compatible store.

Both backends share one interface. Uploads never write a blob's final key until the
content has been received whole and checked: the API spools the stream to a temporary
file on local disk (hashing it on the way), and ``commit`` then moves that file into
place (a rename on the same filesystem) or uploads it to S3 (a multipart upload, which
S3 makes visible only when it completes). A failed upload therefore leaves no blob.

Keys look like ``tenants/<tenant>/documents/<id>/v<n>``; approved versions move to
``tenants/<tenant>/archive/<id>/v<n>``. Content that a client PUTs
directly to S3 through a pre-signed URL lands under ``…/incoming/v<n>`` and is only
promoted to ``…/v<n>`` after the same checks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from docuflow.documents import conf


class StorageError(Exception):
    """The backend could not do what was asked (missing object, network, permissions)."""


class BlobMissing(StorageError):
    pass


def document_prefix(tenant_id: str, document_id) -> str:
    return f"tenants/{tenant_id}/documents/{document_id}/"


def version_key(tenant_id: str, document_id, number: int) -> str:
    return f"{document_prefix(tenant_id, document_id)}v{number}"


def archive_prefix(tenant_id: str, document_id) -> str:
    """The archive area: where an approved version moves (kept apart from working copies,
    so a bucket policy or lifecycle rule can treat it differently)."""
    return f"tenants/{tenant_id}/archive/{document_id}/"


def archive_key(tenant_id: str, document_id, number: int) -> str:
    return f"{archive_prefix(tenant_id, document_id)}v{number}"


def incoming_key(tenant_id: str, document_id) -> str:
    """Where a client's direct (pre-signed) upload lands before it is checked."""
    return f"{document_prefix(tenant_id, document_id)}incoming/upload"


STALE_SPOOL_SECONDS = 24 * 3600
_swept: set[Path] = set()


def spool_dir() -> Path:
    """Temporary upload files: on the local backend, the same filesystem as the blobs.

    A process killed mid-upload leaves its temporary file; the first use of the directory
    in each process removes those older than a day (no upload takes that long).
    """
    path = conf.storage_root() / ".incoming"
    path.mkdir(parents=True, exist_ok=True)
    if path not in _swept:
        _swept.add(path)
        _sweep(path)
    return path


def _sweep(path: Path) -> None:
    cutoff = time.time() - STALE_SPOOL_SECONDS
    for leftover in path.glob("*.part"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass


class Storage:
    name = "abstract"
    #: Whether clients upload straight to the store (pre-signed URL) rather than through us.
    direct_uploads = False

    def commit(self, spooled: Path, key: str) -> None:
        """Make the verified file at ``spooled`` the blob ``key``; ``spooled`` is consumed."""
        raise NotImplementedError

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the bytes ``start``..``end`` (exclusive; None = to the end) in chunks."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def delete_prefix(self, prefix: str) -> None:
        raise NotImplementedError

    def presigned_put_url(self, key: str, expires_in: int) -> str:
        raise NotImplementedError

    def promote(self, source: str, key: str) -> None:
        """Move an object received directly (``incoming``) to its final key."""
        raise NotImplementedError

    def copy(self, source: str, key: str) -> None:
        """Copy an object; the copy appears whole or not at all."""
        raise NotImplementedError


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise StorageError(f"key outside the storage root: {key!r}")
        return path

    def commit(self, spooled: Path, key: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(spooled, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(spooled, target)
        _fsync_dir(target.parent)

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        try:
            handle = open(self.path(key), "rb")  # noqa: SIM115  (closed by the generator)
        except FileNotFoundError:
            raise BlobMissing(key) from None
        return _read_file(handle, start, end)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass

    def delete_prefix(self, prefix: str) -> None:
        directory = self.path(prefix.rstrip("/"))
        shutil.rmtree(directory, ignore_errors=True)

    def presigned_put_url(self, key: str, expires_in: int) -> str:
        raise StorageError("the local backend receives uploads through DocuFlow's signed URLs")

    def promote(self, source: str, key: str) -> None:
        os.replace(self.path(source), self.path(key))

    def copy(self, source: str, key: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=spool_dir(), prefix="copy-", suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(self.path(source), name)
        except FileNotFoundError:
            Path(name).unlink(missing_ok=True)
            raise BlobMissing(source) from None
        self.commit(Path(name), key)


def _read_file(handle, start: int, end: int | None) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        remaining = None if end is None else end - start
        while remaining is None or remaining > 0:
            size = conf.CHUNK if remaining is None else min(conf.CHUNK, remaining)
            chunk = handle.read(size)
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class S3Storage(Storage):
    name = "s3"
    direct_uploads = True

    def __init__(self, bucket: str, region: str, endpoint_url: str | None) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        config = Config(
            region_name=region,
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
        )
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)

    def _transfer_config(self):
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(
            multipart_threshold=8 * conf.CHUNK, multipart_chunksize=8 * conf.CHUNK
        )

    def _wrap(self, error: Exception, key: str) -> StorageError:
        from botocore.exceptions import ClientError

        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                return BlobMissing(key)
        return StorageError(f"{type(error).__name__}: {error}")

    def commit(self, spooled: Path, key: str) -> None:
        try:
            self.client.upload_file(str(spooled), self.bucket, key, Config=self._transfer_config())
        except Exception as error:
            raise self._wrap(error, key) from error
        finally:
            spooled.unlink(missing_ok=True)

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        if end is not None and end <= start:
            return iter(())
        byte_range = f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, Range=byte_range)
        except Exception as error:
            raise self._wrap(error, key) from error
        return _read_body(answer["Body"])

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._wrap(error, key) from error
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as error:
            raise self._wrap(error, key) from error

    def delete_prefix(self, prefix: str) -> None:
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    self.client.delete_objects(
                        Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True}
                    )
        except Exception as error:
            raise self._wrap(error, prefix) from error

    def presigned_put_url(self, key: str, expires_in: int) -> str:
        return self.client.generate_presigned_url(
            ClientMethod="put_object",
            Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=expires_in,
        )

    def promote(self, source: str, key: str) -> None:
        try:
            self.client.copy(
                {"Bucket": self.bucket, "Key": source},
                self.bucket,
                key,
                Config=self._transfer_config(),
            )
            self.client.delete_object(Bucket=self.bucket, Key=source)
        except Exception as error:
            raise self._wrap(error, source) from error

    def copy(self, source: str, key: str) -> None:
        try:
            self.client.copy(
                {"Bucket": self.bucket, "Key": source},
                self.bucket,
                key,
                Config=self._transfer_config(),
            )
        except Exception as error:
            raise self._wrap(error, source) from error

    def download_to(self, key: str, sink) -> None:
        """Stream an object into ``sink.write`` (used to check direct uploads)."""
        for chunk in self.read(key):
            sink.write(chunk)

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)


def _read_body(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(conf.CHUNK)
    finally:
        body.close()


_cache: dict[tuple, Storage] = {}
_cache_lock = threading.Lock()


def get_storage() -> Storage:
    backend = conf.storage_backend()
    if backend == "s3":
        key = ("s3", conf.s3_bucket(), conf.s3_region(), conf.s3_endpoint_url())
    else:
        key = ("local", str(conf.storage_root()))
    with _cache_lock:
        storage = _cache.get(key)
        if storage is None:
            if backend == "s3":
                storage = S3Storage(key[1], key[2], key[3])
            else:
                storage = LocalStorage(Path(key[1]))
            _cache[key] = storage
    return storage


def new_spool_file() -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(dir=spool_dir(), prefix="upload-", suffix=".part")
    return fd, Path(name)
