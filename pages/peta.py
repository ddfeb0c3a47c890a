"""Peta Kerawanan: desa coloured by the chosen layer, tap for details, change against last month; Rencana Pengamanan TPS."""

import pandas as pd
import streamlit as st

from core import kerawanan, maps, ui
from core.charts import short_month
from core.months import add_months, format_bulan

bulan, polsek = ui.current_filters()
st.title("Peta Kerawanan")
ui.demo_badge()
st.caption(ui.scope_caption(bulan, polsek))

frame = ui.peta_frame(bulan, polsek)
try:
    batas = ui.boundaries()
except ValueError as exc:  # a damaged boundary file: the map still shows every desa, as points
    st.warning(f"{exc} Sementara peta menampilkan titik desa.", icon=":material/warning:")
    batas = None
desa_all, _months = ui.history(bulan)
month_rows = desa_all[desa_all["bulan"] == bulan] if not desa_all.empty else desa_all
sebelumnya = format_bulan(add_months(bulan, -1))
TINGKAT_BADGE = {"Kurang Rawan": "green", "Rawan": "orange", "Sangat Rawan": "red"}


def detail_panel(kode: str) -> None:
    """Everything about one desa: officer, score and its factors, TPS by class, potensi gangguan, last 6 months."""
    rows = frame[frame["kode"] == kode]
    if rows.empty:
        return
    row = rows.iloc[0]
    st.markdown(f"### {ui.escape(row['desa'])}")
    st.caption(f"Kec. {row['kecamatan']} \u00b7 {row['polsek']} \u00b7 kode {row['kode']}"
               + (" \u00b7 tanpa koordinat: ditandai ? di titik tengah kecamatan" if row["tanpa_koordinat"] else ""))
    if not row["melapor"]:
        st.info(f"Desa ini belum dilaporkan untuk {format_bulan(bulan)}.", icon=":material/info:")
    else:
        st.badge(row["tingkat"], color=TINGKAT_BADGE.get(row["tingkat"], "gray"))
    c1, c2, c3 = st.columns(3)
    change = row["selisih_skor"] if row["dibandingkan"] else None
    c1.metric("Skor Kerawanan", maps.angka(row["skor"]), border=True,
              delta=f"{change:+.0f} vs {sebelumnya}" if change else None, delta_color="inverse",
              help=f"{sebelumnya}: skor {maps.angka(row['skor_lalu'])}, {row['tingkat_lalu']}" if row["dibandingkan"]
              else f"Tidak ada data {sebelumnya} untuk dibandingkan.")
    c2.metric("Indeks Kesiapan", maps.angka(row["indeks_kesiapan"], 1), border=True)
    c3.metric("Gangguan kamtibmas", maps.angka(row["gangguan"]), border=True)
    st.markdown(f"**Bhabinkamtibmas:** {ui.escape(maps.officer_text(row))}")
    left, right = st.columns(2)
    with left:
        st.markdown("**Faktor Skor Kerawanan**")
        if not row["melapor"]:
            st.markdown("\u2013")
        elif not row["faktor"]:
            st.markdown("Tidak ada faktor kerawanan yang dilaporkan.")
        else:
            st.markdown("\n".join(f"- {label}: {points:g}" for label, points in row["faktor"]) + f"\n\n**Jumlah: {maps.angka(row['skor'])}**")
        if row["melapor"] and not row["ada_kerawanan"]:
            st.caption("Lembar Kerawanan desa ini belum diisi: skor hanya dari gangguan kamtibmas dan data perbatasan.")
    with right:
        st.markdown("**TPS per kelas**")
        if row["ada_kerawanan"]:
            st.dataframe(pd.DataFrame({
                "Kelas": ["Kurang rawan", "Rawan", "Sangat rawan", "Belum dipetakan", "Jumlah"],
                "TPS": [int(row[k]) for k in ("tps_kurang_rawan", "tps_rawan", "tps_sangat_rawan", "tps_belum_dipetakan", "tps")],
            }), hide_index=True, width="stretch", key=f"tps_{kode}", placeholder=ui.KOSONG)
        else:
            st.markdown("Belum dilaporkan.")
        potensi = ui.escape(row["potensi_gangguan"]) if row["potensi_gangguan"] else "\u2013"
        st.markdown(f"**Potensi gangguan:** {potensi}")
    st.markdown("**6 bulan terakhir**")
    ui.table(kerawanan.desa_history(desa_all, kode, bulan), key=f"riwayat_{kode}", decimals={"Skor Kerawanan": 0})


tab_peta, tab_rencana = st.tabs(["Peta", "Rencana Pengamanan TPS"])

