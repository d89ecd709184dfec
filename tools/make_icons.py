"""Draw Consult's app icons (a white "C" ring on the accent blue) as PNG, plus favicon.ico.

Pure Python (zlib + struct), so no imaging library is needed; the output is committed in
frontend/static/icons. Run again after changing the drawing:  python tools/make_icons.py
"""

import struct
import zlib
from pathlib import Path

ACCENT = (0x29, 0x52, 0xA3)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent.parent / "frontend" / "static" / "icons"


def pixel(x, y, size, *, maskable):
    """The colour at (x, y): a full-bleed square when maskable (the ring keeps to the safe zone),
    otherwise a rounded square with a transparent corner."""
    c = (size - 1) / 2
    dx, dy = x - c, y - c
    r = (dx * dx + dy * dy) ** 0.5
    corner = size * 0.18
    if not maskable:
        qx, qy = max(abs(dx) - (c - corner), 0), max(abs(dy) - (c - corner), 0)
        if (qx * qx + qy * qy) ** 0.5 > corner:
            return (0, 0, 0, 0)
    scale = 0.8 if maskable else 1.0  # maskable: a launcher may crop to the inner 80 %
    outer, inner = size * 0.34 * scale, size * 0.2 * scale
    gap = dx > 0 and abs(dy) < size * 0.11 * scale  # the opening of the "C"
    return (*WHITE, 255) if inner <= r <= outer and not gap else (*ACCENT, 255)


def png(size, *, maskable=False):
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y, size, maskable=maskable)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def ico(png_bytes, size):
    """An .ico holding one PNG image (every current browser reads PNG-in-ICO)."""
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png_bytes), 6 + 16)
    return struct.pack("<HHH", 0, 1, 1) + entry + png_bytes


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon-192.png").write_bytes(png(192))
    (OUT / "icon-512.png").write_bytes(png(512))
    (OUT / "icon-maskable-512.png").write_bytes(png(512, maskable=True))
    (OUT / "favicon.ico").write_bytes(ico(png(32), 32))


if __name__ == "__main__":
    main()
