"""Queries the endpoint refuses before running them: federated ones (``SERVICE``).

pyoxigraph answers ``SERVICE <http://...>`` by calling that host over HTTP (tested:
it POSTs the subquery), which would let any caller make the server fetch from
anywhere, including hosts only the server can reach. The keyword is found by
tokenising the query the way the SPARQL grammar does, so the word inside a string,
an IRI, a comment, a variable (``?service``) or a prefixed name (``ex:service``)
does not count.
"""

from __future__ import annotations

import re

_TOKENS = re.compile(
    r"""
      '''(?:[^'\\]|\\.|'(?!''))*'''
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '(?:[^'\\\n\r]|\\.)*'
    | "(?:[^"\\\n\r]|\\.)*"
    | <[^<>"{}|^`\\\x00-\x20]*>
    | \#[^\n\r]*
    | (?P<word>[?$]?[^\s{}()\[\];,<>"'#=!&|+*/^@?$]+)
    """,
    re.VERBOSE | re.DOTALL,
)


def uses_service(query: str) -> bool:
    """Whether ``query`` contains the ``SERVICE`` keyword (any case) outside literals."""
    for match in _TOKENS.finditer(query):
        word = match["word"]
        if word is not None and word.rstrip(".").upper() == "SERVICE":
            return True
    return False


_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def is_update(text: str) -> bool:
    """Whether ``text`` is a SPARQL Update request (its first keyword after the prologue)."""
    skip_next = False
    for match in _TOKENS.finditer(text):
        word = match["word"]
        if word is None:
            skip_next = False  # an IRI after BASE or after a prefix name
            continue
        if skip_next or word.endswith(":"):
            skip_next = False
            continue
        upper = word.upper()
        if upper in ("PREFIX", "BASE"):
            skip_next = upper == "PREFIX"
            continue
        return upper in _UPDATE_KEYWORDS
    return False
