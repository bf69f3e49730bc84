"""Which columns a request decrypted: for tests proving a page opens only what it shows."""

from typing import Any

import pytest

from vault.sealing import Sealer


def child_columns_decrypted(monkeypatch: pytest.MonkeyPatch) -> dict[Any, list[str]]:
    """From now on, every column of a child's own row that is decrypted, by child id (filled as it runs)."""
    unseal = Sealer.unseal_value
    read: dict[Any, list[str]] = {}

    def recording(self: Sealer, blob: Any, *, table: str, row_id: Any, column: str) -> Any:
        if table == "children_child":
            read.setdefault(row_id, []).append(column)
        return unseal(self, blob, table=table, row_id=row_id, column=column)

    monkeypatch.setattr(Sealer, "unseal_value", recording)
    return read
