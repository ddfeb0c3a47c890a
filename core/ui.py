"""Shared screen helpers: the only `core` module that imports Streamlit.

It holds the engine (cached as a resource), the cached seam around pure `core` functions, the
month and Polsek filters (kept in the URL so a link opens the same view), and the DATA CONTOH badge.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from core import access, auth, charts, config, fmt, metrics, reference, store, views
from core.access import Scope
from core.months import current_bulan, format_bulan

ALL_POLSEK = "Semua Polsek"
KOSONG = "–"  # shown in tables for a missing value (Streamlit would write "None")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.create_db_engine(url)


def engine() -> Engine:
    """The database engine for `ANEV_DB_URL` (one per process)."""
    return _engine(config.db_url())


def data_version() -> tuple[int, int]:
    """A cheap fingerprint of what is stored; part of every cache key, so another process's import shows up."""
    import sqlalchemy as sa

    with engine().connect() as conn:
        row = conn.execute(sa.select(sa.func.count(store.unggahan.c.id), sa.func.max(store.unggahan.c.id))).one()
    return int(row[0] or 0), int(row[1] or 0)


@st.cache_data(show_spinner=False, max_entries=64)
def _rekap(url: str, bulan: str, version: tuple[int, int]) -> metrics.Rekap:
    eng = _engine(url)
    return metrics.build_rekap(bulan, store.rows(eng, "kegiatan", bulan), store.rows(eng, "kerawanan", bulan))


