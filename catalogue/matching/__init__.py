"""Matching supplies, demands and critical raw materials; results share one JSON model.

``crm.match_element`` answers ``sidestream match --element``: the supplies that
contain an element, an element group or a listed raw material, ranked by recoverable
mass (``recoverable``), each with a one-line explanation; ``results`` is the model that
``match --json`` and ``GET /match`` serialise.
"""
