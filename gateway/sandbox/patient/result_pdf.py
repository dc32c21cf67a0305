"""Result PDFs for the sandbox: a small, valid one-page PDF per downloadable order, built on demand.

The bytes depend only on the order (name, key, result instant), so the same seed gives the same PDF.
"""

from __future__ import annotations

import hashlib

from gateway.sandbox.patient.model import LabOrder

__all__ = ["dcs_id", "result_pdf"]


def dcs_id(order: LabOrder) -> str:
    """The document id GetDocumentGenerationInfo hands out for ``order`` (opaque, stable)."""
    return "DCS-" + hashlib.sha256(f"result-pdf\x1f{order.key}".encode()).hexdigest()[:32]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def result_pdf(order: LabOrder) -> bytes:
    """A minimal PDF 1.4 with the order name and result time as its only text."""
    metadata = order.list_entry["orderMetadata"]
    lines = [str(order.list_entry["name"]), f"Resulted {metadata.get('prioritizedInstantDisplay', '')}"]
    text = " ".join(f"({_escape(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {text} ET".encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
