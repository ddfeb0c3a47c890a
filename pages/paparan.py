"""Mode Paparan: the Anev on a projector, one topic per full screen, in meeting order.

Made for 1280x720, 1366x768 and 1920x1080: every slide fits the screen without scrolling (the browser reports its
window size, `ui.viewport`, and each chart gets the height the slide leaves for it), text is at least 22 px (26 px
on a 1080-line screen), tables are large HTML tables, long lists show their top rows and say "N dari M". Arrows, Page Up/Down (a presenter clicker),
Space and large buttons move between slides; Esc or "Keluar" goes back to the dashboard. Each slide renders the
same view object as its screen and its deck page (`core.views`).
"""

import streamlit as st

from core import arahan, auth, charts, config, fmt, maps, ui, ui_arahan, verifikasi, views

bulan, polsek = ui.current_filters()
scope = ui.scope(polsek)
data = ui.anev(bulan, scope, verified_only=verifikasi.only_verified_in_paparan())

SLIDES = views.PAPARAN_SLIDES
raw = str(st.query_params.get("slide", "1"))
index = min(max(int(raw) - 1, 0), len(SLIDES) - 1) if raw.isdigit() else 0
WIDTH, HEIGHT = ui.viewport() or (1366, 768)  # the projector's window; a first run before the browser answers uses 1366x768
FONT = 20 if HEIGHT < 760 else 22 if HEIGHT < 900 else 26  # px: body text and table cells
CHART = "proyektor_besar" if HEIGHT >= 900 else "proyektor"  # core.charts type sizes
#: Height left for a slide's body: the window minus the header line, the slide title, the buttons and the margins.
BODY = max(HEIGHT - 270, 300)

st.html(
    f"""
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], footer {{ display: none !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0.6rem 1.6rem 0.4rem 1.6rem !important; max-width: 100% !important; }}
  [data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
  [data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] [data-testid="stMarkdownContainer"] {{
      font-size: {FONT}px !important; line-height: 1.3; }}
  [data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] p {{
      font-size: 44px !important; font-weight: 700; color: #0B1F44; line-height: 1.15; }}
  [data-testid="stMetricLabel"] p {{ font-size: {FONT}px !important; }}
  [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] div {{ font-size: {FONT}px !important; }}
  [data-testid="stMain"] h1 {{ font-size: 38px !important; color: #0B1F44; padding: 0.1rem 0 0.3rem 0 !important; }}
  .paparan-kepala {{ display: flex; justify-content: space-between; align-items: baseline; gap: 1rem;
      font-size: {FONT}px; color: #333; border-bottom: 2px solid #1F3864; padding-bottom: 0.2rem; }}
  .paparan-kepala .nomor {{ font-size: 28px; font-weight: 700; color: #0B1F44; white-space: nowrap; }}
  .st-key-paparan_sebelum button, .st-key-paparan_berikut button, .st-key-paparan_keluar button {{
      min-height: 3.2rem; font-size: {FONT}px; }}
  .st-key-paparan_sebelum button p, .st-key-paparan_berikut button p, .st-key-paparan_keluar button p,
  .st-key-paparan_otomatis p {{ font-size: {FONT}px !important; }}
  .paparan-catatan {{ font-size: {FONT}px; color: #333; margin-top: 0.3rem; }}
  .paparan-judul {{ display: flex; flex-direction: column; justify-content: center; height: 100%; }}
  .paparan-judul .besar {{ font-size: 56px; font-weight: 700; color: #0B1F44; line-height: 1.15; }}
  .paparan-judul .sedang {{ font-size: 34px; color: #1F3864; margin-top: 1rem; }}
  .paparan-temuan li {{ margin-bottom: 0.45rem; }}
  .paparan-temuan .tinggi::marker {{ color: #C62828; }}
</style>
<script>
  if (!window.__anevPaparan) {{
    window.__anevPaparan = true;
    document.addEventListener("keydown", function (e) {{
      if (e.target && ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName)) return;
      if (e.key === "Escape") {{
        const exit = document.querySelector(".st-key-paparan_keluar button");
        if (exit) {{ e.preventDefault(); exit.click(); }}
        return;
      }}
      const next = ["ArrowRight", "PageDown", " ", "ArrowDown"].includes(e.key);
      const prev = ["ArrowLeft", "PageUp", "ArrowUp"].includes(e.key);
      if (!next && !prev) return;
      const button = document.querySelector(next ? ".st-key-paparan_berikut button" : ".st-key-paparan_sebelum button");
      if (button && !button.disabled) {{ e.preventDefault(); button.click(); }}
    }});
  }}
</script>
""",
    unsafe_allow_javascript=True,
)


