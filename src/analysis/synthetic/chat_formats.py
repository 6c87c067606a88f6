"""Write a chat as WhatsApp exports it, in each phone and locale format the parser must read.

The one writer of WhatsApp lines: the generator's chat (writers), the deliveries' second phone
and iPhone exports (deliveries) and the parser's tests all render through it. One list of
events, many renderings (Android or iOS, Indonesian or English, 24- or 12-hour clock, several
date spellings), so a test can check that the parser gets back exactly the events it was given,
and a change in how WhatsApp writes a line is made here once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LRM = "\u200e"  # iOS marks system lines and media with it
NNBSP = "\u202f"  # newer exports put it between the time and AM/PM

SYSTEM_TEXT = {
    "id": {
        "encryption": "Pesan dan panggilan dienkripsi secara end-to-end. Tidak seorang pun di luar "
                      "chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya.",
        "created": '{actor} membuat grup "{group}"',
        "added": "{actor} menambahkan {target}",
        "joined": "{actor} bergabung menggunakan tautan undangan grup ini",
        "left": "{actor} keluar",
        "removed": "{actor} mengeluarkan {target}",
        "group_changed": '{actor} mengubah subjek dari "{group}" ke "{group}: lanjutan"',
    },
    "en": {
        "encryption": "Messages and calls are end-to-end encrypted. No one outside of this chat, "
                      "not even WhatsApp, can read or listen to them. Tap to learn more.",
        "created": '{actor} created group "{group}"',
        "added": "{actor} added {target}",
        "joined": "{actor} joined using this group's invite link",
        "left": "{actor} left",
        "removed": "{actor} removed {target}",
        "group_changed": '{actor} changed the subject from "{group}" to "{group}: part 2"',
    },
}
MEDIA_TEXT = {("android", "id"): "<Media tidak disertakan>", ("android", "en"): "<Media omitted>",
              ("ios", "id"): f"{LRM}gambar tidak disertakan", ("ios", "en"): f"{LRM}image omitted"}
DELETED_TEXT = {"id": "Pesan ini telah dihapus", "en": "This message was deleted"}
# Android phones end the Indonesian encryption notice with a pointer to more (the generator's
# exports have it): render_export(..., wording=ENCRYPTION_TAP_FOR_MORE).
ENCRYPTION_TAP_FOR_MORE = {
    "encryption": SYSTEM_TEXT["id"]["encryption"] + " Ketuk untuk info selengkapnya."}


@dataclass(frozen=True)
class ExportFormat:
    platform: str  # "android" | "ios"
    lang: str  # "id" | "en"
    clock: int  # 24 | 12
    date: str  # strftime pattern for the date part

    @property
    def name(self) -> str:
        separator = {"/": "slash", ".": "dot", "-": "dash"}[self.date[2]]
        order = self.date.replace("%", "")[::2]
        return f"{self.platform}-{self.lang}-{self.clock}h-{order}-{separator}"


FORMATS = [
    ExportFormat("android", "id", 24, "%d/%m/%y"),
    ExportFormat("android", "en", 24, "%d/%m/%Y"),
    ExportFormat("android", "en", 12, "%m/%d/%y"),
    ExportFormat("android", "id", 12, "%d/%m/%y"),
    ExportFormat("ios", "id", 24, "%d/%m/%y"),
    ExportFormat("ios", "en", 12, "%m/%d/%y"),
    ExportFormat("ios", "en", 24, "%d.%m.%Y"),
    ExportFormat("android", "en", 24, "%Y-%m-%d"),
]


def _time(moment: dt.datetime, fmt: ExportFormat, seconds: bool) -> str:
    sep = "." if fmt.lang == "id" else ":"
    if fmt.clock == 24:
        text = f"{moment:%H}{sep}{moment:%M}"
        return text + (f"{sep}{moment:%S}" if seconds else "")
    hour = moment.hour % 12 or 12
    text = f"{hour}{sep}{moment:%M}" + (f"{sep}{moment:%S}" if seconds else "")
    return f"{text}{NNBSP}{'AM' if moment.hour < 12 else 'PM'}"


def render_line(moment: dt.datetime, body: str, fmt: ExportFormat, group: str,
                system: bool) -> str:
    date = moment.strftime(fmt.date)
    if fmt.platform == "android":
        comma = "," if fmt.lang == "en" else ""
        return f"{date}{comma} {_time(moment, fmt, False)} - {body}"
    stamp = f"[{date}{', ' if fmt.lang == 'en' else ' '}{_time(moment, fmt, True)}] "
    # iOS writes system lines as if the group itself had said them, marked with U+200E
    return stamp + (f"{group}: {LRM}{body}" if system else body)


def render_export(events, fmt: ExportFormat, group: str, wording: dict | None = None) -> str:
    """events: (moment, kind, sender, text, event, actor, target) in time order, where kind is
    text/media/deleted/system and text is the message for kind=text. `wording` ({event:
    template}) replaces SYSTEM_TEXT's for some system lines, as a particular phone words them."""
    system_text = {**SYSTEM_TEXT[fmt.lang], **(wording or {})}
    lines = []
    for moment, kind, sender, text, event, actor, target in events:
        if kind == "system":
            body = system_text[event].format(actor=actor, target=target, group=group)
            lines.append(render_line(moment, body, fmt, group, system=True))
            continue
        if kind == "media":
            text = MEDIA_TEXT[(fmt.platform, fmt.lang)]
        elif kind == "deleted":
            text = DELETED_TEXT[fmt.lang]
        lines.append(render_line(moment, f"{sender}: {text}", fmt, group, system=False))
    return "\n".join(lines) + "\n"


def display_phone(e164: str) -> str:
    """A number as WhatsApp shows a sender it has no saved name for: +62 812-3456-7890."""
    import phonenumbers

    return phonenumbers.format_number(phonenumbers.parse(e164),
                                      phonenumbers.PhoneNumberFormat.INTERNATIONAL)
