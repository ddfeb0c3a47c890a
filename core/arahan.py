"""Arahan (the Kapolres's instructions at the Anev) as records, and their follow-up at the next meeting.

An arahan has a text, the Anev month it was given at, one or more owners (Polsek, "Semua Polsek", or a Sat),
a due month, and optionally a measurable target on a measure of the recap (`measure_values`), e.g. pos
kamling aktif >= 80% on the desa of Polsek Insana by 2024-12. Its status for a month is computed from the
stored recaps when measurable (`evaluate`), else set by hand by admin or pimpinan with a note and optional
evidence (`evaluate_manual`). Polsek clerks add progress notes on their own arahan. Every change is kept
(`arahan_riwayat`) and audited; nothing is deleted except demo data.

Status rules (thresholds in `data/pengaturan.toml`, `[arahan]`):
- tercapai: the target is met at the latest month with data up to the due month (or, once the due month has
  passed, at the latest month with data);
- terlambat: the due month has passed and the target is not met;
- bergerak: before the due month, the figure moved towards the target since the month given by at least
  `ambang_bergerak_persen` % of the distance to the target at that month;
- tidak bergerak: it moved less, not at all, or away (also: the target was met when given and is no longer);
- baru: given this month; belum dinilai: no recap since it was given (measurable) or no status set yet (by hand);
- ditutup: closed by admin or pimpinan (with a reason) from a month on.
The figure "then" is the value at the month given (or, without data then, the latest of the two months before);
"now" is the latest month with data up to the month viewed. Measures are computed on the desa of the arahan's
scope: the listed `lingkup`, else the owner Polsek, else the whole Polres.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from core import analysis, auth, fmt, metrics, reference, store
from core import measures as measures_mod
from core.months import add_months, current_bulan, format_bulan, is_bulan, month_range
from core.tables import arahan, arahan_bukti, arahan_catatan, arahan_pemilik, arahan_riwayat

SEMUA = auth.SEMUA_POLSEK
#: Months before the month given that may stand in for its figure when that month has no recap.
BASELINE_BACK = 2
STATUSES = ("terlambat", "tidak bergerak", "belum dinilai", "bergerak", "baru", "tercapai", "ditutup")
#: Statuses an admin or pimpinan sets by hand (terlambat follows from the due month).
MANUAL_STATUSES = ("bergerak", "tidak bergerak", "tercapai")
DIRECTIONS = {">=": "\u2265", "<=": "\u2264"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")



class ArahanError(ValueError):
    """Input that cannot be stored; the message is Indonesian and says what to fix."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _settings() -> dict:
    return reference.settings().get("arahan", {})


def threshold() -> float:
    """`ambang_bergerak_persen`: the share of the distance to the target that counts as moving."""
    return float(_settings().get("ambang_bergerak_persen", 10))


def units() -> list[str]:
    """The Sat (functional units) that may own an arahan besides the Polsek."""
    return list(_settings().get("satuan", ["Sat Binmas"]))


def owner_choices() -> list[str]:
    """Every owner value a form offers: all Polsek, each Polsek, each Sat."""
    return [SEMUA, *reference.polsek_names(), *units()]


# --------------------------------------------------------------------------- measures


def measures() -> dict[str, reference.Measure]:
    """The measures a target may use: the catalogue's measures shown in `arahan` (`data/indikator.csv`, `data/ukuran.csv`)."""
    return {m.key: m for m in reference.shown("arahan")}


