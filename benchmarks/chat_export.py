"""Make a large WhatsApp export (Android, Indonesian, 24 h) for the parser benchmark."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

from analysis.chat_formats import FORMATS, render_export

PHRASES = ["Selamat pagi semua", "Terima kasih materinya bu", "Izin bertanya kak",
           "Bagaimana cara upload produk di aplikasi?", "Oke kak", "Siap hadir"]


def make_events(n_messages: int, n_senders: int = 500, seed: int = 1):
    rng = np.random.default_rng(seed)
    start = dt.datetime(2023, 8, 1, 7, 0)
    senders = [f"Peserta {i:04d}" if i % 2 else f"+62 812-{i:04d}-{(i * 7) % 10000:04d}"
               for i in range(n_senders)]
    events = [(start, "system", None, None, "encryption", None, None),
              (start, "system", None, None, "created", "Rina Evermos", None)]
    events += [(start, "system", None, None, "added", "Rina Evermos", s) for s in senders]
    minutes = np.sort(rng.integers(1, 60 * 24 * 365, size=n_messages))
    who = rng.integers(0, n_senders, size=n_messages)
    roll = rng.random(n_messages)
    phrase = rng.integers(0, len(PHRASES), size=n_messages)
    for m, w, r, p in zip(minutes.tolist(), who.tolist(), roll.tolist(), phrase.tolist(),
                          strict=True):
        moment = start + dt.timedelta(minutes=m)
        if r < 0.1:
            events.append((moment, "media", senders[w], None, None, None, None))
        elif r < 0.15:
            events.append((moment, "text", senders[w], PHRASES[p] + "\n" + PHRASES[-1 - p],
                           None, None, None))
        elif r < 0.151:
            events.append((moment, "system", None, None, "left", senders[w], None))
        else:
            events.append((moment, "text", senders[w], PHRASES[p], None, None, None))
    return events


def make_export(n_messages: int, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_export(make_events(n_messages), FORMATS[0], "Reseller Promise"),
                      encoding="utf-8")


if __name__ == "__main__":
    make_export(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]}")
