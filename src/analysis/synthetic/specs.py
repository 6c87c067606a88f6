"""The made-up cohorts and what the generator knows that the pipeline must find out.

Why a module of its own: these are the settings a researcher changes to ask another question of
the generator (the demo cohorts, a true effect, a sector mix, how staff spell a value), apart
from the process that draws people and dropouts (process) and from how the raw files are
written (writers). The true effects live in TRUE_EFFECTS and in each generated folder's
synthetic_truth.json, which tests read and the pipeline never does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TRUE_EFFECTS = {
    "intercept_by_session": {2: -0.9, 3: -3.0, 4: -3.0, 5: -3.0},
    "age_40_plus": 0.9,  # log-odds: the unions' concern about participants over 40
    "garment": 0.7,  # log-odds: the garment sector
    "log1p_messages_before_session": -0.6,  # log-odds per unit of log(1 + messages)
}

# The model terms whose true effect the generator can set (power and simulation studies).
EFFECT_OF_TERM = {
    "age_40_plus": "age_40_plus", "garment": "garment",
    "log_messages_before_session2": "log1p_messages_before_session",
    "np.log1p(messages_before_session2)": "log1p_messages_before_session",
    "log_messages_before_session": "log1p_messages_before_session",
    "np.log1p(messages_before_session)": "log1p_messages_before_session",
}


def generator_effect(term: str) -> str:
    """The generator's effect behind a model term, or a clear error."""
    from analysis.models import ModelSpecError

    if term not in EFFECT_OF_TERM:
        raise ModelSpecError(f"the generator cannot set an effect for `{term}`; it can for "
                             f"{', '.join(EFFECT_OF_TERM)}")
    return EFFECT_OF_TERM[term]


SECTORS = {  # code: (share, raw spellings as union staff type them)
    "garment_textile": (0.40, ["Garmen", "garmen", "Garment", "Tekstil & Garmen", "konveksi ",
                               "GARMEN", "Pabrik garmen"]),
    "footwear_leather": (0.10, ["Sepatu", "Alas kaki", "pabrik sepatu"]),
    "electronics_automotive": (0.15, ["Elektronik", "Otomotif", "komponen otomotif"]),
    "food_processing": (0.10, ["Makanan & Minuman", "makanan dan minuman", "Mamin"]),
    "retail_hospitality": (0.10, ["Ritel", "Hotel", "toko"]),
    "other": (0.15, ["Lainnya", "Logistik", "Kimia", "lain-lain"]),
}
FEDERATION_BY_SECTOR = {
    "garment_textile": ["FSP TSK-SPSI", "fsp tsk", "TSK SPSI"],
    "footwear_leather": ["FSP TSK-SPSI", "TSK"],
    "electronics_automotive": ["FSP LEM-SPSI", "fsp lem", "LEM SPSI"],
    "food_processing": ["FSP RTMM-SPSI", "rtmm"],
    "retail_hospitality": ["FSP PAR-SPSI", "Lainnya"],
    "other": ["FSP KEP-SPSI", "Lainnya", "tidak tahu"],
}
# Why dropouts stop, as the follow-up calls record it: code: (share among the dropouts who give
# a reason, raw spellings as staff write them). Laid-off workers leave a training most often
# because they found work or the sessions clash with job hunting and day labour; then the cost
# of mobile data and transport, family care and health, phones and apps; few lose interest.
STOP_REASONS = {
    "found_work": (0.25, ["Sudah bekerja", "dapat kerja", "Kerja lagi", "sudah dapat pekerjaan",
                          "Diterima kerja"]),
    "time": (0.22, ["Waktu", "bentrok jadwal", "Tidak ada waktu", "sibuk", "jadwal bentrok "]),
    "cost": (0.15, ["Kuota", "pulsa", "Ongkos", "biaya transport", "kuota habis"]),
    "smartphone": (0.10, ["Tidak punya HP", "HP rusak", "tidak paham aplikasi", "gaptek"]),
    "not_interested": (0.08, ["Tidak tertarik", "kurang minat", "KURANG MINAT"]),
    "health_family": (0.15, ["Sakit", "Urusan keluarga", "mengurus anak", "keluarga sakit"]),
    "other": (0.05, ["Lainnya", "lain-lain", "pindah rumah", "Pulang kampung"]),
}
STOP_REASON_GIVEN = 0.85  # dropouts reached and giving a reason; the others' cell stays blank
GENDER_SPELLINGS = {"female": ["Perempuan", "P", "perempuan", "Wanita"],
                    "male": ["Laki-laki", "L", "laki laki", "Pria"]}