def measure_values(desa: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Every measure per month (index) for the desa rows given (`core.measures.series`); NaN where a month has no recap."""
    series = measures_mod.series(desa, months).copy()
    series.loc[series["desa_melapor"] == 0, [c for c in series.columns if c not in ("desa_melapor", "polsek_melapor")]] = np.nan
    return series


def format_value(value: float | None, key: str | None) -> str:
    """A measure's value as the meeting reads it: `62%`, `71,4 poin`, `1.234 kali`; a dash when unknown."""
    if value is None or pd.isna(value) or key is None:
        return "\u2013"
    measure = measures().get(key)
    if measure is not None and measure.is_percent:
        # one decimal just below 100 (or above 0), so 99.6% never reads as a met 100% target
        return f"{value:.1f}%".replace(".", ",") if 99 < value < 100 or 0 < value < 1 else f"{value:.0f}%"
    if measure is not None and measure.satuan == "poin":
        return fmt.number(value, 1)
    text = fmt.number(value)
    return f"{text} {measure.satuan}".strip() if measure is not None else text


def target_text(key: str | None, arah: str | None, target: float | None) -> str:
    """`Pos kamling aktif ≥ 80%`, or a dash for an arahan without a measurable target."""
    if not key or target is None or pd.isna(target):
        return "\u2013"
    measure = measures().get(key)
    label = measure.label if measure else key
    return f"{label} {DIRECTIONS.get(arah or '>=', arah)} {format_value(target, key)}"


# --------------------------------------------------------------------------- status


@dataclass
class Evaluation:
    """The status of an arahan for one month and why, with the figures then and now."""

    status: str
    penjelasan: str
    bulan_awal: str | None = None
    angka_awal: float | None = None
    bulan_sekarang: str | None = None
    angka_sekarang: float | None = None


def _met(value: float, arah: str, target: float) -> bool:
    return value >= target if arah == ">=" else value <= target


def evaluate(values: pd.Series, given: str, due: str, at: str, arah: str, target: float, key: str | None = None,
             moving_share: float | None = None) -> Evaluation:
    """Status of a measurable arahan at month `at` from a month-indexed series (NaN = no recap). See the module doc."""
    share = threshold() if moving_share is None else moving_share
    known = {str(m): float(v) for m, v in values.items() if str(m) <= at and pd.notna(v)}
    months = sorted(known)
    before = [m for m in months if add_months(given, -BASELINE_BACK) <= m <= given]
    base = before[-1] if before else next((m for m in months if m > given), None)
    if base is None:
        if at > due:
            return Evaluation("terlambat", f"Tenggat {format_bulan(due)} lewat dan tidak ada rekap yang menunjukkan target tercapai.")
        return Evaluation("belum dinilai", "Belum ada rekap sejak arahan diberikan.")
    latest = months[-1]
    then, now = known[base], known[latest]
    result = Evaluation("", "", base, then, latest, now)
    goal = f"{DIRECTIONS.get(arah, arah)} {format_value(target, key)}"
    what = measures()[key].label if key in measures() else "Angka"
    by_due = [m for m in months if base <= m <= due]
    if by_due and _met(known[by_due[-1]], arah, target):
        reached = by_due[-1]
        result.status = "tercapai"
        result.penjelasan = (f"Target {goal} sudah terpenuhi saat arahan diberikan ({format_value(known[reached], key)})."
                             if reached <= given else f"Target {goal} terpenuhi pada {format_bulan(reached)} ({format_value(known[reached], key)}).")
        if reached < latest <= at and not _met(now, arah, target):
            result.penjelasan += f" Kini {format_value(now, key)} ({format_bulan(latest)})."
        return result
    if at > due:
        if _met(now, arah, target):
            result.status = "tercapai"
            result.penjelasan = f"Target {goal} terpenuhi pada {format_bulan(latest)}, setelah tenggat {format_bulan(due)}."
        else:
            result.status = "terlambat"
            result.penjelasan = f"Tenggat {format_bulan(due)} lewat; {what} {format_value(now, key)}, belum mencapai target {goal}."
        return result
    if at <= given:
        result.status = "baru"
        result.penjelasan = f"Diberikan pada Anev {format_bulan(given)}; {what} {format_value(then, key)}, target {goal}."
        return result
    if latest == base:
        result.status = "belum dinilai"
        result.penjelasan = f"Belum ada rekap baru sejak {format_bulan(base)}."
        return result
    toward = now - then if arah == ">=" else then - now
    need = abs(target - then) * share / 100
    change = f"{what} {format_value(then, key)} ({format_bulan(base)}) \u2192 {format_value(now, key)} ({format_bulan(latest)})"
    if _met(then, arah, target):
        result.status = "tidak bergerak"
        result.penjelasan = f"Sempat memenuhi target {goal}, kini turun: {change}."
    elif toward > 0 and toward >= need:
        result.status = "bergerak"
        result.penjelasan = f"Mendekati target {goal}: {change}."
    else:
        result.status = "tidak bergerak"
        result.penjelasan = (f"Belum mendekati target {goal}: {change} (bergerak bila paling sedikit "
                             f"{share:.0f}% dari jarak ke target tertutup).")
    return result


def evaluate_manual(entries: pd.DataFrame, given: str, due: str, at: str) -> Evaluation:
    """Status of an arahan without a measurable target: the latest status set by hand up to `at`, and the due month.

    `entries` has `bulan`, `status` (None for a plain note), `pengguna` and `waktu`.
    """
    rated = entries[entries["status"].notna() & (entries["bulan"] <= at)] if not entries.empty else entries
    last = rated.sort_values(["bulan", "waktu"]).iloc[-1] if not rated.empty else None
    if last is not None and last["status"] == "tercapai":
        return Evaluation("tercapai", f"Ditetapkan tercapai oleh {last['pengguna']} ({format_bulan(last['bulan'])}).")
    if at > due:
        return Evaluation("terlambat", f"Tenggat {format_bulan(due)} lewat dan belum ditetapkan tercapai.")
    if last is not None:
        return Evaluation(str(last["status"]), f"Ditetapkan {last['status']} oleh {last['pengguna']} ({format_bulan(last['bulan'])}).")
    if at <= given:
        return Evaluation("baru", f"Diberikan pada Anev {format_bulan(given)}.")
    return Evaluation("belum dinilai", "Tidak terukur dari rekap; statusnya belum ditetapkan admin atau pimpinan.")


# --------------------------------------------------------------------------- validation


def _clean_text(text: object, limit: int) -> str:
    return " ".join(_CONTROL.sub(" ", str(text or "")).split())[:limit]


def _owners(values: list[str] | str | None) -> list[str]:
    raw = [values] if isinstance(values, str) else list(values or [])
    found: list[str] = []
    sat = {u.lower(): u for u in units()}
    for value in raw:
        text = _clean_text(value, 80)
        if not text:
            continue
        if text.lower() in (SEMUA.lower(), "semua"):
            name = SEMUA
        elif text.lower() in sat:
            name = sat[text.lower()]
        else:
            name = reference.match_polsek(text)
        if not name:
            raise ArahanError(f"Pelaksana tidak dikenal: {text!r}. Pilih {SEMUA}, salah satu Polsek, atau {', '.join(units())}.")
        if name not in found:
            found.append(name)
    if not found:
        raise ArahanError("Pilih paling sedikit satu pelaksana arahan (Polsek, Semua Polsek, atau satuan fungsi).")
    if SEMUA in found:  # every Polsek already includes the ones named
        found = [n for n in found if n not in reference.polsek_names()]
    return found


def _scope_list(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    found = []
    for value in values:
        name = reference.match_polsek(value)
        if not name:
            raise ArahanError(f"Lingkup pengukuran harus nama Polsek; {value!r} tidak dikenal.")
        if name not in found:
            found.append(name)
    return found


def _validate(values: dict, today: dt.date | None = None) -> dict:
    """Clean and check every field of an arahan; raises ArahanError with an Indonesian sentence."""
    teks = _clean_text(values.get("teks"), 1000)
    if len(teks) < 5:
        raise ArahanError("Tulis isi arahan (paling sedikit 5 karakter).")
    given, due = values.get("bulan_diberikan"), values.get("tenggat")
    if not is_bulan(given or ""):
        raise ArahanError(f"Bulan Anev harus TTTT-BB, misalnya 2024-09 (bukan {given!r}).")
    if not is_bulan(due or ""):
        raise ArahanError(f"Tenggat harus TTTT-BB, misalnya 2024-12 (bukan {due!r}).")
    if given > current_bulan(today):
        raise ArahanError(f"Bulan Anev {format_bulan(given)} belum tiba.")
    if due < given:
        raise ArahanError(f"Tenggat ({format_bulan(due)}) tidak boleh sebelum bulan arahan diberikan ({format_bulan(given)}).")
    key = values.get("ukuran") or None
    arah, target = values.get("arah") or ">=", values.get("target")
    if key is not None:
        if key not in measures():
            raise ArahanError(f"Ukuran {key!r} tidak dikenal. Pilih dari daftar ukuran rekap.")
        if arah not in DIRECTIONS:
            raise ArahanError("Arah target harus >= (paling sedikit) atau <= (paling banyak).")
        try:
            target = float(target)
        except (TypeError, ValueError) as exc:
            raise ArahanError(f"Isi angka target untuk {measures()[key].label}.") from exc
        if not np.isfinite(target) or target < 0 or (measures()[key].is_percent and target > 100):
            raise ArahanError(f"Target {measures()[key].label} harus angka 0\u2013100 (persen)." if measures()[key].is_percent
                              else f"Target {measures()[key].label} harus angka 0 atau lebih.")
    else:
        arah, target = None, None
    sumber = _clean_text(values.get("sumber"), 1000) or None
    return {"teks": teks, "bulan_diberikan": given, "tenggat": due, "ukuran": key, "arah": arah, "target": target,
            "pemilik": _owners(values.get("pemilik")), "lingkup": _scope_list(values.get("lingkup")), "sumber": sumber}


# --------------------------------------------------------------------------- storage


def _audit(engine: Engine, by: auth.User, action: str, arahan_id: int | None, result: str = "ok", detail: str = "") -> None:
    auth.record(engine, by.username, action, f"arahan #{arahan_id}" if arahan_id else "arahan", result, detail)


def _guard(engine: Engine, by: auth.User, action: str, arahan_id: int | None, check) -> None:
    """Run a role check; a refusal is audited and raised."""
    try:
        check()
    except auth.AuthError as refused:
        _audit(engine, by, action, arahan_id, "ditolak", str(refused))
        raise


def _history_row(conn: Connection, arahan_id: int, who: str, action: str, detail: dict, when: dt.datetime | None = None) -> None:
    conn.execute(arahan_riwayat.insert().values(arahan_id=arahan_id, waktu=when or _now(), pengguna=auth.clean(who, 60), aksi=action,
                                                rincian=json.dumps(detail, ensure_ascii=False, default=str)))


def _insert(conn: Connection, clean: dict, who: str, demo: bool = False, when: dt.datetime | None = None) -> int:
    new_id = conn.execute(arahan.insert().values(
        teks=clean["teks"], bulan_diberikan=clean["bulan_diberikan"], tenggat=clean["tenggat"], ukuran=clean["ukuran"],
        arah=clean["arah"], target=clean["target"], lingkup=json.dumps(clean["lingkup"], ensure_ascii=False) if clean["lingkup"] else None,
        sumber=clean["sumber"], dicatat_oleh=auth.clean(who, 60), dibuat=when or _now(), contoh=demo,
    )).inserted_primary_key[0]
    conn.execute(arahan_pemilik.insert(), [{"arahan_id": new_id, "pemilik": owner} for owner in clean["pemilik"]])
    _history_row(conn, new_id, who, "tambah", {k: [None, v] for k, v in clean.items() if v is not None}, when)
    return int(new_id)


def add(engine: Engine, teks: str, bulan_diberikan: str, pemilik: list[str] | str, tenggat: str, by: auth.User, *,
        ukuran: str | None = None, arah: str = ">=", target: float | None = None, lingkup: list[str] | None = None,
        sumber: str | None = None, today: dt.date | None = None) -> int:
    """Record an arahan given at the Anev of `bulan_diberikan` (admin, pimpinan); returns its id. Audited."""
    _guard(engine, by, "arahan.tambah", None, lambda: auth.require_arahan_edit(by))
    clean = _validate({"teks": teks, "bulan_diberikan": bulan_diberikan, "tenggat": tenggat, "pemilik": pemilik, "ukuran": ukuran,
                       "arah": arah, "target": target, "lingkup": lingkup, "sumber": sumber}, today)
    with store.writing(engine) as conn:
        new_id = _insert(conn, clean, by.username)
    _audit(engine, by, "arahan.tambah", new_id, "ok", f"{clean['teks'][:120]} | {', '.join(clean['pemilik'])} | tenggat {clean['tenggat']}")
    return new_id


def _record(conn: Connection, arahan_id: int) -> dict:
    row = conn.execute(sa.select(arahan).where(arahan.c.id == arahan_id)).mappings().first()
    if row is None:
        raise ArahanError(f"Arahan #{arahan_id} tidak ada.")
    found = dict(row)
    found["lingkup"] = json.loads(found["lingkup"]) if found["lingkup"] else None
    found["pemilik"] = [r[0] for r in conn.execute(sa.select(arahan_pemilik.c.pemilik).where(arahan_pemilik.c.arahan_id == arahan_id)
                                                   .order_by(arahan_pemilik.c.pemilik))]
    return found


def get(engine: Engine, arahan_id: int, by: auth.User | None = None) -> dict:
    """One arahan with its owners; a Polsek clerk gets only his own Polsek's."""
    with engine.connect() as conn:
        found = _record(conn, arahan_id)
    if by is not None and not auth.can_see_arahan(by, found["pemilik"]):
        raise auth.AuthError(f"Arahan #{arahan_id} bukan arahan {by.polsek}.")
    return found


EDITABLE = ("teks", "tenggat", "pemilik", "ukuran", "arah", "target", "lingkup", "sumber")


def update(engine: Engine, arahan_id: int, by: auth.User, today: dt.date | None = None, **changes) -> dict:
    """Change fields of an arahan (admin, pimpinan); the before and after of each field go to its history. Audited."""
    _guard(engine, by, "arahan.ubah", arahan_id, lambda: auth.require_arahan_edit(by))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ArahanError(f"Kolom arahan yang tidak dapat diubah: {', '.join(sorted(unknown))}.")
    with store.writing(engine) as conn:
        before = _record(conn, arahan_id)
        merged = {**{k: before[k] for k in (*EDITABLE, "bulan_diberikan")}, **changes}
        clean = _validate(merged, today)
        diff = {k: [before[k], clean[k]] for k in EDITABLE if before[k] != clean[k]}
        if not diff:
            return {}
        conn.execute(arahan.update().where(arahan.c.id == arahan_id).values(
            **{k: clean[k] for k in ("teks", "tenggat", "ukuran", "arah", "target", "sumber")},
            lingkup=json.dumps(clean["lingkup"], ensure_ascii=False) if clean["lingkup"] else None))
        if "pemilik" in diff:
            conn.execute(arahan_pemilik.delete().where(arahan_pemilik.c.arahan_id == arahan_id))
            conn.execute(arahan_pemilik.insert(), [{"arahan_id": arahan_id, "pemilik": o} for o in clean["pemilik"]])
        _history_row(conn, arahan_id, by.username, "ubah", diff)
    _audit(engine, by, "arahan.ubah", arahan_id, "ok", json.dumps(diff, ensure_ascii=False, default=str))
    return diff


def close(engine: Engine, arahan_id: int, bulan: str, reason: str, by: auth.User) -> None:
    """Close an arahan from a month on (no longer followed up), with a reason (admin, pimpinan). Audited."""
    _guard(engine, by, "arahan.tutup", arahan_id, lambda: auth.require_arahan_edit(by))
    reason = _clean_text(reason, 500)
    if len(reason) < 5:
        raise ArahanError("Tulis alasan menutup arahan (misalnya: pemilihan sudah selesai, digantikan arahan baru).")
    if not is_bulan(bulan):
        raise ArahanError("Bulan penutupan harus TTTT-BB.")
    with store.writing(engine) as conn:
        before = _record(conn, arahan_id)
        if bulan < before["bulan_diberikan"]:
            raise ArahanError("Arahan tidak dapat ditutup sebelum bulan ia diberikan.")
        conn.execute(arahan.update().where(arahan.c.id == arahan_id).values(ditutup_bulan=bulan, alasan_tutup=reason))
        _history_row(conn, arahan_id, by.username, "tutup", {"ditutup_bulan": [before["ditutup_bulan"], bulan], "alasan_tutup": [None, reason]})
    _audit(engine, by, "arahan.tutup", arahan_id, "ok", f"mulai {bulan}: {reason}")


def reopen(engine: Engine, arahan_id: int, by: auth.User) -> None:
    """Follow a closed arahan up again (admin, pimpinan). Audited."""
    _guard(engine, by, "arahan.buka", arahan_id, lambda: auth.require_arahan_edit(by))
    with store.writing(engine) as conn:
        before = _record(conn, arahan_id)
        conn.execute(arahan.update().where(arahan.c.id == arahan_id).values(ditutup_bulan=None, alasan_tutup=None))
        _history_row(conn, arahan_id, by.username, "buka", {"ditutup_bulan": [before["ditutup_bulan"], None]})
    _audit(engine, by, "arahan.buka", arahan_id)


# --------------------------------------------------------------------------- notes and evidence

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PDF_MAGIC = b"%PDF-"
MIME = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}


def max_evidence_bytes() -> int:
    """`[arahan] bukti_maks_mb` in `data/pengaturan.toml` (default 5 MB)."""
    return int(float(_settings().get("bukti_maks_mb", 5)) * 1024 * 1024)


def _size(n: float) -> str:
    return f"{max(n / 1024, 1):.0f} KB" if n < 1024 * 1024 else f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


def check_evidence(content: bytes, max_bytes: int | None = None) -> str:
    """`png`, `jpeg` or `pdf` by the file's bytes (never its name); refuses anything else, empty or too big."""
    limit = max_evidence_bytes() if max_bytes is None else max_bytes
    if not content:
        raise ArahanError("Berkas bukti kosong (0 byte). Pilih foto atau PDF yang lain.")
    if len(content) > limit:
        raise ArahanError(f"Berkas bukti terlalu besar ({_size(len(content))}; batas {_size(limit)}). Kecilkan foto atau simpan PDF "
                          "dengan kualitas lebih rendah, lalu unggah kembali.")
    if content.startswith(PNG_MAGIC):
        return "png"
    if content.startswith(JPEG_MAGIC):
        return "jpeg"
    if content.startswith(PDF_MAGIC):
        return "pdf"
    raise ArahanError("Bukti harus foto (JPG atau PNG) atau PDF; isi berkas ini bukan salah satunya, walaupun namanya mungkin begitu.")


def add_note(engine: Engine, arahan_id: int, bulan: str, teks: str, by: auth.User, *, status: str | None = None,
             evidence: tuple[str, bytes] | None = None) -> int:
    """A progress note for a month (the owner Polsek, admin, pimpinan), optionally with evidence; returns its id. Audited.

    With `status`, the status set by hand (admin, pimpinan; only for an arahan without a measurable target).
    """
    action = "arahan.status" if status else "arahan.catatan"
    with engine.connect() as conn:
        record = _record(conn, arahan_id)
    _guard(engine, by, action, arahan_id, lambda: auth.require_arahan_note(by, record["pemilik"]))
    if status is not None:
        _guard(engine, by, action, arahan_id, lambda: auth.require_arahan_edit(by))
        if status not in MANUAL_STATUSES:
            raise ArahanError(f"Status yang dapat ditetapkan: {', '.join(MANUAL_STATUSES)} (terlambat mengikuti tenggat).")
        if record["ukuran"]:
            raise ArahanError("Status arahan bertarget terukur dihitung dari rekap; tambahkan catatan saja.")
    teks = _clean_text(teks, 2000)
    if len(teks) < 3:
        raise ArahanError("Tulis catatan perkembangan (apa yang sudah dilakukan, di mana, kapan).")
    if not is_bulan(bulan) or bulan < record["bulan_diberikan"]:
        raise ArahanError(f"Bulan catatan harus TTTT-BB, tidak sebelum arahan diberikan ({format_bulan(record['bulan_diberikan'])}).")
    kind = None
    if evidence is not None:
        name, content = evidence
        kind = check_evidence(content)
        name = _clean_text(str(name).replace("\\", "/").rsplit("/", 1)[-1], 120) or f"bukti.{kind}"

    with store.writing(engine) as conn:
        note_id = conn.execute(arahan_catatan.insert().values(
            arahan_id=arahan_id, bulan=bulan, status=status, teks=teks, pengguna=auth.clean(by.username, 60), peran=by.role,
            polsek=by.polsek, waktu=_now())).inserted_primary_key[0]
        detail: dict = {"bulan": bulan, "teks": teks}
        if status:
            detail["status"] = status
        if kind is not None:
            digest = hashlib.sha256(content).hexdigest()
            conn.execute(arahan_bukti.insert().values(catatan_id=note_id, nama_berkas=name, jenis=kind, ukuran=len(content), sha256=digest,
                                                      isi=content))
            detail["bukti"] = f"{name} ({kind}, {_size(len(content))}, sha256 {digest[:16]})"
        _history_row(conn, arahan_id, by.username, "status" if status else "catatan", detail)
    _audit(engine, by, action, arahan_id, "ok", json.dumps(detail, ensure_ascii=False))
    return int(note_id)


def notes(engine: Engine, arahan_id: int, by: auth.User | None = None) -> pd.DataFrame:
    """Notes and hand-set statuses of an arahan, newest first, with their evidence (name, kind, size; no bytes)."""
    if by is not None:
        get(engine, arahan_id, by)
    query = (sa.select(arahan_catatan, arahan_bukti.c.id.label("bukti_id"), arahan_bukti.c.nama_berkas, arahan_bukti.c.jenis,
                       arahan_bukti.c.ukuran)
             .outerjoin(arahan_bukti, arahan_bukti.c.catatan_id == arahan_catatan.c.id)
             .where(arahan_catatan.c.arahan_id == arahan_id).order_by(arahan_catatan.c.waktu.desc(), arahan_catatan.c.id.desc()))
    columns = [*[c.name for c in arahan_catatan.columns], "bukti_id", "nama_berkas", "jenis", "ukuran"]
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=columns)


