#!/usr/bin/python3
"""tests/bench/corpus.py - the realistic ticket corpus of make bench.

    corpus.py [--tickets N] [--seed S] < schema.json > corpus.ndjson

Writes N tickets (default 100,000: about 220 MB) as fd-fetch writes
them with include=description,requester,stats: the SCHEMA line read on
stdin (fd-fetch's, from --discover), then one RECORD line a ticket and a
STATE after each hundred, as fd-fetch's pages. The same seed gives the same bytes.

What makes it realistic, against the simulator's tickets (FRESHDESK.md
1.6, issue 19): description_text of hundreds to thousands of characters (a
log-normal length, median 220, 4 in 100 over 900)
with escapes (quotes, backslashes, newlines, tabs), control characters,
emoji and CJK, and its HTML twin in description; tags, the four cc lists
and to_emails, and attachments, so that fd-normalize makes about 9 rows
a ticket across 8 tables; custom fields of mixed types.
"""

import argparse
import json
import math
import random
import sys

WORDS = ("the order was not delivered on time and the customer wants a "
         "refund please check the invoice attached below thanks for your "
         "help with this issue we tried to reset the password but the link "
         "expired again our account manager said the upgrade would be free "
         "can you confirm the shipping address and the tracking number").split()
# words of other scripts, with escapes and controls JSON must carry
ODD = ["caf\u00e9", "na\u00efve", "\u00fcber", "\u6ce8\u6587", "\u914d\u9001",
       "\u8fd4\u91d1", "\u304a\u5ba2\u69d8", "\uc8fc\ubb38", "\U0001f600",
       "\U0001f4e6", "\U0001f64f", "\u2014", "\"quoted\"", "back\\slash",
       "C:\\Users\\me", "tab\there", "bell\u0007", "nul\u0001x",
       "\u200bzero-width", "line\u2028sep"]
