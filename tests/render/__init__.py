"""Tests of the mail templates (customer and internal) and their renderer (complaintd.render)."""
