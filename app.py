"""Anev Bhabinkamtibmas Polres TTU: the server. Start it with `python3 -m streamlit run app.py`.

`streamlit run` finds `app = st.App(...)` below and serves it with uvicorn: Streamlit itself, the
frame every screen runs in (`frame/main.py`: login gate, filters, navigation over `pages/`), the cookie
routes and gzip of core/web.py, and an Indonesian error screen instead of tracebacks.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import web

HERE = Path(__file__).resolve().parent


def on_script_error(exc: Exception) -> bool:
    """An uncaught error: an Indonesian message with a short code for the admin; the traceback only in the server log."""
    import errno
    import logging
    import secrets

    from core import auth

    code = secrets.token_hex(3).upper()
    logging.getLogger("anev").error("Kesalahan di layar (kode %s)", code, exc_info=exc)
    if isinstance(exc, auth.AuthError):
        st.error(str(exc), icon=":material/block:")
        return True
    from sqlalchemy.exc import OperationalError

    text = str(exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text or "no space left" in text:
        message = ("Ruang disk server penuh, jadi perubahan tidak dapat disimpan (yang sudah tersimpan tetap aman). "
                   "Minta admin mengosongkan ruang disk, lalu ulangi.")
    elif isinstance(exc, OperationalError):
        message = "Basis data tidak dapat dihubungi saat ini. Coba lagi sebentar; bila terulang, minta admin memeriksa server basis data."
    else:
        message = "Terjadi kesalahan pada layar ini. Muat ulang halaman; bila terulang, hubungi admin."
    st.error(f"{message} Kode kesalahan: **{code}** (rinciannya tercatat di log server).", icon=":material/error:")
    return True


app = st.App(HERE / "frame" / "main.py", routes=web.routes(), middleware=web.middleware(), on_script_error=on_script_error)

if __name__ == "__main__":
    # `python3 app.py` starts the same server. (Run as a Streamlit script, e.g. AppTest.from_file("app.py"),
    # this stops with "A Streamlit server is already running": test frame/main.py instead.)
    app.run()
