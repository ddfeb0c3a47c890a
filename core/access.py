"""Who may see what, decided once: every frame reaches a page, a slide, an export or a download already scoped.

A Polsek clerk sees his own Polsek whatever the URL or the filter says; admin, pimpinan and verifikator see the
Polres or the Polsek they pick. Screens, Mode Paparan, the deck, the workbook, the rapor and the downloads all take a
`Scope` from `scope_for` and filter with `limit`, so no page writes its own `df[df["polsek"] == ...]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ALL_POLSEK = "Semua Polsek"


@dataclass(frozen=True)
class Scope:
    """The Polsek a view covers (None: the whole Polres)."""

    polsek: str | None = None

    @property
    def label(self) -> str:
        """`Semua Polsek` or the Polsek's name, for captions and file names."""
        return self.polsek or ALL_POLSEK

    @property
    def short(self) -> str:
        """`Polres` or the Polsek without its prefix, for file names."""
        return (self.polsek or "Polres").removeprefix("Polsek ").replace(" ", "_")


def scope_for(user: object | None, wanted: str | None = None) -> Scope:
    """The scope a user may have: a `polsek` account always gets his own Polsek, others what they asked for.

    `user` is a `core.auth.User` (or None for the server operator's command line, which sees everything).
    """
    if user is not None and getattr(user, "role", None) == "polsek":
        return Scope(getattr(user, "polsek", None) or "\u2013")  # an unbound clerk sees nothing rather than everything
    return Scope(wanted or None)


def limit(frame: pd.DataFrame, scope: Scope, column: str = "polsek") -> pd.DataFrame:
    """The rows of `frame` inside the scope (all rows for the whole Polres)."""
    if scope.polsek is None or frame.empty or column not in frame.columns:
        return frame if scope.polsek is None or column not in frame.columns else frame.iloc[0:0]
    return frame[frame[column] == scope.polsek]


def polsek_names(scope: Scope) -> list[str]:
    """The Polsek a scope covers, in the reference order."""
    from core import reference

    names = list(reference.polsek_names())
    return names if scope.polsek is None else [p for p in names if p == scope.polsek]
