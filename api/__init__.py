"""sidestream's HTTP service: SPARQL endpoint, linked-data pages, publishing (issue 5).

It imports ``catalogue``; ``catalogue`` never imports it.
"""
