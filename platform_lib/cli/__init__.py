"""The ``tailor`` command: one module of commands per area, and what every command shares
(the repository it works on, tables, progress, one-line errors). May import ``deploy``,
``workspace``, ``sandbox``, ``warehouse`` (`tailor table show` and `tailor sql` read through
open_warehouse), ``environment`` and the root modules.
"""
