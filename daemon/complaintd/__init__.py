"""complaintd: an email-driven customer-complaint desk."""

__version__ = "0.1.0"
