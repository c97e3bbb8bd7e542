"""Email over SMTP. The channel's url is ``mailto:a@example.com,b@example.com``; the server comes
from PATROL_SMTP_HOST / PATROL_SMTP_PORT / PATROL_SMTP_USER / PATROL_SMTP_PASSWORD /
PATROL_SMTP_FROM / PATROL_SMTP_STARTTLS (1 to upgrade the connection)."""
import os
import smtplib
from email.message import EmailMessage

from api.notify.channels import DeliveryError, text_of, timeout


def recipients(url):
    return [a.strip() for a in url.split(":", 1)[-1].split(",") if a.strip()]


def send(channel, message):
    env = os.environ
    msg = EmailMessage()
    msg["Subject"] = message["title"]
    msg["From"] = env.get("PATROL_SMTP_FROM", "patrol@localhost")
    msg["To"] = ", ".join(recipients(channel.url))
    msg["Message-ID"] = f"<patrol-{message['id']}@{env.get('PATROL_SMTP_HOST', 'localhost')}>"
    msg.set_content(text_of(message))
    try:
        with smtplib.SMTP(env.get("PATROL_SMTP_HOST", "127.0.0.1"), int(env.get("PATROL_SMTP_PORT", "25")),
                          timeout=timeout()) as smtp:
            if env.get("PATROL_SMTP_STARTTLS") == "1":
                smtp.starttls()
            if env.get("PATROL_SMTP_USER"):
                smtp.login(env["PATROL_SMTP_USER"], env.get("PATROL_SMTP_PASSWORD", ""))
            refused = smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if refused:
        raise DeliveryError(f"refused: {refused}")
    return "250 accepted"
