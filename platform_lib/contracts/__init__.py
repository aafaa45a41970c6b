"""Data contracts: a pandera model read as rules, their translation into SQL, their
evaluation in the warehouse before a write commits, table checks, and ``warehouse_asset``,
the asset decorator that puts them together. May import ``landing``, ``warehouse``,
``environment`` and the root modules.
"""
