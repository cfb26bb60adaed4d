"""Running documents through the stages and keeping the results.

``process`` composes the stages for one page or document (and its settings and keys);
``batch`` runs a folder into the store with progress; ``workers`` reads pages in local
processes or on Dask; ``store`` is the SQLite store and its exports; ``runs`` is a run's
identity and its temporary folder.
"""
