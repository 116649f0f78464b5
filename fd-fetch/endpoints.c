/*
 * endpoints.c: the Freshdesk list endpoints fd-fetch knows, with their
 * real filter names (FRESHDESK.md section 1.4).
 */
#include <stddef.h>
#include <string.h>

#include "extern.h"

static const struct endpoint endpoints[] = {
	{ "tickets", "/tickets", SYNC_ORDERED, "updated_since", "updated_at",
	    FD_RATE_TICKETS_LIST, 0, 1,
	    { { "tickets", NULL },
	      { "tickets:spam", "filter=spam" },
	      { "tickets:deleted", "filter=deleted" } } },
	{ "contacts", "/contacts", SYNC_FILTERED, "_updated_since",
	    "updated_at", FD_RATE_CONTACTS_LIST, 0, 1,
	    { { "contacts", NULL },
	      { "contacts:deleted", "state=deleted" },
	      { "contacts:blocked", "state=blocked" } } },
	{ "companies", "/companies", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 1, { { "companies", NULL } } },
	{ "agents", "/agents", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 1, { { "agents", NULL } } },
	{ "groups", "/groups", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 1, { { "groups", NULL } } },
	{ "roles", "/roles", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 1, { { "roles", NULL } } },
	{ "satisfaction_ratings", "/surveys/satisfaction_ratings",
	    SYNC_FILTERED, "created_since", "created_at", FD_RATE_ACCOUNT,
	    0, 0, { { "satisfaction_ratings", NULL } } },
	{ "time_entries", "/time_entries", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "time_entries", NULL } } },
	{ "surveys", "/surveys", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "surveys", NULL } } },
	{ "products", "/products", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "products", NULL } } },
	{ "business_hours", "/business_hours", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "business_hours", NULL } } },
	{ "sla_policies", "/sla_policies", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "sla_policies", NULL } } },
	{ "ticket_fields", "/ticket_fields", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "ticket_fields", NULL } } },
	{ "contact_fields", "/contact_fields", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "contact_fields", NULL } } },
	{ "company_fields", "/company_fields", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "company_fields", NULL } } },
	{ "email_configs", "/email_configs", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "email_configs", NULL } } },
	{ "mailboxes", "/email/mailboxes", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "mailboxes", NULL } } },
	{ "skills", "/skills", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 0, 0, { { "skills", NULL } } },
	{ "scenario_automations", "/scenario_automations", SYNC_FULL, NULL,
	    NULL, FD_RATE_ACCOUNT, 0, 0, { { "scenario_automations", NULL } } },
	{ "canned_response_folders", "/canned_response_folders", SYNC_FULL,
	    NULL, NULL, FD_RATE_ACCOUNT, 0, 0,
	    { { "canned_response_folders", NULL } } },
	{ "solution_categories", "/solutions/categories", SYNC_FULL, NULL,
	    NULL, FD_RATE_ACCOUNT, 0, 0, { { "solution_categories", NULL } } },
	{ "settings", "/settings/helpdesk", SYNC_FULL, NULL, NULL,
	    FD_RATE_ACCOUNT, 1, 0, { { "settings", NULL } } },
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
