"""Exports of the published marts under `<exports>/<YYYY-MM-DD>/`.

Layout: `folder.py` holds what every format shares (the read-only source, the staged day folder,
the manifest); one module per format writes its files (`csv_export.py` now; an XLSX workbook, the
HTML report and the email go beside it as `xlsx_export.py`, `report.py`, `mail.py`).
"""

from exports.csv_export import write_csv_export, write_csvs

__all__ = ["write_csv_export", "write_csvs"]
