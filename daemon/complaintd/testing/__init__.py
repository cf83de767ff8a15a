"""Real local servers and realistic sample mail for tests, ``make demo`` and ``make bench``.

Like ``aiosmtpd.testing``, this ships inside the package so every consumer uses
the same helpers.  Import the module you need; nothing is imported here, so
``complaintd.testing`` costs nothing and does not require the dev-only
``aiosmtpd`` unless ``smtpsink`` is used:

* ``complaintd.testing.dovecot``: ``DovecotServer``, a throwaway Dovecot IMAP server.
* ``complaintd.testing.smtpsink``: ``SmtpSink``, a collecting SMTP server with failure modes.
* ``complaintd.testing.samples``: ``demo_messages()``, ``generate_mailbox()`` and metadata.
* ``complaintd.testing.images`` / ``mime`` / ``corpus`` / ``ports``: their building blocks.
"""
