"""What the service adds to the catalogue's settings (``SIDESTREAM_*`` variables too)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from catalogue.config import Settings


class ServiceSettings(Settings):
    """Settings of ``sidestream serve``: the catalogue's, plus limits and page options."""

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """Where callers reach the service (links in pages and DCAT); default http://host:port/."""

    sparql_timeout: float = Field(30.0, gt=0)
    """Seconds a SPARQL query may run before it is cancelled and answered with 503."""

    sparql_row_limit: int = Field(10_000, gt=0)
    """Most rows a SELECT answers; a cut result says so in a response header."""

    sparql_workers: int = Field(2, ge=1)
    """Processes that run SPARQL endpoint queries (a timed-out one is killed and replaced)."""

    describe_in_workers: bool = True
    """Whether those processes also write stream descriptions in RDF (``GET /streams/{id}``)
    on the embedded store, beside the service's event loop; off, the service writes them.
    On by default: at 100,000 streams on the quiet 2-core machine it answered 378 and 477
    req/s against 323 and 358 off, back to back (on a machine busy with other work it cost
    more than it saved: ``docs/performance.md``)."""

    upload_limit: int = Field(20 * 1024 * 1024, gt=0)
    """Largest request body in bytes (uploads over it get 413)."""

    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    """Map tiles for the stream map; the page lists the streams when tiles cannot load."""

    tile_attribution: str = "© OpenStreetMap contributors"

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Origins whose browser pages may call the API (``SIDESTREAM_CORS_ORIGINS``, comma
    separated, e.g. ``https://platform.example``); none by default (docs/security.md)."""

    token_failures_per_minute: int = Field(10, ge=1)
    """Bad-token attempts one client address may make in a minute before it gets 429."""

    harvest_interval: float = Field(0.0, ge=0)
    """Seconds between harvests of ``harvest_sources`` while serving (the first at start);
    0: only on demand (``sidestream harvest --all``)."""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @property
    def base_url(self) -> str:
        """The service's own address, ending in '/'."""
        url = self.public_url or f"http://{self.host}:{self.port}/"
        return url if url.endswith("/") else url + "/"