def evidence(engine: Engine, bukti_id: int, by: auth.User) -> tuple[str, bytes, str]:
    """The file name, bytes and MIME type of one piece of evidence, for whoever may see its arahan."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(arahan_bukti.c.nama_berkas, arahan_bukti.c.jenis, arahan_bukti.c.isi, arahan_catatan.c.arahan_id)
                           .join(arahan_catatan, arahan_catatan.c.id == arahan_bukti.c.catatan_id)
                           .where(arahan_bukti.c.id == bukti_id)).first()
    if row is None:
        raise ArahanError(f"Bukti #{bukti_id} tidak ada.")
    get(engine, row.arahan_id, by)
    return row.nama_berkas, bytes(row.isi), MIME[row.jenis]


def history(engine: Engine, arahan_id: int, by: auth.User | None = None) -> pd.DataFrame:
    """Every change of an arahan (added, changed, notes, statuses, closed), oldest first."""
    if by is not None:
        get(engine, arahan_id, by)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(sa.select(arahan_riwayat).where(arahan_riwayat.c.arahan_id == arahan_id)
                                         .order_by(arahan_riwayat.c.id)).mappings().all(),
                            columns=[c.name for c in arahan_riwayat.columns])


def version(engine: Engine) -> tuple[int, int]:
    """A cheap fingerprint of the arahan data (every change writes a history row), for caches."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.count(arahan_riwayat.c.id), sa.func.max(arahan_riwayat.c.id))).one()
    return int(row[0] or 0), int(row[1] or 0)


