"""Exports of the published marts under `<exports>/<YYYY-MM-DD>/`.

Layout: `folder.py` holds what every format shares (the read-only source pinned for the run,
the staged day folder, the manifest); one module per format writes its files (`csv_export.py`,
`workbook.py` for the XLSX workbook, `report.py` with `charts.py` and `templates/` for the HTML
report); `run.py` strings them together; `mail.py` sends the result through an Airflow SMTP
connection; `glossary.py` holds the plain-language words all of them use.
"""

from exports.run import FORMATS, write_export, write_format

__all__ = ["FORMATS", "write_export", "write_format"]
