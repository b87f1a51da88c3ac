"""Outgoing e-mail over SMTP; in development without an SMTP server, printed to the console.

Messages Homeward sends carry links and reference numbers only, never personal data.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger("homeward.mail")


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message; raises OSError/SMTPException when the server refuses."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    url = current_app.config["SMTP_URL"]
    if not url:
        if current_app.config["ENV"] == "production":
            raise RuntimeError("HOMEWARD_SMTP_URL is not set; cannot send e-mail")
        print(f"--- e-mail (development console) ---\n{message}", file=sys.stderr)
        return
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 25
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(host, port, timeout=10) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
    log.info("mail sent: %s", subject)