with tab_peta:
    lapisan = st.segmented_control("Lapisan", list(maps.LAPISAN), format_func=lambda k: maps.LAPISAN[k].pendek, default="kerawanan",
                                   required=True, key="peta_lapisan", label_visibility="collapsed") or "kerawanan"
    before, after = ui.month_neighbours(bulan)
    controls = st.columns([3, 1, 1], vertical_alignment="center")
    banding = controls[0].toggle(f"Bandingkan dengan {sebelumnya}", key="peta_banding",
                                 help="Desa yang skor atau tingkat kerawanannya naik diberi garis tebal; desa lain dipudarkan.")
    controls[1].button(f"\u25c0 {short_month(before)}" if before else "\u25c0", key="peta_mundur", disabled=before is None,
                       on_click=ui.set_month, args=(before,), width="stretch",
                       help=f"Ke {format_bulan(before)}" if before else "Tidak ada data bulan sebelumnya")
    controls[2].button(f"{short_month(after)} \u25b6" if after else "\u25b6", key="peta_maju", disabled=after is None,
                       on_click=ui.set_month, args=(after,), width="stretch",
                       help=f"Ke {format_bulan(after)}" if after else "Tidak ada data bulan berikutnya")
    st.markdown(maps.legend_html(lapisan, frame), unsafe_allow_html=True)
    peta_dasar = bool(st.session_state.get("peta_dasar", False))

    # A tap on the map selects a desa and opens its panel; "Pilih desa" below does the same without the map.
    map_key = f"peta_pilih_{st.session_state.get('_peta_versi', 0)}"
    tapped = maps.selected_code(st.session_state.get(map_key))
    if tapped and tapped != st.session_state.get("_peta_terakhir") and tapped in set(frame["kode"]):
        st.session_state["pilih_desa"] = tapped
    st.session_state["_peta_terakhir"] = tapped
    if st.session_state.get("pilih_desa") not in set(frame["kode"]):
        st.session_state.pop("pilih_desa", None)
    chosen = st.session_state.get("pilih_desa")

    size = maps.map_size(ui.measure("peta_ukuran"))
    deck = maps.build_deck(frame, lapisan, batas, polsek=polsek, size=size, banding=banding, pilihan=chosen, peta_dasar=peta_dasar)
    st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=map_key, height=maps.MAP_HEIGHT,
                    alt=f"Peta {maps.LAPISAN[lapisan].judul} desa, {ui.scope_caption(bulan, polsek)}")

    st.caption(maps.legend_note(lapisan, frame, banding=banding, points=batas is None)
               + ("" if batas is None else f" {maps.BOUNDARY_CREDIT}"))
    st.toggle("Peta dasar (perlu internet)", key="peta_dasar",
              help="Menampilkan jalan dan permukiman dari Carto bila ada internet. Tanpa internet peta tetap tampil dari data "
                   "wilayah setempat.")
    if not frame["melapor"].any():
        st.info(f"Belum ada rekap yang tersimpan untuk {format_bulan(bulan)}: semua desa tampil sebagai Belum melapor. "
                "Pilih bulan lain di samping, atau unggah rekap di menu Unggah Rekap.", icon=":material/info:")
    tanpa = frame[frame["tanpa_koordinat"]]
    if not tanpa.empty:
        names = ", ".join(f"{r.desa} (Kec. {r.kecamatan})" for r in tanpa.itertuples())
        st.caption(f"Tanpa koordinat: {len(tanpa)} desa \u2013 {names}. Ditempatkan di titik tengah kecamatannya, bertanda ?.")
    belum = int((~frame["melapor"]).sum())
    if belum and frame["melapor"].any():
        st.caption(f"{belum} dari {len(frame)} desa belum melapor untuk {format_bulan(bulan)} (abu-abu di peta).")

    if banding:
        worse = kerawanan.worse_table(frame)
        compared = int(frame["dibandingkan"].sum())
        st.subheader(f"Makin rawan dibanding {sebelumnya}")
        if compared == 0:
            st.info(f"Belum ada data {sebelumnya} untuk dibandingkan.", icon=":material/info:")
        elif worse.empty:
            st.success(f"Tidak ada desa yang makin rawan dari {compared} desa yang melapor di kedua bulan.")
        else:
            st.caption(f"{len(worse)} dari {compared} desa yang melapor di kedua bulan; "
                       f"{int(frame['naik_tingkat'].sum())} naik tingkat.")
            ui.table(worse, key="peta_makin_rawan", decimals={"Skor bulan lalu": 0, "Skor bulan ini": 0})

    st.subheader("Detail desa")
    labels = {r.kode: f"{r.desa} \u2013 Kec. {r.kecamatan}" for r in frame.sort_values(["desa"]).itertuples()}

    def _picked() -> None:
        # a choice in the list clears the map's own selection, so only one desa is highlighted
        st.session_state["_peta_versi"] = st.session_state.get("_peta_versi", 0) + 1
        st.session_state["_peta_terakhir"] = None

    kode = st.selectbox("Pilih desa", list(labels), format_func=labels.get, index=None, key="pilih_desa",
                        placeholder="Ketuk desa di peta, atau ketik namanya di sini", on_change=_picked)
    if kode:
        detail_panel(kode)

