"""Where a raw folder's WhatsApp exports are, as phones make them.

A phone exports a group as `WhatsApp Chat with <group>.txt` (Android), `_chat.txt` (iOS), or,
"with media", a `.zip` holding that text beside photos, voice notes and documents. Staff drop
them in `whatsapp/` or leave them in the cohort folder with their own names. An export is found
by its content (its first line is a WhatsApp message header), never by its name; the media are
ignored and counted; every other file of the folder is listed as not used, so nothing is
skipped without a word.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError

# The start of an export's first line, Android or iOS, any locale: "8/1/23, 10:00 - ",
# "01/08/23 10.00 - ", "[01.08.23, 10.00.00] ", "2023-08-01 10:00 - " (after the LRM / BOM).
_HEADER = re.compile(r"^\[?\d{1,4}[./-]\d{1,2}[./-]\d{2,4},? \d{1,2}[.:]\d{2}")
_MARKS = "\ufeff\u200e\u200f"
MEDIA_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".mp4", ".3gp", ".mov",
                  ".opus", ".ogg", ".m4a", ".aac", ".mp3", ".amr", ".pdf", ".doc", ".docx",
                  ".xls", ".xlsx", ".ppt", ".pptx", ".vcf", ".webm", ".zip"}


# What the pipeline itself puts in a raw folder (make cohort, the generator): not "unused".
OWN_FILES = {"cohort.yml", "synthetic_truth.json", "BACA-SAYA.md"}


def looks_like_chat(data: bytes) -> bool:
    """Whether these bytes begin like a WhatsApp export (its first non-blank line)."""
    head = data[:4096].decode("utf-8", errors="replace")
    for line in head.splitlines():
        line = line.strip(_MARKS + " ").replace("\u202f", " ").replace("\u00a0", " ")
        if line:
            return bool(_HEADER.match(line))
    return False


@dataclass(frozen=True)
class Export:
    """One export file: a text file, or a chat inside a zip. Reads and names itself."""

    path: Path  # the file in the raw folder (the zip, for a chat inside one)
    member: str | None = None  # the chat's name inside the zip

    @property
    def name(self) -> str:
        return self.path.name if self.member is None else f"{self.path.name}/{self.member}"

    def label(self, raw_dir: Path) -> str:
        """How quality.json and the console name it: relative to the raw folder."""
        where = self.path.relative_to(raw_dir).as_posix()
        return where if self.member is None else f"{where}/{self.member}"

    def read_bytes(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)

    def stat(self):
        return self.path.stat()

    def __str__(self) -> str:
        return str(self.path) if self.member is None else f"{self.path} ({self.member})"


@dataclass
class Found:
    exports: list[Export] = field(default_factory=list)
    media: int = 0  # photos, voice notes, documents shipped inside the zips: not messages
    unused: list[str] = field(default_factory=list)  # files of the raw folder nothing reads


def find_exports(raw_dir: str | Path, tables: list[Path]) -> Found:
    """Every WhatsApp export under `raw_dir`: all text files and zipped chats in `whatsapp/`,
    and those in the folder itself whose content is a chat. `tables`: the files already taken
    as roster, attendance, follow-up and overrides (a `roster.txt` is a table, not a chat)."""
    raw_dir = Path(raw_dir)
    found = Found()
    taken = {Path(t).resolve() for t in tables}
    chat_dir = raw_dir / "whatsapp"
    inside = sorted(p for p in chat_dir.rglob("*") if p.is_file()) if chat_dir.is_dir() else []
    for path in inside:
        if path.name.startswith(".") or path.name.startswith("~$"):
            continue
        if path.suffix.casefold() == ".zip":  # (an .xlsx or .docx is a zip inside too: media)
            _from_zip(path, found, raw_dir, required=True)
        elif path.suffix.casefold() == ".txt":
            found.exports.append(Export(path))
        elif path.suffix.casefold() in MEDIA_SUFFIXES:
            found.media += 1  # media saved beside an export
        else:
            found.unused.append(path.relative_to(raw_dir).as_posix())
    for path in sorted(p for p in raw_dir.iterdir() if p.is_file()):
        if path.resolve() in taken or path.name in OWN_FILES or path.name.startswith("."):
            continue
        if zipfile.is_zipfile(path) and path.suffix.casefold() == ".zip":
            if not _from_zip(path, found, raw_dir, required=False):
                found.unused.append(path.name)
        elif path.suffix.casefold() == ".txt" and looks_like_chat(_head(path)):
            found.exports.append(Export(path))
        else:
            found.unused.append(path.name)
    return found


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(4096)


def _from_zip(path: Path, found: Found, raw_dir: Path, required: bool) -> bool:
    """The chats inside a zip (by content), its media counted; False when it holds no chat."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            chats = [m.filename for m in members if m.filename.casefold().endswith(".txt")
                     and looks_like_chat(archive.open(m).read(4096))]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"is a damaged zip file ({exc}); export the chat again") from None
    if not chats:
        if required:
            raise InputError(path, "holds no WhatsApp chat (a .txt file starting with a date "
                                   "and time); export the chat again from the phone")
        return False
    found.exports.extend(Export(path, member) for member in sorted(chats))
    found.media += len(members) - len(chats)
    return True
