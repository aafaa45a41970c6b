"""Alerts that reach the team owning an asset, or the person whose dev run failed: routes
and delivery, whose run an alert is about, the errors it reports without secrets, and the
sensors for failed runs, failed checks and overdue assets. May import ``environment`` and
the root modules.
"""
