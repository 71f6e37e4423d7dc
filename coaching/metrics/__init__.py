"""The coaching engine's weekly metrics: per rep, per ISO week, computed in the database from our models.

``compute_metrics(org, as_of)`` computes every metric for every active rep; ``store_snapshots`` writes them
as ``MetricSnapshot`` rows. Names and definitions: ``coaching.metrics.names`` and docs/metrics.md.
"""
