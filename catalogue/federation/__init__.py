"""Federation: one entry point, many catalogues (``docs/federation.md``).

``sources``: the allow-list of remote catalogues and bounded fetching from them;
``harvest``: pulling a remote catalogue's public streams into a graph of their own;
``records``: which harvested statements are kept, and which streams are rejected;
``identity``: linking organisations and sites two catalogues both describe;
``match``: CRM-first matching over the local store and the configured remote catalogues.
"""
