"""The SPARQL 1.1 Protocol endpoint's machinery: worker processes over store snapshots.

Nothing is imported here: worker processes import :mod:`api.sparql.worker` and should
load no more than pyoxigraph and :mod:`api.sparql.formats`.
"""
