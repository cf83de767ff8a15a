"""Faxed complaints: the gateway's mail, reading the pages (OCR), answering by fax.

The main process imports only the light modules here (gateway, numbers, answer);
the OCR engines and page rendering live in :mod:`complaintd.fax.ocr`, which only the
OCR worker process imports (its models take hundreds of megabytes).
"""
