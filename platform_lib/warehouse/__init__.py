"""The warehouse: each asset's table in its team's DuckDB file, written in one transaction
and read with the run's sandbox and sample rules. The IO manager, the write request it takes,
the layout of files, where an input is read from and which of its rows (shared by runs and
notebooks), lock-aware connections, partitioned writes, the table catalog, why an
input has no table (never materialized, or a misspelt key), materialization metadata and
the read-only view for notebooks. May import ``environment`` and the root modules.
"""