def rekap(bulan: str) -> metrics.Rekap:
    """The month's recap, cached until the stored data changes."""
    return _rekap(config.db_url(), bulan, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _months(url: str, version: tuple[int, int]) -> list[str]:
    return store.months_with_data(_engine(url))


def months_with_data() -> list[str]:
    """Months with stored recaps, oldest first."""
    return _months(config.db_url(), data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _has_demo(url: str, version: tuple[int, int]) -> bool:
    return store.has_demo(_engine(url))


def has_demo() -> bool:
    """True while synthetic demo data is stored."""
    return _has_demo(config.db_url(), data_version())


def clear_caches() -> None:
    """Forget cached aggregates after an import commits or demo data is removed."""
    for cached in (_rekap, _months, _has_demo, _history, _uploads):
        cached.clear()


def demo_badge() -> None:
    """The DATA CONTOH badge, shown on every screen while demo data is stored."""
    if has_demo():
        st.badge("DATA CONTOH \u2013 angka sintetis, bukan laporan Polsek", icon=":material/science:", color="orange")


def _month_options(today: dt.date | None = None) -> list[str]:
    months = set(months_with_data())
    months.add(current_bulan(today))
    return sorted(months, reverse=True)


def filters(user: auth.User | None = None) -> tuple[str, str | None]:
    """Month and Polsek filters in the sidebar, mirrored in the URL query (`?bulan=2024-09&polsek=...`).

    A Polsek clerk's Polsek filter is fixed to his own Polsek.
    """
    options = _month_options()
    with_data = months_with_data()
    default_month = with_data[-1] if with_data else options[0]
    wanted = st.query_params.get("bulan", default_month)
    if wanted not in options:
        wanted = default_month
    if "filter_bulan" not in st.session_state:
        st.session_state["filter_bulan"] = wanted
    fixed = user.polsek if user is not None and user.role == "polsek" else None
    polsek_options = [fixed] if fixed else [ALL_POLSEK, *reference.polsek_names()]
    wanted_polsek = fixed or st.query_params.get("polsek", ALL_POLSEK)
    if "filter_polsek" not in st.session_state or st.session_state["filter_polsek"] not in polsek_options:
        st.session_state["filter_polsek"] = wanted_polsek if wanted_polsek in polsek_options else polsek_options[0]
    with st.sidebar:
        bulan = st.selectbox("Bulan", options, format_func=format_bulan, key="filter_bulan")
        polsek = st.selectbox("Polsek", polsek_options, key="filter_polsek", disabled=fixed is not None)
    if st.query_params.get("bulan") != bulan:
        st.query_params["bulan"] = bulan
    if polsek == ALL_POLSEK:
        if "polsek" in st.query_params:
            del st.query_params["polsek"]
    elif st.query_params.get("polsek") != polsek:
        st.query_params["polsek"] = polsek
    return bulan, (None if polsek == ALL_POLSEK else polsek)


def scope_caption(bulan: str, polsek: str | None) -> str:
    """`September 2024 · Semua Polsek`: every figure says what it covers."""
    return f"{format_bulan(bulan)} \u00b7 {polsek or ALL_POLSEK}"


def issue_list(issues: list, noun: str, limit: int = 10) -> str:
    """The first sentences of errors or warnings as a Markdown list (escaped), then how many more there are."""
    lines = [f"- {escape(issue.message)}" for issue in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"- \u2026 dan {len(issues) - limit} {noun} lain (lihat tabel di bawah)")
    return "\n".join(lines)


def issues_frame(issues: list) -> pd.DataFrame:
    """Errors or warnings as a table with Indonesian column names."""
    return pd.DataFrame(
        [{"Lembar": i.sheet, "Baris": i.row, "Kolom": i.column, "Nilai": i.value, "Keterangan": i.message} for i in issues],
        columns=["Lembar", "Baris", "Kolom", "Nilai", "Keterangan"],
    ).astype({"Baris": "Int64"})


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """Indonesian number formatting: `1.234` and `56,7`."""
    if value is None or pd.isna(value):
        return "\u2013"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def current_filters() -> tuple[str, str | None]:
    """The month and Polsek chosen in the frame's sidebar (frame/main.py) for this run."""
    return st.session_state.get("filters") or (current_bulan(), None)


# --------------------------------------------------------------------------- month history for the Anev screens


@st.cache_data(show_spinner=False, max_entries=32)
def _history(url: str, bulan_from: str, bulan_to: str, version: tuple[int, int]) -> pd.DataFrame:
    eng = _engine(url)
    return metrics.desa_month(store.rows(eng, "kegiatan", bulan_from, bulan_to), store.rows(eng, "kerawanan", bulan_from, bulan_to))


def history(bulan: str, months_back: int = 12) -> tuple[pd.DataFrame, list[str]]:
    """Desa rows with indices for `bulan` and the `months_back` months before it (cached), and that month list."""
    from core.months import add_months, month_range

    months = month_range(add_months(bulan, -months_back), bulan)
    return _history(config.db_url(), months[0], months[-1], data_version()), months


@st.cache_data(show_spinner=False, max_entries=8)
def _uploads(url: str, version: tuple[int, int]) -> pd.DataFrame:
    return store.uploads(_engine(url))


def uploads() -> pd.DataFrame:
    """Every stored version (without file bytes), cached until the data changes."""
    return _uploads(config.db_url(), data_version())


def no_data(bulan: str, polsek: str | None) -> None:
    """Say plainly that a month has no data, instead of showing zeros, and stop the page."""
    where = f" dari {polsek}" if polsek else ""
    st.info(f"Belum ada rekap{where} yang tersimpan untuk {format_bulan(bulan)}. "
            "Pilih bulan lain di samping, atau unggah rekap di menu Unggah Rekap.", icon=":material/info:")
    st.stop()


_MARKDOWN_SPECIAL = "\\`*_{}[]()#+!|<>~$"


def escape(text: str) -> str:
    """Text from the data shown through Markdown: officer-written `<script>` or `**` stays literal."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


def election_agenda() -> dict:
    """The election agenda (name, date) shown on Kesiapan Pemilihan."""
    from core import agenda

    return agenda.get_agenda(engine())


def save_election_agenda(nama: str, tanggal: dt.date) -> None:
    """Save a new election agenda and refresh what depends on it."""
    from core import agenda

    agenda.save_agenda(engine(), nama, tanggal, by=current_user())


def kategori(value: float | None) -> str | None:
    """Baik/Cukup/Kurang for an index value (the same thresholds everywhere)."""
    return metrics.kategori_kinerja(value)


# --------------------------------------------------------------------------- Peta Kerawanan


@st.cache_data(show_spinner=False, max_entries=32)
def _peta_frame(url: str, bulan: str, polsek: str | None, version: tuple[int, int]) -> pd.DataFrame:
    from core import kerawanan
    from core.months import add_months

    desa = _history(url, add_months(bulan, -12), bulan, version)
    now = desa[desa["bulan"] == bulan] if not desa.empty else desa
    before = desa[desa["bulan"] == add_months(bulan, -1)] if not desa.empty else desa
    return kerawanan.compare(kerawanan.map_frame(now, polsek), before)


def peta_frame(bulan: str, polsek: str | None) -> pd.DataFrame:
    """Every desa of the filter with what the map shows and the change against last month (cached)."""
    return _peta_frame(config.db_url(), bulan, polsek, data_version())


def boundaries():
    """Boundary polygons from `data/` (or `ANEV_WILAYAH_DIR`), None without them (points). Read once per file change."""
    from core import wilayah

    return wilayah.load_boundaries()


def month_neighbours(bulan: str) -> tuple[str | None, str | None]:
    """The months with data just before and after `bulan` (None at either end)."""
    months = months_with_data()
    before = [m for m in months if m < bulan]
    after = [m for m in months if m > bulan]
    return (before[-1] if before else None), (after[0] if after else None)


def set_month(bulan: str) -> None:
    """Button callback: make `bulan` the month filter of the sidebar and the URL."""
    st.session_state["filter_bulan"] = bulan
    st.query_params["bulan"] = bulan


@st.cache_data(show_spinner=False, max_entries=8)
def _export(url: str, bulan: str, polsek: str | None, fmt_name: str, version: tuple[int, int]) -> bytes:
    from core import export

    return export.export(_engine(url), bulan, fmt_name, scope=Scope(polsek))


def export_buttons(bulan: str, polsek: str | None) -> None:
    """Sidebar: prepare the month's Anev deck and workbook on request, then offer both downloads (scoped to the user)."""
    polsek = scope(polsek).polsek
    with st.sidebar:
        st.markdown("**Bahan Anev**")
        wanted = st.session_state.get("ekspor_siap") == (bulan, polsek)
        if not wanted and st.button("Siapkan PowerPoint dan Excel", key="siapkan_ekspor", icon=":material/slideshow:"):
            st.session_state["ekspor_siap"] = (bulan, polsek)
            wanted = True
        if wanted:
            short = (polsek or "Polres").removeprefix("Polsek ").replace(" ", "_")
            with st.spinner("Menyusun bahan Anev\u2026"):
                deck = _export(config.db_url(), bulan, polsek, "pptx", data_version())
                book = _export(config.db_url(), bulan, polsek, "xlsx", data_version())
            user = current_user()
            if st.session_state.get("ekspor_dicatat") != (bulan, polsek):
                auth.record(engine(), user.username if user else "?", "ekspor", f"{bulan} {polsek or 'Polres'}", "ok", "pptx dan xlsx disiapkan")
                st.session_state["ekspor_dicatat"] = (bulan, polsek)
            st.download_button("Unduh PowerPoint", deck, file_name=f"Anev_{short}_{bulan}.pptx", key="unduh_pptx",
                               mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                               icon=":material/download:")
            st.download_button("Unduh Excel", book, file_name=f"Anev_{short}_{bulan}.xlsx", key="unduh_xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:")


# --------------------------------------------------------------------------- login gate


def current_user() -> auth.User | None:
    """The logged-in user of this browser session, or None."""
    data = st.session_state.get("pengguna")
    return auth.User(**data) if data else None


def _client_address() -> str:
    """The client's address as uvicorn saw it (X-Forwarded-For only from FORWARDED_ALLOW_IPS); `lokal` on this machine."""
    return st.context.ip_address or "lokal"


def _user_agent() -> str:
    return str(st.context.headers.get("User-Agent", "") or "")


def _cookie_script(path: str, body: dict | None = None) -> None:
    """A same-origin POST from the browser: the only way a cookie can be set or cleared (the websocket cannot)."""
    import json

    payload = json.dumps(json.dumps(body or {}))  # a JS string literal of the JSON body; no user text goes in
    st.html(f"<script>fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin', "
            f"headers: {{'Content-Type': 'application/json', 'X-Anev': '1'}}, body: {payload}}});</script>",
            unsafe_allow_javascript=True, width="content")


def _sign_in(user: auth.User) -> None:
    """A password was just proven: a new server-side session, whose cookie the browser fetches with a one-time ticket."""
    from core import sesi

    session_id, ticket = sesi.start(engine(), user, _user_agent(), _client_address())
    st.session_state["pengguna"] = {"username": user.username, "role": user.role, "polsek": user.polsek}
    st.session_state["sesi"] = session_id
    st.session_state["tiket_sesi"] = ticket
    st.session_state.pop("hapus_cookie", None)


def _forget(message: str | None = None) -> None:
    for key in ("pengguna", "sesi", "tiket_sesi", "filters", "ekspor_siap"):
        st.session_state.pop(key, None)
    st.session_state["hapus_cookie"] = True
    if message:
        st.session_state["pesan_masuk"] = message


def logout(reason: str | None = None) -> None:
    """Keluar: the session is revoked in the database (every tab, and the cookie, stop working); audited."""
    from core import sesi

    user = current_user()
    session_id = st.session_state.get("sesi")
    if user is not None and session_id is not None:
        sesi.revoke(engine(), session_id, by=user, reason="keluar")
    _forget(reason)


def session_user() -> auth.User | None:
    """The signed-in, still valid user of this browser session, or None.

    A tab that signed in keeps its session id; a new connection (reload, new tab) brings the cookie. Both are
    checked against the database on every run: revoked, idle or too old sessions, and disabled accounts, end here.
    """
    from core import sesi

    eng = engine()
    session_id = st.session_state.get("sesi")
    if session_id is None:
        # The cookies of st.context are those of the websocket handshake: after Keluar or a refusal in this
        # connection the old cookie is still listed here, so it is tried once only.
        token = st.context.cookies.get(sesi.COOKIE)
        if not token or token == st.session_state.get("cookie_selesai"):
            return None
        st.session_state["cookie_selesai"] = token
        session_id, state = sesi.resume(eng, token, _user_agent(), _client_address())
        if session_id is None:
            _forget(state.reason or None)
            return None
        user = state.user
        st.session_state["pengguna"] = {"username": user.username, "role": user.role, "polsek": user.polsek}
        st.session_state["sesi"] = session_id
        return user
    state = sesi.check(eng, session_id)
    if state.user is None:
        _forget(state.reason)
        return None
    ticket = st.session_state.get("tiket_sesi")
    if state.waiting_for_cookie and ticket:
        with st.sidebar:
            _cookie_script("/api/sesi", {"tiket": ticket})
    else:
        st.session_state.pop("tiket_sesi", None)
    return state.user


def login_form() -> None:
    """The first-admin form (no account yet) or the login form; stops the script."""
    eng = engine()
    if st.session_state.pop("hapus_cookie", False):
        _cookie_script("/api/sesi/keluar")
    st.title("Anev Bhabinkamtibmas Polres TTU")
    if st.session_state.get("pesan_masuk"):
        st.info(st.session_state.pop("pesan_masuk"))
    if not auth.has_users(eng):
        st.subheader("Buat akun admin pertama")
        st.caption("Belum ada akun. Akun pertama adalah admin (operator Sat Binmas) yang kemudian menambah akun lain.")
        with st.form("admin_pertama"):
            username = st.text_input("Nama pengguna", key="pertama_username")
            password = st.text_input("Kata sandi (minimal 8 karakter)", type="password", key="pertama_password")
            again = st.text_input("Ulangi kata sandi", type="password", key="pertama_ulang")
            if st.form_submit_button("Buat akun admin", key="pertama_submit"):
                if password != again:
                    st.error("Kedua kata sandi tidak sama.")
                else:
                    try:
                        _sign_in(auth.create_user(eng, username, password, "admin"))
                        st.rerun()
                    except auth.AuthError as exc:
                        st.error(str(exc))
        st.stop()
    st.subheader("Masuk")
    with st.form("masuk"):
        username = st.text_input("Nama pengguna", key="login_username", max_chars=64)
        password = st.text_input("Kata sandi", type="password", key="login_password")
        if st.form_submit_button("Masuk", key="login_submit", type="primary"):
            try:
                _sign_in(auth.authenticate(eng, username, password, address=_client_address()))
                st.rerun()
            except auth.AuthError as exc:
                st.error(str(exc))
    st.stop()


def screen_header(title: str) -> tuple[str, str | None]:
    """The title, DATA CONTOH badge and scope line every Anev screen starts with; returns (bulan, polsek)."""
    bulan, polsek = current_filters()
    st.title(title)
    demo_badge()
    st.caption(scope_caption(bulan, polsek))
    return bulan, polsek


# --------------------------------------------------------------------------- views and their rendering


@st.cache_data(show_spinner=False, max_entries=32)
def _anev(url: str, bulan: str, scope: Scope, verified_only: bool, version: tuple) -> views.AnevData:
    return views.load(_engine(url), bulan, scope, verified_only=verified_only)


def anev(bulan: str, scope: Scope, verified_only: bool = False) -> views.AnevData:
    """The month's data for a scope (already limited to what the user may see).

    Cached until recaps, arahan or verifications change.
    """
    from core import arahan, verifikasi

    eng = engine()
    version = (data_version(), arahan.version(eng), verifikasi.version(eng))
    return _anev(config.db_url(), bulan, scope, verified_only, version)


def caveat(data: views.AnevData) -> None:
    """Say under the scope line when the figures include recaps that nobody has verified yet (or only verified ones)."""
    if data.caveat:
        st.caption(escape(data.caveat))


def scope(polsek: str | None) -> Scope:
    """The scope of this session: a Polsek clerk always gets his own Polsek, whatever was asked."""
    return access.scope_for(current_user(), polsek)


#: Width of one KPI card (px): wide enough for the longest short label in 14 px type; cards wrap to the next row.
CARD_WIDTH = 220


def kpi_cards(cards: list[views.KpiCard], width: int = CARD_WIDTH) -> None:
    """KPI cards in a wrapping row: as many per row as the screen holds, none cut (labels wrap, values never)."""
    with st.container(horizontal=True, gap="small", key="kartu_kpi"):
        for card in cards:
            st.metric(card.short, card.value, delta=card.delta, delta_color=card.delta_colour, delta_arrow=card.delta_arrow,
                      border=True, help=card.help, width=width,
                      delta_description=card.basis or None)
    notes = [f"{card.short}: {card.last_year}" for card in cards if card.last_year]
    if notes:
        st.caption("Dibanding tahun lalu — " + " · ".join(notes))


def chart(fig, key: str, height: int | str = "content") -> None:
    """A Plotly figure the project's way: full width, no mode bar, no Streamlit theme (our colours and fonts).

    `height="stretch"` fills the parent's height (Mode Paparan's slide body) and lets Plotly size the figure to it.
    """
    if height == "stretch":
        fig.update_layout(height=None, autosize=True)
    st.plotly_chart(fig, width="stretch", height=height, key=key, config={**charts.CONFIG, "responsive": True}, theme=None)


def table(frame: pd.DataFrame, key: str, decimals: dict[str, int] | None = None, column_config: dict | None = None,
          hide_index: bool = True, styler=None) -> None:
    """A data table in the Indonesian number style (`1.234`, `72,1`) that still sorts by value; missing values are a dash.

    Numbers are written by a pandas Styler (Streamlit shows its text and sorts by the underlying value), so a grid cell
    can never read "72.1" beside a card that says "72,1". `decimals` sets the decimals per column (default: 0 for
    whole numbers, 1 otherwise).
    """
    decimals = decimals or {}
    styler = styler if styler is not None else frame.style
    formats = {}
    for column in frame.columns:
        if pd.api.types.is_bool_dtype(frame[column]):
            continue
        if pd.api.types.is_numeric_dtype(frame[column]):
            places = decimals.get(column, 0 if pd.api.types.is_integer_dtype(frame[column]) else 1)
            formats[column] = functools.partial(fmt.number, decimals=places)
    styler = styler.format(formats, na_rep=KOSONG)
    st.dataframe(styler, hide_index=hide_index, width="stretch", key=key, column_config=column_config or {}, placeholder=KOSONG)


def escape_html(text: object) -> str:
    """User or data text placed inside our own HTML (slides, tables): shown as text, never as markup."""
    import html

    return html.escape(str(text))


def show_findings(notes: list) -> None:
    """Catatan untuk Anev: serious ones first, each as an alert with a Material icon (no emoji font needed)."""
    if not notes:
        st.success("Tidak ada catatan khusus bulan ini: semua Polsek melapor tepat waktu dan tidak ada penurunan berarti.",
                   icon=":material/task_alt:")
    for note in notes:
        if note.tingkat == "tinggi":
            st.error(escape(note.teks), icon=":material/priority_high:")
        else:
            st.warning(escape(note.teks), icon=":material/info:")


def html_table(frame: pd.DataFrame, key: str, font_px: int = 16, numeric: tuple[str, ...] = ()) -> None:
    """A table as plain HTML (escaped), for the projector and phones: large type, wraps instead of scrolling sideways."""
    import html

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = fmt.DASH if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            align = " class='angka'" if column in numeric else ""
            cells.append(f"<td{align}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    st.html(
        f"<div class='tabel-anev' id='{html.escape(key)}' style='font-size:{font_px}px'><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


#: Screen-wide styles: KPI labels wrap instead of ending in "...", HTML tables readable on the projector and phones.
STYLE = """
<style>
  [data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis p,
  [data-testid="stMetricDeltaDescription"] { white-space: normal !important; overflow: visible !important;
      text-overflow: clip !important; }
  [data-testid="stMetricDelta"] { flex-shrink: 0; }
  [data-testid="stMetricDelta"] + [data-testid="stMetricDeltaDescription"], [data-testid="stMetric"] > div > div:last-child {
      flex-wrap: wrap; }
  [class*="st-key-ukuran_layar"] { display: none !important; }
  /* columns inside a container keyed lipat_*: side by side where both have room, one under the other where not
     (a 1024 px tablet with the sidebar open), so no chart is squeezed below its labels' width */
  [class*="st-key-lipat_"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; row-gap: 1rem; }
  [class*="st-key-lipat_"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:first-child {
      flex: 3 1 420px !important; min-width: min(420px, 100%) !important; }
  [class*="st-key-lipat_"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:last-child {
      flex: 2 1 360px !important; min-width: min(360px, 100%) !important; }
  /* blocks that only carry our styles and scripts take no room (their rules still apply) */
  [data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > style:first-child) { display: none !important; }
  .tabel-anev table { border-collapse: collapse; width: 100%; }
  .tabel-anev th { text-align: left; background: #1F3864; color: white; padding: 0.35em 0.5em; font-weight: 600; }
  .tabel-anev td { padding: 0.3em 0.5em; border-bottom: 1px solid #d0d0d0; vertical-align: top; overflow-wrap: break-word; }
  .tabel-anev td.angka { text-align: right; white-space: nowrap; }
  .tabel-anev tbody tr:nth-child(even) { background: #f4f6fa; }
</style>
"""


#: On a portrait tablet or phone the sidebar covers the screen: close it once a screen is chosen from it.
_CLOSE_SIDEBAR_JS = """
<script>
  if (!window.__anevSidebarCloser) {
    window.__anevSidebarCloser = true;
    document.addEventListener("click", function (e) {
      const link = e.target.closest && e.target.closest('[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"]');
      if (!link || window.innerWidth >= 1000) return;
      setTimeout(function () {
        const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
        const sidebar = document.querySelector('[data-testid="stSidebar"]');
        if (button && sidebar && sidebar.getBoundingClientRect().right > 1) button.click();
      }, 150);
    }, true);
  }
</script>
"""


def page_style() -> None:
    """Inject the screen-wide styles and the tablet sidebar behaviour once per run (the frame calls it)."""
    st.html(STYLE + _CLOSE_SIDEBAR_JS, unsafe_allow_javascript=True)


# --------------------------------------------------------------------------- the browser's window size (Mode Paparan)

_VIEWPORT_JS = """
export default function(component) {
  const { setStateValue } = component;
  window.__anevViewport = () => setStateValue("ukuran", {w: window.innerWidth, h: window.innerHeight});
  window.__anevViewport();
  if (!window.__anevViewportListener) {
    window.__anevViewportListener = true;
    let timer;
    window.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(() => window.__anevViewport(), 250); });
  }
}
"""
_viewport_component = None


def viewport() -> tuple[int, int] | None:
    """The browser window's (width, height) in CSS pixels, or None until the browser has told us (first run).

    A slide computes its charts' heights from it, so every slide fits the projector's screen exactly: CSS alone
    cannot make Streamlit's Plotly charts follow the viewport height.
    """
    global _viewport_component
    if _viewport_component is None:
        _viewport_component = st.components.v2.component("anev_ukuran_layar", js=_VIEWPORT_JS)
    result = _viewport_component(key="ukuran_layar", default={"ukuran": None}, on_ukuran_change=lambda: None)
    size = getattr(result, "ukuran", None)
    if isinstance(size, dict) and size.get("w") and size.get("h"):
        return int(size["w"]), int(size["h"])
    return None


# The browser reports how wide the main column is where this element sits, how far it is from the top of the window,
# and the window's height (a map is then fitted to the space it really has); again when the window or column changes.
# It stays quiet when the size is the one the server already knows (`data`), so a later visit costs no extra run.
_MEASURE_JS = """
export default function (component) {
  const { setStateValue, parentElement, data } = component;
  const host = parentElement instanceof ShadowRoot ? parentElement.host : parentElement;
  const same = (a, b) => !!a && !!b && a.lebar === b.lebar && a.atas === b.atas && a.tinggi === b.tinggi;
  let last = data || null;
  const report = () => {
    const box = host.getBoundingClientRect();
    const main = host.closest("[data-testid=stMain]");
    const size = { lebar: Math.round(box.width), atas: Math.round(box.top + (main ? main.scrollTop : 0)),
                   tinggi: Math.round(window.innerHeight) };
    if (size.lebar > 0 && !same(size, last)) { last = size; setStateValue("ukuran", size); }
  };
  report();
  const observer = new ResizeObserver(report);
  observer.observe(host);
  window.addEventListener("resize", report);
  return () => { observer.disconnect(); window.removeEventListener("resize", report); };
}
"""


def measure(key: str) -> dict | None:
    """`{"lebar", "atas", "tinggi"}` in pixels as the browser reports them here; None until it has (the first visit).

    The last report is remembered for the session, so returning to the screen draws at the right size at once.
    """
    remembered = st.session_state.get(f"_{key}_ukuran")
    component = st.components.v2.component("anev_ukuran", js=_MEASURE_JS, isolate_styles=False)
    result = component(key=key, data=remembered, default={"ukuran": None}, on_ukuran_change=lambda: None)
    size = getattr(result, "ukuran", None)
    if isinstance(size, dict):
        st.session_state[f"_{key}_ukuran"] = size
        return size
    return remembered
