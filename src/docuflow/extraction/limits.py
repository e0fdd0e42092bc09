"""Resource limits for one extraction (plain data, JSON-serializable)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # Enforced by the sandboxed runner on the child process.
    wall_seconds: float = 120.0
    cpu_seconds: float = 120.0
    memory_bytes: int = 1024 * MIB
    # Enforced by the readers before any expensive work.
    max_pages: int = 500
    max_file_bytes: int = 200 * MIB
    max_image_pixels: int = 90_000_000  # ~ an A3 page at 600 dpi
    max_render_pixels: int = 40_000_000  # cap on a PDF page rendered for OCR
    max_zip_uncompressed_bytes: int = 250 * MIB
    max_zip_ratio: int = 200  # uncompressed/compressed, per member above 1 MiB
    max_zip_members: int = 10_000
    max_spreadsheet_cells: int = 1_000_000
    ocr_dpi: int = 300
    ocr_workers: int = 0  # 0 = one per CPU

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Limits:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        return cls(**data)
