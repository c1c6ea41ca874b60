"""Remote catalogues: the allow-list, and fetching from them within limits.

A remote catalogue is named by the address of its DCAT description (a sidestream
instance's ``GET /catalogue``, or any DCAT-AP catalogue); its base address (the same
without the final ``catalogue``) is where a sidestream instance answers ``/match``.
Only origins on the allow-list (``SIDESTREAM_HARVEST_SOURCES``, ``SIDESTREAM_FEDERATION``,
and the one address an operator gives ``sidestream harvest URL``) are ever contacted;
redirects are not followed, every request has a time limit, and no answer is read past
``harvest_max_bytes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from catalogue.errors import SidestreamError

USER_AGENT = "sidestream-federation"


class FederationError(SidestreamError):
    """A remote catalogue cannot be used: not allowed, unreachable, too large or broken."""


class FetchError(FederationError):
    """A request to a remote catalogue failed: ``url`` and what went wrong (``reason``)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"{url} {reason}")


@dataclass(frozen=True)
class Source:
    """One remote catalogue, by the address of its DCAT description."""

    url: str

    @property
    def base(self) -> str:
        """Where a sidestream instance serves its API (``…/`` before ``catalogue``)."""
        return re.sub(r"catalogue/?$", "", self.url.rstrip("/") + "/").rstrip("/") + "/"

    @property
    def slug(self) -> str:
        """The name of its harvest graph: host, port and path, in IRI-safe words."""
        parts = urlsplit(self.url)
        text = f"{parts.hostname or ''}-{parts.port or ''}-{parts.path}".lower()
        return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "source"


def source(text: str) -> Source:
    """A source from an address as an operator writes it: ``http://host:8001`` means
    ``http://host:8001/catalogue``. Raises :class:`FederationError` for anything but an
    absolute http(s) address."""
    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FederationError(f"{text!r} is not an http(s) address of a catalogue")
    if parts.query or parts.fragment:
        raise FederationError(f"{text!r}: give the catalogue address without ?query or #fragment")
    if parts.path in ("", "/"):
        url = url.rstrip("/") + "/catalogue"
    return Source(url)


def sources(texts: Iterable[str]) -> list[Source]:
    """Each address once, in the order given."""
    found = [source(text) for text in texts if text.strip()]
    return list(dict.fromkeys(found))


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, (parts.hostname or "").lower(), port)


@dataclass(frozen=True)
class AllowList:
    """The origins (scheme, host, port) the catalogue may contact."""

    origins: frozenset[tuple[str, str, int]]

    @classmethod
    def of(cls, allowed: Iterable[Source]) -> AllowList:
        return cls(frozenset(origin(item.url) for item in allowed))

    def check(self, url: str) -> None:
        if origin(url) not in self.origins:
            raise FederationError(
                f"{url} is not on the allow-list of remote catalogues "
                "(SIDESTREAM_HARVEST_SOURCES, SIDESTREAM_FEDERATION)"
            )


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    media_type: str


def fetch(
    client: httpx.Client,
    url: str,
    allow: AllowList,
    *,
    accept: str,
    limit: int,
    params: dict[str, str] | None = None,
) -> Fetched:
    """GET ``url`` (allowed origins only, no redirects), reading at most ``limit`` bytes.

    Raises :class:`FederationError` naming the address and what went wrong."""
    allow.check(url)
    try:
        with client.stream(
            "GET",
            url,
            params=params,
            headers={"Accept": accept, "User-Agent": USER_AGENT},
            follow_redirects=False,
        ) as response:
            if response.status_code != 200:
                raise FetchError(url, f"answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(url, f"is {int(declared):,} bytes, over {limit:,}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, f"sent more than {limit:,} bytes")
                chunks.append(chunk)
            media_type = response.headers.get("content-type", "").split(";")[0].strip()
    except httpx.TimeoutException as error:
        raise FetchError(url, f"did not answer in time ({type(error).__name__})") from None
    except httpx.HTTPError as error:
        raise FetchError(url, f"cannot be reached ({type(error).__name__}: {error})") from None
    return Fetched(url, b"".join(chunks), media_type.lower())