# --------------------------------------------------------------------------- follow-up


def _load(engine: Engine, upto: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Arahan given up to a month with their owners, and every note of those arahan."""
    with engine.connect() as conn:
        records = pd.DataFrame(conn.execute(sa.select(arahan).where(arahan.c.bulan_diberikan <= upto).order_by(arahan.c.id))
                               .mappings().all(), columns=[c.name for c in arahan.columns])
        owners = conn.execute(sa.select(arahan_pemilik.c.arahan_id, arahan_pemilik.c.pemilik)
                              .join(arahan, arahan.c.id == arahan_pemilik.c.arahan_id).where(arahan.c.bulan_diberikan <= upto)
                              .order_by(arahan_pemilik.c.arahan_id, arahan_pemilik.c.pemilik)).all()
        note_rows = pd.DataFrame(conn.execute(
            sa.select(arahan_catatan.c.id, arahan_catatan.c.arahan_id, arahan_catatan.c.bulan, arahan_catatan.c.status,
                      arahan_catatan.c.teks, arahan_catatan.c.pengguna, arahan_catatan.c.waktu,
                      sa.func.count(arahan_bukti.c.id).label("bukti"))
            .outerjoin(arahan_bukti, arahan_bukti.c.catatan_id == arahan_catatan.c.id)
            .join(arahan, arahan.c.id == arahan_catatan.c.arahan_id).where(arahan.c.bulan_diberikan <= upto)
            .group_by(arahan_catatan.c.id, arahan_catatan.c.arahan_id, arahan_catatan.c.bulan, arahan_catatan.c.status,
                      arahan_catatan.c.teks, arahan_catatan.c.pengguna, arahan_catatan.c.waktu)
        ).mappings().all(), columns=["id", "arahan_id", "bulan", "status", "teks", "pengguna", "waktu", "bukti"])
    records = records.astype(object).where(records.notna(), None)  # None, not NaN, for a missing measure or month
    by_id: dict[int, list[str]] = {}
    for arahan_id, owner in owners:
        by_id.setdefault(int(arahan_id), []).append(owner)
    records["pemilik"] = [by_id.get(int(i), []) for i in records["id"]] if not records.empty else []
    records["lingkup"] = [json.loads(v) if isinstance(v, str) and v else None for v in records["lingkup"]] if not records.empty else []
    return records, note_rows


def _scope_of(record: pd.Series, scope_polsek: str | None) -> frozenset[str] | None:
    """Polsek whose desa a measure is computed on; None = the whole Polres."""
    listed = record["lingkup"] or [o for o in record["pemilik"] if o in reference.polsek_names()]
    if SEMUA in record["pemilik"] and not record["lingkup"]:
        listed = []
    scope = set(listed) if listed else None
    if scope_polsek:
        scope = {scope_polsek} if scope is None or scope_polsek in scope else set()
    return frozenset(scope) if scope is not None else None


def relevant_to(owners: list[str], polsek: str | None) -> bool:
    """Whether an arahan concerns a Polsek (owner, or one of all Polsek); every arahan concerns the Polres."""
    return polsek is None or polsek in owners or SEMUA in owners


def _desa_rows(engine: Engine, bulan_from: str, bulan_to: str, verified_only: bool) -> pd.DataFrame:
    return metrics.desa_month(store.rows(engine, "kegiatan", bulan_from, bulan_to, verified_only=verified_only),
                              store.rows(engine, "kerawanan", bulan_from, bulan_to, verified_only=verified_only))


FOLLOW_UP_COLUMNS = [
    "id", "teks", "bulan_diberikan", "pemilik", "pemilik_list", "tenggat", "terukur", "ukuran", "arah", "target", "target_teks",
    "status", "penjelasan", "bulan_awal", "angka_awal", "angka_awal_teks", "bulan_sekarang", "angka_sekarang", "angka_sekarang_teks",
    "catatan_terakhir", "catatan_bulan", "catatan_oleh", "jumlah_catatan", "jumlah_bukti", "sumber", "ditutup_bulan", "contoh",
]


def follow_up(engine: Engine, bulan: str, scope_polsek: str | None = None, *, by: auth.User | None = None, view: str = "rapat",
              desa: pd.DataFrame | None = None, verified_only: bool = False) -> pd.DataFrame:
    """Rows of "Tindak Lanjut Arahan" for the Anev of `bulan`: one per arahan, most urgent first.

    `view="rapat"`: what the meeting reviews, arahan given before this month, still open, leaving out those
    already reported tercapai at the previous meeting; `view="semua"`: every arahan given up to this month,
    closed ones included (the Tindak Lanjut screen). `scope_polsek` keeps the arahan that concern that Polsek and
    measures them on its desa; a Polsek clerk (`by`) always gets his own Polsek. `desa` may pass the multi-month
    desa rows a screen already holds (they must cover the months from two before the oldest arahan to `bulan`);
    `verified_only` reads verified recaps only.
    """
    if view not in ("rapat", "semua"):
        raise ValueError("view harus 'rapat' atau 'semua'")
    if by is not None and by.role == "polsek":
        scope_polsek = by.polsek
    records, note_rows = _load(engine, bulan)
    if records.empty:
        return pd.DataFrame(columns=FOLLOW_UP_COLUMNS)
    keep = [relevant_to(owners, scope_polsek) for owners in records["pemilik"]]
    records = records[keep]
    if view == "rapat":
        records = records[(records["bulan_diberikan"] < bulan) & (records["ditutup_bulan"].isna() | (records["ditutup_bulan"] > bulan))]
    if records.empty:
        return pd.DataFrame(columns=FOLLOW_UP_COLUMNS)
    first = add_months(str(records["bulan_diberikan"].min()), -BASELINE_BACK)
    months = month_range(first, bulan)
    measurable = records["ukuran"].notna().any()
    if measurable and desa is None:
        desa = _desa_rows(engine, first, bulan, verified_only)
    tables: dict[frozenset[str] | None, pd.DataFrame] = {}

    def values_for(scope: frozenset[str] | None) -> pd.DataFrame:
        if scope not in tables:
            rows_ = desa if scope is None or desa.empty else desa[desa["polsek"].isin(scope)]
            rows_ = rows_[rows_["bulan"].isin(months)] if not rows_.empty else rows_
            tables[scope] = measure_values(rows_, months)
        return tables[scope]

    out = []
    previous = add_months(bulan, -1)
    for record in records.itertuples(index=False):
        rec = pd.Series(record._asdict())
        mine = note_rows[note_rows["arahan_id"] == rec["id"]] if not note_rows.empty else note_rows
        mine_upto = mine[mine["bulan"] <= bulan] if not mine.empty else mine
        if rec["ukuran"]:
            series = values_for(_scope_of(rec, scope_polsek))[rec["ukuran"]]
            now = evaluate(series, rec["bulan_diberikan"], rec["tenggat"], bulan, rec["arah"], rec["target"], rec["ukuran"])
            before = evaluate(series, rec["bulan_diberikan"], rec["tenggat"], previous, rec["arah"], rec["target"], rec["ukuran"]) \
                if previous > rec["bulan_diberikan"] else None
        else:
            now = evaluate_manual(mine_upto, rec["bulan_diberikan"], rec["tenggat"], bulan)
            before = evaluate_manual(mine_upto, rec["bulan_diberikan"], rec["tenggat"], previous) if previous > rec["bulan_diberikan"] else None
        closed = isinstance(rec["ditutup_bulan"], str) and rec["ditutup_bulan"] <= bulan
        if closed:
            now = Evaluation("ditutup", f"Ditutup mulai {format_bulan(rec['ditutup_bulan'])}: {rec['alasan_tutup']}", now.bulan_awal,
                             now.angka_awal, now.bulan_sekarang, now.angka_sekarang)
        if view == "rapat" and before is not None and before.status == "tercapai" and now.status == "tercapai":
            continue  # reported tercapai at the previous meeting already
        latest_note = mine_upto.sort_values(["waktu", "id"]).iloc[-1] if not mine_upto.empty else None
        out.append({
            "id": int(rec["id"]), "teks": rec["teks"], "bulan_diberikan": rec["bulan_diberikan"], "pemilik": ", ".join(rec["pemilik"]),
            "pemilik_list": list(rec["pemilik"]), "tenggat": rec["tenggat"], "terukur": bool(rec["ukuran"]), "ukuran": rec["ukuran"],
            "arah": rec["arah"], "target": rec["target"], "target_teks": target_text(rec["ukuran"], rec["arah"], rec["target"]),
            "status": now.status, "penjelasan": now.penjelasan, "bulan_awal": now.bulan_awal, "angka_awal": now.angka_awal,
            "angka_awal_teks": format_value(now.angka_awal, rec["ukuran"]), "bulan_sekarang": now.bulan_sekarang,
            "angka_sekarang": now.angka_sekarang, "angka_sekarang_teks": format_value(now.angka_sekarang, rec["ukuran"]),
            "catatan_terakhir": latest_note["teks"] if latest_note is not None else None,
            "catatan_bulan": latest_note["bulan"] if latest_note is not None else None,
            "catatan_oleh": latest_note["pengguna"] if latest_note is not None else None,
            "jumlah_catatan": len(mine_upto), "jumlah_bukti": int(mine_upto["bukti"].sum()) if not mine_upto.empty else 0,
            "sumber": rec["sumber"], "ditutup_bulan": rec["ditutup_bulan"] if closed else None, "contoh": bool(rec["contoh"]),
        })
    frame = pd.DataFrame(out, columns=FOLLOW_UP_COLUMNS)
    if frame.empty:
        return frame
    optional = ["ukuran", "arah", "bulan_awal", "bulan_sekarang", "catatan_terakhir", "catatan_bulan", "catatan_oleh", "sumber", "ditutup_bulan"]
    frame[optional] = frame[optional].astype(object).where(frame[optional].notna(), None)  # None, never NaN, for what is missing
    frame["_urut"] = frame["status"].map({s: i for i, s in enumerate(STATUSES)})
    return frame.sort_values(["_urut", "tenggat", "id"]).drop(columns="_urut").reset_index(drop=True)


def filter_rows(rows: pd.DataFrame, pemilik: str | None = None, status: str | None = None, bulan_diberikan: str | None = None) -> pd.DataFrame:
    """The Tindak Lanjut screen's filters: owner (an arahan of all Polsek counts for each Polsek), status, month given."""
    if rows.empty:
        return rows
    keep = pd.Series(True, index=rows.index)
    if pemilik:
        polsek = pemilik in reference.polsek_names()
        keep &= rows["pemilik_list"].map(lambda owners: pemilik in owners or (polsek and SEMUA in owners))
    if status:
        keep &= rows["status"] == status
    if bulan_diberikan:
        keep &= rows["bulan_diberikan"] == bulan_diberikan
    return rows[keep]


def display_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The follow-up rows as the meeting reads them (Indonesian headers, months spelt out), for a table or a deck page."""
    return pd.DataFrame({
        "Arahan": rows["teks"],
        "Pelaksana": rows["pemilik"],
        "Anev": rows["bulan_diberikan"].map(format_bulan),
        "Tenggat": rows["tenggat"].map(format_bulan),
        "Target": rows["target_teks"],
        "Status": rows["status"],
        "Saat diberikan": rows["angka_awal_teks"],
        "Sekarang": rows["angka_sekarang_teks"],
        "Keterangan": rows["catatan_terakhir"].where(rows["catatan_terakhir"].notna(), rows["penjelasan"]),
    })


def given_at(engine: Engine, bulan: str, scope_polsek: str | None = None, by: auth.User | None = None) -> pd.DataFrame:
    """Arahan given at the Anev of `bulan` (for the notulen), oldest first."""
    rows = follow_up(engine, bulan, scope_polsek, by=by, view="semua")
    if rows.empty:
        return rows
    return rows[rows["bulan_diberikan"] == bulan].sort_values("id").reset_index(drop=True)


def findings(engine: Engine, bulan: str, scope_polsek: str | None = None, *, rows: pd.DataFrame | None = None,
             desa: pd.DataFrame | None = None, verified_only: bool = False) -> list[analysis.Finding]:
    """Overdue (tinggi) and not-moving (sedang) arahan as sentences for Catatan untuk Anev."""
    if rows is None:
        rows = follow_up(engine, bulan, scope_polsek, view="rapat", desa=desa, verified_only=verified_only)
    found = []
    for row in rows.itertuples(index=False):
        short = row.teks if len(row.teks) <= 90 else row.teks[:87].rstrip() + "\u2026"
        who = f"{row.pemilik}, Anev {format_bulan(row.bulan_diberikan)}"
        if row.status == "terlambat":
            found.append(analysis.Finding("arahan", "tinggi", f"Arahan \u201c{short}\u201d ({who}) terlambat: {row.penjelasan}"))
        elif row.status == "tidak bergerak":
            found.append(analysis.Finding("arahan", "sedang", f"Arahan \u201c{short}\u201d ({who}) belum bergerak: {row.penjelasan}"))
    return found


#: Words of a finding that name a measure, for pre-filling an arahan (first match wins).
_MEASURE_WORDS = [("pos kamling", "pos_kamling_rasio"), ("fkpm", "cakupan_fkpm"), ("koordinasi", "cakupan_koordinasi"),
                  ("sosialisasi", "cakupan_sosialisasi"), ("linmas", "linmas_rasio"), ("problem solving", "ps_rasio"),
                  ("sambang", "sambang_dds"), ("deteksi dini", "deteksi_dini"), ("tps", "tps_terpetakan")]
_ANSWERS = {
    "laporan": "Kirim rekap bulanan lengkap dan tepat waktu, paling lambat tanggal {batas} bulan berikutnya.",
    "kerawanan": "Petakan potensi gangguan di desa yang menjadi Sangat Rawan dan siapkan pengamanannya bersama Linmas.",
    "kinerja": "Bina langsung Bhabinkamtibmas berkategori Kurang dan laporkan hasilnya pada Anev berikutnya.",
}


def prefill_from_finding(finding: analysis.Finding, scope_polsek: str | None = None) -> dict:
    """Text, owners, measure and origin for an arahan that answers a Catatan untuk Anev finding (for `arahan_form`).

    Owners are the Polsek the finding names (else the Polsek in view, else all Polsek); the measure is the one its words
    name. The person recording reads and edits before saving.
    """
    text = finding.teks
    found: list[str] = list(getattr(finding, "polsek", ()) or ())  # the Polsek the finding names, when it says
    rest = text
    for name in sorted(reference.polsek_names(), key=len, reverse=True) if not found else []:  # Insana Utara first
        if name in rest:
            found.append(name)
            rest = rest.replace(name, " ")
    owners = sorted(set(found)) or ([scope_polsek] if scope_polsek else [SEMUA])
    lowered = text.lower()
    named = getattr(finding, "ukuran", None)
    key = named if named in measures() else None
    if key is None and finding.jenis not in _ANSWERS:
        key = next((k for word, k in _MEASURE_WORDS if word in lowered), None)
    template = _ANSWERS.get(finding.jenis)
    teks = template.format(batas=reference.settings()["laporan"]["tanggal_batas"]) if template else f"Tindak lanjuti: {text}"
    return {"teks": teks, "pemilik": owners, "ukuran": key, "sumber": f"Catatan untuk Anev: {text}"}


def _number(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 2)


def to_json(engine: Engine, bulan: str, scope_polsek: str | None = None, verified_only: bool = False) -> list[dict]:
    """The arahan of `rekap --json`: every arahan given up to the month, with its status that month (README)."""
    rows = follow_up(engine, bulan, scope_polsek, view="semua", verified_only=verified_only)
    out = []
    for row in rows.sort_values("id").itertuples(index=False) if not rows.empty else []:
        target = None
        if row.terukur:
            measure = measures()[row.ukuran]
            target = {"ukuran": row.ukuran, "label": measure.label, "arah": row.arah, "nilai": _number(row.target), "satuan": measure.satuan}
        out.append({
            "id": row.id, "teks": row.teks, "bulan_diberikan": row.bulan_diberikan, "pemilik": list(row.pemilik_list),
            "tenggat": row.tenggat, "target": target, "status": row.status, "penjelasan": row.penjelasan,
            "angka_awal": {"bulan": row.bulan_awal, "nilai": _number(row.angka_awal)} if row.bulan_awal else None,
            "angka_sekarang": {"bulan": row.bulan_sekarang, "nilai": _number(row.angka_sekarang)} if row.bulan_sekarang else None,
            "catatan_terakhir": {"bulan": row.catatan_bulan, "teks": row.catatan_terakhir, "oleh": row.catatan_oleh}
            if row.catatan_terakhir else None,
            "contoh": row.contoh,
        })
    return out


def json_into(rekap_text: str, engine: Engine, bulan: str) -> str:
    """`rekap --json`'s text with `"arahan": [...]` added as the object's last key."""
    if not rekap_text.endswith("\n}"):
        raise ValueError("teks rekap JSON tidak berakhir dengan '\\n}'")
    items = to_json(engine, bulan)
    body = "[]" if not items else "[\n    " + ",\n    ".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n  ]"
    return rekap_text[:-2] + ',\n  "arahan": ' + body + "\n}"


def list_frame(engine: Engine, by: auth.User | None = None) -> pd.DataFrame:
    """Every arahan record (for the command line), with its owners; a Polsek clerk's own only."""
    upto = "9999-12"
    records, _ = _load(engine, upto)
    if by is not None and not records.empty:
        records = records[[auth.can_see_arahan(by, owners) for owners in records["pemilik"]]]
    return records.reset_index(drop=True)


# --------------------------------------------------------------------------- demo

#: The instructions of the Anev of 9 September 2024 (Kapolres TTU and Kasat Binmas), as the demo's arahan:
#: text, owners, due (months after the Anev), measure, direction, target (None: set from the data, see seed_demo).
SEED_MEETING = [
    ("Lakukan pemetaan wilayah rawan Kamtibmas menjelang Pilkada: setiap TPS digolongkan kurang rawan, rawan atau sangat rawan "
     "dan potensi gangguan di setiap desa dicatat.", [SEMUA], 0, "tps_terpetakan", ">=", 100.0),
    ("Bangun komunikasi dan koordinasi dengan penyelenggara pemilihan (PPK, PPS, Panwascam, PKD) di setiap desa/kelurahan.",
     [SEMUA], 1, "cakupan_koordinasi", ">=", 100.0),
    ("Segera sosialisasikan pentingnya keterlibatan aktif masyarakat dalam proses demokrasi Pilkada.",
     [SEMUA], 1, "cakupan_sosialisasi", ">=", 80.0),
    ("Rencanakan dan aktifkan kembali Kam Swakarsa melalui pos kamling (ronda malam).", [SEMUA], 3, "pos_kamling_rasio", ">=", 80.0),
    ("Bangun kembali FKPM yang belum optimal sebagai jembatan komunikasi polisi dan masyarakat.", [SEMUA], 3, "cakupan_fkpm", ">=", 75.0),
    ("Latih dan libatkan Linmas dalam tugas Bhabinkamtibmas, dua Linmas untuk setiap TPS.", [SEMUA], 2, "linmas_rasio", ">=", 100.0),
    ("Evaluasi setiap Bhabinkamtibmas setiap bulan melalui Anev; Bhabinkamtibmas berkategori Kurang dibina langsung.",
     ["Sat Binmas"], 3, None, None, None),
    ("Aktifkan pos kamling di seluruh desa binaan Polsek Insana, paling sedikit 80% pos kamling menggelar ronda.",
     ["Polsek Insana"], 3, "pos_kamling_rasio", ">=", 80.0),
    ("Tuntaskan mediasi sengketa batas tanah ulayat bersama tokoh adat dan FKPM sebelum masa kampanye memanas.",
     ["Polsek Insana Utara"], 2, None, None, None),
]


def _meeting_time(bulan: str, day: int = 9) -> dt.datetime:
    """09.00 WITA on a day of the month after `bulan` (the Anev of a month sits after the 5th's deadline), in UTC, not after now."""
    year, month = (int(p) for p in add_months(bulan, 1).split("-"))
    return min(dt.datetime(year, month, day, 1, 0), _now())


def seed_demo(engine: Engine, months: list[str]) -> int:
    """Demo (DATA CONTOH): the seed meeting's arahan with follow-up, a next meeting's arahan, and verified months.

    The seed meeting's arahan are given at 2024-09 when the demo covers it and a later month, else at the
    second-to-last demo month (the last one then shows their follow-up). Their notes and hand-set statuses follow in
    the months after; the next Anev adds an arahan for the Polsek with the lowest coordination coverage. Also marks
    most months verified (`verifikasi.seed_demo`). Earlier demo arahan are replaced. Returns the arahan stored.
    """
    from core import verifikasi

    if not months:
        return 0
    given = "2024-09" if "2024-09" in months[:-1] else (months[-2] if len(months) >= 2 else months[0])
    after = [m for m in months if m > given]
    who = "data-contoh"
    stored = 0
    with store.writing(engine) as conn:
        conn.execute(arahan.delete().where(arahan.c.contoh.is_(True)))
        ids = []
        for teks, owners, due, key, arah, target in SEED_MEETING:
            clean = {"teks": teks, "bulan_diberikan": given, "tenggat": add_months(given, due), "ukuran": key, "arah": arah,
                     "target": target, "pemilik": owners, "lingkup": None, "sumber": "Anev 9 September 2024 (arahan Kapolres TTU dan Kasat Binmas)"}
            ids.append(_insert(conn, clean, who, demo=True, when=_meeting_time(given)))
        stored += len(ids)

        def note(index: int, bulan: str, teks: str, polsek: str | None = None, status: str | None = None) -> None:
            when = _meeting_time(bulan, 7)
            conn.execute(arahan_catatan.insert().values(arahan_id=ids[index], bulan=bulan, status=status, teks=teks, pengguna=who,
                                                        peran="polsek" if polsek else "admin", polsek=polsek, waktu=when))
            _history_row(conn, ids[index], who, "status" if status else "catatan", {"bulan": bulan, "teks": teks, "status": status}, when)

        insana = list(reference.desa_of("Polsek Insana")["nama"])[:2]
        utara = list(reference.desa_of("Polsek Insana Utara")["nama"])[:1]
        if after:
            first = after[0]
            note(1, first, "Rakor Bhabinkamtibmas dengan PPK se-Kabupaten TTU dilaksanakan; pertemuan dengan PPS di desa yang belum "
                 "tersentuh dijadwalkan per kecamatan.")
            note(3, first, f"Pos kamling di Desa {' dan '.join(insana)} direhab swadaya; jadwal ronda ditempel di kantor desa.",
                 polsek="Polsek Insana")
            note(6, first, "Anev bulanan dilaksanakan; sembilan Polsek memaparkan capaian dan Bhabinkamtibmas berkategori Kurang "
                 "dipanggil untuk pembinaan.", status="bergerak")
            note(7, first, f"Ronda malam kembali berjalan di Desa {insana[0]}; sisa pos kamling menunggu perbaikan atap.",
                 polsek="Polsek Insana")
            note(8, first, f"Mediasi tahap I di Desa {utara[0]} bersama tokoh adat dan FKPM: para pihak sepakat menunggu pengukuran "
                 "ulang batas; tahap II dijadwalkan.", polsek="Polsek Insana Utara")
        if len(after) >= 2:
            note(6, after[1], "Evaluasi bulanan berjalan tiga kali berturut-turut; hasilnya dipakai untuk pembinaan per Polsek.",
                 status="tercapai")
            note(8, after[1], "Mediasi tahap II: berita acara kesepakatan batas ditandatangani kedua suku.", polsek="Polsek Insana Utara")
    if after:
        stored += _seed_next_meeting(engine, after[0], who)
    verifikasi.seed_demo(engine, months)
    return stored


def _seed_next_meeting(engine: Engine, bulan: str, who: str) -> int:
    """The next Anev's arahan: the Polsek with the lowest coordination coverage that month coordinates in every desa."""
    desa = _desa_rows(engine, bulan, bulan, False)
    reported = desa[desa["_ada_kegiatan"]] if not desa.empty else desa
    if reported.empty:
        return 0
    coverage = (reported["koordinasi_penyelenggara"] >= 1).groupby(reported["polsek"]).mean() * 100
    lowest = str(coverage.idxmin())
    teks = (f"{lowest} menjadwalkan koordinasi dengan PPS di setiap desa yang belum tersentuh; laporkan pada Anev berikutnya.")
    clean = {"teks": teks, "bulan_diberikan": bulan, "tenggat": add_months(bulan, 1), "ukuran": "cakupan_koordinasi", "arah": ">=",
             "target": 100.0, "pemilik": [lowest], "lingkup": None,
             "sumber": f"Catatan untuk Anev {format_bulan(bulan)}: cakupan koordinasi {lowest} {coverage.min():.0f}%, terendah di Polres."}
    with store.writing(engine) as conn:
        _insert(conn, clean, who, demo=True, when=_meeting_time(bulan))
        second = {"teks": "Susun rencana pengamanan TPS sangat rawan bersama Linmas dan laporkan personel yang disiapkan.",
                  "bulan_diberikan": bulan, "tenggat": add_months(bulan, 1), "ukuran": None, "arah": None, "target": None,
                  "pemilik": [SEMUA], "lingkup": None, "sumber": None}
        _insert(conn, second, who, demo=True, when=_meeting_time(bulan))
    return 2