ATTENDED = ["Hadir", "H", "hadir", "✓"]
ABSENT = ["", "Tidak hadir", "-", "izin"]
PHONE_PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858",
                  "0877", "0878", "0895", "0896", "0897", "0881", "0882", "0838"]
PHRASES = [
    "Selamat pagi semua", "Terima kasih materinya bu", "Baik, siap", "Izin bertanya kak",
    "Bagaimana cara upload produk di aplikasi?", "Sudah saya coba, berhasil", "Mantap",
    "Link zoom untuk besok yang mana ya?", "Saya belum bisa login", "Alhamdulillah sudah ada yang pesan",
    "Ongkirnya dihitung otomatis ya?", "Maaf baru baca", "Siap hadir", "Oke kak",
    "Produk apa yang paling laku?", "Komisinya masuk kapan ya?", "Semangat semuanya",
    "Saya share ke grup keluarga", "Terima kasih atas bimbingannya", "Hadir",
]
FACILITATOR_PHRASES = [
    "Selamat pagi Bapak/Ibu, jangan lupa sesi hari ini pukul 09.00",
    "Berikut rangkuman materi hari ini", "Silakan bertanya di grup ini ya",
    "Tugas minggu ini: unggah 3 produk ke toko Anda", "Terima kasih atas partisipasinya",
    "Pengingat: besok sesi berikutnya", "Ada yang sudah mendapat pesanan pertama?",
]


@dataclass
class CohortSpec:
    id: str
    title: dict[str, str]
    place: str
    session_dates: list[dt.date]
    group_start: dt.date
    n_registered: int
    n_enrolled: int
    districts: list[str]  # raw spellings staff use for the cohort's districts
    seed: int
    # Exact dropout counts per session (session -> number who stop coming before it) and
    # intermittent absences (session -> number absent then but back at the end). None: drawn
    # from the hazard model.
    dropouts_at: dict[int, int] | None = None
    intermittent_at: dict[int, int] | None = None
    facilitators: list[str] = field(default_factory=lambda: ["Rina Evermos", "Dimas ILO Jakarta"])
    # Share of saved contacts shown by a nickname ("Bu Sari", "Sari Garmen") that no exact rule
    # links to the roster, and how many people registered twice on the form.
    nickname_share: float = 0.08
    duplicate_registrations: int = 1
    effects: dict = field(default_factory=lambda: TRUE_EFFECTS)
    # For the unhappy cohorts (synthetic.edge_cohorts): what the chat export holds ("full",
    # "none": no export, "facilitators_only", "unlinked": participants under names no rule
    # links), the follow-up file ("full", "none", "blank"), ages drawn within age_range, sector
    # shares other than SECTORS', and a roster whose age column was left empty.
    chat: str = "full"
    followup: str = "full"
    age_range: tuple[int, int] = (20, 58)
    sector_shares: dict | None = None
    ages_missing: bool = False
    # Why dropouts stop: shares other than STOP_REASONS' (code: share), and the share of
    # dropouts whose follow-up gives a reason.
    stop_reason_shares: dict | None = None
    stop_reason_given: float = STOP_REASON_GIVEN
    # Participants' messages a week are drawn around engagement x message_scale (1: the demos);
    # `writers.scale_spec` sets it for a requested number of messages.
    message_scale: float = 1.0


