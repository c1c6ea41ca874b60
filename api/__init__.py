"""The HTTP service: SPARQL 1.1 endpoint, linked-data pages, publishing and web UI.

``api`` imports ``catalogue``, never the reverse. Build the app with
:func:`api.app.create_app`; ``sidestream serve`` runs it with uvicorn.
"""
