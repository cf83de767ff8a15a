"""Real local servers and realistic sample mail for tests, ``make demo`` and ``make bench``.

Like ``aiosmtpd.testing``, this ships inside the package so every consumer uses
the same helpers.  Import the module you need; nothing is imported here, so
``tests.support`` costs nothing and does not require the dev-only
``aiosmtpd`` unless ``smtpsink`` is used:

* ``tests.support.dovecot``: ``DovecotServer``, a throwaway Dovecot IMAP server.
* ``tests.support.smtpsink``: ``SmtpSink``, a collecting SMTP server with failure modes.
* ``tests.support.samples``: ``demo_messages()``, ``generate_mailbox()`` and metadata.
* ``tests.support.images`` / ``mime`` / ``corpus`` / ``ports``: their building blocks.
"""