def go(step: int) -> None:
    st.query_params["slide"] = str(min(max(index + step, 0), len(SLIDES) - 1) + 1)


def leave() -> None:
    st.query_params.pop("slide", None)


demo_mark = " \u00b7 DATA CONTOH" if data.demo else ""
if data.caveat:
    demo_mark += " \u00b7 " + ("hanya rekap terverifikasi" if data.verified_only else "ada rekap belum diverifikasi")
with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
    st.html(
        f"<div class='paparan-kepala'><span>Anev Bhabinkamtibmas Polres TTU \u00b7 {fmt.month(bulan)} \u00b7 "
        f"{ui.escape_html(scope.label)}{demo_mark}</span><span class='nomor'>{index + 1} / {len(SLIDES)}</span></div>",
        width="stretch",
    )
    if st.button("Keluar", key="paparan_keluar", icon=":material/close:", on_click=leave, width="content",
                 help="Kembali ke dasbor (tombol Esc)"):
        # An absolute path: a relative one is resolved against the frame's folder (frame/), not the repository.
        st.switch_page(config.REPO_ROOT / "pages" / "ringkasan.py", query_params={k: v for k, v in {"bulan": bulan, "polsek": polsek}.items() if v})

slide = SLIDES[index]
if slide != "Judul":
    st.title(slide)


def note(text: str) -> None:
    if text:
        st.html(f"<div class='paparan-catatan'>{ui.escape_html(text)}</div>")


