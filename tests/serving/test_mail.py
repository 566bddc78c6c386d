"""The export email: through the Airflow SMTP connection to a local SMTP server, with the
workbook and the report attached as what they are; skipped, with a log line, when not set up."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook

from core.config import Settings, get_settings
from exports import write_export
from exports.mail import send_export

DAY = "2026-02-09"
SENDER = "irm@example.test"
RECIPIENTS = "lead@example.test, manager@example.test"


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
        asyncio.set_event_loop(None)


def set_smtp_connection(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True, "from_email": SENDER, "timeout": 10},
    }
    monkeypatch.setenv("AIRFLOW_CONN_IRM_SMTP", json.dumps(connection))


@pytest.fixture
def inbox(smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> Inbox:
    """The test SMTP server's inbox, with the irm_smtp connection and the recipients set."""
    inbox, port = smtp_server
    set_smtp_connection(monkeypatch, port)
    monkeypatch.setenv("IRM_EXPORT_EMAIL_TO", RECIPIENTS)
    return inbox


@pytest.fixture
def exported(settings: Settings, full_marts: Path) -> Path:
    return write_export(DAY)


def test_email_carries_the_workbook_and_the_report(exported: Path, inbox: Inbox) -> None:

    result = send_export(DAY, get_settings())

    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == ["lead@example.test", "manager@example.test"]
    message: EmailMessage = message_from_bytes(envelope.content, policy=default)
    assert message["Subject"] == f"Influencer report, week of {DAY}"
    assert message["To"] == RECIPIENTS
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert str(exported) in body and "browser" in body
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    workbook_name = f"influencer-workbook-{DAY}.xlsx"
    report_name = f"influencer-report-{DAY}.html"
    pdf_name = f"influencer-report-{DAY}.pdf"
    assert sorted(attachments) == sorted([workbook_name, report_name, pdf_name])
    assert result["attachments"] == [report_name, pdf_name, workbook_name]
    assert "forward" in body  # what the PDF is for

    pdf = attachments[pdf_name]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == (exported / pdf_name).read_bytes()

    workbook = attachments[workbook_name]
    assert workbook.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(workbook.get_content()))
    assert book.sheetnames[:2] == ["About", "Scorecard"]
    assert workbook.get_content() == (exported / workbook_name).read_bytes()

    report = attachments[report_name]
    assert report.get_content_type() == "text/html"
    assert report.get_content_charset() == "utf-8"
    html = report.get_content()
    assert html == (exported / report_name).read_text(encoding="utf-8")
    assert "<title>Influencer report, 2026-02-09</title>" in html


def test_without_a_pdf_the_email_carries_the_report_and_the_workbook(
    exported: Path, inbox: Inbox
) -> None:
    # An export machine without Chromium writes no PDF (exports/pdf.py): the rest still goes.
    (exported / f"influencer-report-{DAY}.pdf").unlink()
    result = send_export(DAY, get_settings())
    names = [f"influencer-report-{DAY}.html", f"influencer-workbook-{DAY}.xlsx"]
    assert result["attachments"] == names
    message = message_from_bytes(inbox.envelopes[0].content, policy=default)
    assert ".pdf" not in message.get_body(preferencelist=("plain",)).get_content()


def test_without_a_connection_the_email_is_skipped_with_a_log_line(
    exported: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_IRM_SMTP", raising=False)
    monkeypatch.setenv("IRM_EXPORT_EMAIL_TO", RECIPIENTS)
    with caplog.at_level(logging.WARNING, logger="exports.mail"):
        result = send_export(DAY, get_settings())
    assert "irm_smtp" in result["skipped"]
    # The line goes through the standard handlers, or, once an earlier test in the same
    # process has set up Airflow's structured logging, to stdout (as in a task's log).
    logged = [r.getMessage() for r in caplog.records] + capsys.readouterr().out.splitlines()
    assert any("export email skipped" in line for line in logged)


def test_without_recipients_nothing_is_sent(
    exported: Path,
    smtp_server: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox, port = smtp_server
    set_smtp_connection(monkeypatch, port)
    monkeypatch.delenv("IRM_EXPORT_EMAIL_TO", raising=False)
    with caplog.at_level(logging.WARNING, logger="exports.mail"):
        result = send_export(DAY, get_settings())
    assert "IRM_EXPORT_EMAIL_TO" in result["skipped"]
    assert inbox.envelopes == []


def test_an_export_that_was_not_written_is_an_error(settings: Settings, inbox: Inbox) -> None:
    with pytest.raises(FileNotFoundError, match="write the export first"):
        send_export(DAY, get_settings())
    assert inbox.envelopes == []


class FailedTask:
    dag_id, task_id, try_number = "irm_transform", "load_raw", 3


class FailedRun:
    run_id = "scheduled__2026-02-09T00:00:00+00:00"


def failure_context() -> dict:
    error = FileNotFoundError("landing/youtube/videos/dt=2026-02-09/records.jsonl")
    return {"task_instance": FailedTask(), "dag_run": FailedRun(), "exception": error}


def test_a_failed_task_emails_its_summary_when_smtp_is_set(
    smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from irm.orchestration import on_failure

    inbox, port = smtp_server
    set_smtp_connection(monkeypatch, port)
    monkeypatch.setenv("IRM_ALERT_EMAIL_TO", "oncall@example.test")
    on_failure(failure_context())
    assert len(inbox.envelopes) == 1
    assert inbox.envelopes[0].rcpt_tos == ["oncall@example.test"]
    message = message_from_bytes(inbox.envelopes[0].content, policy=default)
    assert message["Subject"] == "IRM task failed: irm_transform.load_raw"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "task=load_raw" in body and "try=3" in body
    assert "FileNotFoundError: landing/youtube/videos/dt=2026-02-09" in body


def test_without_smtp_a_failed_task_only_logs_its_summary(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from irm.orchestration import on_failure

    monkeypatch.delenv("AIRFLOW_CONN_IRM_SMTP", raising=False)
    monkeypatch.setenv("IRM_ALERT_EMAIL_TO", "oncall@example.test")
    with caplog.at_level(logging.INFO, logger="irm.orchestration"):
        on_failure(failure_context())
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("IRM task failed: dag=irm_transform task=load_raw") for m in messages)
    assert any("failure email not sent: no Airflow connection 'irm_smtp'" in m for m in messages)
