"""A person's sandboxes, as tools see them (``tailor sandbox``): what they hold, how a table
differs from production, and removing them. May import ``warehouse``, ``environment`` and the
root modules.
"""
