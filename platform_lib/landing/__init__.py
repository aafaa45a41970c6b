"""The landing zone: files that stand in for upstream systems, read by ingest assets, and the
sampled copies sample mode reads instead. May import ``warehouse``, ``environment`` and the
root modules.
"""