TAGS = ["billing", "vip", "refund", "shipping", "bug", "feature", "urgent",
        "returns", "warranty", "login", "api", "mobile", "\u914d\u9001",
        "caf\u00e9"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example"]
TYPES = ["Question", "Incident", "Problem", "Feature Request", "Refund",
         None]
FILES = [("screenshot.png", "image/png"), ("invoice.pdf", "application/pdf"),
         ("log.txt", "text/plain"), ("\u8acb\u6c42\u66f8.pdf",
                                       "application/pdf")]


def stamp(t):
    """The API's time format for t seconds after 2022-01-01."""
    base = 1640995200 + t
    days, s = divmod(base, 86400)
    # civil from days (Howard Hinnant's algorithm)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (m <= 2)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, s // 3600,
                                              s // 60 % 60, s % 60)


def text(r, lo, hi, median=0):
    """Words to between lo and hi characters (log-normal around median
    when given, else uniform), now and then an odd one and a line
    break."""
    goal = min(hi, max(lo, int(r.lognormvariate(math.log(median), 0.8)))) \
        if median else r.randint(lo, hi)
    out, n = [], 0
    while n < goal:
        w = r.choice(ODD) if r.random() < 0.06 else r.choice(WORDS)
        if r.random() < 0.03:
            w += ".\n" if r.random() < 0.7 else ".\r\n\n"
        out.append(w)
        n += len(w) + 1
    return " ".join(out)


def emails(r, mean):
    """A list of about mean addresses (at times null, as the API does)."""
    if r.random() < 0.05:
        return None
    k = r.randint(0, round(2 * mean))
    return ["%s.%d@%s" % (r.choice(WORDS), r.randint(1, 9999),
                          r.choice(DOMAINS)) for _ in range(k)]


def ticket(r, i, t):
    body = text(r, 40, 8000, median=220)
    html = "<div dir=\"ltr\">" + "".join(
        "<p>%s</p>" % p.replace("&", "&amp;").replace("<", "&lt;")
        for p in body.split("\n")) + "</div>"
    created = t - r.randint(0, 86400 * 30)
    files = [dict(zip(("name", "content_type"), r.choice(FILES)))
             for _ in range(r.choice((0, 0, 0, 1, 1, 2)))]
    for k, f in enumerate(files):
        f.update(id=67011000000 + i * 10 + k, size=r.randint(100, 5000000),
                 attachment_url="https://s3.amazonaws.com/cdn.freshdesk.com/"
                 "data/helpdesk/attachments/production/%d/original/%s?"
                 "X-Amz-Signature=%032x" % (i * 10 + k, f["name"],
                                            r.getrandbits(128)),
                 created_at=stamp(created), updated_at=stamp(created))
    responded = stamp(created + r.randint(60, 86400)) \
        if r.random() < 0.7 else None
    return {
        "cc_emails": emails(r, 1.5), "fwd_emails": emails(r, 0.5),
        "reply_cc_emails": emails(r, 1.5),
        "ticket_cc_emails": emails(r, 1.5),
        "fr_escalated": r.random() < 0.1, "spam": False,
        "email_config_id": r.choice([None, 67000012345]),
        "group_id": r.choice([None, 67000000001, 67000000002]),
        "priority": r.randint(1, 4),
        "requester_id": 67032000000 + r.randint(0, 50000),
        "responder_id": r.choice([None, 67013469919, 67013469920]),
        "source": r.choice([1, 2, 3, 7, 9, 10]), "company_id":
        r.choice([None, 67000100000 + r.randint(0, 2000)]),
        "status": r.choice([2, 3, 4, 5]), "subject": text(r, 10, 90),
        "association_type": None, "support_email": None,
        "to_emails": emails(r, 0.5), "product_id": None, "id": i,
        "type": r.choice(TYPES),
        "due_by": stamp(created + 86400 * 3),
        "fr_due_by": stamp(created + 86400), "is_escalated": False,
        "custom_fields": {
            "cf_order_number": "FD%08d" % r.randint(0, 99999999),
            "cf_refund": r.choice([True, False, None]),
            "cf_region": r.choice(["EMEA", "APAC", "AMER", None]),
            "cf_amount": r.choice([None, r.randint(1, 5000),
                                   round(r.uniform(1, 5000), 2)]),
        },
        "created_at": stamp(created), "updated_at": stamp(t),
        "associated_tickets_count": None,
        "tags": r.sample(TAGS, r.randint(0, 4)),
        "attachments": files,
        "description": html, "description_text": body,
        "requester": {"id": 67032849498 + i % 50000, "name": text(r, 8, 20),
                      "email": "requester%d@%s" % (i % 50000,
                                                   r.choice(DOMAINS)),
                      "mobile": None, "phone": None},
        "stats": {"agent_responded_at": responded,
                  "requester_responded_at": None,
                  "first_responded_at": responded,
                  "status_updated_at": stamp(t), "reopened_at": None,
                  "resolved_at": None, "closed_at": None,
                  "pending_since": None},
        "nr_due_by": None, "nr_escalated": False,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tickets", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    schema = json.load(sys.stdin)
    r = random.Random(a.seed)
    out = sys.stdout
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out.write(dump({"type": "SCHEMA", "stream": "tickets", "schema": schema,
                    "key_properties": ["id"],
                    "bookmark_properties": ["updated_at"]}) + "\n")
    t = 0
    for i in range(1, a.tickets + 1):
        t += r.randint(0, 40)
        out.write('{"type":"RECORD","stream":"tickets","record":' +
                  dump(ticket(r, i, t)) + "}\n")
        if i % 100 == 0 or i == a.tickets:
            state(out, t)


def state(out, t):
    """A STATE after each page of 100, as fd-fetch writes them."""
    out.write('{"type":"STATE","value":{"bookmarks":{"tickets":'
              '{"updated_at":"%s"}}}}\n' % stamp(t))


if __name__ == "__main__":
    main()
