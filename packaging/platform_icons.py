"""Windows .ico and macOS .icns app icons, packed from the PNGs in resources/icons/app.

Both formats can hold PNG images as they are, so no image library is needed: the spec calls
this at build time on Windows and macOS (PyInstaller's own conversion would need Pillow).

    python packaging/platform_icons.py OUT_DIR     # writes OUT_DIR/flexml-studio.{ico,icns}
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PNG_DIR = ROOT / "resources" / "icons" / "app"
NAME = "flexml-studio-{size}.png"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry can say
# .icns entry types holding PNG data, by pixel size (the @2x types double a point size).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),  # 16 pt @2x
    (b"ic12", 64),  # 32 pt @2x
    (b"ic13", 256),  # 128 pt @2x
    (b"ic14", 512),  # 256 pt @2x
)


def png(size: int) -> bytes:
    data = (PNG_DIR / NAME.format(size=size)).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or struct.unpack(">II", data[16:24]) != (size, size):
        raise ValueError(f"{NAME.format(size=size)} is not a {size}x{size} PNG")
    return data


def ico_bytes(sizes: tuple[int, ...] = ICO_SIZES) -> bytes:
    """An .ico file: ICONDIR, one ICONDIRENTRY per size, then the PNGs (Windows Vista on)."""
    images = [png(size) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, data in zip(sizes, images, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


def icns_bytes() -> bytes:
    """An .icns file: 'icns', the total length, then (type, length, PNG) entries."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(data)) + data
        for kind, data in ((kind, png(size)) for kind, size in ICNS_TYPES)
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write(out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    ico = out_dir / "flexml-studio.ico"
    icns = out_dir / "flexml-studio.icns"
    ico.write_bytes(ico_bytes())
    icns.write_bytes(icns_bytes())
    return ico, icns


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "icons")):
        print(f"{path} ({path.stat().st_size} bytes)")
