"""The cache of callers' views (api.deps.ViewCache): nothing read before a write that
has been announced is served after it."""

from __future__ import annotations

from pyoxigraph import NamedNode

from api.deps import ViewCache
from catalogue.access import ADMINISTRATOR, ANONYMOUS
from catalogue.store.base import View

OLD = View((NamedNode("urn:graph:old"),))
NEW = View((NamedNode("urn:graph:old"), NamedNode("urn:graph:new")))


def test_a_view_is_kept_per_caller_until_a_write() -> None:
    views = ViewCache()
    views.put(ANONYMOUS, OLD, views.generation)
    assert views.get(ANONYMOUS) == OLD
    assert views.get(ADMINISTRATOR) is None
    views.clear()
    assert views.get(ANONYMOUS) is None


def test_a_view_read_before_an_announced_write_is_not_kept() -> None:
    views = ViewCache()
    generation = views.generation  # a request starts reading its view
    views.clear()  # a write is announced meanwhile
    views.put(ANONYMOUS, OLD, generation)
    assert views.get(ANONYMOUS) is None
    views.put(ANONYMOUS, NEW, views.generation)
    assert views.get(ANONYMOUS) == NEW
