"""What ``most-archive serve`` adds to Datasette: metadata, templates and one plugin module.

- ``metadata.yaml``: titles, descriptions and column help for every table, the facets and the
  stored (canned) queries;
- ``templates/``: the article page and small additions to Datasette's own pages;
- ``plugin.py``: SQL functions for the folded full-text search, the year facet, the article
  and files routes, and the hiding of raw blobs from table views.
"""
