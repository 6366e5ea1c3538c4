"""PubMed through NCBI E-utilities: the HTTP client (`client`), its cache (`cache`, `shared`),
the parsers of its answers (`parse`) and the resolution of citations to papers (`resolve`).

Nothing is imported here: `verify --offline` must not pay for the HTTP stack it never uses.
"""
