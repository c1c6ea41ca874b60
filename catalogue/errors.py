"""Exceptions that name what is wrong and where; the CLI and API map them to exits."""


class SidestreamError(Exception):
    """Base of every error sidestream raises on purpose."""


class OntologyError(SidestreamError):
    """The ontology files are missing, unreadable or inconsistent with each other."""


class QueryFileError(SidestreamError):
    """A ``.rq`` file is missing, malformed, or called with the wrong parameters."""


class SubmissionRejected(SidestreamError):
    """A submission did not load; ``report`` says every reason, and nothing was stored."""

    def __init__(self, report: object) -> None:
        from catalogue.report import Report

        assert isinstance(report, Report)
        self.report = report
        super().__init__(report.to_text())


class InputError(SidestreamError):
    """A value a steward wrote cannot be used; says why in English and Norwegian.

    ``value`` is the text as written; ``suggestions`` are close known values, best first.
    """

    def __init__(
        self,
        message_en: str,
        message_nb: str,
        *,
        value: str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        self.message = {"en": message_en, "nb": message_nb}
        self.value = value
        self.suggestions = suggestions
        super().__init__(message_en)
