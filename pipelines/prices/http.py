"""The one HTTP client every source uses: retries with backoff, timeouts, a deadline, a size cap, and for
a host that asks for it (SEC EDGAR) extra headers and a shared limit on requests per second."""

import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from typing import NamedTuple
from urllib.parse import urlsplit

import dagster as dg
import requests
import urllib3
from pydantic import PrivateAttr
from requests.adapters import HTTPAdapter
from urllib3.util import Timeout
from urllib3.util.retry import Retry

from pipelines.prices.observations import SourceError

# Download progress of long bodies: in a run, Dagster captures what this logger says into the run's log.
log = dg.get_dagster_logger("http")

RETRY_STATUSES = (429, 500, 502, 503, 504)
MB = 1024 * 1024
DEADLINE_S = 900.0  # one fetch in all: an AWS offer file streams ~480 MB
VALIDATORS = ("ETag", "Last-Modified")  # what a conditional request sends back (If-None-Match, If-Modified-Since)


class Prefix(NamedTuple):
    body: bytes
    truncated: bool  # the body went on past the bytes kept
    not_modified: bool  # a 304 answer to a conditional request: no body
    validators: dict[str, str]  # the answer's ETag and Last-Modified, as given


class RateLimiter:
    """Spaces requests at least 1 / per_second apart, across threads: a steady rate, never a burst. Every
    attempt waits its turn, retries included (_FetchRetry.sleep)."""

    def __init__(self, per_second: float):
        self.interval, self._next, self._lock = 1.0 / per_second, 0.0, threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        time.sleep(start - now)


class _Fetch:
    """The clock of one get() or stream(), and the retries it has made; every attempt, sleep and read
    of that call draws on the same deadline."""

    def __init__(self, url: str, deadline_s: float):
        self.url, self.deadline_s, self.retries = url, deadline_s, 0
        self.start = time.monotonic()

    def left(self) -> float:
        return self.start + self.deadline_s - time.monotonic()

    def after_retries(self) -> str:
        """' after 2 retries' (as many as were made), or nothing when none was."""
        if not self.retries:
            return ""
        return f" after {self.retries} {'retry' if self.retries == 1 else 'retries'}"

    def check(self) -> None:
        """The deadline's SourceError once it has passed."""
        if self.left() <= 0:
            raise SourceError(
                self.url,
                f"timed out at {time.monotonic() - self.start:.1f} s{self.after_retries()}: "
                f"a fetch, retries and body included, may take at most {self.deadline_s:g} s "
                f"(AIINFRA_HTTP_DEADLINE_S)",
            )


class _FetchRetry(Retry):
    """urllib3's Retry for one fetch: honours Retry-After up to `max_retry_after` seconds, counts the
    retries it allows, and neither retries nor sleeps past the fetch's deadline."""

    max_retry_after: float = 120.0
    fetch: _Fetch
    limiter: RateLimiter | None = None

    def new(self, **kw) -> "_FetchRetry":  # urllib3 makes a new Retry after each attempt
        retry = super().new(**kw)
        retry.max_retry_after, retry.fetch, retry.limiter = self.max_retry_after, self.fetch, self.limiter
        return retry

    def sleep(self, response=None) -> None:  # urllib3 calls it before every retry
        super().sleep(response)
        if self.limiter is not None:
            self.limiter.wait()

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or self.fetch.left() <= 0

    def increment(self, *args, **kw) -> "_FetchRetry":
        retry = super().increment(*args, **kw)  # raises instead when no retry is to be made
        self.fetch.retries += 1
        return retry

    def get_retry_after(self, response):
        after = super().get_retry_after(response)
        return None if after is None else max(0.0, min(after, self.max_retry_after, self.fetch.left()))

    def get_backoff_time(self) -> float:
        return max(0.0, min(super().get_backoff_time(), self.fetch.left()))


class _FetchTimeout(Timeout):
    """Connect and read timeouts cut to the time left before the fetch's deadline. urllib3 reads them
    afresh for each attempt; at 0 the attempt fails at once and the Retry, past the deadline, gives up."""

    def __init__(self, connect: float, read: float, fetch: _Fetch):
        super().__init__(connect=connect, read=read)
        self.connect_s, self.read_s, self.fetch = connect, read, fetch

    def clone(self) -> "_FetchTimeout":  # urllib3 clones the timeout for each attempt
        return _FetchTimeout(self.connect_s, self.read_s, self.fetch)

    @property
    def connect_timeout(self) -> float:
        return max(0.0, min(self.connect_s, self.fetch.left()))

    @property
    def read_timeout(self) -> float:
        return max(0.0, min(self.read_s, self.fetch.left()))


