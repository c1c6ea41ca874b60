"""schema.org markup of a stream page, so that search engines find public supplies.

:func:`schema_org` turns the body of ``GET /streams/{identifier}``
(:func:`catalogue.lookup.stream_summary`, with the page's ``url``) into a JSON-LD object:
a supply is an ``Offer`` of a ``Product`` (name, description, material) with its
quantity as ``inventoryLevel``, its organisation as ``seller`` and its site as
``availableAtOrFrom`` (a ``Place`` with ``GeoCoordinates``); a demand is a ``Demand``
with the quantity as ``eligibleQuantity``, sought by its organisation (``seeks``).

Only public streams get markup: a registered reader sees restricted streams on the same
pages, and markup is made for machines that index pages. The context is the schema.org
vocabulary inline (``@vocab``), so the markup reads as the same triples with or without
fetching ``https://schema.org``.

:func:`schema_org_script` writes it for a ``<script type="application/ld+json">`` element
(the ``schema_org`` template filter; ``_schema_org.html``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from markupsafe import Markup

PUBLIC = "https://w3id.org/sidestream/vocab/confidentiality/public"
CONTEXT = {"@vocab": "https://schema.org/"}

UNECE_UNITS: dict[str, tuple[str, int]] = {
    "t/a": ("TNE", 1),
    "kt/a": ("KTN", 1),
    "Mt/a": ("KTN", 1000),
    "t": ("TNE", 1),
    "kt": ("KTN", 1),
    "Mt": ("KTN", 1000),
    "m3/a": ("MTQ", 1),
    "Nm3/a": ("NM3", 1),
    "MWh/a": ("MWH", 1),
    "GWh/a": ("GWH", 1),
    "TWh/a": ("D32", 1),
    "TJ/a": ("D30", 1),
    "GJ/a": ("GV", 1),
    "units/a": ("H87", 1),
}
"""Template unit -> (UN/CEFACT Recommendation 20 code of its amount, factor to that code's
unit). Rec 20 has no per-year mass, volume or energy codes and no megatonne, so the
amount is coded (``TNE`` tonne, ``KTN`` kilotonne: a megatonne is 1,000 of them) and the
template symbol, which says per year, goes in ``unitText``."""


def schema_org(stream: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON-LD object of a public stream's page; None for any other stream."""
    if not _public(stream) or stream.get("kind") not in ("supply", "demand"):
        return None
    url = stream.get("url") or stream.get("iri")
    product = _drop_empty(
        {
            "@type": "Product",
            "name": _wanted(stream) if stream["kind"] == "demand" else stream.get("name"),
            "description": stream.get("description"),
            "material": _label(stream.get("material")),
            "category": _code(stream, "status"),
            "identifier": stream.get("identifier"),
        }
    )
    place = _place(stream)
    party = _organisation(stream)
    quantity = _quantity(stream.get("quantity"))
    markup: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Offer" if stream["kind"] == "supply" else "Demand",
        "@id": f"{url}#{stream['kind']}" if url else None,
        "url": url,
        "name": stream.get("name"),
        "description": stream.get("description"),
        "itemOffered": product,
        "availableAtOrFrom": place,
        "areaServed": {"@type": "Country", "name": stream["country"]}
        if stream.get("country")
        else None,
    }
    if stream["kind"] == "supply":
        markup["seller"] = party
        markup["inventoryLevel"] = quantity
    else:
        markup["eligibleQuantity"] = quantity
        markup["@reverse"] = {"seeks": party} if party else None
    return _drop_empty(markup)


def schema_org_script(stream: dict[str, Any]) -> Markup | None:
    """:func:`schema_org` as the text of a ``<script>`` element: JSON with ``<``, ``>``
    and ``&`` written as ``\\u`` escapes, so no catalogue text can end the element."""
    data = schema_org(stream)
    if data is None:
        return None
    text = json.dumps(data, ensure_ascii=False, indent=1, default=_number)
    for char in "<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)  # JSON with the markup characters escaped above


def _public(stream: dict[str, Any]) -> bool:
    return any(
        code.get("property") == "confidentiality" and code.get("iri") == PUBLIC
        for code in stream.get("codes") or []
    )


def _label(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("label") or value.get("name")
    return value if isinstance(value, str) else None


def _code(stream: dict[str, Any], prop: str) -> str | None:
    for code in stream.get("codes") or []:
        if code.get("property") == prop:
            return str(code.get("label"))
    return None


def _wanted(stream: dict[str, Any]) -> str | None:
    """What a demand asks for: its material class, else what it requests."""
    labels = [_label(stream.get("material"))] + [
        _label(request) for request in stream.get("requests") or []
    ]
    wanted = [label for label in labels if label]
    return ", ".join(wanted) if wanted else stream.get("name")


def _organisation(stream: dict[str, Any]) -> dict[str, Any] | None:
    organisation = stream.get("organisation")
    if not isinstance(organisation, dict) or not organisation.get("name"):
        return None
    return _drop_empty(
        {"@type": "Organization", "name": organisation["name"], "url": organisation.get("url")}
    )


def _place(stream: dict[str, Any]) -> dict[str, Any] | None:
    location = stream.get("location") or {}
    site = stream.get("site") if isinstance(stream.get("site"), dict) else {}
    latitude, longitude = location.get("latitude"), location.get("longitude")
    geo = (
        {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
        if latitude is not None and longitude is not None
        else None
    )
    country = stream.get("country")
    if geo is None and not site.get("name") and not country:
        return None
    return _drop_empty(
        {
            "@type": "Place",
            "name": site.get("name"),
            "url": site.get("url"),
            "geo": geo,
            "address": {"@type": "PostalAddress", "addressCountry": country} if country else None,
        }
    )


def _quantity(quantity: Any) -> dict[str, Any] | None:
    if not isinstance(quantity, dict) or quantity.get("unit") not in UNECE_UNITS:
        return None
    code, factor = UNECE_UNITS[quantity["unit"]]

    def scaled(value: Any) -> Any:
        return None if value is None else Decimal(str(value)) * factor

    value = _drop_empty(
        {
            "@type": "QuantitativeValue",
            "value": scaled(quantity.get("value")),
            "minValue": scaled(quantity.get("minimum")),
            "maxValue": scaled(quantity.get("maximum")),
            "unitCode": code,
            "unitText": quantity["unit"],
        }
    )
    return value if len(value) > 3 else None  # a unit without any figure says nothing


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _number(value: Any) -> int | float:
    """JSON numbers for the scaled decimals."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
