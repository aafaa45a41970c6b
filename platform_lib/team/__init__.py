"""A team's code location: ``team_definitions`` composing the platform's conventions,
automation across teams, alert sensors, the warehouse and the landing zone, the jobs and
schedules a team declares in one line, the lake's upkeep schedule and the restore job every
team gets. May import ``alerts``, ``contracts``, ``landing``, ``warehouse`` and the root
modules.
"""