with st.container(key="slide_isi"):
    if slide == "Judul":
        st.html(
            "<div class='paparan-judul'><div class='besar'>Analisis dan Evaluasi<br/>Bhabinkamtibmas</div>"
            f"<div class='sedang'>Polres Timor Tengah Utara \u00b7 {fmt.month(bulan)}</div>"
            f"<div class='sedang'>{ui.escape_html(scope.label)}</div></div>"
        )
    elif slide == "Tindak Lanjut Arahan":
        view = views.tindak_lanjut_view(data)
        if not view.arahan.total:
            note("Belum ada arahan dari Anev sebelumnya yang perlu ditindaklanjuti.")
        else:
            ui.html_table(view.arahan.shown[["Arahan", "Pelaksana", "Tenggat", "Status", "Saat diberikan", "Sekarang"]],
                          key="p-tindak-lanjut", font_px=FONT)
            note(" \u00b7 ".join([f"{status.capitalize()}: {count}" for status, count in view.counts]
                                  + ([view.arahan.note] if view.arahan.note else [])))
    elif slide == "Kelengkapan Laporan":
        view = views.kelengkapan_view(data)
        left, right = st.columns([1, 3], gap="large")
        left.metric("Tepat waktu", view.on_time)
        left.metric("Terlambat", fmt.number(view.late))
        left.metric("Belum melapor", fmt.number(view.missing))
        with right:
            ui.chart(charts.completeness_matrix(view.matrix, size=CHART, height=BODY - 50), key="p_matriks")
            note(view.legend)
    elif not data.has_data:
        st.info(f"Belum ada rekap yang tersimpan untuk {fmt.month(bulan)}.")
    elif slide == "Ringkasan":
        view = views.ringkasan_view(data)
        with st.container(horizontal=True, gap="medium"):
            for card in view.cards:
                st.metric(card.short, card.value, delta=card.delta, delta_color=card.delta_colour, delta_arrow=card.delta_arrow,
                          width=max(260, (WIDTH - 120) // 4))
        note(view.comparison_note)
    elif slide == "Tren Kegiatan":
        view = views.ringkasan_view(data)
        trend = view.trends[0] if view.trends else None
        if trend is not None:
            note(f"{trend.title} \u00b7 {view.period}")
            ui.chart(charts.trend(trend.series, trend.keys, trend.labels, percent=trend.percent, size=CHART,
                                  height=BODY - 50), key="p_tren")
    elif slide == "Kinerja Bhabinkamtibmas":
        view = views.kinerja_view(data)
        left, right = st.columns([5, 6], gap="large")
        with left:
            ui.chart(charts.ranking(view.ranking, size=CHART, height=BODY - 30), key="p_peringkat")
        with right:
            st.html(f"<div class='paparan-catatan'><b>Perlu pembinaan: {fmt.number(view.pembinaan.total)} Bhabinkamtibmas</b> "
                    "(Kurang \u2265 2 bulan berturut-turut; terlama dan terendah lebih dulu)</div>")
            if view.pembinaan.total:
                ui.html_table(view.pembinaan.shown[["Nama", "Polsek", "Kurang"]], key="p-pembinaan", font_px=FONT)
                note(view.pembinaan.note)
    elif slide == "Kesiapan Pemilihan":
        view = views.kesiapan_view(data)
        left, right = st.columns(2, gap="large")
        with left:
            st.html("<div class='paparan-catatan'><b>Indeks Kesiapan per Polsek</b></div>")
            ui.chart(charts.ranking(view.ranking, value="indeks_kesiapan", size=CHART, height=BODY - 50), key="p_kesiapan")
        with right:
            st.html(f"<div class='paparan-catatan'><b>{ui.escape_html(view.trend.title)}</b></div>")
            ui.chart(charts.trend(view.trend.series, view.trend.keys, view.trend.labels, percent=True, size=CHART,
                                  height=BODY - 50, label_every=3), key="p_cakupan")
    elif slide == "Peta Kerawanan":
        frame = ui.peta_frame(bulan, polsek)
        batas = ui.boundaries()
        st.html(f"<div style='font-size:{FONT}px'>{maps.legend_html('kerawanan', frame)}</div>")
        size = (WIDTH - 60, BODY - 60)  # the map fills the slide down to the buttons
        st.pydeck_chart(maps.build_deck(frame, "kerawanan", batas, polsek=polsek, size=size, label_px=maps.PAPARAN_LABEL_PX),
                        key="p_peta", height=size[1], alt=f"Peta Kerawanan desa, {ui.scope_caption(bulan, polsek)}")
    elif slide == "Desa Rawan":
        view = views.desa_rawan_view(data)
        with st.container(horizontal=True, gap="medium"):
            st.metric("Sangat Rawan", fmt.number(view.sangat_rawan), width=260)
            st.metric("Rawan", fmt.number(view.rawan), width=260)
            st.metric("TPS rawan + sangat rawan", fmt.number(view.tps_rawan), width=360)
        if view.desa.total:
            ui.html_table(view.desa.shown[["Desa", "Kecamatan", "Tingkat", "Skor", "Potensi gangguan"]], key="p-rawan", font_px=FONT,
                          numeric=("Skor",))
            note(view.desa.note)
        else:
            note("Tidak ada desa Rawan atau Sangat Rawan bulan ini.")
    elif slide == "Catatan untuk Anev":
        view = views.ringkasan_view(data)
        notes = views.CutList(views.findings_rows(view.findings), "catatan", "semua catatan di layar Ringkasan", limit=views.FINDINGS_LIMIT)
        if notes.total == 0:
            note("Tidak ada catatan khusus bulan ini.")
        items = "".join(f"<li class='{row.tingkat}'>{ui.escape_html(row.teks)}</li>" for row in notes.shown.itertuples())
        st.html(f"<ul class='paparan-temuan' style='font-size:{FONT}px'>{items}</ul>")
        note(notes.note)
        user = ui.current_user()
        if user is not None and user.role in auth.ARAHAN_EDIT_ROLES:
            with st.popover("Catat arahan", icon=":material/add_task:"):
                st.caption("Pilih catatan yang dijawab arahan ini; isian terisi dari catatan itu dan dapat diubah.")
                for number, finding in enumerate(view.findings[:notes.limit], start=1):
                    ui_arahan.arahan_button(bulan, user, label=f"Dari catatan {number}", key=f"p_arahan_{number}",
                                            **arahan.prefill_from_finding(finding, polsek))
                ui_arahan.arahan_button(bulan, user, label="Arahan baru tanpa catatan", key="p_arahan_baru")

prev_col, auto_col, next_col = st.columns([2, 3, 2], vertical_alignment="center")
prev_col.button("\u25c0 Sebelumnya", key="paparan_sebelum", on_click=go, args=(-1,), disabled=index == 0, width="stretch")
next_col.button("Berikutnya \u25b6", key="paparan_berikut", on_click=go, args=(1,), disabled=index == len(SLIDES) - 1,
                width="stretch")
auto = auto_col.toggle("Maju otomatis", key="paparan_otomatis", help="Slide berikutnya tiap 30 detik")
if auto and index < len(SLIDES) - 1:
    st.html("<script>clearTimeout(window.__anevTimer);window.__anevTimer=setTimeout(function(){"
            "const b=document.querySelector('.st-key-paparan_berikut button');if(b&&!b.disabled){b.click();}}, 30000);</script>",
            unsafe_allow_javascript=True)
else:
    st.html("<script>clearTimeout(window.__anevTimer);</script>", unsafe_allow_javascript=True)
