"""Email the week's workbook and HTML report through the Airflow SMTP connection `irm_smtp`;
failure alerts (`send_alert`) go through the same connection.

Optional: without the connection, or without recipients (IRM_EXPORT_EMAIL_TO), the email is
skipped with a log line and the export stands on its own. The connection is Airflow's SMTP
type (host, port, login, password; extra `from_email`, `disable_tls`, `disable_ssl`, `timeout`).
Attachments carry their real MIME types, so mail clients open the workbook in a spreadsheet
program and the report in a browser.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from core.config import Settings, get_settings
from exports.folder import MANIFEST, export_day
from exports.report import REPORT_NAME
from exports.workbook import WORKBOOK_NAME

log = logging.getLogger(__name__)

# The Airflow SMTP connection the export and the failure alerts go through.
SMTP_CONNECTION_ID = "irm_smtp"

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
HTML_TYPE = ("text", "html")
PDF_TYPE = ("application", "pdf")
# Mail servers commonly refuse messages over 20-25 MB; a bigger file stays in the folder.
MAX_ATTACHMENTS_BYTES = 15 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    path: Path
    mime: tuple[str, str]


def send_export(day: str, settings: Settings | None = None) -> dict[str, Any]:
    """Send `<exports>/<day>/`'s report, its PDF (when the export could print one) and the
    workbook; a skip says why."""
    settings = settings or get_settings()
    day = export_day(day)
    conn_id = SMTP_CONNECTION_ID
    connection = _smtp_connection(conn_id)
    if connection is None:
        reason = (
            f"no Airflow connection {conn_id!r} (set it in the UI or as "
            f"AIRFLOW_CONN_{conn_id.upper()})"
        )
        log.warning("export email skipped: %s", reason)
        return {"skipped": reason}
    if not settings.export_email_to:
        reason = "no recipients (set IRM_EXPORT_EMAIL_TO)"
        log.warning("export email skipped: %s", reason)
        return {"skipped": reason}
    folder = settings.export_dir_for(day)
    sender = _sender(conn_id, connection)
    message = build_message(folder, day, sender, list(settings.export_email_to))
    _send(conn_id, message)
    attached = [p.get_filename() for p in message.iter_attachments()]
    log.info("export email for %s sent to %s with %s", day, settings.export_email_to, attached)
    return {"to": list(settings.export_email_to), "attachments": attached}


def build_message(folder: Path, day: str, sender: str, recipients: list[str]) -> EmailMessage:
    report = folder / REPORT_NAME.format(day=day)
    required = [
        Attachment(report, HTML_TYPE),
        Attachment(folder / WORKBOOK_NAME.format(day=day), XLSX_TYPE),
    ]
    missing = [a.path.name for a in required if not a.path.exists()]
    if missing:
        raise FileNotFoundError(f"export {folder} lacks {missing}: write the export first")
    # The PDF is written only where Chromium is installed (exports/pdf.py): attached when there.
    pdf = Attachment(report.with_suffix(".pdf"), PDF_TYPE)
    attachments = [required[0], *([pdf] if pdf.path.exists() else []), required[1]]
    attached, left_out = _within_size(attachments)
    message = EmailMessage()
    message["Subject"] = f"Influencer report, week of {day}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(_body(folder, day, attached, left_out))
    for attachment in attached:
        maintype, subtype = attachment.mime
        # Base64 of the file's bytes: the attachment is the file (its sha256 is the manifest's).
        message.add_attachment(
            attachment.path.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.path.name,
            params={"charset": "utf-8"} if maintype == "text" else {},
        )
    return message


def _within_size(attachments: list[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    attached, left_out, total = [], [], 0
    for attachment in attachments:
        size = attachment.path.stat().st_size
        if total + size <= MAX_ATTACHMENTS_BYTES:
            attached.append(attachment)
            total += size
        else:
            left_out.append(attachment)
    return attached, left_out


def _body(folder: Path, day: str, attached: list[Attachment], left_out: list[Attachment]) -> str:
    lines = [
        f"Hello,\n\nthe influencer report for the week of {day} is attached:",
        *[f"- {a.path.name}" for a in attached],
        "",
        "Open the .html file in a browser for the charts and the explanations of every metric "
        "and flag (it also prints well); the .xlsx workbook has the full tables and charts.",
    ]
    if any(a.mime == PDF_TYPE for a in attached):
        lines.append("The .pdf is the same report as a document, to forward.")
    if left_out:
        lines += ["", "Too large to attach, to be found in the export folder:"]
        lines += [f"- {a.path.name}" for a in left_out]
    lines += ["", f"Export folder (with one CSV per table): {folder}"]
    manifest = folder / MANIFEST
    if manifest.exists():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        lines.append(f"Data published {info.get('published_at') or 'at an unknown time'}.")
    return "\n".join(lines) + "\n"


def send_alert(subject: str, text: str, settings: Settings | None = None) -> dict[str, Any]:
    """A plain-text alert to IRM_ALERT_EMAIL_TO (default: the export's recipients); a skip
    says why (no `irm_smtp` connection, or no recipients)."""
    settings = settings or get_settings()
    conn_id = SMTP_CONNECTION_ID
    connection = _smtp_connection(conn_id)
    if connection is None:
        return {"skipped": f"no Airflow connection {conn_id!r}"}
    if not settings.alert_email_to:
        return {"skipped": "no recipients (set IRM_ALERT_EMAIL_TO or IRM_EXPORT_EMAIL_TO)"}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender = _sender(conn_id, connection)
    message["To"] = ", ".join(settings.alert_email_to)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(text)
    _send(conn_id, message)
    return {"to": list(settings.alert_email_to)}


def _sender(conn_id: str, connection: Any) -> str:
    sender = connection.extra_dejson.get("from_email") or connection.login
    if not sender or "@" not in sender:
        raise ValueError(f"connection {conn_id!r} needs extra.from_email (the sender address)")
    return sender


def _smtp_connection(conn_id: str) -> Any | None:
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def _send(conn_id: str, message: EmailMessage) -> None:
    """Log in through Airflow's SmtpHook (TLS, SSL, credentials, retries as the connection
    says) and send the message as built: the hook's own send_email_smtp would label every
    attachment application/octet-stream."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        client = hook._smtp_client  # the logged-in smtplib client the hook manages
        if client is None:
            raise RuntimeError(f"SMTP connection {conn_id!r} did not open")
        client.send_message(message)
