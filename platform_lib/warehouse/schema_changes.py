"""What a write changed in its table's columns, recorded on the materialization.

Each write compares the table's columns and DuckDB types before it (the previous version in
the same lake) with after it, inside its transaction: columns added, dropped and retyped, or
a new table. The materialization records the change twice, for a person and for tools:
``tailor/schema_change`` (markdown, shown on the asset's page in the UI) and
``tailor/schema_change_json``. A write that changed no column records neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster import MetadataValue

SCHEMA_CHANGE = "tailor/schema_change"
SCHEMA_CHANGE_JSON = "tailor/schema_change_json"


@dataclass(frozen=True)
class SchemaChange:
    """A table's columns (name: DuckDB type) before a write and after it."""

    previous: dict[str, str] | None
    """None when the write created the table."""
    current: dict[str, str]

    @property
    def is_new_table(self) -> bool:
        return self.previous is None

    @property
    def added(self) -> dict[str, str]:
        return {name: kind for name, kind in self.current.items() if name not in self._before}

    @property
    def dropped(self) -> dict[str, str]:
        return {name: kind for name, kind in self._before.items() if name not in self.current}

    @property
    def retyped(self) -> dict[str, tuple[str, str]]:
        """Each retyped column's (previous type, new type)."""
        return {
            name: (self._before[name], kind)
            for name, kind in self.current.items()
            if name in self._before and self._before[name] != kind
        }

    @property
    def broken(self) -> list[str]:
        """The columns a reader of the previous version may miss: dropped or retyped."""
        return [*self.dropped, *self.retyped]

    def metadata(self) -> dict:
        """The materialization's entries for this change; none when no column changed."""
        if not self.is_new_table and not (self.added or self.dropped or self.retyped):
            return {}
        detail = {
            "new_table": self.is_new_table,
            "added": self.added,
            "dropped": self.dropped,
            "retyped": {name: list(kinds) for name, kinds in self.retyped.items()},
        }
        return {
            SCHEMA_CHANGE: MetadataValue.md(self.describe()),
            SCHEMA_CHANGE_JSON: MetadataValue.json(detail),
        }

    def describe(self) -> str:
        """The change as markdown: one line per kind of change."""
        if self.is_new_table:
            columns = ", ".join(f"`{name}` {kind}" for name, kind in self.current.items())
            return f"New table: {columns or 'no columns'}"
        lines = [
            *(f"- added `{name}` {kind}" for name, kind in self.added.items()),
            *(f"- dropped `{name}` (was {kind})" for name, kind in self.dropped.items()),
            *(f"- retyped `{name}`: {old} -> {new}" for name, (old, new) in self.retyped.items()),
        ]
        return "\n".join(lines)

    @property
    def _before(self) -> dict[str, str]:
        return self.previous or {}