class Fetched(NamedTuple):
    url: str
    status: int
    bytes_read: int
    seconds: float


def fetched_metadata(fetched: list[Fetched]) -> dict[str, dg.MetadataValue]:
    """What a step fetched, for its asset's metadata: a table of the fetches (the largest 50) and the bytes."""
    shown = sorted(fetched, key=lambda f: -f.bytes_read)[:50]
    table = "\n".join(
        ["| URL | status | MB | seconds |", "|---|---|---|---|"]
        + [f"| {f.url} | {f.status} | {f.bytes_read / MB:,.2f} | {f.seconds:,.1f} |" for f in shown]
    )
    more = f"\n\n... and {len(fetched) - len(shown)} smaller fetches" if len(fetched) > len(shown) else ""
    return {
        "fetched": dg.MetadataValue.md(table + more if fetched else "nothing: no request was made"),
        "bytes_fetched": dg.MetadataValue.int(sum(f.bytes_read for f in fetched)),
    }


class _Body:
    """A file-like view of a streamed body that fails at the fetch's deadline, once more than `limit`
    bytes have been read, or when the connection breaks; it logs its progress every `progress` bytes and,
    once closed, adds what it read to `fetched`."""

    def __init__(self, response: requests.Response, fetch: _Fetch, limit: int, progress: int, fetched: list):
        self.response = response
        self._raw, self._url, self._fetch, self._limit, self._read = response.raw, response.url, fetch, limit, 0
        self._progress, self._next_report, self._fetched = progress, progress, fetched
        self._raw.decode_content = True
        # The read timeout restarts with every byte, so a drip-fed body never times out: at the
        # deadline the socket is shut for reading instead, which ends any read in progress.
        self._alarm = threading.Timer(fetch.left(), self._shut)
        self._alarm.daemon = True
        self._alarm.start()

    def _shut(self) -> None:
        with suppress(ValueError, RuntimeError, OSError):  # the body was read and released meanwhile
            self._raw.shutdown()

    def close(self) -> None:
        self._alarm.cancel()
        seconds = time.monotonic() - self._fetch.start
        self._fetched.append(Fetched(self._url, self.response.status_code, self._read, round(seconds, 2)))
        if self._read >= self._progress:
            log.info(f"{self._url}: {self._read / MB:,.1f} MB in {seconds:,.0f} s")

    def read(self, size: int = -1) -> bytes:
        if size < 0:  # in MB reads, so that the cap holds
            return b"".join(iter(lambda: self.read(MB), b""))
        self._fetch.check()
        try:
            chunk = self._raw.read(size)
        except (urllib3.exceptions.HTTPError, OSError) as err:
            self._fetch.check()
            raise SourceError(self._url, f"the connection failed mid-body ({err})") from err
        self._fetch.check()  # a read ended by the shutdown looks like the end of the body
        self._read += len(chunk)
        if self._read > self._limit:
            raise SourceError(self._url, f"response is larger than the {self._limit // MB} MB cap")
        if self._read >= self._next_report:
            log.info(f"{self._url}: {self._read / MB:,.0f} MB so far ({time.monotonic() - self._fetch.start:,.0f} s)")
            self._next_report += self._progress
        return chunk


