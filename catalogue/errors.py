"""Exceptions that name what is wrong and where; the CLI and API map them to exits."""


class SidestreamError(Exception):
    """Base of every error sidestream raises on purpose."""


class OntologyError(SidestreamError):
    """The ontology files are missing, unreadable or inconsistent with each other."""


class QueryFileError(SidestreamError):
    """A ``.rq`` file is missing, malformed, or called with the wrong parameters."""