JAKARTA = CohortSpec(
    id="demo-2023-08-jakarta",
    title={"id": "Pelatihan Reseller Digital Promise II Impact — Jakarta, Agustus 2023 (DATA SINTETIS)",
           "en": "Promise II Impact Digital Reseller Training — Jakarta, August 2023 (SYNTHETIC DATA)"},
    place="Jakarta",
    session_dates=[dt.date(2023, 8, 8), dt.date(2023, 8, 15), dt.date(2023, 8, 22)],
    group_start=dt.date(2023, 8, 1),
    n_registered=55,
    n_enrolled=48,
    districts=["Jakarta Utara", "jakut", "Jakarta Timur", "Kab. Bekasi", "bekasi", "Tangerang",
               "Kab Bogor", "Jakarta Barat"],
    seed=20230808,
    # 48 at session 1 -> 30 at session 2 -> 29 at session 3, as the evaluation meeting reported:
    # 17 stop after session 1, one misses session 2 but returns, 2 stop after session 2.
    dropouts_at={2: 17, 3: 2},
    intermittent_at={2: 1},
)

SUKABUMI = CohortSpec(
    id="demo-2023-09-sukabumi",
    title={"id": "Pelatihan Reseller Digital Promise II Impact — Sukabumi, September 2023 (DATA SINTETIS)",
           "en": "Promise II Impact Digital Reseller Training — Sukabumi, September 2023 (SYNTHETIC DATA)"},
    place="Sukabumi",
    session_dates=[dt.date(2023, 9, 12), dt.date(2023, 9, 19), dt.date(2023, 9, 26)],
    group_start=dt.date(2023, 9, 5),
    n_registered=46,
    n_enrolled=41,
    districts=["Kab. Sukabumi", "sukabumi", "Kota Sukabumi", "Cianjur", "cibadak", "Kab Bogor"],
    seed=20230912,
)

# Two cohorts of the kind the programme plans, so the pooled demo has four cohorts to answer
# with: one cohort's hidden count is then one of several unknowns in a pooled sum, not the
# pooled count minus one other cohort's. A garment region (most participants from garment
# factories, FSP TSK's members) and a cohort of confederation officers (older, Central Jakarta).
BEKASI = CohortSpec(
    id="demo-2024-02-bekasi",
    title={"id": "Pelatihan Reseller Digital Promise II Impact — Bekasi–Karawang (garmen), "
                 "Februari 2024 (DATA SINTETIS)",
           "en": "Promise II Impact Digital Reseller Training — Bekasi–Karawang (garment), "
                 "February 2024 (SYNTHETIC DATA)"},
    place="Bekasi",
    session_dates=[dt.date(2024, 2, 6), dt.date(2024, 2, 13), dt.date(2024, 2, 20)],
    group_start=dt.date(2024, 1, 30),
    n_registered=52,
    n_enrolled=46,
    districts=["Kab. Bekasi", "bekasi", "Kota Bekasi", "Karawang", "kab karawang"],
    seed=20240206,
    sector_shares={"garment_textile": 0.70, "footwear_leather": 0.10,
                   "electronics_automotive": 0.10, "food_processing": 0.05, "other": 0.05},
)

OFFICERS = CohortSpec(
    id="demo-2024-04-officers",
    title={"id": "Pelatihan Reseller Digital Promise II Impact — pengurus konfederasi, Jakarta, "
                 "April 2024 (DATA SINTETIS)",
           "en": "Promise II Impact Digital Reseller Training — confederation officers, Jakarta, "
                 "April 2024 (SYNTHETIC DATA)"},
    place="Jakarta",
    session_dates=[dt.date(2024, 4, 2), dt.date(2024, 4, 9), dt.date(2024, 4, 16)],
    group_start=dt.date(2024, 3, 26),
    n_registered=38,
    n_enrolled=34,
    districts=["Jakarta Pusat", "jakpus", "Jakarta Timur", "Jakarta Utara", "Kota Bekasi",
               "Tangerang"],
    seed=20240402,
    age_range=(30, 58),
)

DEMO_COHORTS = (JAKARTA, SUKABUMI, BEKASI, OFFICERS)
