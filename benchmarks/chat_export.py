"""Large WhatsApp exports for the parser benchmark, shaped like real group chats.

A uniform export (one short phrase per line) flatters a parser: real groups have names with emoji
and bare phone numbers as senders, long pasted product posts with lists, prices and dates at the
start of lines, many system lines (adds of several people, joins, leaves, subject and icon
changes, number changes), deleted messages and media placeholders, in whatever format the phone
writes. `make_export` writes such a chat in any of chat_formats.FORMATS.

`make_cohort_export` is the second export: the cohort generator's chat for 10,000 participants
(the same line writer, chat_formats, but the generator's senders, timing and message mix, one
format), a shape the parser was not tuned on.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np

from analysis.synthetic.chat_formats import DELETED_TEXT, FORMATS, LRM, MEDIA_TEXT, render_line

GROUP = "Reseller Digital Promise 🛍️ Batch 3"
FIRST = ["Sari", "Budi", "Ani", "Dewi", "Rudi", "Siti", "Agus", "Rina", "Yuli", "Eko", "Wati",
         "Hendra", "Nur", "Fitri", "Joko", "Lestari", "Bambang", "Indah", "Dian", "Putri"]
LAST = ["Santoso", "Aminah", "Wijaya", "Hasanah", "Pratiwi", "Sirait", "Nasution", "Kusuma",
        "Hidayat", "Lubis", "Saragih", "Rahayu"]
EMOJI = ["🙏", "👍", "😊", "😂", "🌸", "❤️", "🔥", "💪", "🥰", "✨", "🛍️", "👩‍👧", "🇮🇩"]
SHORT = {
    "id": ["Selamat pagi semua", "Terima kasih materinya bu", "Izin bertanya kak", "Oke kak",
           "Siap hadir", "Bagaimana cara upload produk di aplikasi?", "Mantap", "Aamiin",
           "Link zoom untuk besok yang mana ya?", "Maaf baru baca", "Saya keluar dulu ya",
           "Komisinya masuk kapan ya?", "Sudah bisa login kak", "wkwkwk", "Hadir 🙋‍♀️"],
    "en": ["Good morning everyone", "Thank you for the session", "May I ask something",
           "Ok", "Noted", "How do I upload a product in the app?", "Great", "Amen",
           "Which zoom link is it tomorrow?", "Sorry, just read this", "I left early, sorry",
           "When is the commission paid?", "I can log in now", "haha", "Present 🙋‍♀️"],
}
# Lines of pasted posts: lists, prices, dates and brackets at the start of a line, colons inside.
POST_LINES = ["*PROMO HARI INI* 🔥🔥", "Gamis Syari Premium bahan wolfis adem", "Harga: Rp 185.000",
              "Harga reseller: Rp 150.000 (min. 3 pcs)", "1. Warna hitam", "2. Warna navy",
              "3. Warna maroon", "12/09 jam 10 pagi kelas lanjutan ya", "[INFO] stok terbatas",
              "- ukuran S, M, L, XL", "Order: wa.me/6281234567890", "2023 target 100 pcs terjual",
              "08.00 - 10.00 sesi tanya jawab", "Link: https://evermos.com/r/abc123?ref=promise",
              "Catatan: ongkir ditanggung pembeli", "", "Yuk semangat jualan 💪💪💪",
              "Ketentuan: barang yang sudah dibeli tidak dapat ditukar kecuali cacat produksi, "
              "mohon video unboxing disimpan sebagai bukti ya kak 🙏"]
ICON = {"id": "{actor} mengubah ikon grup ini", "en": "{actor} changed this group's icon"}
NUMBER = {"id": "{actor} telah mengganti nomor teleponnya ke nomor baru. Ketuk untuk mengirim "
                "pesan atau menambahkan nomor baru.",
          "en": "{actor} changed their phone number to a new number. Tap to message or add the "
                "new number."}
SUBJECT = {"id": '{actor} mengubah subjek dari "{old}" ke "{new}"',
           "en": '{actor} changed the subject from "{old}" to "{new}"'}
ADDED = {"id": "{actor} menambahkan {target}", "en": "{actor} added {target}"}
JOINED = {"id": "{actor} bergabung menggunakan tautan undangan grup ini",
          "en": "{actor} joined using this group's invite link"}
LEFT = {"id": "{actor} keluar", "en": "{actor} left"}
REMOVED = {"id": "{actor} mengeluarkan {target}", "en": "{actor} removed {target}"}
AND = {"id": " dan ", "en": " and "}
YOU_DELETED = {"id": "Anda menghapus pesan ini", "en": "You deleted this message"}


def senders(n: int, rng) -> list[str]:
    """Names as contacts are saved: plain, with titles or emoji, or a bare phone number."""
    out = []
    for i in range(n):
        roll = rng.random()
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        if roll < 0.35:
            out.append(f"+62 8{rng.integers(11, 96)}-{rng.integers(1000, 9999)}-"
                       f"{rng.integers(100, 9999)}")
        elif roll < 0.5:
            out.append(f"{first} {last} {rng.choice(EMOJI)}")
        elif roll < 0.6:
            out.append(f"{rng.choice(EMOJI)} Bu {first} {i}")
        elif roll < 0.7:
            out.append(f"{first} Reseller {i}")
        else:
            out.append(f"{first} {last} {i}")
    return out


def _post(rng) -> str:
    """A pasted post: 3 to 30 lines, up to about two thousand characters."""
    lines = rng.choice(POST_LINES, size=int(rng.integers(3, 30)))
    return "\n".join(lines)


def _text(rng, lang: str) -> str:
    roll = rng.random()
    if roll < 0.025:
        return _post(rng)
    if roll < 0.15:  # a few lines, sometimes a blank one in between
        return "\n".join(rng.choice(SHORT[lang] + ["", "1. sudah", "2. belum"],
                                    size=int(rng.integers(2, 5)))).strip("\n") or "ok"
    text = str(rng.choice(SHORT[lang]))
    if rng.random() < 0.3:
        text += " " + "".join(rng.choice(EMOJI, size=int(rng.integers(1, 4))))
    if rng.random() < 0.05:
        text = "Harga: " + text  # a colon after the sender's
    return text


def make_lines(n_messages: int, fmt, seed: int = 1, n_senders: int = 3000) -> list[str]:
    """The rendered lines of an n_messages chat in one export format."""
    rng = np.random.default_rng(seed)
    lang = fmt.lang
    people = senders(n_senders, rng)
    admin = "Rina Evermos 🛍️"
    moment = dt.datetime(2023, 8, 1, 7, 0)
    gaps = rng.exponential(365 * 24 * 3600 / n_messages, size=n_messages)  # seconds: a year
    who = rng.integers(0, n_senders, size=n_messages)
    roll = rng.random(n_messages)

    def line(body, system=False):
        return render_line(moment, body, fmt, GROUP, system=system)

    notice = ("Pesan dan panggilan dienkripsi secara end-to-end. Tidak seorang pun di luar chat "
              "ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya." if lang == "id"
              else "Messages and calls are end-to-end encrypted. No one outside of this chat, not "
                   "even WhatsApp, can read or listen to them. Tap to learn more.")
    lines = [line(notice, system=True),
             line(f'{admin} {"membuat grup" if lang == "id" else "created group"} "{GROUP}"',
                  system=True)]
    media, deleted = MEDIA_TEXT[(fmt.platform, lang)], DELETED_TEXT[lang]
    if fmt.platform == "ios":
        deleted = LRM + deleted + "."
    for gap, w, r in zip(gaps.tolist(), who.tolist(), roll.tolist(), strict=True):
        moment += dt.timedelta(seconds=gap)
        person = people[w]
        if r < 0.04:  # system lines: about 4 in a hundred
            kind = int(r * 1000) % 8
            if kind == 0:
                several = AND[lang].join([", ".join(rng.choice(people, size=2)), people[w - 1]])
                body = ADDED[lang].format(actor=admin, target=several)
            elif kind == 1:
                body = ADDED[lang].format(actor=admin, target=person)
            elif kind in (2, 3):
                body = JOINED[lang].format(actor=person)
            elif kind == 4:
                body = LEFT[lang].format(actor=person)
            elif kind == 5:
                body = REMOVED[lang].format(actor=admin, target=person)
            elif kind == 6:
                body = (SUBJECT[lang].format(actor=person, old=GROUP, new=GROUP + " 2")
                        if r < 0.02 else ICON[lang].format(actor=person))
            else:
                body = NUMBER[lang].format(actor=person)
            lines.append(line(body, system=True))
        elif r < 0.14:
            lines.append(line(f"{person}: {media}"))
        elif r < 0.155:
            lines.append(line(f"{person}: {deleted if r < 0.15 else YOU_DELETED[lang]}"))
        else:
            lines.append(line(f"{person}: {_text(rng, lang)}"))
    return lines


def make_export(n_messages: int, target: Path, fmt=FORMATS[0], seed: int = 1) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(make_lines(n_messages, fmt, seed)) + "\n", encoding="utf-8")


def make_cohort_export(n_messages: int, folder: Path) -> Path:
    """The synthetic cohort generator's chat for 10,000 participants and about n_messages."""
    cohort = folder / "scale-10000"
    chat = cohort / "whatsapp" / "chat.txt"
    if not chat.exists():
        subprocess.run([sys.executable, "-m", "analysis", "generate", "--participants", "10000",
                        "--messages", str(n_messages), "--out", str(folder)], check=True)
    return chat


if __name__ == "__main__":
    chosen = {f.name: f for f in FORMATS}[sys.argv[3]] if len(sys.argv) > 3 else FORMATS[0]
    make_export(int(sys.argv[1]), Path(sys.argv[2]), chosen)
    print(f"wrote {sys.argv[2]}")
