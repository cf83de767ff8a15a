"""Tests of the customer-mail templates and their renderer (complaintd.render)."""
