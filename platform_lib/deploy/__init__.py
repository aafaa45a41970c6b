"""Deployment beyond one laptop: the rendered files (gRPC workspace, ``dagster.yaml``,
Supervisor, Helm values), PostgreSQL for the single-host profile, and running and stopping
that profile. May import ``workspace`` and the root modules.
"""
