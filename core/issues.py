"""What checking one recap file produces: its issues, its rows, and the history the checks compare against.

These types are shared by the importer (which fills them), the store (which keeps them with a version),
the pipeline, the screens and the command line; they live apart so none of those imports another for them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from core import fmt


@dataclass
class Issue:
    """One error or warning, located so the clerk can find it in Excel."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def to_dict(self) -> dict:
        """The JSON shape of spec section 7."""
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ImportResult:
    """What one file would store, and what is wrong with it."""

    file: str
    content: bytes
    polsek: str | None = None
    bulan: str | None = None
    kegiatan: pd.DataFrame = field(default_factory=pd.DataFrame)
    kerawanan: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    unreadable: bool = False
    #: (sheet, Excel row) where checking stopped after `ingest.MAX_ERRORS`; the last error then says so.
    stopped_at: tuple[str, int] | None = None

    @property
    def status(self) -> str:
        """`ok`, `invalid` or `unreadable`, as the JSON contract names them."""
        if self.unreadable:
            return "unreadable"
        return "invalid" if self.errors else "ok"

    @property
    def sha256(self) -> str:
        """Hash of the original bytes, stored with every version."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def error_count(self) -> int:
        """Errors found, not counting the closing line that says checking stopped (it is no error of the file)."""
        return len(self.errors) - (1 if self.stopped_at is not None and self.errors else 0)

    def errors_summary(self) -> str:
        """`3 kesalahan`; `sedikitnya 200 kesalahan` when checking stopped early (more may follow)."""
        count = fmt.number(self.error_count)
        return f"sedikitnya {count} kesalahan" if self.stopped_at is not None else f"{count} kesalahan"

    def rows(self) -> dict[str, int]:
        """Number of data rows per sheet."""
        return {"kegiatan": len(self.kegiatan), "kerawanan": len(self.kerawanan)}

    def to_dict(self, version: int | None = None) -> dict:
        """The per-file object of `import --json`."""
        return {
            "file": self.file,
            "status": self.status,
            "polsek": self.polsek,
            "bulan": self.bulan,
            "rows": self.rows(),
            "version": version,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
        }


@dataclass
class History:
    """What the database already knows, for warnings: past counts per desa and officer names by NRP."""

    counts: pd.DataFrame = field(default_factory=pd.DataFrame)  # desa_kode, bulan, key, value
    officers: dict[str, str] = field(default_factory=dict)  # nrp -> nama
