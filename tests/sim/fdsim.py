#!/usr/bin/env python3
"""fdsim - a Freshdesk API v2 simulator for fd's tests, demo and bench.

Python 3 standard library only.  Serves a deterministic, seeded data set over
real HTTP/1.1 (keep-alive, optional gzip) and reproduces the behaviour listed
in shared/docs/FRESHDESK.md: Basic auth with the API key as user name,
page/per_page pagination with a Link rel="next" header, the tickets-list page
cap, the 30-day default window of the tickets list, per-endpoint query
parameter validation, spam/deleted tickets, deleted/blocked contacts, include
credits, an account-wide credit budget plus tickets/contacts list sub-limits,
403 require_feature, empty 404 bodies, plus faults and mutations on demand.

CONTROL AND INTROSPECTION (no auth, never rate limited, never faulted)
  GET  /_sim/                  this text
  GET  /_sim/truth             names of the data sets
  GET  /_sim/truth/NAME        the full current data set NAME as a JSON array
                               sorted by id, INCLUDING spam/deleted tickets and
                               deleted/blocked contacts.  NAME is an endpoint
                               name (see ENDPOINT NAMES); "settings" is an
                               object.  Query: include=LIST (tickets only:
                               requester,stats,description,company,attachments
                               - the default is the bare list-item shape),
                               parent=ID (child sets: only that parent),
                               group=parent (child sets: object keyed by
                               parent id).  Archived tickets are in
                               "tickets" (with "archived":true) and their
                               children in the child sets; hard-deleted
                               tickets and contacts are in none (see
                               ARCHIVE, HARD DELETES AND THE TRASH).
                               NAME "archived_tickets" (not in the names
                               list): the archived tickets only, each as
                               /tickets/archived/{id} answers it.
  GET  /_sim/ids               {"max_ticket_id":N (the highest ticket id
                               ever created),"archived":[ids],
                               "hard_deleted":[ids],"trash":[{"id":I,
                               "deleted_at":"...Z"}],
                               "hard_deleted_contacts":[ids]}: what a
                               client must probe (ids 1..N not in a list)
  GET  /_sim/stats             JSON counters: requests by path, route and
                               status, 429 count, credits per rate window,
                               max concurrent in-flight requests, TCP
                               connections accepted, faults fired, mutations,
                               gzip-encoded responses (gzip_responses),
                               CONNECT targets (proxy_connects); by
                               route name (by_route_name, only the routes
                               that have one: archived_ticket,
                               archived_conversations); tickets purged
                               from the trash (trash_purged, once any)
  CONNECT host:port            as an HTTPS proxy: refused (502), the target
                               listed in /_sim/stats proxy_connects, so a
                               client's choice of host is seen on loopback
  POST /_sim/reset-stats       zero the counters (not the rate window)
  POST /_sim/reset-rate        start a fresh rate window now (credits 0)
  GET  /_sim/faults            current fault rules with their counters
  POST /_sim/faults            replace the fault rules: a JSON array of rules
                               (or {"rules":[...]}); [] clears
  POST /_sim/release           answer every request a hold rule is holding
                               now: {"released":N}
  POST /_sim/mutate            {"count":M} or {"ids":[...]}, optional
                               "action": update (default: updated_at = sim
                               now, status changes) | delete | spam | restore;
                               answers {"ids":[...],"updated_at":"..."}.
                               delete remembers the sim now as the
                               deletion time (the trash purge), restore and
                               spam forget it.  An archived id: 400.
                               "action":"archive": the tickets move to the
                               archive now (status 5, updated_at unchanged;
                               ids: live tickets neither spam nor deleted,
                               else 400; count M: the M oldest of them by
                               updated_at).  "action":"purge": hard-deletes
                               the tickets (ids: any existing ticket,
                               archived too, else 400; count M: picked as
                               for update).  "resource":"contacts" (default
                               "tickets") with "action":"purge": hard-
                               deletes contacts (ids: any existing contact;
                               count M: M spread over the contacts by id).
                               archive and purge answer {"ids":[...],
                               "action":A,"resource":R}, ids ascending
                               for purge, in request order for archive.
  GET  /_sim/now               {"now":"...Z","epoch":N}
  POST /_sim/now               {"advance":SECONDS} or {"set":"...Z"}; then
                               the trash purge runs (--trash-days)
  GET  /_sim/rate-clock        {"paused":B,"advanced":S}: the rate limits'
                               clock (see RATE LIMITS)
  POST /_sim/rate-clock        {"pause":true} stops it, {"pause":false}
                               lets it run again from where it stopped,
                               {"advance":S} (S >= 0) moves it S seconds on
                               (both keys may be given: pause first);
                               answers as GET.  Only the rate windows
                               follow it, not /_sim/now (whose advance
                               does not move the rate windows either)
  GET  /_sim/config            the runtime settings
  POST /_sim/config            change settings at runtime: rate_total,
                               window, tickets_list_limit,
                               contacts_list_limit, page_cap, latency_ms,
                               mutate_every, mutate_count, no_feature (list),
                               role ("admin" | "agent"), trash_days (used
                               from the next move of /_sim/now)

FAULT RULES
  A rule is a JSON object (or, on the command line, also "k=v,k=v"):
    kind      500 | 502 | 503 | 504 | reset | truncate | latency | 429 |
              hold
              500: JSON {"code":"internal_error",...}; 502-504: HTML body;
              reset: headers with the full Content-Length, then "bytes" of
              the body (default half), then the connection is closed;
              truncate: a complete response whose body is cut to "bytes"
              (default half), Content-Length matching the cut (the cut is
              made before gzip); latency: only delays; 429: spurious rate
              limit with Retry-After "retry_after" (default 1; null, or
              "none" on the command line: no Retry-After) and the rate
              headers unless "rate_headers" is false, costs nothing;
              hold: the request waits, unanswered and uncounted, until
              POST /_sim/release (at most 600 s), then is answered as if
              the rule had not fired (other rules still apply); /_sim/stats
              "held" counts the requests waiting now, so that a test can
              act at the exact instant "request N is on its way"
    path      regex searched in the URL path (default ^/api/v2/)
    query     substring the raw query string must contain (optional)
    method    GET, ... (optional)
    nth       fire on the Nth matching request only (int or list of ints)
    every     fire on every Kth matching request (K, 2K, ...)
    next      fire on the next C matching requests (1..C)
              (none of nth/every/next: fire on every matching request)
    times     fire at most this many times in total (optional)
    latency_ms  extra delay when the rule fires (any kind)
    retry_after, bytes  see kind
  Each rule counts the requests it matches (1-based) on its own.  All firing
  latency rules add up; hold rules and latency rules fire beside the others;
  among the other kinds the first firing rule wins.

RATE LIMITS
  --throttler minute (the default, the per-minute model of FRESHDESK.md 1.3):
  fixed windows of --window seconds (default 60) aligned to server start (or
  to the last /_sim/reset-rate or window change).  A request is admitted when its cost
  fits in the remaining credits (cost = 1, +2 per tickets-list include
  value (except description with --description-by-default), +1 per
  include value on a ticket view (api/app/controllers/tickets_controller.rb
  increment_api_credit_by); a window not yet
  used admits one request whatever its cost) and, for GET
  /api/v2/tickets and GET /api/v2/contacts, when that list's request count
  in the window is below its sub-limit.  Otherwise: 429, Retry-After =
  seconds until the window ends (>= 1), no credits spent.  Every answered
  request costs its credits whatever its status (400/401/403/404/5xx).
  Headers X-RateLimit-Total/-Remaining/-Used-CurrentRequest on every
  /api/v2 response show the account-wide bucket only.

  --throttler hourly: the older throttler of Freshdesk's
  lib/middleware/fd_api_throttler.rb (FRESHDESK.md Part 3 point 11).  One
  window of --window seconds (default 3600, its THROTTLE_PERIOD) starts at
  the first request after the last window ended (a Redis counter's expiry),
  not at server start.  Every request counts 1 first, refused ones too;
  admitted while the count is <= --rate-total (its API_LIMIT is 3000; its
  own tests show 200, 400 and 500); an admitted request's extra credits
  (includes) are added after it.  The 429 has only Retry-After = the seconds
  left in the window as Redis rounds its TTL (0 in the last half second),
  Content-Type application/json and X-Freshdesk-API-Version, and the body
  {"message":"You have exceeded the limit of requests per hour"}: no
  X-RateLimit-* headers, no X-Request-Id.  Other answers carry
  X-RateLimit-Total (the limit), -Remaining (limit - count, >= 0) and
  -Used-CurrentRequest.  No list sub-limits.  /_sim/stats credits.current
  has "ends_in", the seconds left in the window (null: none started).

  Both throttlers read one clock of their own, the rate clock: real
  monotonic time unless POST /_sim/rate-clock pauses or advances it, so
  that a test makes the instant it needs (a window's end, its last half
  second) instead of hoping that real time passes fast or slow enough.

ROLES
  An API key is an agent's and sees what the agent's role allows
  (config/privileges.rb, api_agents_controller.rb check_privilege;
  FRESHDESK.md Part 3 point 5).  --role admin (the default) reads
  everything.  --role agent is an ordinary agent without the admin
  privileges: the endpoints below answer 403 {"code":"access_denied",
  "message":"You are not authorized to perform this action."} (credits
  spent, like any answered request); tickets, contacts, companies, the
  per-ticket children (conversations, time entries, satisfaction ratings
  of a ticket), the field lists, solutions, canned responses, discussions,
  scenario automations, mailboxes and settings work.
    agents              api_agent index: manage_users or manage_availability
                        (an agent's single view is also view_contacts: allowed)
    roles               api_role: manage_availability or admin_tasks
    groups              api_group: admin_tasks
    business_hours      api_business_hour: admin_tasks
    sla_policies        api_sla_policy: admin_tasks
    products            api_product: admin_tasks or view_reports (here an
                        agent without view_reports)
    surveys             survey index: admin_tasks
    satisfaction_ratings  the account-wide list /surveys/satisfaction_ratings:
                        satisfaction_rating index, admin_tasks
    email_configs       api_email_config: manage_email_settings
    skills              admin/skill: admin_tasks or manage_skills
  /_sim/config "role" changes it at runtime.

LINK QUIRK
  The Link URL echoes the request's own parameters (decoded) in their order
  with page replaced (or appended) by page=N+1.  Like Freshdesk's historical
  builder, a "+" in a value is NOT re-escaped (a "+05:30" offset comes back
  as a literal "+", which decodes to a space: trap 13); other unsafe
  characters are percent-encoded.  --link-escape-plus escapes "+" too.

ARCHIVE, HARD DELETES AND THE TRASH (all off by default)
  Archived tickets (accounts with the archive_tickets feature: closed
  tickets idle 120 days are archived) leave every /tickets list (any
  filter, updated_since, ...), and /tickets/{id}, /tickets/{id}/
  conversations, /time_entries and /satisfaction_ratings of the ticket
  answer 404.  They are read one by one:
    /tickets/archived/{id}    200: the ticket view of /tickets/{id}
                              (description, attachments) plus
                              "archived":true; include as on /tickets/{id}
                              (TicketIncludeValidation: the same 400 for
                              a bad value, +1 credit per value;
                              api/app/controllers/archive/
                              tickets_controller.rb)
    /tickets/archived/{id}/conversations  200: the ticket's conversations,
                              paged (page/per_page, Link) like
                              /tickets/{id}/conversations
                              (archive/conversations_controller.rb; its
                              since_id/order_type are not modelled: 400)
  Any other id (live, spam, deleted, hard-deleted, never created): 404,
  empty body.  --no-feature archived_tickets: both answer 403
  {"code":"require_feature","message":"The Archive Tickets feature(s)
  is/are not supported in your plan. Please upgrade your account to use
  it."}.  Each request costs credits, is rate limited, faulted and counted
  like any API request; /_sim/stats by_route_name names the routes
  archived_ticket and archived_conversations.  An archived ticket's time
  entries and satisfaction ratings stay in the account-wide /time_entries
  and /surveys/satisfaction_ratings lists (account records, not moved).
  --archived PCT: at start, floor(N * PCT / 100) of the N tickets are
  archived: the oldest by (updated_at, id) among those neither spam nor
  deleted and updated more than 120 days before --now; when fewer
  qualify, all that qualify.  Status becomes 5, updated_at stays.
  Hard-deleted tickets ("deleted forever", purged from the trash) are
  gone: from every list, /tickets/{id}, the archive, their children, the
  truth; their ids are never reused (gaps).  --hard-deleted PCT: at start,
  floor(N * PCT / 100) ids (at most N - 1): one drawn from each of that
  many equal slices of 1..N-1 (seeded), so spread over the range and the
  newest ticket N always stays.  Applied before --archived.  A hard-
  deleted contact leaves every contacts list (any state), /contacts/{id}
  answers 404; its tickets keep their requester_id.
  The trash: --trash-days D (Freshdesk: 30; default 0 = never): a deleted
  ticket is hard-deleted once it was deleted more than D*86400 s before the
  sim now, checked at start (against --now) and after each POST /_sim/now.
  A generated --deleted ticket was deleted at its updated_at, a mutate
  delete at that sim now; restore takes it out of the trash.

ENDPOINT NAMES (for --no-feature and /_sim/truth)
  tickets contacts companies agents groups roles conversations time_entries
  satisfaction_ratings surveys products business_hours sla_policies
  ticket_fields contact_fields company_fields solution_categories
  solution_folders solution_articles canned_response_folders
  canned_responses email_configs email_mailboxes skills settings
  scenario_automations discussion_categories discussion_forums
  discussion_topics discussion_comments
  (--no-feature also takes archived_tickets: the two archive routes)

DATA (all from --seed; same seed and sizes give byte-identical data)
  Tickets: ids are display ids, dense from 1 in creation order
  (api/app/views/tickets/index.json.api: id: item.display_id; other
  resources keep ids above 2^32), created 2019-03-01..--now, 8%
  within the last 30 days of --now, updated_at <= --now - 120 s, --burst
  of them updated at exactly --now - 400 days, 2% spam, 2% deleted
  ("deleted":true only on those); custom_fields with "cf_Order Number",
  "cf_ship-to", a date string and cf_priority_score (number or string);
  cc_emails null, [] or a list; unicode/emoji subjects; descriptions with
  quotes, backslashes, tabs, CRLF, control characters, some > 20 kB.
  Contacts (~1/37 "deleted":true, ~1/41 "blocked":true), companies (some
  +05:30 / -05:00 timestamps), agents (nested contact), groups, roles,
  0..13 conversations per ticket, time entries, satisfaction ratings and
  the small endpoints.  Children never change; mutations touch tickets.

Non-ticket lists are ordered by id ascending, but satisfaction ratings
newest first.  Child routes (ticket routes take the display id):
  /tickets/{id}/conversations|time_entries|satisfaction_ratings,
  /solutions/categories/{id}/folders, /solutions/folders/{id}/articles,
  /canned_response_folders/{id}/responses, /discussions/categories/{id}/forums,
  /discussions/forums/{id}/topics, /discussions/topics/{id}/comments.
Single views: /tickets/{id} (with attachments and description; include =
conversations (oldest 10), requester, company, stats), /contacts/{id},
/companies/{id}, /agents/{id}, /groups/{id}, /roles/{id}, and the other
top-level collections' /{name}/{id}.

AS THE REAL API DOES (freshconsult 3ab5ca08; FRESHDESK.md part 3)
  /surveys/satisfaction_ratings without created_since or user_id: only
    created_at > (start of the simulated day - 1 month); created_since is
    inclusive (app/models/survey_result.rb survey_filter); newest first
    (satisfaction_ratings_controller.rb: order('created_at desc')).
  Spam and deleted tickets: /conversations and /satisfaction_ratings answer
    200, /time_entries 404 (conversations_controller.rb,
    time_entries_controller.rb load_parent_ticket).
  /contact_fields, /company_fields: everything, any query parameter
    ignored; /ticket_fields: page/per_page accepted and ignored (no Link);
    /business_hours: paged only when page is sent (api_contact_fields_,
    api_company_fields_, api_ticket_fields_, api_business_hours_
    controller.rb).
  page/per_page: not an integer: 400 datatype_mismatch; an integer below 1
    (or per_page above 100): 400 invalid_value (filter_validation.rb,
    custom_numericality_validator.rb, error_constants.rb).
  Date header: the simulated clock (--now), moved by --date-skew.
"""

import argparse
import base64
import bisect
import calendar
import gzip
import html
import json
import math
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

VERSION = "1.0"
DEFAULT_KEY = "fdsim-test-key-4f1c2a"
DEFAULT_NOW = "2026-11-01T00:00:00Z"
DAY = 86400

# ---------------------------------------------------------------- time

TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})"
                   r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                   r"(Z|[+-]\d{2}(?::?\d{2})?)?$")


def parse_ts(s):
    """ISO 8601 (date, or date-time with Z/offset/none=UTC) -> epoch int."""
    m = TS_RE.match(s or "")
    if not m:
        return None
    y, mo, d, h, mi, se, tz = m.groups()
    try:
        t = calendar.timegm((int(y), int(mo), int(d), int(h or 0),
                             int(mi or 0), int(se or 0), 0, 0, 0))
        time.gmtime(t)
    except (ValueError, OverflowError):
        return None
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31 and int(h or 0) < 24
            and int(mi or 0) < 60 and int(se or 0) < 61):
        return None
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        off = int(digits[:2]) * 3600 + (int(digits[2:4]) * 60 if len(digits) > 2 else 0)
        t -= sign * off
    return t


_DAYS = {}


