/*
 * endpoints.c: the Freshdesk list endpoints fd-fetch knows, with their
 * real filter names (FRESHDESK.md section 1.4).
 */
#include <stddef.h>
#include <string.h>

#include "extern.h"

static const struct endpoint endpoints[] = {
	/* agents, companies, contacts, groups: ordered by name (Part 3.2) */
	{ .name = "agents", .path = "/agents", .kind = SYNC_FULL,
	    .order = "contact.name",
	    .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .passes = { { "agents", NULL } } },
	{ .name = "companies", .path = "/companies", .kind = SYNC_FULL,
	    .order = "name", .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .passes = { { "companies", NULL } } },
	{ .name = "contacts", .path = "/contacts", .kind = SYNC_FILTERED,
	    .filter = "_updated_since", .cursor = "updated_at",
	    .order = "name",
	    .pool = FD_RATE_CONTACTS_LIST, .is_default = 1,
	    /* the default list is neither deleted nor blocked; state=blocked
	     * is blocked or deleted (Part 3.4) */
	    .passes = { { "contacts", NULL, "active" },
	    { "contacts:deleted", "state=deleted", "deleted" },
	    { "contacts:blocked", "state=blocked", "blocked" } } },
	{ .name = "groups", .path = "/groups", .kind = SYNC_FULL,
	    .order = "name", .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .passes = { { "groups", NULL } } },
	{ .name = "roles", .path = "/roles", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .passes = { { "roles", NULL } } },
	{ .name = "tickets", .path = "/tickets", .kind = SYNC_ORDERED,
	    .filter = "updated_since", .cursor = "updated_at",
	    .pool = FD_RATE_TICKETS_LIST, .is_default = 1,
	    .passes = { { "tickets", NULL },
	    { "tickets:spam", "filter=spam" },
	    { "tickets:deleted", "filter=deleted" } } },
	/* the tickets changed since the bookmark, then each one's list;
	 * spam and deleted tickets keep theirs (their own bookmarks) */
	{ .name = "conversations", .path = "/tickets", .kind = SYNC_CHILD,
	    .filter = "updated_since", .cursor = "updated_at",
	    .pool = FD_RATE_ACCOUNT, .parent = "tickets",
	    .child = "/tickets/%lld/conversations",
	    .passes = { { "conversations", NULL },
	    { "conversations:spam", "filter=spam" },
	    { "conversations:deleted", "filter=deleted" } } },
	/*
	 * Archived tickets leave every list (Part 3.12): the ids that the
	 * tickets passes (its own, or the tickets endpoint's it rides on)
	 * do not show are probed one by one; records of tickets
	 */
	{ .name = "archived_tickets", .stream = "tickets", .path = "/tickets",
	    .kind = SYNC_ARCHIVE, .filter = "updated_since",
	    .cursor = "updated_at", .pool = FD_RATE_ACCOUNT,
	    .parent = "tickets", .child = "/tickets/archived/%lld",
	    .passes = { { "archived_tickets", NULL },
	    { "archived_tickets:spam", "filter=spam" },
	    { "archived_tickets:deleted", "filter=deleted" } } },
	/* the conversations of an archived ticket, read with it */
	{ .name = "archived_conversations", .stream = "conversations",
	    .path = "/tickets", .kind = SYNC_ARCHIVE, .hidden = 1,
	    .pool = FD_RATE_ACCOUNT, .parent = "archived_tickets",
	    .child = "/tickets/archived/%lld/conversations" },
	/* --reconcile's reads of the tickets lists, for their ids */
	{ .name = "ticket_ids", .stream = "tickets", .path = "/tickets",
	    .kind = SYNC_ARCHIVE, .hidden = 1, .filter = "updated_since",
	    .cursor = "updated_at", .pool = FD_RATE_ACCOUNT,
	    .parent = "tickets",
	    .passes = { { "tickets:ids", NULL },
	    { "tickets:ids:spam", "filter=spam" },
	    { "tickets:ids:deleted", "filter=deleted" } } },
	/* created_since: new ratings; a rating is not edited */
	{ .name = "satisfaction_ratings",
	    .path = "/surveys/satisfaction_ratings", .kind = SYNC_FILTERED,
	    .filter = "created_since", .cursor = "created_at",
	    .order = "created_at",	/* newest first (Part 3.2) */
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "satisfaction_ratings", NULL } } },
	/*
	 * /time_entries has no change filter (executed_after is the work
	 * date): the entries of the tickets changed since the bookmark
	 */
	{ .name = "time_entries", .path = "/tickets", .kind = SYNC_CHILD,
	    .filter = "updated_since", .cursor = "updated_at",
	    .pool = FD_RATE_ACCOUNT, .parent = "tickets",
	    .child = "/tickets/%lld/time_entries",
	    .passes = { { "time_entries", NULL } } },
	{ .name = "surveys", .path = "/surveys", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "surveys", NULL } } },
	{ .name = "products", .path = "/products", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "products", NULL } } },
	{ .name = "business_hours", .path = "/business_hours", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "business_hours", NULL } } },
	{ .name = "sla_policies", .path = "/sla_policies", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "sla_policies", NULL } } },
	{ .name = "ticket_fields", .path = "/ticket_fields", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "ticket_fields", NULL } } },
	{ .name = "contact_fields", .path = "/contact_fields", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "contact_fields", NULL } } },
	{ .name = "company_fields", .path = "/company_fields", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "company_fields", NULL } } },
	{ .name = "email_configs", .path = "/email_configs", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "email_configs", NULL } } },
	{ .name = "mailboxes", .path = "/email/mailboxes", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "mailboxes", NULL } } },
	{ .name = "skills", .path = "/skills", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "skills", NULL } } },
	{ .name = "scenario_automations", .path = "/scenario_automations", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "scenario_automations", NULL } } },
	{ .name = "canned_response_folders", .path = "/canned_response_folders", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "canned_response_folders", NULL } } },
	{ .name = "solution_categories", .path = "/solutions/categories", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .passes = { { "solution_categories", NULL } } },
	{ .name = "solution_folders", .path = "/solutions/categories/%lld/folders",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "solution_categories", .child = "/solutions/categories/%lld/folders",
	    .passes = { { "solution_folders", NULL } } },
	{ .name = "solution_articles", .path = "/solutions/folders/%lld/articles",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "solution_folders", .child = "/solutions/folders/%lld/articles",
	    .passes = { { "solution_articles", NULL } } },
	{ .name = "canned_responses", .path = "/canned_response_folders/%lld/responses",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "canned_response_folders", .child = "/canned_response_folders/%lld/responses",
	    .passes = { { "canned_responses", NULL } } },
	{ .name = "discussion_categories", .path = "/discussions/categories",
	    .kind = SYNC_FULL, .pool = FD_RATE_ACCOUNT,
	    .passes = { { "discussion_categories", NULL } } },
	{ .name = "discussion_forums", .path = "/discussions/categories/%lld/forums",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "discussion_categories", .child = "/discussions/categories/%lld/forums",
	    .passes = { { "discussion_forums", NULL } } },
	{ .name = "discussion_topics", .path = "/discussions/forums/%lld/topics",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "discussion_forums", .child = "/discussions/forums/%lld/topics",
	    .passes = { { "discussion_topics", NULL } } },
	{ .name = "discussion_comments", .path = "/discussions/topics/%lld/comments",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "discussion_topics", .child = "/discussions/topics/%lld/comments",
	    .passes = { { "discussion_comments", NULL } } },
	{ .name = "settings", .path = "/settings/helpdesk", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT, .object = 1,
	    .passes = { { "settings", NULL } } },
};

const struct endpoint *
endpoint_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (strcmp(endpoints[i].name, name) == 0)
			return &endpoints[i];
	return NULL;
}

const struct endpoint *
endpoint_at(int i)
{
	if (i < 0 || (size_t)i >= sizeof(endpoints) / sizeof(endpoints[0]))
		return NULL;
	return &endpoints[i];
}

uint64_t
endpoint_bit(const struct endpoint *ep)
{
	/* fewer than 64 endpoints: see the _Static_assert below */
	return (uint64_t)1 << (ep - endpoints);
}

int
endpoint_per_ticket(const struct endpoint *ep)
{
	return (ep->kind == SYNC_CHILD || ep->kind == SYNC_ARCHIVE) &&
	    ep->parent != NULL && strcmp(ep->parent, "tickets") == 0;
}

const char *
endpoint_stream(const struct endpoint *ep)
{
	return ep->stream != NULL ? ep->stream : ep->name;
}

_Static_assert(sizeof(endpoints) / sizeof(endpoints[0]) <= 64,
    "endpoint_bit needs a wider set");
