"""Settings, read from keyword arguments or ``SIDESTREAM_*`` environment variables.

There are no module-level instances: callers build ``Settings()`` and pass it on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from catalogue.namespaces import BASE

DEFAULT_DATA_BASE = BASE + "data/"


def default_store_path() -> Path:
    """The per-user data directory's store, used when neither --store nor SIDESTREAM_STORE."""
    return Path(platformdirs.user_data_dir("sidestream", appauthor=False)) / "store"


def local_folder(settings: Settings) -> Path:
    """Where the catalogue's own files live (the tokens file and the audit log).

    The one decision: beside the embedded store folder (its parent), as always. With an
    ``endpoint`` there is no local store to sit beside, so the folder of ``settings.tokens``
    when it is given, else the per-user data directory (the one ``default_store_path``
    uses): an operator serving on a remote store keeps tokens and the audit log on the
    machine that serves, never on the SPARQL server.
    """
    if settings.endpoint:
        if settings.tokens is not None:
            return settings.tokens.parent
        return Path(platformdirs.user_data_dir("sidestream", appauthor=False))
    return settings.store.parent


class Settings(BaseSettings):
    """Where the catalogue lives and how it mints IRIs."""

    model_config = SettingsConfigDict(env_prefix="SIDESTREAM_", extra="ignore")

    store: Path = Field(default_factory=default_store_path)
    """Folder of the embedded pyoxigraph store (created on first use)."""

    tokens: Path | None = None
    """File of API token hashes; default ``tokens.json`` in :func:`local_folder` (beside the
    store folder, or the per-user data directory with an endpoint; ``tokens_path``)."""

    store_batch_quads: int = Field(default=1_000_000, ge=1)
    """Quads per bulk-load batch of a new submission on the embedded store (progress moves
    per batch; a small value lets the crash tests stop a load between batches)."""

    load_chunk_streams: int = Field(default=10_000, ge=1)
    """Streams per chunk of a large template: a file with more rows is validated, then
    mapped, materialised and written, one chunk at a time, so a load's memory is one chunk's
    statements (plus the file's text), not the whole file's. A new submission only; a
    replacement is one transaction and holds the whole file."""

    load_workers: int = Field(default=2, ge=1)
    """Processes that map and validate a large template's chunks side by side (1: all in the
    loading process). Two by default: the machines this was measured on have two cores."""

    endpoint: str | None = None
    """SPARQL 1.1 query URL of an existing server; when set, the catalogue lives there
    (``catalogue.store.remote``) and ``store`` is not used for data."""

    update_endpoint: str | None = None
    """SPARQL 1.1 update URL (default: ``endpoint``, as on Virtuoso)."""

    gsp_endpoint: str | None = None
    """Graph Store Protocol URL (kept for bulk loading; not used yet)."""

    endpoint_user: str | None = None
    """HTTP basic user for the endpoints."""

    endpoint_password: str | None = None
    """HTTP basic password for the endpoints."""

    endpoint_union: Literal["parameter", "listed"] = "parameter"
    """How a query over the whole remote store gets the union of all graphs as its default
    graph: Oxigraph server's ``union-default-graph`` parameter, or by listing every named
    graph as the dataset (plain SPARQL 1.1, one more request; for other servers)."""

    endpoint_single_request_quads: int = Field(default=2_000, ge=1)
    """Writes up to this many quads go to a remote store as one update request; larger ones
    are staged in batches (``RemoteStore.write``). Virtuoso's SPARQL compiler fails near
    5,000 triples in one request."""

    endpoint_batch_quads: int = Field(default=50_000, ge=1)
    """Quads per Graph Store Protocol request of a staged write."""

    data_base: str = DEFAULT_DATA_BASE
    """Base IRI under which streams, organisations, sites and submissions are minted."""

    harvest_sources: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Remote catalogues harvested by ``sidestream harvest --all`` and by ``serve`` every
    ``harvest_interval`` seconds (comma separated DCAT addresses: ``docs/federation.md``)."""

    federation: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Remote sidestream instances asked live by federated matching (``--federated``,
    ``?federated=true``); with ``harvest_sources``, the allow-list of remote catalogues."""

    federation_timeout: float = Field(5.0, gt=0)
    """Seconds a remote catalogue has to answer a federated match before it is left out
    with a warning."""

    harvest_timeout: float = Field(60.0, gt=0)
    """Seconds each request of a harvest may take."""

    harvest_max_bytes: int = Field(200 * 1024 * 1024, gt=0)
    """Most bytes read from a remote catalogue in one answer (a larger one is refused)."""

    @field_validator("harvest_sources", "federation", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            return [address.strip() for address in value.split(",") if address.strip()]
        return value

    @field_validator("data_base")
    @classmethod
    def _base_is_http_and_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError(f"data_base must be an http(s) IRI ending in '/', not {value!r}")
        return value
