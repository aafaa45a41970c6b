"""Alerts that reach the team owning an asset: its routes and delivery, and the sensors for
failed runs, failed checks and overdue assets. May import only the root modules.
"""
