"""The ledger of the admins' reports (migration 12): each digest and monthly report sent.

Like every timed mail (:mod:`complaintd.store.timed`), a report is sent at most once
because its period is a row here under a unique key (kind, period), inserted in the
same transaction as its outbox row: a repeated ``once``, a restarted ``run`` or a
second instance finds the key taken and sends nothing.  A report belongs to no ticket,
which is why it has its own table rather than a ``timed_step`` row.
"""

from __future__ import annotations

import peewee

from complaintd.store.fields import UtcDateTimeField
from complaintd.store.models import BaseModel


class ReportMail(BaseModel):
    """One report mailed to the admins: the digest of a day, the report of a month."""

    id = peewee.AutoField()
    kind = peewee.CharField()  # a MailKind: digest | monthly_report
    period = peewee.CharField()  # YYYY-MM-DD (digest) or YYYY-MM (monthly report)
    outbox_id = peewee.IntegerField(null=True)  # the mail; null: no admins to send to
    taken_at = UtcDateTimeField()  # the clock's now when it was taken

    class Meta:
        indexes = ((("kind", "period"), True),)


REPORT_MODELS: tuple[type[BaseModel], ...] = (ReportMail,)
