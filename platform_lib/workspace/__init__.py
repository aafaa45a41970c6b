"""The workspace of every team: its code locations (``workspace.yaml``), the platform's rules
checked across them, cross-team consumed columns, reports of what each team owns and how it
is doing, and the scaffolding of new teams and assets (templates in ``templates/``). May
import ``environment`` (the labels a run records, which ``tailor status`` reports) and the root
modules.
"""