class HttpClient(dg.ConfigurableResource):
    """GET over http(s) with urllib3 retries (429 and 5xx, honouring Retry-After), connect and read
    timeouts, a deadline on the whole fetch, a cap on the body size (bodies are streamed, never
    trusted to be small), and a User-Agent that says who is asking."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0  # the longest wait for the next bytes
    deadline_s: float = DEADLINE_S  # one fetch in all: connecting, retries and their waits, the body
    retries: int = 4
    backoff_factor: float = 1.0
    max_retry_after_s: float = 120.0
    max_body_mb: int = 64  # pages and CSVs, read into memory
    max_stream_mb: int = 2048  # bulk files parsed as they stream (an AWS offer file is ~480 MB)
    user_agent: str = "ai-infra-deals/0.1 (AI-infrastructure deal and price tracker; python-requests)"
    progress_mb: int = 50  # a body this long or longer logs its progress every progress_mb
    _fetched: list[Fetched] = PrivateAttr(default_factory=list)

    def take_fetched(self) -> list[Fetched]:
        """What was fetched since the last call (URL, status, bytes, seconds), for an asset's metadata."""
        fetched, self._fetched = self._fetched, []
        return fetched

    def _session(self, fetch: _Fetch, statuses: tuple[int, ...], limiter: RateLimiter | None) -> requests.Session:
        retry = _FetchRetry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            backoff_factor=self.backoff_factor,
            status_forcelist=statuses,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after, retry.fetch, retry.limiter = self.max_retry_after_s, fetch, limiter
        session = requests.Session()
        session.headers["User-Agent"] = self.user_agent
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @contextmanager
    def _body(
        self,
        url: str,
        params: dict | None,
        limit_mb: int,
        headers: dict[str, str] | None = None,
        limiter: RateLimiter | None = None,
        retry_statuses: tuple[int, ...] = RETRY_STATUSES,
    ) -> Iterator[_Body]:
        if urlsplit(url).scheme not in ("http", "https"):
            raise SourceError(url, "only http(s) URLs are fetched")
        fetch = _Fetch(url, self.deadline_s)
        with self._session(fetch, retry_statuses, limiter) as session:
            if limiter is not None:
                limiter.wait()
            try:
                response = session.get(
                    url,
                    params=params,
                    headers=headers,
                    stream=True,
                    # requests hands a urllib3 Timeout to urllib3 as it is; its stubs know only numbers
                    timeout=_FetchTimeout(self.connect_timeout_s, self.read_timeout_s, fetch),  # type: ignore[arg-type]
                )
            except requests.RequestException as err:
                fetch.check()
                raise SourceError(url, f"request failed{fetch.after_retries()} ({err})") from err
            with response:
                if response.status_code >= 400:
                    raise SourceError(
                        response.url,
                        f"HTTP {response.status_code} {response.reason}{fetch.after_retries()}",
                        response.status_code,
                    )
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > limit_mb * MB:
                    raise SourceError(
                        response.url,
                        f"response is larger than the {limit_mb} MB cap (Content-Length {int(length) // MB} MB)",
                    )
                with closing(_Body(response, fetch, limit_mb * MB, self.progress_mb * MB, self._fetched)) as body:
                    yield body

    def get(
        self,
        url: str,
        params: dict | None = None,
        *,
        headers: dict[str, str] | None = None,
        limiter: RateLimiter | None = None,
        retry_statuses: tuple[int, ...] = RETRY_STATUSES,
    ) -> bytes:
        """The whole body of a GET, up to max_body_mb; `headers` replace the session's (a User-Agent of one's
        own), `limiter` paces every attempt, `retry_statuses` are retried with backoff."""
        with self._body(url, params, self.max_body_mb, headers, limiter, retry_statuses) as body:
            return body.read()

    def get_prefix(
        self,
        url: str,
        max_bytes: int,
        *,
        headers: dict[str, str] | None = None,
        limiter: RateLimiter | None = None,
        retry_statuses: tuple[int, ...] = RETRY_STATUSES,
    ) -> "Prefix":
        """The first `max_bytes` of a GET's body and whether the body went on past them: a long document is
        cut off there, and one that never ends (no Content-Length) is not waited for. With If-None-Match or
        If-Modified-Since among `headers`, a 304 answer is `not_modified` with no body."""
        with self._body(url, None, self.max_stream_mb, headers, limiter, retry_statuses) as body:
            chunks, read = [], 0
            while read <= max_bytes:
                chunk = body.read(min(MB, max_bytes + 1 - read))
                if not chunk:
                    break
                chunks.append(chunk)
                read += len(chunk)
            answer = body.response
        data = b"".join(chunks)
        return Prefix(
            data[:max_bytes],
            len(data) > max_bytes,
            answer.status_code == 304,
            {k: answer.headers[k] for k in VALIDATORS if k in answer.headers},
        )

    @contextmanager
    def stream(self, url: str) -> Iterator["_Body"]:
        """The body of a GET as a file object read while it downloads, up to max_stream_mb."""
        with self._body(url, None, self.max_stream_mb) as body:
            yield body
