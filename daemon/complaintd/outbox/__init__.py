"""The outbox: every outgoing mail is a row until the SMTP server said 250."""