def fmt_z(t):
    """epoch -> YYYY-MM-DDTHH:MM:SSZ (day prefixes cached: start-up speed)"""
    d, s = divmod(int(t), DAY)
    p = _DAYS.get(d)
    if p is None:
        p = _DAYS[d] = time.strftime("%Y-%m-%dT", time.gmtime(d * DAY))
    return "%s%02d:%02d:%02dZ" % (p, s // 3600, s % 3600 // 60, s % 60)


def fmt_off(t, minutes):
    sign = "+" if minutes >= 0 else "-"
    a = abs(minutes)
    return (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + minutes * 60))
            + "%s%02d:%02d" % (sign, a // 60, a % 60))


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", s.lower()) or "user"


# ---------------------------------------------------------------- text pools

FIRST = ["Jessica", "Amanda", "José", "Zoë", "Łukasz", "Søren", "Aiko",
         "Mohammed", "Olga", "Chloé", "Bjørn", "Priya", "Wei", "Siobhán",
         "Renée", "Kwame", "Ana", "Dmitri", "Fatima", "Liam", "Noah", "Emma",
         "Mia", "Hiroshi", "Ingrid", "Mateo", "Nadia", "Omar", "Pooja", "李"]
LAST = ["Rangel", "Reed", "Müller", "O'Brien", "García", "Nguyễn",
        "Kowalski", "Andersen", "Tanaka", "Haddad", "Ivanova", "Dubois",
        "Larsen", "Patel", "Zhang", "Ní Bhriain", "Mensah", "Silva", "Petrov",
        "Khan", "Smith", "Johnson", "Schmidt", "Rossi", "雷"]
CO_A = ["Super", "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay",
        "Bäckerei", "Société", "Stark", "Wayne", "Tyrell", "株式会社", "Ōkami"]
CO_B = ["Nova", "Corp", "Industries", "Logistics", "Müller GmbH",
        "Générale", "Holdings & Sons", "Labs", "テスト", "Widgets \"Ltd\"",
        "S.A.", "Trading Co."]
INDUSTRIES = [None, "Retail", "Software", "Logistics", "Healthcare", "Finance"]
SUBJECTS = [
    "Order #{n} not delivered",
    "Réclamation : colis endommagé n°{n}",
    "Rückerstattung für Bestellung {n}",
    "注文 {n} がまだ届きません",
    "Заказ {n} не пришёл",
    "Refund please 🙏 ({n})",
    "Login broken 😡🔥",
    "Ünïcödé — “smart quotes” ‘test’ {n}",
    "Can't reset password",
    "Printer says \"PC LOAD LETTER\"",
    "Path C:\\Users\\bob\\file{n}.txt fails",
    "שלום, I need help with invoice {n}",
    "👨‍👩‍👧 family plan upgrade",
    "Shipping to 🇩🇪 Germany?",
    "Invoice {n}\tmissing VAT",
    "Question about plan limits",
    "App crashes on start (v{n}.0)",
    "Ticket with trailing space ",
    "café ☕ machine broken",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
]
PARAS = [
    "Hello team,\n\nI ordered item #{n} on {date} and it still hasn't arrived.",
    "The error says: \"Unable to connect to server \\\\fileserver\\share\" "
    "- please advise.",
    "Steps:\n\t1. Open the app\n\t2. Click \"Settings\"\n\t3. Crash!",
    "Log excerpt: \x1b[31mERROR\x1b[0m code=0x{hex}\x01\x02 end",
    "Path: C:\\Users\\{name}\\AppData\\Local\\Temp\\{n}.tmp",
    "JSON pasted by customer: {{\"order\": {n}, \"note\": \"a \\\"quoted\\\" "
    "word\", \"ok\": true}}",
    "Form feed\x0cand backspace\x08 and bell\x07 and unit separator\x1f.",
    "Unicode: naïve café, 日本語のテキスト, emoji 🎉🚀, RTL שלום, "
    "zero-width\u200bspace, line sep\u2028here.",
    "Windows line endings follow.\r\nSecond line.\r\nThird line.",
    "It's <b>urgent</b> & I mean it: 100% <script>alert('x')</script>",
    "Thanks,\n{name}\n-- \nSent from my phone",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
    "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim "
    "veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip.",
]
TAGS = ["billing", "vip", "refund", "bug", "needs review", "Ünicode-tag",
        "priority:high", "shipping", "😀", "follow_up"]
TYPES = [None, "Question", "Incident", "Problem", "Feature Request", "Refund"]
TIMEZONES = ["Magadan", "Eastern Time (US & Canada)", "Berlin", "Chennai",
             "Tokyo", "UTC", "Pacific Time (US & Canada)", "Sydney"]
LANGS = ["en", "de", "fr", "ja", "ru", "es", "pt-BR"]
STATUS_CYCLE = {2: 3, 3: 4, 4: 5, 5: 2}

ENDPOINTS = [
    "tickets", "contacts", "companies", "agents", "groups", "roles",
    "conversations", "time_entries", "satisfaction_ratings", "surveys",
    "products", "business_hours", "sla_policies", "ticket_fields",
    "contact_fields", "company_fields", "solution_categories",
    "solution_folders", "solution_articles", "canned_response_folders",
    "canned_responses", "email_configs", "email_mailboxes", "skills",
    "settings", "scenario_automations", "discussion_categories",
    "discussion_forums", "discussion_topics", "discussion_comments",
]
FEATURE_LABEL = {
    "time_entries": "Timesheets", "surveys": "Custom Surveys",
    "satisfaction_ratings": "Surveys", "skills": "Skill Based Round Robin",
    "products": "Multi Product", "sla_policies": "Sla Management",
    "scenario_automations": "Scenario Automations",
    "discussion_categories": "Forums", "discussion_forums": "Forums",
    "discussion_topics": "Forums", "discussion_comments": "Forums",
    "solution_categories": "Solutions", "solution_folders": "Solutions",
    "solution_articles": "Solutions", "canned_response_folders":
    "Canned Responses", "canned_responses": "Canned Responses",
    "business_hours": "Business Hours", "email_mailboxes": "Mailboxes",
    "archived_tickets": "Archive Tickets",
}
# --no-feature names: the endpoint names plus archived_tickets (the
# archive_tickets feature: /tickets/archived/{id} and its conversations)
FEATURES = frozenset(ENDPOINTS) | {"archived_tickets"}
ARCHIVE_IDLE = 120 * DAY        # Freshdesk archives tickets closed this long


# Endpoints an ordinary agent's key may not read (config/privileges.rb at
# freshconsult 3ab5ca08: the API v2 resources in manage_users ~l.509,
# manage_availability ~l.524, manage_email_settings ~l.547, admin_tasks
# ~l.564-651; FRESHDESK.md Part 3 point 5): 403 access_denied under
# --role agent.  Per-ticket children are not in it (time_entry
# ticket_time_entries: view_time_entries; satisfaction_rating
# survey_results: manage_tickets), nor the field lists (api_ticket_field:
# manage_tickets, api_contact_field: view_contacts, api_company_field:
# manage_companies).
ADMIN_ONLY = frozenset(["agents", "roles", "groups", "business_hours",
                        "sla_policies", "products", "surveys",
                        "satisfaction_ratings", "email_configs", "skills"])
ROLES = ("admin", "agent")


def access_denied(role, route):
    """Whether role may not read route (check_privilege)."""
    if role == "admin" or route.name not in ADMIN_ONLY:
        return False
    if route.kind == "ticket_child":
        return False    # /tickets/{id}/satisfaction_ratings
    if route.name == "agents" and route.kind == "single":
        return False    # agent show: also view_contacts (privileges.rb)
    return True


def feature_label(name):
    return FEATURE_LABEL.get(name) or name.replace("_", " ").title()


# ---------------------------------------------------------------- data

class Ticket:
    __slots__ = ("idx", "id", "key", "created", "updated", "due", "status", "spam",
                 "deleted", "d", "responded", "cache", "requester_id",
                 "updated0", "status0",
                 "company_id", "archived", "deleted_at")


class World:
    """The data set.  Built from the seed alone; children of tickets are
    generated lazily from (seed, ticket id) so start-up stays fast."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.seed = cfg.seed
        self.now0 = cfg.now_epoch
        self.version = 0
        self.mut_seq = 0
        self.sort_cache = {}
        self.lazy = {}
        self.blocked = set()    # contact ids: blocked, not in the record
        self.churn_seq = 0
        rng = random.Random("fdsim:%d" % cfg.seed)
        self._gen_small(rng)
        self._gen_agents(rng)
        self._gen_companies(rng)
        self._gen_contacts(rng)
        self._gen_tickets(rng)
        self._gen_archive()

    # -- helpers
    def _ids(self, rng, base, n, step):
        return [base + i * step + rng.randrange(max(1, step // 2))
                for i in range(n)]

    def _time_between(self, rng, a, b):
        return int(a + rng.random() * max(0, b - a))

    # -- small fixed endpoints
    def _gen_small(self, rng):
        t0 = calendar.timegm((2019, 2, 1, 9, 0, 0, 0, 0, 0))
        ts = lambda k: fmt_z(t0 + k * 7919 * 61)
        S = self.small = {}
        S["roles"] = [
            {"id": 67000030000 + i * 11, "name": n, "description": d,
             "default": i < 3, "agent_type": 1, "created_at": ts(i),
             "updated_at": ts(i + 3)}
            for i, (n, d) in enumerate([
                ("Account Administrator", "Has complete control"),
                ("Administrator", "Can configure all features"),
                ("Supervisor", "Can perform all agent related activities"),
                ("Agent", "Can log, view, reply, update and resolve tickets"),
                ("Billing Specialist", "Custom role: \"billing\" only"),
                ("Rôle spécial", None)])]
        S["products"] = [
            {"id": 67000050000 + i * 3, "name": n, "description": d,
             "primary_email": e, "default": i == 0, "created_at": ts(i),
             "updated_at": ts(i + 1)}
            for i, (n, d, e) in enumerate([
                ("Main", "Main product", "support@acme.example"),
                ("Gadget Pro™", "Our premium gadget", "gadget@acme.example"),
                ("Ünïcode Édition", None, "unicode@acme.example")])]
        S["email_configs"] = [
            {"id": 67000060000 + i * 5, "name": n, "product_id": p,
             "to_email": e, "reply_email": e, "group_id": None,
             "primary_role": i == 0, "active": i != 2, "created_at": ts(i),
             "updated_at": ts(i + 2)}
            for i, (n, p, e) in enumerate([
                ("Support", None, "support@acme.example"),
                ("Gadget", 67000050003, "gadget@acme.example"),
                ("Old mailbox", None, "old@acme.example")])]
        S["email_mailboxes"] = [
            {"id": 67000061000 + i * 7, "name": n, "support_email": e,
             "group_id": None, "default_reply_email": i == 0,
             "active": True, "mailbox_type": "freshdesk_mailbox",
             "product_id": None, "created_at": ts(i), "updated_at": ts(i + 1)}
            for i, (n, e) in enumerate([
                ("Support", "support@acme.example"),
                ("Billing", "billing@acme.example")])]
        days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        S["business_hours"] = [
            {"id": 67000070000, "name": "Default", "description":
             "Default Business Calendar", "is_default": True,
             "time_zone": "Eastern Time (US & Canada)",
             "created_at": ts(0), "updated_at": ts(4),
             "business_hours": {d: {"start_time": "8:00 am",
                                    "end_time": "5:00 pm"} for d in days}},
            {"id": 67000070009, "name": "APAC 24×5", "description": None,
             "is_default": False, "time_zone": "Chennai",
             "created_at": ts(2), "updated_at": ts(6),
             "business_hours": {d: {"start_time": "12:00 am",
                                    "end_time": "11:59 pm"}
                                for d in days}}]
        S["sla_policies"] = [
            {"id": 67000080000 + i * 13, "name": n, "description": d,
             "active": True, "is_default": i == 0, "position": i + 1,
             "applicable_to": {} if i == 0 else {"company_ids": []},
             "sla_target": {"priority_%d" % p: {
                 "respond_within": 3600 * (5 - p) * (i + 1),
                 "resolve_within": 14400 * (5 - p) * (i + 1),
                 "business_hours": i == 1, "escalation_enabled": True}
                 for p in (1, 2, 3, 4)},
             "escalation": {"response": {"escalation_time": 0,
                                         "agent_ids": [-1]}},
             "created_at": ts(i), "updated_at": ts(i + 5)}
            for i, (n, d) in enumerate([
                ("Default SLA Policy", "default policy"),
                ("VIP customers", "Faster targets for VIPs"),
                ("Weekend", None)])]
        S["surveys"] = [
            {"id": 67000084490 + i * 17, "title": t, "active": i == 0,
             "created_at": ts(i), "updated_at": ts(i + 1),
             "questions": [{"id": "default_question",
                            "label": "How would you rate your overall "
                                     "satisfaction for the resolution "
                                     "provided by the agent?",
                            "accepted_ratings": [103, 100, -103],
                            "default": True}]
             + ([{"id": "question_67000084816", "label": "Was it quick?",
                  "accepted_ratings": [103, -103], "default": False}]
                if i == 0 else [])}
            for i, t in enumerate(["Default Survey", "Old survey ☺"])]
        S["skills"] = [
            {"id": 67000090000 + i * 9, "name": n, "rank": i + 1,
             "match_type": "all", "conditions": [
                 {"resource_type": "ticket", "field_name": "priority",
                  "operator": "in", "value": [i + 1]}],
             "agents": [], "created_at": ts(i), "updated_at": ts(i + 1)}
            for i, n in enumerate(["Billing", "Deutsch", "日本語", "VIP"])]
        S["scenario_automations"] = [
            {"id": 67000095000 + i * 7, "name": n, "description": d,
             "actions": [{"name": "priority", "value": i + 1},
                         {"name": "add_tag", "value": ["scenario"]}],
             "private": i == 3, "created_at": ts(i), "updated_at": ts(i + 2)}
            for i, (n, d) in enumerate([
                ("Mark as VIP", "Sets priority & tag"),
                ("Close as spam", None),
                ("Escalate \"now\"", "Escalates to L2\nthen notifies"),
                ("My private scenario", None)])]
        S["settings"] = {"primary_language": "en",
                         "supported_languages": ["de", "fr", "ja"],
                         "portal_languages": ["de", "fr"],
                         "help_widget_languages": []}
        # fields
        tf = [("subject", "Subject", "default_subject", None),
              ("requester", "Search a requester", "default_requester", None),
              ("ticket_type", "Type", "default_ticket_type",
               [t for t in TYPES if t]),
              ("status", "Status", "default_status",
               {"2": ["Open", "Being Processed"], "3": ["Pending",
                "Awaiting your Reply"], "4": ["Resolved", "This ticket has "
                "been Resolved"], "5": ["Closed", "This ticket has been "
                "Closed"]}),
              ("priority", "Priority", "default_priority",
               {"Low": 1, "Medium": 2, "High": 3, "Urgent": 4}),
              ("source", "Source", "default_source",
               {"Email": 1, "Portal": 2, "Phone": 3, "Forum": 4,
                "Twitter": 5, "Facebook": 6, "Chat": 7, "MobiHelp": 8,
                "Feedback Widget": 9, "Outbound Email": 10,
                "Ecommerce": 11, "Bot": 12, "Whatsapp": 13}),
              ("group", "Group", "default_group", None),
              ("agent", "Agent", "default_agent", None),
              ("description", "Description", "default_description", None),
              ("cf_Order Number", "Order Number", "custom_text", None),
              ("cf_ship-to", "Ship-to address", "custom_paragraph", None),
              ("cf_refund", "Refund?", "custom_checkbox", None),
              ("cf_amount", "Amount", "custom_decimal", None),
              ("cf_region", "Region", "custom_dropdown",
               ["EMEA", "APAC", "AMER"]),
              ("cf_due_date", "Customer due date", "custom_date", None),
              ("cf_priority_score", "Priority score", "custom_text", None)]
        S["ticket_fields"] = [self._field(67000100000 + i * 3, i, *f)
                              for i, f in enumerate(tf)]
        cf = [("name", "Full name", "default_name", None),
              ("email", "Email", "default_email", None),
              ("phone", "Work phone", "default_phone", None),
              ("company_name", "Company", "default_company_name", None),
              ("membership_level", "Membership", "custom_dropdown",
               ["gold", "silver", "bronze"]),
              ("birthday", "Birthday", "custom_date", None),
              ("loyalty_points", "Loyalty points", "custom_number", None),
              ("Preferred Store", "Preferred store", "custom_text", None)]
        S["contact_fields"] = [self._field(67000110000 + i * 3, i, *f)
                               for i, f in enumerate(cf)]
        cof = [("name", "Company Name", "default_name", None),
               ("domains", "Domains", "default_domains", None),
               ("health_score", "Health score", "default_health_score",
                ["At risk", "Doing okay", "Happy"]),
               ("account_tier", "Account tier", "default_account_tier",
                ["Basic", "Premium", "Enterprise"]),
               ("website", "Website", "custom_url", None),
               ("address", "Address", "custom_paragraph", None),
               ("employees", "Employees", "custom_number", None)]
        S["company_fields"] = [self._field(67000120000 + i * 3, i, *f)
                               for i, f in enumerate(cof)]
        # solutions: categories -> folders -> articles
        cats, folders, articles = [], {}, {}
        fid, aid = 67000130000, 67000140000
        for ci, cname in enumerate(["General", "Billing & Payments",
                                    "Fehlerbehebung"]):
            cid = 67000125000 + ci * 5
            cats.append({"id": cid, "name": cname,
                         "description": None if ci == 2 else cname + " help",
                         "visible_in_portals": [67000000123],
                         "created_at": ts(ci), "updated_at": ts(ci + 1)})
            fl = []
            for fi in range(2 + ci):
                fid += 7
                n_art = 45 if (ci == 0 and fi == 0) else rng.randrange(0, 6)
                fl.append({"id": fid, "name": "Folder %d.%d" % (ci, fi),
                           "description": None, "visibility": 1,
                           "articles_count": n_art, "sub_folders_count": 0,
                           "created_at": ts(ci + fi),
                           "updated_at": ts(ci + fi + 2)})
                al = []
                for ai in range(n_art):
                    aid += 3
                    body = "How to %s, step %d.\nSee \"FAQ\" \\ guide." % (
                        cname.lower(), ai)
                    al.append({
                        "id": aid, "type": 1, "category_id": cid,
                        "folder_id": fid,
                        "hierarchy": [
                            {"level": 0, "type": "category",
                             "data": {"id": cid, "name": cname,
                                      "language": "en"}},
                            {"level": 1, "type": "folder",
                             "data": {"id": fid, "name": fl[-1]["name"],
                                      "language": "en"}}],
                        "thumbs_up": rng.randrange(50),
                        "thumbs_down": rng.randrange(5),
                        "hits": rng.randrange(5000), "suggested": 0,
                        "feedback_count": 0,
                        "title": "Article %d: %s" % (ai, cname),
                        "description": "<p>" + html.escape(body).replace(
                            "\n", "<br>") + "</p>",
                        "description_text": body, "status": 2 if ai % 5 else 1,
                        "seo_data": {"meta_title": None,
                                     "meta_description": "about " + cname},
                        "agent_id": None, "tags": ["faq"] if ai % 2 else [],
                        "created_at": ts(ai), "updated_at": ts(ai + 9)})
                articles[fid] = al
            folders[cid] = fl
        S["solution_categories"] = cats
        self.child = {"solution_folders": folders,
                      "solution_articles": articles}
        # canned responses
        crf, crs, rid = [], {}, 67000150000
        for i, n in enumerate(["Personal", "General", "Billing"]):
            fid = 67000145000 + i * 11
            rl = []
            for j in range(2 + i * 2):
                rid += 5
                txt = "Hi {{ticket.requester.name}},\n\nAnswer %d.%d" % (i, j)
                rl.append({"id": rid, "title": "%s reply %d" % (n, j),
                           "folder_id": fid, "content": txt,
                           "content_html": "<div>" + html.escape(txt).replace(
                               "\n", "<br>") + "</div>",
                           "attachments": [], "created_at": ts(j),
                           "updated_at": ts(j + 1)})
            crs[fid] = rl
            crf.append({"id": fid, "name": n, "personal": i == 0,
                        "responses_count": len(rl), "created_at": ts(i),
                        "updated_at": ts(i + 1)})
        S["canned_response_folders"] = crf
        self.child["canned_responses"] = crs
        # discussions: categories -> forums -> topics -> comments
        dcats, forums, topics, comments = [], {}, {}, {}
        frid, tid, cmid = 67000160000, 67000170000, 67000180000
        for i, n in enumerate(["Community", "Ideas"]):
            dcid = 67000155000 + i * 3
            dcats.append({"id": dcid, "name": n, "description": n + " board",
                          "created_at": ts(i), "updated_at": ts(i + 1)})
            fl = []
            for j in range(2):
                frid += 3
                tl = []
                for k in range(rng.randrange(0, 5)):
                    tid += 7
                    cl = []
                    for c in range(rng.randrange(0, 4)):
                        cmid += 2
                        cl.append({"id": cmid, "body": "<p>Reply %d</p>" % c,
                                   "body_text": "Reply %d" % c,
                                   "topic_id": tid, "forum_id": frid,
                                   "user_id": None, "answer": c == 0,
                                   "published": True, "spam": False,
                                   "trash": False, "created_at": ts(c + k),
                                   "updated_at": ts(c + k + 1)})
                    comments[tid] = cl
                    tl.append({"id": tid, "title": "Topic %d/%d" % (j, k),
                               "forum_id": frid, "user_id": None,
                               "locked": False, "published": True,
                               "stamp_type": None, "replied_by": None,
                               "user_votes": k, "merged_topic_id": None,
                               "comments_count": len(cl), "sticky": k == 0,
                               "created_at": ts(k), "updated_at": ts(k + 3),
                               "replied_at": ts(k + 3) if cl else None,
                               "hits": k * 10})
                topics[frid] = tl
                fl.append({"id": frid, "name": "%s forum %d" % (n, j),
                           "description": None, "position": j + 1,
                           "forum_category_id": dcid, "forum_type": 1 + j,
                           "forum_visibility": 1, "topics_count": len(tl),
                           "posts_count": sum(len(comments[t["id"]])
                                              for t in tl)})
            forums[dcid] = fl
        S["discussion_categories"] = dcats
        self.child.update({"discussion_forums": forums,
                           "discussion_topics": topics,
                           "discussion_comments": comments})

    def _field(self, fid, pos, name, label, ftype, choices):
        d = {"id": fid, "name": name, "label": label,
             "description": label, "position": pos + 1,
             "required_for_closure": False, "required_for_agents":
             name in ("subject", "requester", "name"),
             "type": ftype, "default": ftype.startswith("default_"),
             "customers_can_edit": pos % 2 == 0,
             "label_for_customers": label,
             "required_for_customers": False,
             "displayed_to_customers": True,
             "created_at": "2019-02-01T09:00:00Z",
             "updated_at": "2020-03-04T05:06:07Z"}
        if choices is not None:
            d["choices"] = choices
        return d

    def _gen_agents(self, rng):
        self.groups = []
        self.agents = []
        n = self.cfg.agents
        start = calendar.timegm((2019, 3, 1, 0, 0, 0, 0, 0, 0))
        for i, aid in enumerate(self._ids(rng, 67013469900, n, 1031)):
            f, l = rng.choice(FIRST), rng.choice(LAST)
            c = self._time_between(rng, start, self.now0 - 400 * DAY)
            u = self._time_between(rng, c, self.now0 - DAY)
            self.agents.append({
                "available": rng.random() < 0.5,
                "occasional": i % 7 == 6, "id": aid,
                "ticket_scope": rng.choice([1, 2, 3]),
                "created_at": fmt_z(c), "updated_at": fmt_z(u),
                "last_active_at": fmt_z(u) if i % 5 else None,
                "available_since": None, "type": "support_agent",
                "contact": {
                    "active": True,
                    "email": "%s.agent%d@acme.example" % (ascii_fold(f), i),
                    "job_title": None if i % 3 else "Support Engineer",
                    "language": rng.choice(LANGS),
                    "last_login_at": fmt_z(u) if i % 4 else None,
                    "mobile": None if i % 2 else "+1-555-01%02d" % i,
                    "name": "%s %s" % (f, l),
                    "phone": None if i % 3 else "(283) 276-90%02d" % i,
                    "time_zone": rng.choice(TIMEZONES),
                    "created_at": fmt_z(c), "updated_at": fmt_z(c + 3600)},
                "signature": None if i % 2 else
                "<div>Best,<br>%s</div>" % html.escape(f),
                "focus_mode": True, "group_ids": [],
                "role_ids": [self.small["roles"][3]["id"]],
                "skill_ids": []})
        gnames = ["Billing", "Tier 1", "Tier 2 – Escalations", "Sales",
                  "Deutschland", "日本", "VIP", "Returns & Refunds"]
        for i in range(self.cfg.groups):
            gid = 67000120500 + i * 97
            members = sorted(rng.sample(
                [a["id"] for a in self.agents],
                min(len(self.agents), rng.randrange(0, 6)))) if self.agents else []
            for a in self.agents:
                if a["id"] in members:
                    a["group_ids"].append(gid)
            c = self._time_between(rng, start, self.now0 - 300 * DAY)
            self.groups.append({
                "id": gid, "name": gnames[i % len(gnames)] +
                ("" if i < len(gnames) else " %d" % i),
                "description": None if i % 3 == 2 else "Group %d" % i,
                "escalate_to": None, "unassigned_for": "30m" if i % 2 else None,
                "business_hour_id": self.small["business_hours"][i % 2]["id"],
                "group_type": "support_agent_group", "agent_ids": members,
                "auto_ticket_assign": i % 2 == 0,
                "created_at": fmt_z(c), "updated_at": fmt_z(c + 86400 * i)})

    def _gen_companies(self, rng):
        self.companies = []
        start = calendar.timegm((2019, 1, 15, 0, 0, 0, 0, 0, 0))
        seen = set()
        for i, cid in enumerate(self._ids(rng, 67000873000,
                                          self.cfg.companies, 37)):
            name = "%s %s" % (rng.choice(CO_A), rng.choice(CO_B))
            if name in seen:
                name += " %d" % i
            seen.add(name)
            slug = ascii_fold(name)[:12] + str(i)
            c = self._time_between(rng, start, self.now0 - 10 * DAY)
            u = self._time_between(rng, c, self.now0 - 60)
            if i % 10 == 3:      # offsets, as in the official examples
                ca, ua = fmt_off(c, 330), fmt_off(u, 330)
            elif i % 10 == 7:
                ca, ua = fmt_off(c, -300), fmt_z(u)
            else:
                ca, ua = fmt_z(c), fmt_z(u)
            self.companies.append({
                "id": cid, "name": name,
                "description": None if i % 3 else "Company %s\nsince %d" % (
                    name, 2019 + i % 6),
                "domains": [] if i % 5 == 4 else
                [slug + ".example", slug + ".example.org"][:1 + i % 2],
                "note": None if i % 4 else "VIP \"gold\" account",
                "custom_fields": {
                    "website": None if i % 6 == 5 else
                    "https://www.%s.example" % slug,
                    "address": None if i % 2 else
                    "%d, Baker Street,\r\nNew York" % (i + 1),
                    "employees": None if i % 7 == 0 else rng.randrange(1, 5000)},
                "created_at": ca, "updated_at": ua,
                "health_score": rng.choice([None, "At risk", "Doing okay",
                                            "Happy"]),
                "account_tier": rng.choice(["Basic", "Premium",
                                            "Enterprise"]),
                "renewal_date": None if i % 3 else
                fmt_z(self.now0 + rng.randrange(1, 400) * DAY // DAY * DAY),
                "industry": rng.choice(INDUSTRIES)})
        self.company_by_id = {c["id"]: c for c in self.companies}

    def _gen_contacts(self, rng):
        self.contacts = []
        start = calendar.timegm((2019, 1, 20, 0, 0, 0, 0, 0, 0))
        n = self.cfg.contacts
        cids = [c["id"] for c in self.companies]
        rnd = rng.random

        def choice(seq):
            return seq[int(rnd() * len(seq))]
        for i, pid in enumerate(self._ids(rng, 67032849000, n, 53)):
            f, l = choice(FIRST), choice(LAST)
            c = self._time_between(rng, start, self.now0 - DAY)
            r = rnd()
            u = c if r < 0.3 else self._time_between(rng, c, self.now0 - 60)
            comp = choice(cids) if cids and rnd() < 0.7 else None
            others = sorted(set(rng.sample(cids, min(len(cids), 2)))
                            - {comp}) if (comp and i % 9 == 0) else []
            d = {"active": rnd() < 0.8,
                 "address": None if i % 4 else
                 "%d Sherri Islands\nKevinborough, KS %05d" % (i, i * 7 % 99999),
                 "description": None if i % 6 else "Prefers \"email\" \\ no calls",
                 "email": "%s.%s%d@example.%s" % (ascii_fold(f), ascii_fold(l),
                                                  i, "org" if i % 2 else "com"),
                 "id": pid, "job_title": None if i % 3 else "Buyer",
                 "language": choice(LANGS),
                 "mobile": None if i % 2 else "(962)432-%04dx%d" % (i % 10000, i % 300),
                 "name": "%s %s" % (f, l),
                 "phone": None if i % 3 == 1 else "(283)276-%04d" % (i % 10000),
                 "time_zone": choice(TIMEZONES),
                 "twitter_id": None if i % 11 else "@user%d" % i,
                 "custom_fields": {
                     "membership_level": choice([None, "gold", "silver",
                                                     "bronze"]),
                     "birthday": None if i % 3 else "19%02d-%02d-%02d" % (
                         50 + i % 50, 1 + i % 12, 1 + i % 28),
                     "loyalty_points": rng.randrange(0, 10000),
                     "Preferred Store": None if i % 2 else "Store #%d" % (i % 40)},
                 "facebook_id": None, "created_at": fmt_z(c),
                 "updated_at": fmt_z(u),
                 "csat_rating": choice([None, None, 103, 100, -103]),
                 "preferred_source": choice([None, "email", "phone",
                                                 "outbound_email"]),
                 "company_id": comp, "other_companies": others,
                 "unique_external_id": None if i % 5 else "ext-%05d" % i,
                 "twitter_profile_status": False,
                 "twitter_followers_count": None,
                 "contact_type": "contact",
                 "tags": [] if i % 4 else [choice(TAGS)]}
            if i % 37 == 5:
                d["deleted"] = True
            elif i % 41 == 7:
                # no "blocked" key: the list view has none (Part 3.4)
                self.blocked.add(pid)
            self.contacts.append(d)
        self.contact_by_id = {c["id"]: c for c in self.contacts}
        self.contact_by_email = {c["email"].lower(): c for c in self.contacts}

    def _gen_tickets(self, rng):
        cfg = self.cfg
        n = cfg.tickets
        now0 = self.now0
        start = calendar.timegm((2019, 3, 1, 0, 0, 0, 0, 0, 0))
        old_end = now0 - 30 * DAY - 3600
        recent = int(round(n * 0.08))
        times = []
        rnd = rng.random
        for i in range(n):
            if i < recent:
                times.append(int(now0 - 30 * DAY + 3600 + rnd() * (30 * DAY - 7200)))
            else:
                times.append(int(start + rnd() * (old_end - start)))
        times.sort()
        # t.key: a big per-ticket number that seeds the ticket's lazy
        # children and description (kept from the days when it was the
        # ticket id, so that the data set did not change); t.id is the
        # display id, dense from 1 in creation order
        # (api/app/views/tickets/index.json.api: "id: item.display_id")
        keys = []
        tid = 67000000000
        for i in range(n):
            tid += 1 + int(rnd() * 3)
            keys.append(tid)
        contacts = self.contacts
        agents = [a["id"] for a in self.agents]
        groups = [g["id"] for g in self.groups]
        products = [p["id"] for p in self.small["products"]]
        econf = [e["id"] for e in self.small["email_configs"]]
        self.burst_at = now0 - 400 * DAY
        self.tickets = []

        def choice(seq):
            return seq[int(rnd() * len(seq))]
        for i in range(n):
            t = Ticket()
            t.idx, t.id, t.key, t.created = i, i + 1, keys[i], times[i]
            c = t.created
            r = rnd()
            if r < 0.2:
                u = c
            else:
                u = c + 60 + int(rnd() * min(200 * DAY, max(0, now0 - 180 - c)))
            t.updated = min(u, now0 - 120) if u > c else c
            if t.updated == self.burst_at:
                t.updated -= 1
            t.due = c + (1 + int(rnd() * 5)) * DAY
            t.status = choice((2, 3, 4, 4, 5, 5, 5))
            t.spam = False
            t.deleted = False
            req = contacts[int(rnd() * len(contacts))] if contacts else None
            t.requester_id = req["id"] if req else None
            t.company_id = req["company_id"] if req else None
            t.cache = {}
            ccr = rnd()
            cc = None if ccr < 0.2 else ([] if ccr < 0.7 else
                                         ["cc%d@example.com" % (i % 97)])
            cf_score = int(rnd() * 100)
            cf = {"cf_Order Number": None if i % 7 == 0 else "FD%08d" % (i * 7919 % 10 ** 8),
                  "cf_ship-to": None if i % 3 else "%d Main St.\nSpringfield" % i,
                  "cf_refund": rnd() < 0.3,
                  "cf_amount": None if i % 5 == 0 else round(rnd() * 500, 2),
                  "cf_region": choice([None, "EMEA", "APAC", "AMER"]),
                  "cf_due_date": None if i % 4 else
                  time.strftime("%Y-%m-%d", time.gmtime(t.due)),
                  "cf_priority_score": cf_score if i % 6 else
                  ("n/a" if i % 12 == 0 else str(cf_score))}
            ntag = int(rnd() * 4) if i % 3 else 0
            tags = sorted(set(choice(TAGS) for _ in range(ntag)))
            to = None if i % 4 == 1 else ["support@acme.example"]
            subj = SUBJECTS[int(rnd() * len(SUBJECTS))].format(n=i)
            d = {"cc_emails": cc, "fwd_emails": [] if cc is not None else None,
                 "reply_cc_emails": cc, "ticket_cc_emails": cc,
                 "fr_escalated": rnd() < 0.1, "spam": False,
                 "email_config_id": choice(econf) if i % 3 == 0 else None,
                 "group_id": choice(groups) if groups and i % 4 else None,
                 "priority": 1 + int(rnd() * 4),
                 "requester_id": t.requester_id,
                 "responder_id": choice(agents) if agents and i % 5 else None,
                 "source": choice((1, 1, 2, 3, 7, 9, 10)),
                 "company_id": t.company_id, "status": t.status,
                 "subject": subj, "association_type": None,
                 "support_email": "support@acme.example" if i % 2 else None,
                 "to_emails": to,
                 "product_id": choice(products) if i % 8 == 0 else None,
                 "id": t.id, "type": choice(TYPES), "due_by": fmt_z(t.due),
                 "fr_due_by": fmt_z(c + DAY), "is_escalated": rnd() < 0.1,
                 "custom_fields": cf, "created_at": fmt_z(c),
                 "updated_at": fmt_z(t.updated),
                 "associated_tickets_count": None, "tags": tags,
                 "nr_due_by": None, "nr_escalated": False}
            t.d = d
            t.responded = t.status != 2
            self.tickets.append(t)
        # burst: many tickets share one updated_at second (a bulk update)
        elig = [t for t in self.tickets if t.created < self.burst_at - DAY]
        nb = min(cfg.burst, len(elig))
        burst = set(x.idx for x in rng.sample(elig, nb)) if nb else set()
        for t in self.tickets:
            if t.idx in burst:
                t.updated = self.burst_at
                t.d["updated_at"] = fmt_z(t.updated)
        # children (conversations, time entries, ratings) derive from the
        # generated state only, so mutations never rewrite them
        for t in self.tickets:
            t.updated0, t.status0 = t.updated, t.status
        # spam and deleted
        rest = [t for t in self.tickets if t.idx not in burst]
        k = min(len(rest), cfg.spam + cfg.deleted)
        pick = rng.sample(rest, k) if k else []
        for j, t in enumerate(pick):
            if j < cfg.spam:
                t.spam = True
                t.d["spam"] = True
            else:
                t.deleted = True
                t.d["deleted"] = True
        self.ticket_by_id = {t.id: t for t in self.tickets}

    # -- archive, hard deletes, trash (all off by default: the data of
    # the default options is the data of before)
    def _gen_archive(self):
        cfg = self.cfg
        for t in self.tickets:
            t.archived = False
            # a generated --deleted ticket was deleted at its updated_at
            t.deleted_at = t.updated if t.deleted else None
        n = len(self.tickets)
        self.max_ticket_id = n
        self.purged = set()             # hard-deleted ticket ids
        self.purged_contacts = set()    # hard-deleted contact ids
        self.gone_contacts = {}         # their records (for the children)
        k = n * cfg.hard_deleted // 100
        m = n - 1                       # the newest ticket always stays
        k = min(k, m)
        if k > 0:
            # one id in each of k equal slices of 1..n-1
            r = random.Random("fdsim:%d:hard-deleted" % self.seed)
            ids = []
            for j in range(k):
                lo, hi = j * m // k, (j + 1) * m // k
                ids.append(1 + lo + r.randrange(hi - lo))
            self.purge(ids)
        k = n * cfg.archived // 100
        if k > 0:
            lim = self.now0 - ARCHIVE_IDLE
            elig = sorted((t for t in self.tickets if not t.spam and
                           not t.deleted and t.updated < lim),
                          key=lambda t: (t.updated, t.id))
            self.archive(elig[:k])
        if cfg.trash_days:
            self.purge_trash(self.now0)

    def contact_any(self, cid):
        """a contact by id, hard-deleted ones too (children and
        descriptions keep what they were generated with)"""
        c = self.contact_by_id.get(cid)
        return c if c is not None else self.gone_contacts.get(cid)

    def archived_tickets(self):
        return [t for t in self.tickets if t.archived]

    def archivable(self, t):
        return not (t.archived or t.spam or t.deleted)

    def archive(self, tickets):
        """moves tickets to the archive: closed, out of every list and
        view but /tickets/archived/{id}; updated_at unchanged"""
        for t in tickets:
            t.archived = True
            t.status = 5
            t.d["status"] = 5
            t.d["archived"] = True
            t.cache.clear()
        self.version += 1
        return [t.id for t in tickets]

    def purge(self, ids):
        """hard-deletes the tickets ids (any state): gone everywhere, their
        ids never reused -> the ids purged, ascending"""
        gone = set(i for i in ids if i in self.ticket_by_id)
        if gone:
            self.tickets = [t for t in self.tickets if t.id not in gone]
            for i in gone:
                del self.ticket_by_id[i]
                self.lazy.pop(("te", i), None)
                self.lazy.pop(("sr", i), None)
            self.purged |= gone
            self.version += 1
        return sorted(gone)

    def purge_trash(self, now):
        """hard-deletes the tickets in the trash deleted more than
        cfg.trash_days days before now -> their ids"""
        days = self.cfg.trash_days
        if not days:
            return []
        lim = now - days * DAY
        return self.purge([t.id for t in self.tickets if t.deleted and
                           t.deleted_at is not None and t.deleted_at < lim])

    def purge_contacts(self, ids):
        gone = [i for i in ids if i in self.contact_by_id]
        if gone:
            g = set(gone)
            self.contacts = [c for c in self.contacts if c["id"] not in g]
            for i in gone:
                c = self.contact_by_id.pop(i)
                self.gone_contacts[i] = c
                e = (c.get("email") or "").lower()
                if self.contact_by_email.get(e) is c:
                    del self.contact_by_email[e]
                self.blocked.discard(i)
            self.purged_contacts |= g
            self.version += 1
        return sorted(gone)

    def ids(self):
        return {"max_ticket_id": self.max_ticket_id,
                "archived": [t.id for t in self.tickets if t.archived],
                "hard_deleted": sorted(self.purged),
                "trash": [{"id": t.id, "deleted_at": fmt_z(t.deleted_at)
                           if t.deleted_at is not None else None}
                          for t in self.tickets if t.deleted],
                "hard_deleted_contacts": sorted(self.purged_contacts)}

    # -- lazy ticket children
    def _trng(self, kind, t):
        return random.Random("fdsim:%d:%s:%d" % (self.seed, kind, t.key))

    def description(self, t):
        """(html, text), recomputed on each call: caching them would cost
        hundreds of MB at bench sizes"""
        r = self._trng("desc", t)
        c = self.contact_any(t.requester_id)
        name = c["name"] if c is not None else "customer"
        k = 3 + r.randrange(10)
        parts = [r.choice(PARAS).format(
            n=t.idx, date=t.d["created_at"][:10], hex="%08X" % t.key,
            name=name) for _ in range(k)]
        if t.idx % 97 == 13:          # a few very long ones
            parts = parts * 40
        text = "\n\n".join(parts)
        body = ('<div style="font-family:-apple-system, Arial, '
                'sans-serif; font-size:14px"><div dir="ltr">'
                + html.escape(text).replace("\n", "<br>") + "</div></div>")
        return body, text

    def attachments(self, t):
        r = self._trng("att", t)
        out = []
        for j in range(r.choice((0, 0, 0, 1, 2))):
            aid = 67011200000 + t.idx * 3 + j
            name, ct = r.choice([("screenshot.png", "image/png"),
                                 ("invoice (1).pdf", "application/pdf"),
                                 ("log file ü.txt", "text/plain")])
            out.append({"id": aid, "name": name, "content_type": ct,
                        "size": r.randrange(100, 500000),
                        "attachment_url": "https://s3.amazonaws.com/"
                        "cdn.freshdesk.com/data/helpdesk/attachments/"
                        "production/%d/original/%s?X-Amz-Expires=300&"
                        "X-Amz-Signature=%040x" % (aid, quote(name),
                                                   r.getrandbits(160)),
                        "thumb_url": None,
                        "created_at": t.d["created_at"],
                        "updated_at": t.d["created_at"]})
        return out

    def conversations(self, t):
        """recomputed on each call (cheap per ticket, big for all)"""
        r = self._trng("conv", t)
        n = r.choice((0, 0, 1, 1, 2, 2, 3, 4, 6, 13))
        v = []
        span = max(1, t.updated0 - t.created)
        agents = self.agents
        for j in range(n):
            ct = t.created + span * (j + 1) // (n + 1)
            incoming = j % 2 == 1
            private = (not incoming) and r.random() < 0.3
            uid = t.requester_id if incoming or not agents else \
                r.choice(agents)["id"]
            txt = r.choice(PARAS).format(n=j, date="today", hex="%X" % j,
                                         name="agent")
            v.append({
                "body": "<div>" + html.escape(txt).replace("\n", "<br>")
                + "</div>", "body_text": txt,
                "id": 67100000000 + t.idx * 20 + j,
                "incoming": incoming, "private": private,
                "user_id": uid, "support_email": None if private else
                "support@acme.example", "source": 2 if private else 0,
                "category": 2 if private else 3,
                "to_emails": None if private and j % 2 else
                (["support@acme.example"] if incoming else
                 [(self.contact_any(t.requester_id) or {}).get(
                     "email", "x@example.com")]),
                "from_email": None if private else
                "support@acme.example",
                "cc_emails": [] if j % 3 else None,
                "bcc_emails": None, "email_failure_count": None,
                "outgoing_failures": None, "thread_id": None,
                "thread_message_id": None, "created_at": fmt_z(ct),
                "updated_at": fmt_z(ct), "last_edited_at": None,
                "last_edited_user_id": None, "attachments": [],
                "automation_id": None, "automation_type_id": None,
                "auto_response": False, "ticket_id": t.id,
                "source_additional_info": None})
        return v

    def time_entries_for(self, t):
        key = ("te", t.id)
        v = self.lazy.get(key)
        if v is None:
            r = self._trng("te", t)
            v = []
            if r.random() < 0.2 and self.agents:
                for j in range(1 + r.randrange(3)):
                    secs = r.randrange(30, 4 * 3600)
                    st = t.created + r.randrange(0, max(1, t.updated0 - t.created + 1))
                    v.append({
                        "billable": r.random() < 0.6,
                        "note": r.choice(["", "Called customer", "Research \"root cause\"", None]),
                        "id": 67011100000 + t.idx * 4 + j,
                        "timer_running": False,
                        "agent_id": r.choice(self.agents)["id"],
                        "ticket_id": t.id, "company_id": t.company_id,
                        "time_spent": "%02d:%02d" % (secs // 3600,
                                                     secs % 3600 // 60),
                        "executed_at": fmt_z(st // DAY * DAY),
                        "start_time": fmt_z(st), "created_at": fmt_z(st),
                        "updated_at": fmt_z(st + secs),
                        "time_spent_in_seconds": secs})
            self.lazy[key] = v
        return v

    def ratings_for(self, t):
        key = ("sr", t.id)
        v = self.lazy.get(key)
        if v is None:
            r = self._trng("sr", t)
            v = []
            if r.random() < 0.15 and t.status0 >= 4:
                ct = t.updated0
                s = self.small["surveys"][0]
                v.append({
                    "id": 67000400000 + t.idx, "survey_id": s["id"],
                    "user_id": t.requester_id,
                    "agent_id": t.d["responder_id"],
                    "feedback": r.choice(["", "Great!", "Très bien 👍",
                                          "slow \"response\"", None]),
                    "group_id": t.d["group_id"], "ticket_id": t.id,
                    "created_at": fmt_z(ct), "updated_at": fmt_z(ct),
                    "ratings": {"default_question": r.choice((103, 100, -103)),
                                "question_67000084816": r.choice((103, -103))}})
            self.lazy[key] = v
        return v

    def all_children(self, fn):
        out = []
        for t in self.tickets:
            out.extend(fn(t))
        return out

    # -- ticket views
    def ticket_obj(self, t, incl):
        obj = dict(t.d)
        if "description" in incl:
            obj["description"], obj["description_text"] = self.description(t)
        if "requester" in incl:
            c = self.contact_by_id.get(t.requester_id)
            obj["requester"] = None if c is None else {
                k: c[k] for k in ("id", "name", "email", "mobile", "phone")}
        if "stats" in incl:
            obj["stats"] = self.stats_of(t)
        if "company" in incl:
            c = self.company_by_id.get(t.company_id)
            obj["company"] = None if c is None else {"id": c["id"],
                                                     "name": c["name"]}
        if "attachments" in incl:
            obj["attachments"] = self.attachments(t)
        return obj

    @staticmethod
    def stats_of(t):
        """include=stats: derived from the ticket (status changes and
        mutations set status_updated_at = updated_at)"""
        resp = fmt_z(t.created + 600) if t.responded else None
        upd = t.d["updated_at"]
        return {"agent_responded_at": resp, "requester_responded_at": None,
                "first_responded_at": resp, "status_updated_at": upd,
                "reopened_at": None,
                "resolved_at": upd if t.status >= 4 else None,
                "closed_at": upd if t.status == 5 else None,
                "pending_since": upd if t.status == 3 else None}

    def ticket_json(self, t, incl):
        if "description" in incl:       # too big to keep
            return dumps(self.ticket_obj(t, incl))
        key = tuple(sorted(incl))
        s = t.cache.get(key)
        if s is None:
            s = dumps(self.ticket_obj(t, incl))
            t.cache[key] = s
        return s

    def sorted_tickets(self, cat, order_by, order_type, with_keys=False):
        """The tickets of a category ('normal', 'spam', 'deleted') in list
        order, cached until the next mutation.  with_keys: also the sort
        field per ticket, ascending (negated for desc), for bisect."""
        key = (cat, order_by, order_type)
        hit = self.sort_cache.get(key)
        if hit is None or hit[0] != self.version:
            if cat == "spam":
                lst = [t for t in self.tickets if t.spam and not t.archived]
            elif cat == "deleted":
                lst = [t for t in self.tickets
                       if t.deleted and not t.archived]
            else:
                lst = [t for t in self.tickets
                       if not t.spam and not t.deleted and not t.archived]
            kf = {"created_at": lambda t: (t.created, t.id),
                  "updated_at": lambda t: (t.updated, t.id),
                  "due_by": lambda t: (t.due, t.id),
                  "status": lambda t: (t.status, t.id)}[order_by]
            desc = order_type == "desc"
            lst.sort(key=kf, reverse=desc)
            sign = -1 if desc else 1
            keys = [sign * kf(t)[0] for t in lst]
            hit = (self.version, lst, keys)
            self.sort_cache[key] = hit
        return (hit[1], hit[2]) if with_keys else hit[1]

    # -- mutation
    def pick_for_mutation(self, m):
        order = self.sorted_tickets("normal", "updated_at", "asc")
        n = len(order)
        if n == 0 or m <= 0:
            return []
        m = min(m, n)
        self.mut_seq += 1
        step = n / m
        off = ((self.mut_seq * 2654435761) % 1000) / 1000.0 * step
        picks, seen = [], set()
        for j in range(m):
            p = min(n - 1, int(off + j * step))
            if order[p].id not in seen:
                seen.add(order[p].id)
                picks.append(order[p])
        return picks

    def mutate(self, tickets, action, now):
        now = int(now)
        stamp = fmt_z(now)
        for t in tickets:
            t.updated = now
            t.d["updated_at"] = stamp
            if action == "update":
                t.status = STATUS_CYCLE.get(t.status, 2)
                t.d["status"] = t.status
            elif action == "delete":
                t.deleted, t.spam = True, False
                t.deleted_at = now
                t.d["spam"] = False
                t.d["deleted"] = True
            elif action == "spam":
                t.deleted, t.spam = False, True
                t.deleted_at = None
                t.d["spam"] = True
                t.d.pop("deleted", None)
            elif action == "restore":
                t.deleted, t.spam = False, False
                t.deleted_at = None
                t.d["spam"] = False
                t.d.pop("deleted", None)
            t.cache.clear()
        self.version += 1
        return stamp

    # -- truth
    def truth(self, name, incl=(), parent=None, group=False):
        if name == "tickets":
            return [self.ticket_obj(t, incl)
                    for t in sorted(self.tickets, key=lambda t: t.id)]
        if name == "archived_tickets":
            return [self.ticket_obj(t, set(incl) | {"description",
                                                   "attachments"})
                    for t in sorted(self.tickets, key=lambda t: t.id)
                    if t.archived]
        if name == "settings":
            return self.small["settings"]
        per_ticket = {"conversations": self.conversations,
                      "time_entries": self.time_entries_for,
                      "satisfaction_ratings": self.ratings_for}
        if name in per_ticket:
            fn = per_ticket[name]
            if parent is not None:
                t = self.ticket_by_id.get(parent)
                return sorted(fn(t), key=lambda x: x["id"]) if t else []
            if group:
                return {str(t.id): fn(t) for t in self.tickets if fn(t)}
            return sorted(self.all_children(fn), key=lambda x: x["id"])
        if name in self.child:
            m = self.child[name]
            if parent is not None:
                return sorted(m.get(parent, []), key=lambda x: x["id"])
            if group:
                return {str(k): v for k, v in m.items()}
            return sorted((x for v in m.values() for x in v),
                          key=lambda x: x["id"])
        lst = self.collection(name)
        if lst is None:
            return None
        if name == "contacts":
            lst = [dict(c, fd_state=self.contact_state(c)) for c in lst]
        return sorted(lst, key=lambda x: x["id"])

    def contact_state(self, c):
        if c.get("deleted"):
            return "deleted"
        return "blocked" if c["id"] in self.blocked else "active"

    # -- name order (FRESHDESK.md Part 3.2: contacts .order('users.name'),
    # companies .order(:name), agents and groups by name)
    NAME_ORDERED = ("contacts", "companies", "agents", "groups")

    @staticmethod
    def name_key(x):
        n = x["contact"]["name"] if "contact" in x else x.get("name")
        # a case- and accent-insensitive collation, as MySQL's
        return "".join(ch for ch in unicodedata.normalize("NFKD", n or "")
                       if not unicodedata.combining(ch)).lower().rstrip()

    def by_name(self, name):
        """The collection in name order (ties by id, shuffled per request
        by the caller), cached until the next mutation."""
        key = ("name", name)
        hit = self.sort_cache.get(key)
        if hit is None or hit[0] != self.version:
            lst = sorted(self.collection(name), key=lambda x: x["id"])
            lst.sort(key=self.name_key)
            hit = (self.version, lst)
            self.sort_cache[key] = hit
        return hit[1]

    # -- churn: contacts and companies changing while a list is read
    def churn(self, name, kind, now):
        """One change to collection name ("contacts" or "companies") that
        moves the list order in front of any reader past its first page:
        block / delete the first live record in name order, rename the
        last one so that it sorts first, touch the last one (a new
        updated_at, same place), or create one that sorts first.
        -> a description, for /_sim/stats."""
        stamp = fmt_z(int(now))
        self.churn_seq += 1
        live = [x for x in self.by_name(name) if not x.get("deleted") and
                x["id"] not in self.blocked]
        if not live and kind != "create":
            return None
        if kind == "block" and name == "companies":
            kind = "delete"
        if kind in ("block", "delete"):
            x = live[0]
            if name == "companies":     # a company is deleted for good
                self.companies.remove(x)
                del self.company_by_id[x["id"]]
            elif kind == "block":
                self.blocked.add(x["id"])
            else:
                x["deleted"] = True
        elif kind == "rename":
            x = live[-1]
            x["name"] = "Aaa churn %d %s" % (self.churn_seq, x["name"])
        elif kind == "touch":   # changed in place: ahead of the reader
            x = live[-1]
        else:
            coll = self.collection(name)
            x = dict(max(coll, key=lambda y: y["id"]))
            x["id"] += 1000 + self.churn_seq
            x["name"] = "Aaa new %d" % self.churn_seq
            if "email" in x:
                x["email"] = "new%d@example.com" % self.churn_seq
                self.contact_by_email[x["email"]] = x
            x.pop("deleted", None)
            x["created_at"] = stamp
            coll.append(x)
            (self.contact_by_id if name == "contacts" else
             self.company_by_id)[x["id"]] = x
        x["updated_at"] = stamp
        self.version += 1
        return {"kind": kind, "id": x["id"]}

    def collection(self, name):
        if name == "contacts":
            return self.contacts
        if name == "companies":
            return self.companies
        if name == "agents":
            return self.agents
        if name == "groups":
            return self.groups
        if name == "time_entries":
            return self.all_children(self.time_entries_for)
        if name == "satisfaction_ratings":
            return self.all_children(self.ratings_for)
        return self.small.get(name)


# ---------------------------------------------------------------- rate limit

class RateClock:
    """The rate limits' clock: time.monotonic() plus the seconds advanced
    by POST /_sim/rate-clock, standing still while paused.  Untouched, it
    is exactly time.monotonic()."""

    def __init__(self):
        self.offset = 0.0       # added to time.monotonic()
        self.paused_at = None   # time.monotonic() when paused, else None
        self.advanced = 0.0     # total of the advances, for GET

    def now(self):
        base = time.monotonic() if self.paused_at is None else self.paused_at
        return base + self.offset

    def pause(self, on):
        if on and self.paused_at is None:
            self.paused_at = time.monotonic()
        elif not on and self.paused_at is not None:
            # resume where it stopped: the paused span does not count
            self.offset -= time.monotonic() - self.paused_at
            self.paused_at = None

    def advance(self, s):
        self.offset += s
        self.advanced += s

    def describe(self):
        return {"paused": self.paused_at is not None,
                "advanced": self.advanced}


class RateLimiter:
    """The per-minute model (FRESHDESK.md 1.3): fixed windows of --window
    seconds aligned to the start, credits spent only by admitted requests,
    tickets/contacts list sub-limits, rate headers on the 429 too."""

    kind = "minute"

    def __init__(self, cfg, clock=None):
        self.cfg = cfg
        self.clock = clock or RateClock()
        self.history = []
        self.restart()

    def restart(self):
        self.start = self.clock.now()
        self.idx = 0
        self._zero()

    def _zero(self):
        self.used = 0
        self.tl = 0
        self.cl = 0
        self.requests = 0
        self.rejected = 0

    def roll(self):
        idx = int((self.clock.now() - self.start) // self.cfg.window)
        if idx != self.idx:
            self.flush()
            self.idx = idx
            self._zero()

    def flush(self):
        if self.requests or self.rejected:
            self.history.append(self.snapshot())
            del self.history[:-5000]

    def snapshot(self):
        return {"window": self.idx, "credits": self.used,
                "requests": self.requests, "tickets_list": self.tl,
                "contacts_list": self.cl, "rejected_429": self.rejected}

    def retry_after(self):
        end = self.start + (self.idx + 1) * self.cfg.window
        return max(1, int(math.ceil(end - self.clock.now())))

    def admit(self, cost, sub):
        self.roll()
        c = self.cfg
        if sub == "tickets" and self.tl >= c.tickets_list_limit:
            return False
        if sub == "contacts" and self.cl >= c.contacts_list_limit:
            return False
        # an unused window admits one request of any cost (no livelock)
        return self.used + cost <= c.rate_total or \
            (self.used == 0 and c.rate_total > 0)

    def charge(self, cost, sub):
        self.used += cost
        self.requests += 1
        if sub == "tickets":
            self.tl += 1
        elif sub == "contacts":
            self.cl += 1

    def headers(self, cost):
        return [("X-RateLimit-Total", str(self.cfg.rate_total)),
                ("X-RateLimit-Remaining",
                 str(max(0, self.cfg.rate_total - self.used))),
                ("X-RateLimit-Used-CurrentRequest", str(cost))]

    def refusal(self, base):
        """A 429's (body, content type, headers)."""
        body = dumps({"code": "rate_limit_exceeded",
                      "message": "You have exceeded the limit of "
                      "requests per minute"}).encode()
        return (body, "application/json; charset=utf-8",
                base + [("Retry-After", str(self.retry_after()))]
                + self.headers(0))


class HourlyThrottler(RateLimiter):
    """The older throttler, Freshdesk's lib/middleware/fd_api_throttler.rb
    (FRESHDESK.md Part 3 point 11): one Redis counter per account whose
    expiry (THROTTLE_PERIOD, 1 hour; here --window) is set by the first
    request that finds no counter, so a window starts at the account's
    first request after the last one expired.  Every request adds 1
    before the check (increment_redis_key(DEFAULT_USED_LIMIT)), refused
    ones too; an admitted request's extra credits (includes) are added
    after it ran.  Admitted while the count <= the limit (allowed?).  The
    429 carries only Retry-After = the counter's TTL in whole seconds,
    rounded as Redis' TTL rounds, so 0 in the last half second, and
    Content-Type, with {"message":"You have exceeded the limit of
    requests per hour"} ("Rate Limit headers are not set when status is
    429"); the version header is added after the middleware's answer
    (set_version_headers).  Other answers carry X-RateLimit-Total, -Remaining
    (limit - count, >= 0) and -Used-CurrentRequest (set_rate_limit_headers).
    No list sub-limits."""

    kind = "hourly"

    def restart(self):
        self.start = None       # no counter: the next request starts one
        self.idx = 0
        self._zero()

    def roll(self):
        if self.start is not None and \
                self.clock.now() >= self.start + self.cfg.window:
            self.flush()
            self.start = None
            self.idx += 1
            self._zero()

    def ends_in(self):
        if self.start is None:
            return None
        return max(0.0, self.start + self.cfg.window - self.clock.now())

    def retry_after(self):
        # Redis TTL: (ms left + 500) / 1000; handle_expiry_not_set makes a
        # negative one 1
        left = self.ends_in()
        return 1 if left is None else int((left * 1000 + 500) // 1000)

    def snapshot(self):
        s = RateLimiter.snapshot(self)
        e = self.ends_in()
        s["ends_in"] = None if e is None else round(e, 3)
        return s

    def admit(self, cost, sub):
        self.roll()
        if self.start is None:
            self.start = self.clock.now()
        self.used += 1          # counted whatever the answer
        return self.used <= self.cfg.rate_total

    def charge(self, cost, sub):
        self.used += cost - 1   # the 1 was added by admit
        self.requests += 1

    def refusal(self, base):
        body = dumps({"message": "You have exceeded the limit of requests "
                      "per hour"}).encode()
        ver = [h for h in base if h[0] == "X-Freshdesk-API-Version"]
        return (body, "application/json",
                [("Retry-After", str(self.retry_after()))] + ver)


THROTTLERS = {"minute": RateLimiter, "hourly": HourlyThrottler}


# ---------------------------------------------------------------- faults

FAULT_KINDS = ("500", "502", "503", "504", "reset", "truncate", "latency",
               "429", "404", "hold")
FAULT_KEYS = {"kind", "path", "query", "method", "nth", "every", "next",
              "times", "latency_ms", "retry_after", "bytes",
              "rate_headers"}


class FaultRule:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be an object")
        bad = set(spec) - FAULT_KEYS
        if bad:
            raise ValueError("unknown fault key(s): %s" % ",".join(sorted(bad)))
        self.spec = dict(spec)
        self.kind = str(spec.get("kind", ""))
        if self.kind not in FAULT_KINDS:
            raise ValueError("fault kind must be one of %s" %
                             "|".join(FAULT_KINDS))
        self.path_src = spec.get("path") or "^/api/v2/"
        try:
            self.path = re.compile(self.path_src)
        except re.error as e:
            raise ValueError("bad path regex: %s" % e)
        self.query = spec.get("query")
        self.method = spec.get("method")
        nth = spec.get("nth")
        if nth is not None and not isinstance(nth, list):
            nth = [nth]
        self.nth = None if nth is None else set(int(x) for x in nth)
        self.every = _posint(spec.get("every"), "every")
        self.next = _posint(spec.get("next"), "next")
        self.times = _posint(spec.get("times"), "times")
        if sum(x is not None for x in (self.nth, self.every, self.next)) > 1:
            raise ValueError("use only one of nth, every, next")
        self.latency_ms = float(spec.get("latency_ms") or 0)
        # 429: Retry-After (null: no Retry-After at all) and, unless
        # rate_headers is false, the X-RateLimit-* headers
        ra = spec.get("retry_after", 1)
        self.retry_after = None if ra is None else int(ra)
        rh = spec.get("rate_headers", True)
        self.rate_headers = rh not in (False, "false", "0", 0)
        b = spec.get("bytes")
        self.bytes = None if b is None else int(b)
        self.seen = 0
        self.fired = 0

    def consider(self, method, path, query):
        if self.method and self.method.upper() != method:
            return False
        if not self.path.search(path):
            return False
        if self.query and self.query not in query:
            return False
        self.seen += 1
        n = self.seen
        if self.nth is not None:
            fire = n in self.nth
        elif self.every is not None:
            fire = n % self.every == 0
        elif self.next is not None:
            fire = n <= self.next
        else:
            fire = True
        if fire and self.times is not None and self.fired >= self.times:
            fire = False
        if fire:
            self.fired += 1
        return fire

    def describe(self):
        d = dict(self.spec)
        d.update({"kind": self.kind, "path": self.path_src, "seen": self.seen,
                  "fired": self.fired})
        return d


def _posint(v, name):
    if v is None:
        return None
    v = int(v)
    if v < 1:
        raise ValueError("%s must be >= 1" % name)
    return v


def parse_fault_arg(s):
    s = s.strip()
    if s.startswith("{") or s.startswith("["):
        v = json.loads(s)
        return v if isinstance(v, list) else [v]
    d = {}
    for part in s.split(","):
        if not part:
            continue
        k, sep, v = part.partition("=")
        if not sep:
            raise ValueError("expected key=value in %r" % part)
        k = k.strip()
        if k == "nth" and ";" in v:
            d[k] = [int(x) for x in v.split(";")]
        elif k == "retry_after" and v == "none":
            d[k] = None
        elif k in ("nth", "every", "next", "times", "retry_after", "bytes"):
            d[k] = int(v)
        elif k == "latency_ms":
            d[k] = float(v)
        else:
            d[k] = v
    return [d]


# ---------------------------------------------------------------- API

class ApiError(Exception):
    def __init__(self, status, body=None, headers=()):
        self.status = status
        self.body = body
        self.headers = list(headers)


def validation(errors):
    return ApiError(400, {"description": "Validation failed",
                          "errors": [{"field": f, "message": m, "code": c}
                                     for f, m, c in errors]})


PAGING = {"page", "per_page"}
TICKET_PARAMS = PAGING | {"filter", "requester_id", "email",
                          "unique_external_id", "company_id",
                          "updated_since", "order_by", "order_type",
                          "include"}
TICKET_FILTER_PARAMS = {"filter", "requester_id", "email",
                        "unique_external_id", "company_id", "updated_since"}
TICKET_INCLUDES = ("requester", "stats", "description", "company")
TICKET_VIEW_INCLUDES = ("conversations", "requester", "company", "stats")
CONTACT_PARAMS = PAGING | {"email", "phone", "mobile", "company_id", "state",
                           "tag", "unique_external_id", "_updated_since",
                           "include"}
COMPANY_PARAMS = PAGING | {"include", "letter"}
RATING_PARAMS = PAGING | {"created_since", "user_id"}
TE_PARAMS = PAGING | {"company_id", "agent_id", "executed_after",
                      "executed_before", "billable"}
AGENT_PARAMS = PAGING | {"email", "mobile", "phone", "state"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Lists served whole, never paged (load_objects overridden "to avoid
# pagination"): api_contact_fields_controller.rb and
# api_company_fields_controller.rb also override validate_filter_params
# with nothing, so no query parameter is checked at all (params None);
# api_ticket_fields_controller.rb permits page/per_page (and ignores them,
# their values unchecked).  /business_hours pages only when "page" is sent
# (api_business_hours_controller.rb load_objects: see api_inner).
UNPAGED = {"contact_fields": ("unpaged", None),
           "company_fields": ("unpaged", None),
           "ticket_fields": ("unpaged", PAGING)}


class Route:
    def __init__(self, pattern, name, kind, params, sub=None, collection=None,
                 label=None):
        self.label = label      # its name in /_sim/stats by_route_name
        self.re = re.compile("^/api/v2" + pattern + "$")
        self.pattern = "/api/v2" + re.sub(r"\(\\d\+\)", "{id}", pattern)
        self.name = name
        self.kind = kind
        self.params = params
        self.sub = sub
        self.collection = collection


def build_routes():
    R = [Route("/tickets", "tickets", "tickets", TICKET_PARAMS, "tickets"),
         Route(r"/tickets/(\d+)", "tickets", "ticket", {"include"}),
         # api/app/controllers/archive/tickets_controller.rb (show:
         # validate_url_params = the ticket view's, TicketIncludeValidation)
         # and archive/conversations_controller.rb (ticket_conversations);
         # feature archive_tickets
         Route(r"/tickets/archived/(\d+)", "archived_tickets",
               "archived_ticket", {"include"}, label="archived_ticket"),
         Route(r"/tickets/archived/(\d+)/conversations", "archived_tickets",
               "archived_child", PAGING, label="archived_conversations"),
         Route(r"/tickets/(\d+)/conversations", "conversations",
               "ticket_child", PAGING),
         Route(r"/tickets/(\d+)/time_entries", "time_entries",
               "ticket_child", PAGING),
         Route(r"/tickets/(\d+)/satisfaction_ratings", "satisfaction_ratings",
               "ticket_child", PAGING),
         Route("/contacts", "contacts", "list", CONTACT_PARAMS, "contacts"),
         Route("/companies", "companies", "list", COMPANY_PARAMS),
         Route("/agents", "agents", "list", AGENT_PARAMS),
         Route("/time_entries", "time_entries", "list", TE_PARAMS),
         Route("/surveys/satisfaction_ratings", "satisfaction_ratings",
               "list", RATING_PARAMS),
         Route("/settings/helpdesk", "settings", "object", PAGING),
         Route("/email/mailboxes", "email_mailboxes", "list", PAGING),
         Route(r"/email/mailboxes/(\d+)", "email_mailboxes", "single", set()),
         Route("/solutions/categories", "solution_categories", "list", PAGING),
         Route(r"/solutions/categories/(\d+)", "solution_categories",
               "single", set()),
         Route(r"/solutions/categories/(\d+)/folders", "solution_folders",
               "child", PAGING, None, "solution_categories"),
         Route(r"/solutions/folders/(\d+)", "solution_folders", "single_child",
               set()),
         Route(r"/solutions/folders/(\d+)/articles", "solution_articles",
               "child", PAGING, None, "solution_folders"),
         Route(r"/solutions/articles/(\d+)", "solution_articles",
               "single_child", set()),
         Route("/canned_response_folders", "canned_response_folders", "list",
               PAGING),
         Route(r"/canned_response_folders/(\d+)", "canned_response_folders",
               "single", set()),
         Route(r"/canned_response_folders/(\d+)/responses",
               "canned_responses", "child", PAGING, None,
               "canned_response_folders"),
         Route(r"/canned_responses/(\d+)", "canned_responses", "single_child",
               set()),
         Route("/discussions/categories", "discussion_categories", "list",
               PAGING),
         Route(r"/discussions/categories/(\d+)", "discussion_categories",
               "single", set()),
         Route(r"/discussions/categories/(\d+)/forums", "discussion_forums",
               "child", PAGING, None, "discussion_categories"),
         Route(r"/discussions/forums/(\d+)", "discussion_forums",
               "single_child", set()),
         Route(r"/discussions/forums/(\d+)/topics", "discussion_topics",
               "child", PAGING, None, "discussion_forums"),
         Route(r"/discussions/topics/(\d+)", "discussion_topics",
               "single_child", set()),
         Route(r"/discussions/topics/(\d+)/comments", "discussion_comments",
               "child", PAGING, None, "discussion_topics"),
         Route("/admin/ticket_fields", "ticket_fields", "list", PAGING)]
    for name in ("companies", "agents", "contacts", "time_entries"):
        R.append(Route(r"/%s/(\d+)" % name, name, "single", set()))
    for name in ("groups", "roles", "surveys", "products", "business_hours",
                 "sla_policies", "ticket_fields", "contact_fields",
                 "company_fields", "email_configs", "skills",
                 "scenario_automations"):
        kind, params = UNPAGED.get(name, ("list", PAGING))
        R.append(Route("/" + name, name, kind, params))
        R.append(Route(r"/%s/(\d+)" % name, name, "single", set()))
    R.append(Route(r"/surveys/satisfaction_ratings/(\d+)",
                   "satisfaction_ratings", "single", set()))
    return R


ROUTES = build_routes()


def match_route(path):
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    for r in ROUTES:
        m = r.re.match(path)
        if m:
            return r, m
    return None, None


def page_int(v, top):
    """page/per_page -> (value, None) or (None, error code); top: the
    largest value allowed, None for no limit"""
    if not re.fullmatch(r"[+-]?[0-9]+", v):
        return None, "datatype_mismatch"
    n = int(v)
    if n < 1 or (top is not None and n > top):
        return None, "invalid_value"
    return n, None


def posint(v):
    if v is None or not re.fullmatch(r"[0-9]+", v):
        return None
    n = int(v)
    return n if n >= 1 else None


class Sim:
    """Everything mutable, guarded by one lock."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.RLock()
        self.world = World(cfg)
        self.rate_clock = RateClock()
        self.rate = THROTTLERS[cfg.throttler](cfg, self.rate_clock)
        self.faults = [FaultRule(s) for s in cfg.fault_specs]
        self.mono0 = time.monotonic()
        self.clock_offset = 0.0
        self.reqid = 0
        self.tickets_list_ok = 0
        self.lists_ok = 0
        self.tie_rng = random.Random("ties:%d" % cfg.seed)
        self.inflight = 0
        # hold faults: requests waiting for POST /_sim/release; a release
        # bumps the generation, which every waiter compares with its own
        self.hold_cv = threading.Condition(threading.Lock())
        self.held = 0
        self.hold_gen = 0
        self.reset_stats()

    def now(self):
        return self.cfg.now_epoch + self.clock_offset + \
            (time.monotonic() - self.mono0)

    def reset_stats(self):
        self.st = {"by_path": {}, "by_route": {}, "by_route_name": {},
                   "by_status": {},
                   "requests_total": 0, "rate_limited_429": 0,
                   "spurious_429": 0, "faults_fired": 0, "mutations": 0,
                   "mutated_tickets": 0, "control_requests": 0,
                   "churns": 0, "churned": [],
                   "connections": 0, "max_inflight": 0,
                   "bytes_sent": 0, "gzip_responses": 0,
                   "proxy_connects": []}
        self.rate.flush()
        self.rate.history = []

    def stats(self):
        self.rate.roll()
        s = dict(self.st)
        s["inflight"] = self.inflight
        s["held"] = self.held
        s["now"] = fmt_z(self.now())
        s["uptime_s"] = round(time.monotonic() - self.mono0, 3)
        s["startup_ms"] = self.cfg.startup_ms
        s["credits"] = {"total": self.cfg.rate_total,
                        "window_s": self.cfg.window,
                        "throttler": self.rate.kind,
                        "current": self.rate.snapshot(),
                        "windows": self.rate.history + [self.rate.snapshot()]}
        return s

    def record(self, path, route, status):
        st = self.st
        st["requests_total"] += 1
        k = str(status)
        st["by_status"][k] = st["by_status"].get(k, 0) + 1
        p = st["by_path"].setdefault(path, {})
        p[k] = p.get(k, 0) + 1
        rk = route.pattern if route else "(unknown)"
        p = st["by_route"].setdefault(rk, {})
        p[k] = p.get(k, 0) + 1
        if route is not None and route.label:
            p = st["by_route_name"].setdefault(route.label, {})
            p[k] = p.get(k, 0) + 1

    def select_faults(self, method, path, query):
        """The rule that shapes the answer (or None), the added latency in
        ms, and whether a hold rule fired."""
        chosen, lat, hold = None, 0.0, False
        for r in self.faults:
            if r.consider(method, path, query):
                self.st["faults_fired"] += 1
                lat += r.latency_ms
                if r.kind == "hold":
                    hold = True
                    continue
                if r.kind == "latency":
                    continue
                if chosen is None:
                    chosen = r
        return chosen, lat, hold

    def hold(self):
        """Blocks the calling request thread until the next release (at
        most 600 s).  Must be called without self.lock held."""
        with self.hold_cv:
            gen = self.hold_gen
            self.held += 1
            self.hold_cv.wait_for(lambda: self.hold_gen != gen, 600)
            self.held -= 1

    def release(self):
        with self.hold_cv:
            n = self.held
            self.hold_gen += 1
            self.hold_cv.notify_all()
        return n

    # ---- the API proper
    def cost(self, route, params, method):
        """Credits of a request: 1, plus api/app/controllers/
        tickets_controller.rb increment_api_credit_by: on the tickets
        list (conditional_preload_options) 2 per include value, except
        "description" on an account with description_by_default
        (--description-by-default); on a ticket view (show,
        sideload_associations) 1 per include value.  An include that
        fails validation costs nothing more."""
        if route is None or method not in ("GET", "HEAD"):
            return 1
        inc = params.get("include")
        if not inc:
            return 1
        vals = set(x for x in inc.split(",") if x)
        if route.kind == "tickets":
            if vals <= set(TICKET_INCLUDES):
                if self.cfg.description_by_default:
                    vals.discard("description")
                return 1 + 2 * len(vals)
        elif route.kind in ("ticket", "archived_ticket"):
            if vals <= set(TICKET_VIEW_INCLUDES):
                return 1 + len(vals)
        return 1

    def api(self, method, path, query, headers, host, fault):
        """-> (status, body bytes, content type, extra headers, route)"""
        pairs = parse_qsl(query, keep_blank_values=True)
        params = {}
        for k, v in pairs:
            params[k] = v
        route, m = match_route(path)
        sub = route.sub if route and method in ("GET", "HEAD") else None
        cost = self.cost(route, params, method)
        self.reqid += 1
        base = [("X-Request-Id", "fdsim-%08d" % self.reqid),
                ("X-Freshdesk-API-Version", "latest=v2; requested=v2"),
                ("Cache-Control", "no-cache, no-store, max-age=0, "
                 "must-revalidate")]
        if fault is not None and fault.kind == "429":
            self.st["spurious_429"] += 1
            self.st["rate_limited_429"] += 1
            self.rate.roll()
            self.rate.rejected += 1
            body = dumps({"code": "rate_limit_exceeded",
                          "message": "You have exceeded the limit of "
                          "requests per minute"}).encode()
            return (429, body, "application/json; charset=utf-8",
                    base + ([] if fault.retry_after is None else
                            [("Retry-After", str(fault.retry_after))])
                    + (self.rate.headers(0) if fault.rate_headers else []),
                    route)
        if not self.rate.admit(cost, sub):
            self.st["rate_limited_429"] += 1
            self.rate.rejected += 1
            body, ct, hdrs = self.rate.refusal(base)
            return (429, body, ct, hdrs, route)
        self.rate.charge(cost, sub)
        rl = self.rate.headers(cost)
        if fault is not None and fault.kind == "404":
            # the record went away between a list and its children
            return 404, b"", "application/json; charset=utf-8", \
                base + rl, route
        if fault is not None and fault.kind in ("500", "502", "503", "504"):
            st = int(fault.kind)
            if st == 500:
                body = dumps({"code": "internal_error",
                              "message": "We're sorry, but something went "
                              "wrong."}).encode()
                ct = "application/json; charset=utf-8"
            else:
                reason = {502: "Bad Gateway", 503: "Service Unavailable",
                          504: "Gateway Time-out"}[st]
                body = ("<html>\r\n<head><title>%d %s</title></head>\r\n"
                        "<body>\r\n<center><h1>%d %s</h1></center>\r\n"
                        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
                        % (st, reason, st, reason)).encode()
                ct = "text/html"
            return st, body, ct, base + rl, route
        try:
            obj, extra = self.api_inner(method, route, m, pairs, params,
                                        headers, host, path, query)
            status = 200
        except ApiError as e:
            status, obj, extra = e.status, e.body, e.headers
        if obj is None:
            body = b""
        elif isinstance(obj, bytes):
            body = obj
        else:
            body = dumps(obj).encode()
        if status == 200 and route is not None and method == "GET" and \
                route.name in ("contacts", "companies") and \
                route.kind not in ("single", "child", "single_child"):
            self.lists_ok += 1
            k = self.cfg.churn_every
            if k and self.lists_ok % k == 0 and (
                    not self.cfg.churn_max or
                    self.st["churns"] < self.cfg.churn_max):
                kinds = self.cfg.churn
                kind = kinds[self.st["churns"] % len(kinds)]
                for _ in range(self.cfg.churn_count):
                    c = self.world.churn(route.name, kind, self.now())
                    if c is not None:
                        self.st["churned"].append(c)
                self.st["churns"] += 1
                # each change in a second of its own
                self.clock_offset += 1
        if status == 200 and route is not None and route.kind == "tickets" \
                and method == "GET":
            self.tickets_list_ok += 1
            k = self.cfg.mutate_every
            if k and self.tickets_list_ok % k == 0:
                picks = self.world.pick_for_mutation(self.cfg.mutate_count)
                self.world.mutate(picks, "update", self.now())
                self.st["mutations"] += 1
                self.st["mutated_tickets"] += len(picks)
        return (status, body, "application/json; charset=utf-8",
                base + rl + extra, route)

    def api_inner(self, method, route, m, pairs, params, headers, host,
                  path, query):
        if route is None:
            raise ApiError(404)
        acc = headers.get("Accept")
        if acc and not any(x in acc for x in ("application/json", "*/*",
                                                "application/*")):
            raise ApiError(406, {"code": "invalid_accept_header",
                                 "message": "Only application/json and */* "
                                 "are supported in 'Accepted' header."})
        if not self.authorized(headers.get("Authorization")):
            raise ApiError(401, {"code": "invalid_credentials",
                                 "message": "You have to be logged in to "
                                 "perform this action."})
        if method not in ("GET", "HEAD"):
            raise ApiError(405, {"code": "method_not_allowed",
                                 "message": "Allowed methods are GET"},
                           [("Allow", "GET")])
        if access_denied(self.cfg.role, route):
            # ApiApplicationController#check_privilege -> render_request_error
            # :access_denied, 403 (api_agents_controller.rb check_privilege)
            raise ApiError(403, {"code": "access_denied",
                                 "message": "You are not authorized to "
                                 "perform this action."})
        if route.name in self.cfg.no_feature and \
                route.name == "archived_tickets":
            # error_messages.yml require_feature, as the brief of the
            # archive routes gives it
            raise ApiError(403, {"code": "require_feature",
                                 "message": "The %s feature(s) is/are not "
                                 "supported in your plan. Please upgrade "
                                 "your account to use it."
                                 % feature_label(route.name)})
        if route.name in self.cfg.no_feature:
            raise ApiError(403, {"code": "require_feature",
                                 "message": "The %s feature is not supported "
                                 "in your plan. Please upgrade your account "
                                 "to use it." % feature_label(route.name)})
        errs = [(k, "Unexpected/invalid field in request", "invalid_field")
                for k, _ in pairs
                if route.params is not None and k not in route.params]
        if errs:
            seen, uniq = set(), []
            for e in errs:
                if e[0] not in seen:
                    seen.add(e[0])
                    uniq.append(e)
            raise validation(uniq)
        W = self.world
        ident = int(m.group(1)) if m.groups() else None
        kind = route.kind
        if kind == "tickets":
            return self.list_tickets(params, pairs, host, path)
        if kind == "ticket":
            return self.view_ticket(ident, params), []
        if kind == "archived_ticket":
            return self.view_ticket(ident, params, archived=True), []
        if kind == "archived_child":
            t = W.ticket_by_id.get(ident)
            if t is None or not t.archived:
                raise ApiError(404)
            return self.paged(W.conversations(t), params, pairs, host, path)
        if kind == "ticket_child":
            t = W.ticket_by_id.get(ident)
            if t is None or t.archived:
                raise ApiError(404)
            # time_entries_controller.rb load_parent_ticket: "deleted:
            # false, spam: false"; conversations_controller.rb and
            # satisfaction_ratings_controller.rb load any ticket
            if route.name == "time_entries" and (t.spam or t.deleted):
                raise ApiError(404)
            fn = {"conversations": W.conversations,
                  "time_entries": W.time_entries_for,
                  "satisfaction_ratings": W.ratings_for}[route.name]
            return self.paged(fn(t), params, pairs, host, path)
        if kind == "object":
            self.page_params(params)
            return W.small["settings"], []
        if kind == "unpaged":
            return W.collection(route.name), []
        if kind == "single":
            lst = W.collection(route.name) or []
            for x in lst:
                if x["id"] == ident:
                    return x, []
            raise ApiError(404)
        if kind == "single_child":
            for v in W.child[route.name].values():
                for x in v:
                    if x["id"] == ident:
                        return x, []
            raise ApiError(404)
        if kind == "child":
            parents = W.truth(route.collection)
            if not any(p["id"] == ident for p in parents):
                raise ApiError(404)
            return self.paged(W.child[route.name].get(ident, []), params,
                              pairs, host, path)
        # plain lists
        if route.name in W.NAME_ORDERED:
            items = W.by_name(route.name)
        else:
            items = W.collection(route.name)
        flt = getattr(self, "filter_" + route.name, None)
        if flt is not None:
            items = flt(items, params)
        if route.name == "business_hours" and not params.get("page"):
            # api_business_hours_controller.rb: "paginate =
            # params[:page].present?"; page/per_page are still validated
            errs = self.page_params(params)[2]
            if errs:
                raise validation(errs)
            return items, []
        if route.name in W.NAME_ORDERED:
            items = self.shuffle_ties(items, params, W.name_key)
        return self.paged(items, params, pairs, host, path)

    def shuffle_ties(self, items, params, key):
        """items with the records that tie with the requested page's
        on the sort key in a new order: an ORDER BY without a tie-break
        (FRESHDESK.md Part 3.2).  --stable-ties keeps them by id."""
        if self.cfg.stable_ties:
            return items
        page, per, errs = self.page_params(params)
        if errs:
            return items        # paged() answers them
        lo = (page - 1) * per
        hi = min(len(items), lo + per)
        if lo >= hi:
            return items
        a, ka = lo, key(items[lo])
        while a > 0 and key(items[a - 1]) == ka:
            a -= 1
        b, kb = hi, key(items[hi - 1])
        while b < len(items) and key(items[b]) == kb:
            b += 1
        seg, i = list(items[a:b]), 0
        while i < len(seg):
            j, k = i + 1, key(seg[i])
            while j < len(seg) and key(seg[j]) == k:
                j += 1
            if j - i > 1:
                sub = seg[i:j]
                self.tie_rng.shuffle(sub)
                seg[i:j] = sub
            i = j
        return items[:a] + seg + items[b:]

    def authorized(self, h):
        if not h or not h.startswith("Basic "):
            return False
        try:
            raw = base64.b64decode(h[6:].strip(), validate=True).decode(
                "utf-8")
        except Exception:
            return False
        user = raw.split(":", 1)[0]
        return user == self.cfg.api_key

    def page_params(self, params):
        """api/app/controllers/validations/filter_validation.rb with
        custom_numericality_validator.rb and error_constants.rb: a value
        that is not an integer ("x", "", "1.5") is datatype_mismatch; an
        integer out of range (0, -1, 101) is invalid_value.  The messages
        are error_messages.yml's datatype_mismatch ("It should be a/an
        Positive Integer") and per_page_invalid; Freshdesk's own
        test/api/integration/flows/api_flows_test.rb shows both codes."""
        errs = []
        page = 1
        if "page" in params:
            page, code = page_int(params["page"], None)
            if code:
                errs.append(("page", "It should be a/an Positive Integer",
                             code))
        per = 30
        if "per_page" in params:
            per, code = page_int(params["per_page"], 100)
            if code:
                errs.append(("per_page", "It should be a Positive Integer "
                             "less than or equal to 100", code))
        return page, per, errs

    def link(self, pairs, host, path, page):
        out, done = [], False
        safe = ":,@/-._~!$'()*;" + ("" if self.cfg.link_escape_plus else "+")
        for k, v in pairs:
            if k == "page":
                if done:
                    continue
                v, done = str(page), True
            out.append(quote(k, safe=safe) + "=" + quote(v, safe=safe))
        if not done:
            out.append("page=%d" % page)
        return [("Link", '<http://%s%s?%s>; rel="next"' % (
            host, path, "&".join(out)))]

    def paged(self, items, params, pairs, host, path, errs=None,
              encode=None):
        page, per, perrs = self.page_params(params)
        errs = perrs + (errs or [])
        if errs:
            raise validation(errs)
        lo = (page - 1) * per
        chunk = items[lo:lo + per]
        extra = self.link(pairs, host, path, page + 1) \
            if len(items) > lo + per else []
        if encode is not None:
            return ("[" + ",".join(encode(x) for x in chunk) + "]").encode(), \
                extra
        return chunk, extra

    def ts_param(self, params, name, errs):
        if name not in params:
            return None
        v = parse_ts(params[name])
        if v is None:
            errs.append((name, "It should be in the 'valid date time' "
                         "format", "invalid_date"))
        return v

    def id_param(self, params, name, errs):
        if name not in params:
            return None
        v = posint(params[name])
        if v is None:
            errs.append((name, "It should be a/an Positive Integer",
                         "datatype_mismatch"))
        return v

    def list_tickets(self, params, pairs, host, path):
        W = self.world
        errs = []
        page, per, perrs = self.page_params(params)
        errs += perrs
        flt = params.get("filter")
        if flt is not None and flt not in ("new_and_my_open", "watching",
                                           "spam", "deleted"):
            errs.append(("filter", "It should be one of these values: "
                         "'new_and_my_open,watching,spam,deleted'",
                         "invalid_value"))
        rid = self.id_param(params, "requester_id", errs)
        cid = self.id_param(params, "company_id", errs)
        email = params.get("email")
        if email is not None and not EMAIL_RE.match(email):
            errs.append(("email", "It should be in the 'valid email "
                         "address' format", "invalid_value"))
        since = self.ts_param(params, "updated_since", errs)
        ob = params.get("order_by", "created_at")
        if ob not in ("created_at", "due_by", "updated_at", "status"):
            errs.append(("order_by", "It should be one of these values: "
                         "'created_at,due_by,updated_at,status'",
                         "invalid_value"))
        ot = params.get("order_type", "desc")
        if ot not in ("asc", "desc"):
            errs.append(("order_type", "It should be one of these values: "
                         "'asc,desc'", "invalid_value"))
        incl = set()
        if "include" in params:
            incl = set(x for x in params["include"].split(",") if x)
            if not incl or not incl <= set(TICKET_INCLUDES):
                errs.append(("include", "It should be one of these values: "
                             "'%s'" % ",".join(TICKET_INCLUDES),
                             "invalid_value"))
        if errs:
            raise validation(errs)
        if self.cfg.description_by_default:
            # tickets_controller.rb validate_filter_params: the account
            # feature description_by_default includes it (for free)
            incl.add("description")
        if page > self.cfg.page_cap:
            raise validation([("page", "You cannot access tickets beyond the "
                               "%s page. Please provide a smaller page "
                               "number." % ordinal(self.cfg.page_cap),
                               "invalid_value")])
        cat = flt if flt in ("spam", "deleted") else "normal"
        items, keys = W.sorted_tickets(cat, ob, ot, with_keys=True)
        # lower bounds on created_at / updated_at: a bisect when the list is
        # ordered by that field, else a filter
        bounds = []
        if not (set(params) & TICKET_FILTER_PARAMS):
            bounds.append(("created_at", int(math.ceil(self.now() - 30 * DAY))))
        if since is not None:
            bounds.append(("updated_at", since))
        conds = []
        lo, hi = 0, len(items)
        for field, lim in bounds:
            if field == ob and ot == "asc":
                lo = max(lo, bisect.bisect_left(keys, lim))
            elif field == ob:
                hi = min(hi, bisect.bisect_right(keys, -lim))
            elif field == "created_at":
                conds.append(lambda t, lim=lim: t.created >= lim)
            else:
                conds.append(lambda t, lim=lim: t.updated >= lim)
        if lo or hi != len(items):
            items = items[lo:hi]
        if flt == "new_and_my_open":
            conds.append(lambda t: t.status == 2)
        elif flt == "watching":
            conds.append(lambda t: False)
        if rid is not None:
            conds.append(lambda t: t.requester_id == rid)
        if cid is not None:
            conds.append(lambda t: t.company_id == cid)
        if email is not None:
            c = W.contact_by_email.get(email.lower())
            erid = c["id"] if c else None
            conds.append(lambda t: t.requester_id == erid)
        if "unique_external_id" in params:
            ue = params["unique_external_id"]
            conds.append(lambda t: W.contact_by_id.get(
                t.requester_id, {}).get("unique_external_id") == ue)
        if conds:
            items = [t for t in items if all(c(t) for c in conds)]
        # ORDER BY <order_by> <order_type>, no tie-break (Part 3.2)
        items = self.shuffle_ties(items, params, {
            "created_at": lambda t: t.created,
            "updated_at": lambda t: t.updated,
            "due_by": lambda t: t.due, "status": lambda t: t.status}[ob])
        return self.paged(items, params, pairs, host, path,
                          encode=lambda t: W.ticket_json(t, incl))

    def view_ticket(self, ident, params, archived=False):
        """/tickets/{id} (archived False: a ticket not archived) or
        /tickets/archived/{id} (archived True: an archived one only, the
        same view with "archived": true)"""
        W = self.world
        t = W.ticket_by_id.get(ident)
        incl = set()
        if "include" in params:
            incl = set(x for x in params["include"].split(",") if x)
            if not incl or not incl <= set(TICKET_VIEW_INCLUDES):
                raise validation([("include", "It should be one of these "
                                   "values: 'conversations,requester,"
                                   "company,stats'", "invalid_value")])
        if t is None or t.archived != archived:
            raise ApiError(404)
        obj = W.ticket_obj(t, (incl - {"conversations"}) |
                           {"description", "attachments"})
        if "conversations" in incl:
            obj["conversations"] = W.conversations(t)[:10]
        return obj

    # per-endpoint filters
    def filter_contacts(self, items, p):
        errs = []
        state = p.get("state")
        if state is not None and state not in ("verified", "unverified",
                                               "deleted", "blocked"):
            errs.append(("state", "It should be one of these values: "
                         "'verified,unverified,deleted,blocked'",
                         "invalid_value"))
        since = self.ts_param(p, "_updated_since", errs)
        cid = self.id_param(p, "company_id", errs)
        if "include" in p and p["include"] != "company":
            errs.append(("include", "It should be one of these values: "
                         "'company'", "invalid_value"))
        if errs:
            raise validation(errs + self.page_params(p)[2])

        blocked = self.world.blocked

        def ok(c):
            dl, bl = c.get("deleted", False), c["id"] in blocked
            if state == "deleted":
                if not dl:
                    return False
            elif state == "blocked":
                # blocked OR deleted (app/models/user.rb contact_filter)
                if not (bl or dl):
                    return False
            else:
                if dl or bl:
                    return False
                if state == "verified" and not c["active"]:
                    return False
                if state == "unverified" and c["active"]:
                    return False
            if since is not None and parse_ts(c["updated_at"]) < since:
                return False
            if cid is not None and c["company_id"] != cid:
                return False
            for k in ("email", "phone", "mobile", "unique_external_id"):
                if k in p and (c[k] or "").lower() != p[k].lower():
                    return False
            if "tag" in p and p["tag"] not in c["tags"]:
                return False
            return True
        out = [c for c in items if ok(c)]
        if p.get("include") == "company":
            cb = self.world.company_by_id
            out = [dict(c, company=cb.get(c["company_id"])) for c in out]
        return out

    def filter_companies(self, items, p):
        errs = []
        if "include" in p and p["include"] != "contacts_count":
            errs.append(("include", "It should be one of these values: "
                         "'contacts_count'", "invalid_value"))
        if "letter" in p and len(p["letter"]) != 1:
            errs.append(("letter", "It should be a single character",
                         "invalid_value"))
        if errs:
            raise validation(errs + self.page_params(p)[2])
        out = items
        if "letter" in p:
            L = p["letter"].lower()
            out = [c for c in out if c["name"].lower().startswith(L)]
        if p.get("include") == "contacts_count":
            cnt = {}
            for c in self.world.contacts:
                if c["company_id"] is not None:
                    cnt[c["company_id"]] = cnt.get(c["company_id"], 0) + 1
            out = [dict(c, contacts_count=cnt.get(c["id"], 0)) for c in out]
        return out

    def filter_agents(self, items, p):
        st = p.get("state")
        if st is not None and st not in ("fulltime", "occasional"):
            raise validation([("state", "It should be one of these values: "
                               "'fulltime,occasional'", "invalid_value")])
        out = []
        for a in items:
            c = a["contact"]
            if st == "fulltime" and a["occasional"]:
                continue
            if st == "occasional" and not a["occasional"]:
                continue
            if any(k in p and (c[k] or "").lower() != p[k].lower()
                   for k in ("email", "mobile", "phone")):
                continue
            out.append(a)
        return out

    def filter_satisfaction_ratings(self, items, p):
        """app/models/survey_result.rb survey_filter and
        api/app/controllers/validations/satisfaction_rating_filter_
        validation.rb: created_since is inclusive (created_at >= ?);
        with neither created_since nor user_id the "default" condition
        applies, created_at > the start of today minus one month (the
        API user's time zone: UTC here).  satisfaction_ratings_controller
        .rb orders by created_at desc (newest first, the id breaking
        ties here)."""
        errs = []
        since = self.ts_param(p, "created_since", errs)
        uid = self.id_param(p, "user_id", errs)
        if errs:
            raise validation(errs)
        out = sorted(items, key=lambda x: (parse_ts(x["created_at"]),
                                           x["id"]), reverse=True)
        if since is not None:
            out = [x for x in out if parse_ts(x["created_at"]) >= since]
        if uid is not None:
            out = [x for x in out if x["user_id"] == uid]
        if since is None and uid is None:
            lim = month_ago(int(self.now()) // DAY * DAY)
            out = [x for x in out if parse_ts(x["created_at"]) > lim]
        return out

    def filter_time_entries(self, items, p):
        errs = []
        cid = self.id_param(p, "company_id", errs)
        aid = self.id_param(p, "agent_id", errs)
        ea = self.ts_param(p, "executed_after", errs)
        eb = self.ts_param(p, "executed_before", errs)
        bill = p.get("billable")
        if bill is not None and bill not in ("true", "false"):
            errs.append(("billable", "It should be a/an Boolean",
                         "datatype_mismatch"))
        if errs:
            raise validation(errs)
        out = sorted(items, key=lambda x: x["id"])
        if cid is not None:
            out = [x for x in out if x["company_id"] == cid]
        if aid is not None:
            out = [x for x in out if x["agent_id"] == aid]
        if ea is not None:
            out = [x for x in out if parse_ts(x["executed_at"]) >= ea]
        if eb is not None:
            out = [x for x in out if parse_ts(x["executed_at"]) <= eb]
        if bill is not None:
            out = [x for x in out if x["billable"] == (bill == "true")]
        return out

    # ---- control
    def control(self, method, path, query, body):
        """-> (status, obj)"""
        params = dict(parse_qsl(query, keep_blank_values=True))
        W = self.world
        p = path.rstrip("/")
        if p in ("/_sim", "/_sim/help"):
            return 200, (__doc__ or "").encode()
        if p == "/_sim/truth" and method == "GET":
            return 200, ENDPOINTS
        if p.startswith("/_sim/truth/") and method == "GET":
            name = p[len("/_sim/truth/"):]
            incl = set(x for x in params.get("include", "").split(",") if x)
            parent = posint(params.get("parent"))
            v = W.truth(name, incl, parent, params.get("group") == "parent")
            if v is None:
                return 404, {"error": "unknown data set %r" % name}
            return 200, v
        if p == "/_sim/stats" and method == "GET":
            return 200, self.stats()
        if p == "/_sim/release" and method == "POST":
            return 200, {"released": self.release()}
        if p == "/_sim/reset-stats" and method == "POST":
            self.reset_stats()
            return 200, {"ok": True}
        if p == "/_sim/reset-rate" and method == "POST":
            self.rate.flush()
            self.rate.restart()
            return 200, {"ok": True}
        if p == "/_sim/faults":
            if method == "GET":
                return 200, [r.describe() for r in self.faults]
            if method in ("POST", "PUT"):
                spec = self.json_body(body)
                if isinstance(spec, dict) and "rules" in spec:
                    spec = spec["rules"]
                if not isinstance(spec, list):
                    return 400, {"error": "expected a JSON array of rules"}
                try:
                    self.faults = [FaultRule(s) for s in spec]
                except (ValueError, TypeError) as e:
                    return 400, {"error": str(e)}
                return 200, [r.describe() for r in self.faults]
            if method == "DELETE":
                self.faults = []
                return 200, []
        if p == "/_sim/mutate" and method == "POST":
            spec = self.json_body(body)
            if not isinstance(spec, dict):
                return 400, {"error": "expected a JSON object"}
            action = spec.get("action", "update")
            resource = spec.get("resource", "tickets")
            if resource == "contacts":
                return self.mutate_contacts(spec, action)
            if resource != "tickets":
                return 400, {"error": "resource: tickets|contacts"}
            if action not in ("update", "delete", "spam", "restore",
                              "archive", "purge"):
                return 400, {"error": "action: update|delete|spam|restore|"
                             "archive|purge"}
            if action in ("archive", "purge"):
                return self.mutate_archive(spec, action)
            if "ids" in spec:
                ts = []
                for i in spec["ids"]:
                    t = W.ticket_by_id.get(i) if isinstance(i, int) else None
                    if t is None:
                        return 400, {"error": "unknown ticket id %r" % (i,)}
                    if t.archived:
                        return 400, {"error": "ticket %d is archived" % i}
                    ts.append(t)
            else:
                try:
                    n = int(spec.get("count", 1))
                except (TypeError, ValueError):
                    return 400, {"error": "count must be an integer"}
                ts = W.pick_for_mutation(n)
            stamp = W.mutate(ts, action, self.now())
            self.st["mutations"] += 1
            self.st["mutated_tickets"] += len(ts)
            return 200, {"ids": [t.id for t in ts], "updated_at": stamp,
                         "action": action}
        if p == "/_sim/now":
            if method == "POST":
                spec = self.json_body(body)
                if isinstance(spec, dict) and "advance" in spec:
                    self.clock_offset += float(spec["advance"])
                elif isinstance(spec, dict) and "set" in spec:
                    v = parse_ts(str(spec["set"]))
                    if v is None:
                        return 400, {"error": "bad timestamp"}
                    self.clock_offset += v - self.now()
                else:
                    return 400, {"error": "expected {\"advance\":S} or "
                                 "{\"set\":TS}"}
                # the clock moved: the trash purge (--trash-days)
                gone = W.purge_trash(self.now())
                if gone:
                    self.st["trash_purged"] = \
                        self.st.get("trash_purged", []) + gone
            n = self.now()
            return 200, {"now": fmt_z(n), "epoch": int(n)}
        if p == "/_sim/ids" and method == "GET":
            return 200, W.ids()
        if p == "/_sim/rate-clock":
            if method == "POST":
                spec = self.json_body(body)
                if not isinstance(spec, dict) or \
                        not ("pause" in spec or "advance" in spec):
                    return 400, {"error": "expected {\"pause\":true|false}"
                                 " and/or {\"advance\":S}"}
                pause, adv = spec.get("pause"), spec.get("advance", 0)
                if "pause" in spec and not isinstance(pause, bool):
                    return 400, {"error": "pause: true or false"}
                if isinstance(adv, bool) or \
                        not isinstance(adv, (int, float)) or \
                        not 0 <= adv < float("inf"):
                    return 400, {"error": "advance: seconds >= 0"}
                if "pause" in spec:
                    self.rate_clock.pause(pause)
                if adv:
                    self.rate_clock.advance(float(adv))
            elif method != "GET":
                return 404, None
            return 200, self.rate_clock.describe()
        if p == "/_sim/config":
            if method == "POST":
                spec = self.json_body(body)
                if not isinstance(spec, dict):
                    return 400, {"error": "expected a JSON object"}
                err = self.cfg.update(spec)
                if err:
                    return 400, {"error": err}
                if "window" in spec:
                    self.rate.flush()
                    self.rate.restart()
            return 200, self.cfg.public()
        return 404, None

    def pick_ids(self, spec, known):
        """spec "ids" -> (list, None) or (None, error); known(i) tells
        whether id i may be acted upon"""
        ids = spec.get("ids")
        if not isinstance(ids, list):
            return None, "ids: a list of ids"
        for i in ids:
            if not isinstance(i, int) or isinstance(i, bool) or \
                    not known(i):
                return None, "unknown or ineligible id %r" % (i,)
        return ids, None

    def mutate_archive(self, spec, action):
        """tickets: archive (live tickets neither spam nor deleted; count:
        the M oldest by updated_at) or purge (any ticket, archived too;
        count: M spread over the live list like update)"""
        W = self.world
        if "ids" in spec:
            if action == "archive":
                ok = (lambda i: i in W.ticket_by_id and
                      W.archivable(W.ticket_by_id[i]))
            else:
                ok = (lambda i: i in W.ticket_by_id)
            ids, err = self.pick_ids(spec, ok)
            if err:
                return 400, {"error": err}
        else:
            try:
                n = int(spec.get("count", 1))
            except (TypeError, ValueError):
                return 400, {"error": "count must be an integer"}
            if action == "archive":
                ids = [t.id for t in W.sorted_tickets(
                    "normal", "updated_at", "asc")[:max(0, n)]]
            else:
                ids = [t.id for t in W.pick_for_mutation(n)]
        if action == "archive":
            seen = set()
            ts = [W.ticket_by_id[i] for i in ids
                  if not (i in seen or seen.add(i))]
            done = W.archive(ts)
        else:
            done = W.purge(ids)
        self.st["mutations"] += 1
        self.st["mutated_tickets"] += len(done)
        return 200, {"ids": done, "action": action, "resource": "tickets"}

    def mutate_contacts(self, spec, action):
        """contacts: purge only (hard delete); count: M spread over the
        contacts by id"""
        W = self.world
        if action != "purge":
            return 400, {"error": "contacts: action purge"}
        if "ids" in spec:
            ids, err = self.pick_ids(spec, lambda i: i in W.contact_by_id)
            if err:
                return 400, {"error": err}
        else:
            try:
                n = int(spec.get("count", 1))
            except (TypeError, ValueError):
                return 400, {"error": "count must be an integer"}
            lst = sorted(W.contact_by_id)
            n = min(max(0, n), len(lst))
            ids = [lst[j * len(lst) // n] for j in range(n)] if n else []
        done = W.purge_contacts(ids)
        self.st["mutations"] += 1
        return 200, {"ids": done, "action": action, "resource": "contacts"}

    @staticmethod
    def json_body(body):
        try:
            return json.loads(body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError):
            return None


def month_ago(t):
    """Rails' t.ago(1.month): the same day and time one calendar month
    earlier, the day clamped to that month's length"""
    g = time.gmtime(t)
    y, m = (g.tm_year, g.tm_mon - 1) if g.tm_mon > 1 else (g.tm_year - 1, 12)
    d = min(g.tm_mday, calendar.monthrange(y, m)[1])
    return calendar.timegm((y, m, d, g.tm_hour, g.tm_min, g.tm_sec, 0, 0, 0))


def ordinal(n):
    if 10 <= n % 100 <= 20:
        suf = "th"
    else:
        suf = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "%d%s" % (n, suf)


# ---------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fdsim/" + VERSION
    sys_version = ""
    timeout = 300

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        """The Date header: the simulated clock (the one updated_at
        follows) moved by --date-skew.  On the real service it is the web
        server's clock, not the database's (FRESHDESK.md part 3, 13): the
        skew lets a test make the two disagree."""
        if timestamp is None:
            S = self.server.sim
            timestamp = S.now() + S.cfg.date_skew
        return super().date_time_string(timestamp)

    def setup(self):
        super().setup()
        # headers and body go in two sends: without TCP_NODELAY, Nagle
        # and the client's delayed ACK add up to 40 ms to an answer (real
        # servers set it on keep-alive connections, nginx by default)
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP,
                                       socket.TCP_NODELAY, 1)
        except OSError:
            pass
        S = self.server.sim
        with S.lock:
            S.st["connections"] += 1

    def log_message(self, fmt, *args):
        if self.server.sim.cfg.log:
            sys.stderr.write("fdsim: %s %s\n" % (self.address_string(),
                                                 fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_CONNECT(self):
        """a client using us as its HTTPS proxy: note where it wanted
        to go, never tunnel (the suites reach nothing beyond loopback)"""
        S = self.server.sim
        with S.lock:
            if len(S.st["proxy_connects"]) < 1000:
                S.st["proxy_connects"].append(self.path)
        self.close_connection = True
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def read_body(self):
        n = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return b""
        try:
            n = int(n or 0)
        except ValueError:
            n = 0
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self, method):
        try:
            self._dispatch(method)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    def _dispatch(self, method):
        S = self.server.sim
        body_in = self.read_body()
        sp = urlsplit(self.path)
        path, query = sp.path, sp.query
        if path == "/_sim" or path.startswith("/_sim/"):
            with S.lock:
                S.st["control_requests"] += 1
                status, obj = S.control(method, path, query, body_in)
            if obj is None:
                body, ct = b"", None
            elif isinstance(obj, bytes):
                body, ct = obj, "text/plain; charset=utf-8"
            else:
                body, ct = (dumps(obj) + "\n").encode(), \
                    "application/json; charset=utf-8"
            self.respond(status, body, ct, [], method)
            return
        if not (path == "/api/v2" or path.startswith("/api/v2/")):
            self.respond(404, b"", None, [], method)
            return
        with S.lock:
            S.inflight += 1
            if S.inflight > S.st["max_inflight"]:
                S.st["max_inflight"] = S.inflight
        try:
            with S.lock:
                fault, lat, hold = S.select_faults(method, path, query)
                lat += S.cfg.latency_ms
            if hold:
                S.hold()
            if lat > 0:
                time.sleep(lat / 1000.0)
            host = self.headers.get("Host") or "%s:%d" % (
                self.server.server_address[:2])
            with S.lock:
                status, body, ct, hdrs, route = S.api(
                    method, path, query, self.headers, host, fault)
                S.record(path, route, status)
        finally:
            # no longer in flight before the client can have the
            # answer: else its next request could count as one more
            with S.lock:
                S.inflight -= 1
        self.respond(status, body, ct, hdrs, method, fault)

    def respond(self, status, body, ct, hdrs, method, fault=None):
        kind = fault.kind if fault is not None else None
        if kind == "truncate" and body:
            cut = fault.bytes if fault.bytes is not None else len(body) // 2
            body = body[:max(0, min(cut, len(body)))]
        ae = self.headers.get("Accept-Encoding", "")
        gz = bool(body) and accepts_gzip(ae)
        if gz:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(status)
        if ct and body:
            self.send_header("Content-Type", ct)
        for k, v in hdrs:
            self.send_header(k, v)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        if kind == "reset":
            self.send_header("Connection", "close")
        self.end_headers()
        if method == "HEAD":
            body = b""
        if kind == "reset":
            n = fault.bytes if fault.bytes is not None else len(body) // 2
            n = max(0, min(n, len(body) - 1)) if body else 0
            self.wfile.write(body[:n])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            body = body[:n]
        else:
            self.wfile.write(body)
        S = self.server.sim
        with S.lock:
            S.st["bytes_sent"] += len(body)
            if gz:
                S.st["gzip_responses"] += 1


def accepts_gzip(ae):
    for part in ae.split(","):
        bits = [b.strip() for b in part.split(";")]
        if bits[0].lower() in ("gzip", "x-gzip", "*"):
            q = 1.0
            for b in bits[1:]:
                if b.startswith("q="):
                    try:
                        q = float(b[2:])
                    except ValueError:
                        q = 0.0
            if q > 0:
                return True
    return False


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


# ---------------------------------------------------------------- config

class Config:
    RUNTIME = {"rate_total": int, "window": float, "tickets_list_limit": int,
               "contacts_list_limit": int, "page_cap": int,
               "latency_ms": float, "mutate_every": int, "mutate_count": int,
               "churn_every": int, "churn_max": int, "churn_count": int,
               "trash_days": int}

    def __init__(self, a):
        self.host = a.host
        self.seed = a.seed
        self.now_epoch = a.now_epoch
        self.tickets = a.tickets
        self.contacts = a.contacts
        self.companies = a.companies
        self.agents = a.agents
        self.groups = a.groups
        self.burst = a.burst
        self.spam = a.spam
        self.deleted = a.deleted
        self.archived = a.archived
        self.hard_deleted = a.hard_deleted
        self.trash_days = a.trash_days
        self.page_cap = a.page_cap
        self.rate_total = a.rate_total
        self.window = a.window
        self.tickets_list_limit = a.tickets_list_limit
        self.contacts_list_limit = a.contacts_list_limit
        self.latency_ms = a.latency
        self.mutate_every = a.mutate_every
        self.mutate_count = a.mutate_count
        self.churn_every = a.churn_every
        self.churn_max = a.churn_max
        self.churn_count = a.churn_count
        self.churn = a.churn
        self.stable_ties = a.stable_ties
        self.no_feature = set(a.no_feature)
        self.throttler = a.throttler
        self.role = a.role
        self.link_escape_plus = a.link_escape_plus
        self.description_by_default = a.description_by_default
        self.date_skew = a.date_skew
        self.log = a.log
        self.fault_specs = a.fault_specs
        self.api_key = a.api_key
        self.startup_ms = None

    def update(self, spec):
        for k, v in spec.items():
            if k == "role":
                if v not in ROLES:
                    return "role: one of %s" % ", ".join(ROLES)
                self.role = v
                continue
            if k == "no_feature":
                if not isinstance(v, list) or not set(v) <= FEATURES:
                    return "no_feature: a list of endpoint names"
                self.no_feature = set(v)
                continue
            typ = self.RUNTIME.get(k)
            if typ is None:
                return "unknown setting %r" % k
            try:
                v = typ(v)
            except (TypeError, ValueError):
                return "%s: bad value" % k
            if v < 0 or (k in ("window", "page_cap") and v <= 0):
                return "%s: out of range" % k
            setattr(self, k, v)
        return None

    def public(self):
        d = {k: getattr(self, k) for k in self.RUNTIME}
        d.update({"no_feature": sorted(self.no_feature), "seed": self.seed,
                  "role": self.role, "throttler": self.throttler,
                  "tickets": self.tickets, "contacts": self.contacts,
                  "companies": self.companies, "agents": self.agents,
                  "groups": self.groups, "burst": self.burst,
                  "spam": self.spam, "deleted": self.deleted,
                  "archived": self.archived,
                  "hard_deleted": self.hard_deleted,
                  "now_base": fmt_z(self.now_epoch),
                  "link_escape_plus": self.link_escape_plus,
                  "description_by_default": self.description_by_default,
                  "date_skew": self.date_skew})
        return d


SYNOPSIS = """fdsim.py [-h] [--version] [--host ADDR] [--port N] [--port-file F]
         [--api-key-file F] [--seed N] [--now TS] [--tickets N]
         [--contacts N] [--companies N] [--agents N] [--groups N]
         [--burst N] [--spam N] [--deleted N] [--archived PCT]
         [--hard-deleted PCT] [--trash-days D] [--page-cap N]
         [--rate-total N] [--throttler minute|hourly] [--window S]
         [--tickets-list-limit N] [--role admin|agent]
         [--contacts-list-limit N] [--no-feature LIST] [--latency MS]
         [--fault SPEC] [--faults-file F] [--mutate-every K]
         [--mutate-count M] [--link-escape-plus]
         [--description-by-default] [--date-skew S] [--log]"""


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="fdsim.py", usage=SYNOPSIS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A Freshdesk API v2 simulator (HTTP, 127.0.0.1). Prints "
        "'listening on http://HOST:PORT' once ready; exits 0 on "
        "SIGTERM/SIGINT. The API key is read from --api-key-file, else the "
        "environment variable FDSIM_API_KEY, else the fixed test key %r "
        "(never from argv)." % DEFAULT_KEY,
        epilog=__doc__)
    ap.add_argument("--version", action="version", version="fdsim " + VERSION)
    g = ap.add_argument_group("server")
    g.add_argument("--host", metavar="ADDR", default="127.0.0.1", help="bind address "
                   "(default 127.0.0.1)")
    g.add_argument("--port", metavar="N", type=int, default=0, help="port, 0 = a free "
                   "one (default 0)")
    g.add_argument("--port-file", metavar="F", help="write the port here once listening")
    g.add_argument("--api-key-file", metavar="F", help="file holding the API key")
    g.add_argument("--log", action="store_true", help="access log on stderr")
    g = ap.add_argument_group("data")
    g.add_argument("--seed", metavar="N", type=int, default=1, help="data seed (default 1)")
    g.add_argument("--now", metavar="TS", default=DEFAULT_NOW, help="simulated clock at "
                   "start-up; it then advances with real time and is the "
                   "clock of updated_at and of the Date header (default %s)"
                   % DEFAULT_NOW)
    g.add_argument("--date-skew", metavar="S", type=float, default=0.0,
                   help="the Date header runs S seconds (may be negative) "
                   "ahead of the simulated clock (default 0)")
    g.add_argument("--tickets", metavar="N", type=int, default=3000, help="(default 3000)")
    g.add_argument("--contacts", metavar="N", type=int, default=1000, help="(default 1000)")
    g.add_argument("--companies", metavar="N", type=int, default=200, help="(default 200)")
    g.add_argument("--agents", metavar="N", type=int, default=25, help="(default 25)")
    g.add_argument("--groups", metavar="N", type=int, default=8, help="(default 8)")
    g.add_argument("--burst", metavar="N", type=int, default=350, help="tickets sharing "
                   "one updated_at second (default 350, capped by eligible "
                   "old tickets)")
    g.add_argument("--spam", metavar="N", type=int, default=None, help="spam tickets "
                   "(default 2%% of --tickets)")
    g.add_argument("--deleted", metavar="N", type=int, default=None, help="deleted "
                   "tickets (default 2%% of --tickets)")
    g.add_argument("--archived", metavar="PCT", type=int, default=0,
                   help="archive PCT%% of the tickets (rounded down) at "
                   "start: the oldest by updated_at among the not spam, not "
                   "deleted ones updated more than 120 days before --now, "
                   "fewer if not enough qualify (default 0)")
    g.add_argument("--hard-deleted", metavar="PCT", type=int, default=0,
                   help="hard-delete PCT%% of the ticket ids (rounded down) "
                   "at start, spread over 1..N-1 (default 0)")
    g.add_argument("--trash-days", metavar="D", type=int, default=0,
                   help="purge (hard-delete) a deleted ticket D days after "
                   "its deletion, checked at start and when /_sim/now "
                   "moves (Freshdesk: 30; default 0: never)")
    g = ap.add_argument_group("limits")
    g.add_argument("--page-cap", metavar="N", type=int, default=300, help="tickets list "
                   "page cap (default 300)")
    g.add_argument("--rate-total", metavar="N", type=int, default=400, help="credits per "
                   "window, account-wide (default 400)")
    g.add_argument("--throttler", choices=sorted(THROTTLERS), default="minute",
                   help="minute: the per-minute model (default); hourly: the "
                   "older throttler of fd_api_throttler.rb (see RATE LIMITS)")
    g.add_argument("--window", metavar="S", type=float, default=None, help="rate window "
                   "in seconds (default 60; 3600 with --throttler hourly)")
    g.add_argument("--tickets-list-limit", metavar="N", type=int, default=100,
                   help="GET /api/v2/tickets requests per window (default "
                   "100)")
    g.add_argument("--contacts-list-limit", metavar="N", type=int, default=100,
                   help="GET /api/v2/contacts requests per window (default "
                   "100)")
    g.add_argument("--role", choices=ROLES, default="admin",
                   help="the API key's agent: admin (default) or agent, "
                   "an ordinary agent meeting 403 access_denied on the "
                   "admin endpoints (see ROLES)")
    g.add_argument("--no-feature", action="append", default=[],
                   metavar="LIST", help="comma list of endpoint names "
                   "answering 403 require_feature (repeatable)")
    g.add_argument("--link-escape-plus", action="store_true",
                   help="percent-encode '+' in Link URLs (default: echo it "
                   "raw, like Freshdesk's historical builder)")
    g.add_argument("--description-by-default", action="store_true",
                   help="the account feature description_by_default: "
                   "tickets-list items always carry description and "
                   "description_text, and include=description costs no "
                   "credit")
    g = ap.add_argument_group("faults and mutations")
    g.add_argument("--latency", type=float, default=0.0, metavar="MS",
                   help="delay every /api/v2 response by MS milliseconds")
    g.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="a fault rule, JSON or k=v,k=v (repeatable), e.g. "
                   "kind=500,path=^/api/v2/tickets$,nth=2")
    g.add_argument("--faults-file", metavar="F", help="JSON array of fault rules")
    g.add_argument("--mutate-every", type=int, default=0, metavar="K",
                   help="after every K answered (200) tickets-list requests "
                   "update --mutate-count tickets (default 0 = never)")
    g.add_argument("--mutate-count", type=int, default=5, metavar="M",
                   help="tickets per automatic mutation (default 5)")
    g.add_argument("--churn-every", type=int, default=0, metavar="K",
                   help="after every K answered (200) contacts or companies "
                   "list requests change that collection once (default 0 = "
                   "never), the kinds of --churn in turn")
    g.add_argument("--churn", metavar="KINDS", default="block,delete,rename,"
                   "create", help="comma list of block (contacts; companies "
                   "are deleted), delete (the first live record in name "
                   "order), rename (the last one, to sort first), touch "
                   "(the last one: a new updated_at), create (a record "
                   "that sorts first); each change moves the clock 1 s on")
    g.add_argument("--churn-count", type=int, default=1, metavar="M",
                   help="records changed at once by each churn (default 1)")
    g.add_argument("--churn-max", type=int, default=0, metavar="N",
                   help="stop churning after N changes (default 0 = never)")
    g.add_argument("--stable-ties", action="store_true",
                   help="records that tie on the list order keep an id "
                   "order (the real API promises none: by default each "
                   "request shuffles them)")
    a = ap.parse_args(argv)
    a.now_epoch = parse_ts(a.now)
    a.churn = [x for x in a.churn.split(",") if x]
    if not a.churn or set(a.churn) - {"block", "delete", "rename", "touch",
                                      "create"}:
        ap.error("--churn: a comma list of block, delete, rename, touch, "
                 "create")
    if a.now_epoch is None:
        ap.error("--now: not an ISO 8601 timestamp: %r" % a.now)
    for k in ("tickets", "contacts", "companies", "agents", "groups",
              "burst", "latency", "mutate_every", "mutate_count", "churn_every",
              "rate_total", "tickets_list_limit", "contacts_list_limit",
              "trash_days"):
        if getattr(a, k) < 0:
            ap.error("--%s must be >= 0" % k.replace("_", "-"))
    if a.window is None:
        a.window = 3600.0 if a.throttler == "hourly" else 60.0
    if not (0 <= a.archived <= 100 and 0 <= a.hard_deleted <= 100):
        ap.error("--archived and --hard-deleted: a percentage 0..100")
    if a.page_cap < 1 or a.window <= 0:
        ap.error("--page-cap and --window must be > 0")
    dflt = int(round(a.tickets * 0.02)) if a.tickets >= 10 else 0
    a.spam = dflt if a.spam is None else a.spam
    a.deleted = dflt if a.deleted is None else a.deleted
    nf = set()
    for v in a.no_feature:
        nf.update(x for x in v.split(",") if x)
    bad = nf - FEATURES
    if bad:
        ap.error("--no-feature: unknown endpoint(s): %s" % ",".join(sorted(bad)))
    a.no_feature = nf
    specs = []
    try:
        for f in a.fault:
            specs.extend(parse_fault_arg(f))
        if a.faults_file:
            with open(a.faults_file, encoding="utf-8") as fh:
                v = json.load(fh)
            specs.extend(v if isinstance(v, list) else [v])
        for s in specs:
            FaultRule(s)
    except (ValueError, OSError, TypeError) as e:
        ap.error("--fault: %s" % e)
    a.fault_specs = specs
    key = None
    if a.api_key_file:
        try:
            with open(a.api_key_file, encoding="utf-8") as fh:
                key = fh.read().strip()
        except OSError as e:
            ap.error("--api-key-file: %s" % e)
    if not key:
        key = os.environ.get("FDSIM_API_KEY") or DEFAULT_KEY
    a.api_key = key
    return a


def main(argv=None):
    t0 = time.monotonic()
    a = parse_args(sys.argv[1:] if argv is None else argv)
    cfg = Config(a)
    sim = Sim(cfg)
    try:
        httpd = Server((a.host, a.port), Handler)
    except OSError as e:
        sys.stderr.write("fdsim: %s:%d: %s\n" % (a.host, a.port, e.strerror))
        return 1
    httpd.sim = sim
    port = httpd.server_address[1]
    stopping = []

    def on_signal(signum, frame):
        # no locks here: the handler runs between two bytecodes of the main
        # thread, which may hold any lock at that moment
        stopping.append(signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    th = threading.Thread(target=httpd.serve_forever, kwargs={
        "poll_interval": 0.1}, daemon=True)
    th.start()
    cfg.startup_ms = round((time.monotonic() - t0) * 1000, 1)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    try:
        print("listening on http://%s:%d" % (a.host, port), flush=True)
    except (BrokenPipeError, OSError):
        pass
    while not stopping:
        time.sleep(0.1)
    httpd.shutdown()
    httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
