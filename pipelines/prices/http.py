"""The one HTTP client every price source uses: retries with backoff, timeouts, a size cap."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO
from urllib.parse import urlsplit

import dagster as dg
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipelines.prices.observations import SourceError

RETRY_STATUSES = (429, 500, 502, 503, 504)
MB = 1024 * 1024


class _CappedRetry(Retry):
    """Honours Retry-After, but never sleeps longer than `max_retry_after` seconds on one answer."""

    max_retry_after: float = 120.0

    def new(self, **kw) -> "_CappedRetry":  # urllib3 makes a new Retry after each attempt
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry

    def get_retry_after(self, response):
        after = super().get_retry_after(response)
        return None if after is None else min(after, self.max_retry_after)


class _CappedReader:
    """A file-like view of a streamed body that fails once more than `limit` bytes have been read."""

    def __init__(self, raw, url: str, limit: int):
        self._raw, self._url, self._limit, self._read = raw, url, limit, 0

    def read(self, size: int = -1) -> bytes:
        try:
            chunk = self._raw.read(size)
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise SourceError(self._url, f"the connection failed mid-body ({err})") from err
        self._read += len(chunk)
        if self._read > self._limit:
            raise SourceError(self._url, f"response is larger than the {self._limit // MB} MB cap")
        return chunk


class HttpClient(dg.ConfigurableResource):
    """GET over http(s) with urllib3 retries (429 and 5xx, honouring Retry-After), connect and read
    timeouts, a cap on the body size (bodies are streamed, never trusted to be small), and a
    User-Agent that says who is asking."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    retries: int = 4
    backoff_factor: float = 1.0
    max_retry_after_s: float = 120.0
    max_body_mb: int = 64  # pages and CSVs, read into memory
    max_stream_mb: int = 2048  # bulk files parsed as they stream (an AWS offer file is ~480 MB)
    user_agent: str = "ai-infra-deals/0.1 (AI-infrastructure deal and price tracker; python-requests)"

    def _session(self) -> requests.Session:
        retry = _CappedRetry(
            total=self.retries, connect=self.retries, read=self.retries, status=self.retries,
            backoff_factor=self.backoff_factor, status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False,
        )
        retry.max_retry_after = self.max_retry_after_s
        session = requests.Session()
        session.headers["User-Agent"] = self.user_agent
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @contextmanager
    def _response(self, url: str, params: dict | None, limit_mb: int) -> Iterator[requests.Response]:
        if urlsplit(url).scheme not in ("http", "https"):
            raise SourceError(url, "only http(s) URLs are fetched")
        with self._session() as session:
            try:
                response = session.get(url, params=params, stream=True,
                                       timeout=(self.connect_timeout_s, self.read_timeout_s))
            except requests.RequestException as err:
                raise SourceError(url, f"request failed after {self.retries} retries ({err})") from err
            with response:
                if response.status_code >= 400:
                    raise SourceError(response.url, f"HTTP {response.status_code} {response.reason}")
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > limit_mb * MB:
                    raise SourceError(response.url, f"response is larger than the {limit_mb} MB cap "
                                                    f"(Content-Length {int(length) // MB} MB)")
                yield response

    def get(self, url: str, params: dict | None = None) -> bytes:
        """The whole body of a GET, up to max_body_mb."""
        with self._response(url, params, self.max_body_mb) as response:
            reader = _CappedReader(response.raw, response.url, self.max_body_mb * MB)
            response.raw.decode_content = True
            chunks = []
            while chunk := reader.read(MB):
                chunks.append(chunk)
            return b"".join(chunks)

    @contextmanager
    def stream(self, url: str) -> Iterator[BinaryIO]:
        """The body of a GET as a file object read while it downloads, up to max_stream_mb."""
        with self._response(url, None, self.max_stream_mb) as response:
            response.raw.decode_content = True
            yield _CappedReader(response.raw, response.url, self.max_stream_mb * MB)
