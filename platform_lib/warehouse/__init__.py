"""The warehouse: each asset's table in its team's DuckLake lake, written in one transaction
(one version) and read with the run's sandbox and sample rules. The IO manager, the write
request it takes, the layout of lakes (a catalog in a SQLite file, or a team's schema in a
shared PostgreSQL), the object store of a shared lake's data files, the extensions it loads,
where an input is read from and which of its rows (shared by runs and notebooks),
connections and commits that survive other writers, partitioned writes, each write's signed
record, versions (history, restore, the past, pins), schema changes, why an input has no
table (never materialized, or a misspelt key), materialization metadata, the read-only view
for notebooks, the lake's upkeep (retention and compaction) and the move from the
DuckDB-file layout. May import ``environment`` and the root modules.
"""
