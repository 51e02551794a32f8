"""File formats: JSON-safe results (:mod:`~corridor.formats.json`), TNTP benchmark networks
(:mod:`~corridor.formats.tntp`), GeoDataFrames with GeoPackage and GeoParquet
(:mod:`~corridor.formats.geo`) and the HTML cards of notebooks (:mod:`~corridor.formats.html`).

Each is imported on its own, so that reading JSON does not load the assignment engine.
"""
