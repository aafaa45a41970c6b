"""The ``tailor`` command: one module of commands per area, and what every command shares
(the repository it works on, tables, one-line errors). May import ``deploy``, ``workspace``,
``sandbox``, ``environment`` and the root modules.
"""
