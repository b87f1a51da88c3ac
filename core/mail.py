"""Outgoing e-mail over SMTP; in development without an SMTP server, printed to the console.

Only ``homeward outbox send`` (:mod:`core.outbox.sender`) calls :func:`send_mail`: requests
write an outbox row instead and never wait for an SMTP server. Messages Homeward sends carry
links and reference numbers only, never personal data.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from email.message import EmailMessage
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit

from core.exceptions import HomewardError
from core.settings_sections import MailSettings

log = logging.getLogger("homeward.mail")

#: Seconds to wait for the SMTP server (connect and each reply).
SMTP_TIMEOUT = 10


class MailNotConfigured(HomewardError, RuntimeError):
    """Production without ``HOMEWARD_SMTP_URL``: e-mail cannot be sent."""


def compose(
    mail: MailSettings,
    to: str,
    subject: str,
    body: str,
    *,
    message_id: str | None = None,
    language: str | None = None,
) -> EmailMessage:
    """The plain-text message as it goes out (``Message-ID`` given, or none)."""
    if getaddresses([to]) != [("", to)]:
        # A comma or a display name would make the To header (and smtplib's envelope) name
        # other recipients than the one meant.
        raise ValueError("a message goes to exactly one plain address")
    message = EmailMessage()
    message["From"] = mail.mail_from
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    if language:  # after set_content, which replaces every Content-* header
        message["Content-Language"] = language
    return message


def send_mail(
    mail: MailSettings,
    to: str,
    subject: str,
    body: str,
    *,
    message_id: str | None = None,
    language: str | None = None,
) -> None:
    """Send a plain-text message; raises OSError/SMTPException when the server refuses (and
    MailNotConfigured in production without an SMTP server)."""
    message = compose(mail, to, subject, body, message_id=message_id, language=language)
    if not mail.smtp_url:
        if mail.production:
            raise MailNotConfigured("HOMEWARD_SMTP_URL is not set; cannot send e-mail")
        print(f"--- e-mail (development console) ---\n{message}", file=sys.stderr)
        return
    parts = urlsplit(mail.smtp_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 25
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(host, port, timeout=SMTP_TIMEOUT) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        # The envelope is the one recipient given: smtplib would otherwise parse it out of the
        # To header, where a comma in the address makes two recipients.
        smtp.send_message(message, to_addrs=[to])
    log.info("mail sent: %s", message_id or "(no message id)")