with tab_rencana:
    schemes = kerawanan.guard_schemes()
    default = kerawanan.default_scheme()
    c1, c2 = st.columns([3, 2])
    scheme = c1.selectbox("Rasio pengamanan (Polri : TPS : Linmas)", list(schemes), format_func=schemes.get,
                          index=list(schemes).index(default) if default in schemes else 0, key="rasio_skema")
    per = c2.radio("Rincian per", ["Polsek", "Kecamatan"], horizontal=True, key="rencana_per")
    st.caption(f"Rasio {schemes.get(scheme, scheme)}: {kerawanan.ratio_text(scheme)}. Polri dibulatkan ke atas per Polsek"
               + (" (rincian per kecamatan: kebutuhan sebelum pembulatan; baris Jumlah = angka Polsek)" if per == "Kecamatan" else "")
               + f". TPS dari lembar Kerawanan {format_bulan(bulan)}.")
    unclassified = kerawanan.unclassified_tps(month_rows, polsek)
    if unclassified:
        st.caption(ui.escape(unclassified))

    scope = kerawanan.guard_plan(month_rows, scheme, "polsek", polsek)
    total = scope.iloc[-1]
    needed = int(total["personel_polri"])
    st.caption(f"Kebutuhan {polsek or 'seluruh Polres TTU'} \u00b7 {format_bulan(bulan)}")
    m1, m2, m3 = st.columns(3)
    m1.metric("TPS dilaporkan", ui.format_number(total["tps"]), border=True)
    m2.metric("Polri dibutuhkan", ui.format_number(needed), border=True)
    m3.metric("Linmas dibutuhkan", ui.format_number(total["personel_linmas"]), border=True)
    if polsek is None:
        # personnel available is a Polres figure: the balance is shown for the whole Polres only
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        available = c1.number_input("Personel Polri tersedia", min_value=0, step=1, value=kerawanan.personnel_available(),
                                    key="personel_tersedia", help="Angka bawaan dari pengaturan Polres; ubah di sini untuk menghitung selisihnya.")
        diff, _ = kerawanan.balance(needed, int(available))
        if diff < 0:
            c2.error(f"Kurang {ui.format_number(-diff)} personel Polri: dibutuhkan {ui.format_number(needed)}, "
                     f"tersedia {ui.format_number(int(available))}.", icon=":material/warning:")
        else:
            c2.success(f"Personel Polri cukup: dibutuhkan {ui.format_number(needed)}, tersedia "
                       f"{ui.format_number(int(available))}, {'lebih ' + ui.format_number(diff) if diff else 'pas'}.",
                       icon=":material/check_circle:")
    else:
        st.caption("Selisih dengan personel tersedia dihitung untuk seluruh Polres, pada tampilan Semua Polsek.")
    desa_belum = int(total["desa_total"] - total["desa_melapor"])
    if desa_belum:
        st.warning(f"{desa_belum} desa belum mengisi lembar Kerawanan {format_bulan(bulan)}: TPS-nya belum terhitung, "
                   "kebutuhan personel sebenarnya lebih besar.", icon=":material/info:")

    by = "polsek" if per == "Polsek" else "kecamatan"
    plan = kerawanan.guard_plan(month_rows, scheme, by, polsek)
    st.subheader(f"Kebutuhan personel per {per}")
    st.caption(ui.scope_caption(bulan, polsek))
    ui.table(plan.rename(columns={
        "polsek": "Polsek", "kecamatan": "Kecamatan", "desa_melapor": "Desa melapor", "desa_total": "Jumlah desa",
        "tps": "TPS", "tps_kurang_rawan": "Kurang rawan", "tps_rawan": "Rawan", "tps_sangat_rawan": "Sangat rawan",
        "tps_belum_dipetakan": "Belum dipetakan", "personel_polri": "Polri", "personel_linmas": "Linmas",
    }), key=f"rencana_{by}")

    st.subheader("Desa dengan TPS rawan dan sangat rawan")
    rawan = kerawanan.rawan_tps_desa(month_rows, scheme, polsek)
    if rawan.empty:
        st.info("Tidak ada TPS rawan atau sangat rawan yang dilaporkan.", icon=":material/info:")
    else:
        st.caption(f"{len(rawan)} desa \u00b7 {int(rawan['tps_rawan'].sum())} TPS rawan, {int(rawan['tps_sangat_rawan'].sum())} "
                   f"TPS sangat rawan \u00b7 Polri untuk TPS ini: {int(rawan['personel_polri'].sum())}")
        ui.table(rawan.drop(columns=["kode"]).rename(columns={
            "desa": "Desa/Kelurahan", "kecamatan": "Kecamatan", "polsek": "Polsek", "tps_rawan": "TPS rawan",
            "tps_sangat_rawan": "TPS sangat rawan", "personel_polri": "Polri", "personel_linmas": "Linmas",
            "tingkat_kerawanan": "Tingkat desa", "nama_bhabin": "Bhabinkamtibmas", "potensi_gangguan": "Potensi gangguan",
        }), key="rencana_rawan")
