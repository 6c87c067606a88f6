"""What WeasyPrint's tagged PDF leaves out and a screen reader needs: each table header cell's
/Scope (PDF/UA-1 7.5), so a data cell is read with its column's header. WeasyPrint tags <th>
as /TH but writes no scope; this adds it from where the header sits (the header row: /Column;
a header cell in a body row: /Row). pikepdf edits the structure tree and saves the file with
object streams and an /ID computed from its content, so the same page gives the same bytes."""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name

SECTIONS = (Name.THead, Name.TBody, Name.TFoot)


def _elements(node) -> list:
    """A structure element's child elements (marked-content numbers and references left out)."""
    kids = node.get("/K")
    if kids is None:
        return []
    kids = list(kids) if isinstance(kids, Array) else [kids]
    return [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]


def scope_table_headers(pdf: pikepdf.Pdf) -> int:
    """Give every /TH its /Scope (in its /A table attributes); the number of headers scoped."""
    scoped = 0
    stack = [(pdf.Root.StructTreeRoot, None)]
    while stack:
        node, section = stack.pop()
        for element in _elements(node):
            tag = element.S
            if tag == Name.TH:
                attributes = element.get("/A")
                if not isinstance(attributes, Dictionary):
                    attributes = element.A = Dictionary(O=Name.Table)
                attributes.Scope = Name.Column if section == Name.THead else Name.Row
                scoped += 1
            stack.append((element, tag if tag in SECTIONS else section))
    return scoped


def with_header_scopes(pdf_bytes: bytes) -> bytes:
    """A PDF WeasyPrint wrote, its table headers scoped."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        scope_table_headers(pdf)
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 deterministic_id=True)
    return out.getvalue()
