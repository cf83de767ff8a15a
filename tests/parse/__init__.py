"""Tests of the pure parse stage (complaintd.parse)."""
