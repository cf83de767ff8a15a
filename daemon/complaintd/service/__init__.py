"""Running complaintd: one pass (``once``) and the daemon (``run``)."""
