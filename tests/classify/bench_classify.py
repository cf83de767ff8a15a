import time, sys, datetime
from complaintd.testing.samples import generate_mailbox
from complaintd.classify import classify, extract_registration, detect_language
from complaintd.parse import parse_message
ps = [parse_message(r) for r in generate_mailbox(1000, seed=1)]
d = datetime.date(2026, 11, 20)
def t(name, fn):
    s = time.perf_counter()
    for p in ps: fn(p)
    print(f"{name:12} {(time.perf_counter()-s):.3f} ms/msg")
t("classify", lambda p: classify(p.subject, p.body.text))
t("extract", lambda p: extract_registration(p.subject, p.body.text, d))
t("lang", lambda p: detect_language(p.subject + p.body.text))
