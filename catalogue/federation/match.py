"""Federated CRM-first matching: this catalogue, its harvests and live remote catalogues.

``federated_element_match`` answers ``match --element`` over several sources and names
the source of each result (``"source"``: a catalogue address, or ``local``):

- this catalogue's own submissions and each harvest are matched separately, over the
  caller's view narrowed to that source's graphs (:class:`scoped.ScopedStore`);
- each remote sidestream instance on the federation list (``SIDESTREAM_FEDERATION``) is
  asked ``GET {base}match?element=…`` in parallel, each within ``federation_timeout``.
  Its live answer replaces the harvested copy of the same catalogue; a source that fails
  or is too slow is left out with a warning (its harvested copy, if any, answers for it),
  and the answer is never an error because of it;
- the same stream reached twice (published by two catalogues, or harvested by two paths)
  counts once: results with the same identifier from organisations with the same
  normalised name (``identity.normalised_name``) are one, kept from the first source in
  the order local, live, harvested, with the others in ``"also_in"``;
- everything is ranked again by the rule of ``match --element`` (flows, then stocks, by
  recoverable mass; score over the largest mass of the same basis).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from pyoxigraph import NamedNode

from catalogue.access import ANONYMOUS, Caller
from catalogue.config import Settings
from catalogue.federation.harvest import belongs_to, recorded
from catalogue.federation.identity import normalised_name
from catalogue.federation.scoped import ScopedStore
from catalogue.federation.sources import AllowList, FetchError, Source, fetch, sources
from catalogue.matching.crm import _rank as rank
from catalogue.matching.crm import match_element
from catalogue.matching.results import MatchResult, Recoverable
from catalogue.store.base import CatalogueStore

LOCAL = "local"


@dataclass
class FederatedAnswer:
    """The merged results, best first (each a ``match --json`` object with ``source``), and
    one warning per source that could not answer."""

    results: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Found:
    result: MatchResult
    source: str
    also_in: list[str] = field(default_factory=list)


def federated_element_match(
    store: CatalogueStore,
    settings: Settings,
    text: str,
    *,
    top: int | None = None,
    caller: Caller = ANONYMOUS,
    year: int | None = None,
    local: str = LOCAL,
) -> FederatedAnswer:
    """Supplies holding what ``text`` names, over this catalogue, its harvests and the
    remote catalogues of ``settings.federation``. Raises ``InputError`` as
    ``match_element`` does for a name that is no element, group or list entry."""
    harvests = {graph: row["source"] for graph, row in recorded(store, settings).items()}

    def own(graph: NamedNode) -> bool:
        return not any(belongs_to(graph, harvest) for harvest in harvests)

    found = [
        _Found(result, local)
        for result in match_element(
            ScopedStore(store, own), text, top=top, caller=caller, year=year
        )
    ]
    remotes = sources(settings.federation)
    live, warnings = _ask_remotes(settings, remotes, text, top, year)
    for remote in remotes:
        found += [_Found(result, remote.url) for result in live.get(remote.url, [])]
    for graph, source in sorted(harvests.items(), key=lambda item: item[1]):
        if source in live:
            continue  # the live answer of the same catalogue stands for its harvest

        def in_harvest(candidate: NamedNode, prefix: str = graph) -> bool:
            return belongs_to(candidate, prefix)

        scoped = ScopedStore(store, in_harvest)
        found += [
            _Found(result, source)
            for result in match_element(scoped, text, top=top, caller=caller, year=year)
        ]
    return FederatedAnswer(_merged(found, top), warnings)


def _ask_remotes(
    settings: Settings,
    remotes: list[Source],
    text: str,
    top: int | None,
    year: int | None,
) -> tuple[dict[str, list[MatchResult]], list[str]]:
    """Each remote's results (by catalogue address), asked in parallel; and a warning for
    each that did not answer with a list of results in time."""
    if not remotes:
        return {}, []
    allow = AllowList.of(remotes)
    params = {"element": text}
    if top is not None:
        params["top"] = str(top)
    if year is not None:
        params["year"] = str(year)

    def ask(remote: Source) -> list[MatchResult]:
        with httpx.Client(timeout=settings.federation_timeout) as client:
            fetched = fetch(
                client,
                remote.base + "match",
                allow,
                accept="application/json",
                limit=settings.harvest_max_bytes,
                params=params,
            )
        items = json.loads(fetched.content)
        if not isinstance(items, list):
            raise TypeError("not a list")
        return [_result(item) for item in items]

    live: dict[str, list[MatchResult]] = {}
    warnings: list[str] = []
    # each remote has the time limit, all of them together hardly more: they run side by
    # side, and one that keeps trickling bytes is not waited for past the deadline
    deadline = time.monotonic() + settings.federation_timeout + 1
    pool = ThreadPoolExecutor(max_workers=min(8, len(remotes)), thread_name_prefix="federation")
    try:
        futures = {remote.url: pool.submit(ask, remote) for remote in remotes}
        for url, future in futures.items():
            try:
                live[url] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FetchError as error:
                warnings.append(f"{url} left out: {error.reason}")
            except FutureTimeout:
                warnings.append(f"{url} left out: did not answer in time")
            except (ValueError, TypeError, KeyError):
                warnings.append(f"{url} left out: its answer is not a list of match results")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return live, warnings


def _result(item: object) -> MatchResult:
    """One remote result (a ``match --json`` object) back in the result model; raises
    ``ValueError``/``TypeError``/``KeyError`` for anything else."""
    if not isinstance(item, dict):
        raise TypeError("not an object")
    recoverable = item.get("recoverable")
    found = None
    if isinstance(recoverable, dict):
        mass = recoverable.get("mass")
        try:
            value = None if mass is None else Decimal(str(float(mass)))
        except (InvalidOperation, ValueError):
            raise ValueError("bad mass") from None
        found = Recoverable(str(recoverable.get("element", "")), value, recoverable.get("unit"))
    year = item.get("reference_year")
    return MatchResult(
        identifier=str(item["identifier"]),
        name=str(item["name"]),
        score=float(item.get("score") or 0),
        route=item.get("route", "composition"),
        explanation=str(item.get("explanation", "")),
        recoverable=found,
        basis=item.get("basis") if item.get("basis") in ("flow", "stock") else None,
        organisation=None if item.get("organisation") is None else str(item["organisation"]),
        country=None if item.get("country") is None else str(item["country"]),
        reference_year=int(year) if isinstance(year, int) else None,
    )


def _merged(found: list[_Found], top: int | None) -> list[dict[str, Any]]:
    """One result per stream (identity), ranked again; each with its source."""
    unique: dict[tuple[str, str], _Found] = {}
    for item in found:
        key = (normalised_name(item.result.organisation or ""), item.result.identifier)
        first = unique.get(key)
        if first is None:
            unique[key] = item
        elif item.source != first.source and item.source not in first.also_in:
            first.also_in.append(item.source)
    ranked = rank([item.result for item in unique.values()])
    by_key = {
        (normalised_name(i.result.organisation or ""), i.result.identifier): i
        for i in unique.values()
    }
    answer = []
    for result in ranked if top is None else ranked[:top]:
        item = by_key[(normalised_name(result.organisation or ""), result.identifier)]
        data = result.to_dict()
        data["source"] = item.source
        if item.also_in:
            data["also_in"] = item.also_in
        answer.append(data)
    return answer
