"""Serialization to a Textract AnalyzeDocument-like response (FORMS + TABLES).

Block types PAGE, LINE, WORD, KEY_VALUE_SET (EntityTypes KEY / VALUE), TABLE and CELL,
with Id, Confidence, Geometry, Page and Relationships, so code written against Textract
(like the seed's ``_parse_key_value_pairs``) reads our output unchanged. KEY blocks carry
the printed label's words; a form field has no printed label we could point at, so its
field name becomes extra WORD blocks that belong to no LINE.
"""

from __future__ import annotations

from .model import BBox, Extraction

_FULL_PAGE = BBox(0.0, 0.0, 1.0, 1.0)


def to_textract_response(ex: Extraction) -> dict:
    blocks: list[dict] = []
    page_children: dict[int, list[str]] = {p.number: [] for p in ex.pages}

    for line in ex.lines:
        page_children[line.page].append(line.id)
    line_blocks = [
        {
            "BlockType": "LINE",
            "Id": line.id,
            "Page": line.page,
            "Confidence": line.confidence,
            "Text": line.text,
            "Geometry": line.bbox.to_textract(),
            "Relationships": [{"Type": "CHILD", "Ids": list(line.word_ids)}],
        }
        for line in ex.lines
    ]
    word_blocks = [
        {
            "BlockType": "WORD",
            "Id": w.id,
            "Page": w.page,
            "Confidence": w.confidence,
            "Text": w.text,
            "TextType": "PRINTED",
            "Geometry": w.bbox.to_textract(),
        }
        for w in ex.words
    ]

    kv_blocks: list[dict] = []
    for n, kv in enumerate(ex.key_values.values(), start=1):
        key_id, value_id = f"kv{n}k", f"kv{n}v"
        key_words = list(kv.key_word_ids)
        if not key_words:  # form field or fallback: name the key with synthetic words
            for i, text in enumerate(kv.key.split(), start=1):
                wid = f"{key_id}w{i}"
                key_words.append(wid)
                word_blocks.append(
                    {
                        "BlockType": "WORD",
                        "Id": wid,
                        "Page": kv.page,
                        "Confidence": kv.confidence,
                        "Text": text,
                        "TextType": "PRINTED",
                        "Geometry": (kv.bbox or _FULL_PAGE).to_textract(),
                    }
                )
        key_box = kv.key_bbox or kv.bbox
        kv_blocks.append(
            {
                "BlockType": "KEY_VALUE_SET",
                "Id": key_id,
                "Page": kv.page,
                "Confidence": kv.confidence,
                "EntityTypes": ["KEY"],
                "Geometry": (key_box or kv.bbox or _FULL_PAGE).to_textract(),
                "Relationships": [
                    {"Type": "VALUE", "Ids": [value_id]},
                    {"Type": "CHILD", "Ids": key_words},
                ],
            }
        )
        kv_blocks.append(
            {
                "BlockType": "KEY_VALUE_SET",
                "Id": value_id,
                "Page": kv.page,
                "Confidence": kv.confidence,
                "EntityTypes": ["VALUE"],
                "Geometry": (kv.bbox or _FULL_PAGE).to_textract(),
                "Relationships": [{"Type": "CHILD", "Ids": list(kv.word_ids)}],
            }
        )
        page_children.setdefault(kv.page, []).append(key_id)

    table_blocks: list[dict] = []
    for table in ex.tables:
        cell_ids = []
        for cell in table.cells:
            cid = f"{table.id}r{cell.row}c{cell.column}"
            cell_ids.append(cid)
            table_blocks.append(
                {
                    "BlockType": "CELL",
                    "Id": cid,
                    "Page": table.page,
                    "Confidence": cell.confidence,
                    "RowIndex": cell.row,
                    "ColumnIndex": cell.column,
                    "RowSpan": cell.row_span,
                    "ColumnSpan": cell.column_span,
                    "Geometry": (cell.bbox or table.bbox or _FULL_PAGE).to_textract(),
                    "Relationships": [{"Type": "CHILD", "Ids": list(cell.word_ids)}],
                }
            )
        table_blocks.append(
            {
                "BlockType": "TABLE",
                "Id": table.id,
                "Page": table.page,
                "Confidence": min((c.confidence for c in table.cells), default=100.0),
                "Geometry": (table.bbox or _FULL_PAGE).to_textract(),
                "Relationships": [{"Type": "CHILD", "Ids": cell_ids}],
            }
        )
        page_children.setdefault(table.page, []).append(table.id)

    for p in ex.pages:
        blocks.append(
            {
                "BlockType": "PAGE",
                "Id": f"page{p.number}",
                "Page": p.number,
                "Geometry": _FULL_PAGE.to_textract(),
                "Relationships": [{"Type": "CHILD", "Ids": page_children.get(p.number, [])}],
            }
        )
    blocks.extend(line_blocks)
    blocks.extend(word_blocks)
    blocks.extend(kv_blocks)
    blocks.extend(table_blocks)
    return {
        "DocumentMetadata": {"Pages": ex.page_count},
        "JobStatus": "SUCCEEDED",
        "Blocks": blocks,
    }
