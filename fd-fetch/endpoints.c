/*
 * endpoints.c: the Freshdesk list endpoints fd-fetch knows, with their
 * real filter names (FRESHDESK.md section 1.4).
 *
 * .fields: the top-level members of a stream's records as the real API
 * writes them (freshconsult 3ab5ca08, api/app/views/.../index.json.api
 * and the decorators; FRESHDESK.md 1.6), "name:types" separated by
 * blanks, in schema.c's notation: i integer, n number, s string, t a
 * date-time string, b boolean, a array (a[s]: of strings), o object
 * (o{...}: with these members); letters together for a choice ("ao").
 * An endpoint writing another's stream (archived_tickets) has none: the
 * stream's own endpoint declares them.
 */
#include <stddef.h>
#include <string.h>

#include "extern.h"

static const struct endpoint endpoints[] = {
	/* agents, companies, contacts, groups: ordered by name (Part 3.2) */
	{ .name = "agents", .path = "/agents", .kind = SYNC_FULL,
	    .order = "contact.name",
	    .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .fields =
	    "id:i available:b occasional:b signature:s "
	    "ticket_scope:i created_at:t updated_at:t "
	    "last_active_at:t available_since:t type:s "
	    "contact:o{active:b email:s job_title:s language:s "
	    "last_login_at:t mobile:s name:s phone:s time_zone:s "
	    "created_at:t updated_at:t avatar:o} group_ids:a[i] "
	    "role_ids:a[i] skill_ids:a[i] focus_mode:b "
	    "freshcaller_agent:b freshchat_agent:b agent_level_id:i",
	    .passes = { { "agents", NULL } } },
	{ .name = "companies", .path = "/companies", .kind = SYNC_FULL,
	    .order = "name", .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .fields =
	    "id:i name:s description:s note:s domains:a[s] "
	    "created_at:t updated_at:t custom_fields:o "
	    "health_score:s account_tier:s renewal_date:t industry:s",
	    .passes = { { "companies", NULL } } },
	{ .name = "contacts", .path = "/contacts", .kind = SYNC_FILTERED,
	    .filter = "_updated_since", .cursor = "updated_at",
	    .order = "name",
	    .pool = FD_RATE_CONTACTS_LIST, .is_default = 1,
	    .fields =
	    "id:i active:b address:s company_id:i description:s "
	    "email:s job_title:s language:s mobile:s name:s phone:s "
	    "time_zone:s twitter_id:s custom_fields:o facebook_id:s "
	    "created_at:t updated_at:t csat_rating:i "
	    "preferred_source:s view_all_tickets:b other_companies:a "
	    "unique_external_id:s twitter_profile_status:b "
	    "twitter_followers_count:i contact_type:s tags:a[s] "
	    "deleted:b fd_state:s",
	    /* the default list is neither deleted nor blocked; state=blocked
	     * is blocked or deleted (Part 3.4) */
	    .passes = { { "contacts", NULL, "active" },
	    { "contacts:deleted", "state=deleted", "deleted" },
	    { "contacts:blocked", "state=blocked", "blocked" } } },
	{ .name = "groups", .path = "/groups", .kind = SYNC_FULL,
	    .order = "name", .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .fields =
	    "id:i name:s description:s escalate_to:i "
	    "unassigned_for:s business_hour_id:i group_type:s "
	    "created_at:t updated_at:t auto_ticket_assign:b "
	    "agent_ids:a[i]",
	    .passes = { { "groups", NULL } } },
	{ .name = "roles", .path = "/roles", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT, .is_default = 1,
	    .fields =
	    "id:i name:s description:s default:b agent_type:i "
	    "created_at:t updated_at:t",
	    .passes = { { "roles", NULL } } },
	{ .name = "tickets", .path = "/tickets", .kind = SYNC_ORDERED,
	    .filter = "updated_since", .cursor = "updated_at",
	    .pool = FD_RATE_TICKETS_LIST, .is_default = 1,
	    .fields =
	    "id:i cc_emails:a[s] fwd_emails:a[s] "
	    "reply_cc_emails:a[s] ticket_cc_emails:a[s] "
	    "fr_escalated:b spam:b email_config_id:i group_id:i "
	    "priority:i requester_id:i responder_id:i source:i "
	    "company_id:i status:i subject:s association_type:i "
	    "support_email:s to_emails:a[s] product_id:i type:s "
	    "due_by:t fr_due_by:t is_escalated:b custom_fields:o "
	    "created_at:t updated_at:t associated_tickets_count:i "
	    "tags:a[s] description:s description_text:s deleted:b "
	    "archived:b requester:o{id:i name:s email:s mobile:s "
	    "phone:s} stats:o{agent_responded_at:t "
	    "requester_responded_at:t first_responded_at:t "
	    "status_updated_at:t reopened_at:t resolved_at:t "
	    "closed_at:t pending_since:t} company:o{id:i name:s} "
	    "internal_agent_id:i internal_group_id:i nr_due_by:t "
	    "nr_escalated:b attachments:a[o]",
	    .passes = { { "tickets", NULL },
	    { "tickets:spam", "filter=spam" },
	    { "tickets:deleted", "filter=deleted" } } },
	/* the tickets changed since the bookmark, then each one's list;
	 * spam and deleted tickets keep theirs (their own bookmarks) */
	{ .name = "conversations", .path = "/tickets", .kind = SYNC_CHILD,
	    .filter = "updated_since", .cursor = "updated_at",
	    .pool = FD_RATE_ACCOUNT, .parent = "tickets",
	    .child = "/tickets/%lld/conversations",
	    .fields =
	    "id:i body:s body_text:s incoming:b private:b user_id:i "
	    "support_email:s source:i category:i to_emails:a[s] "
	    "from_email:s cc_emails:a[s] bcc_emails:a[s] "
	    "email_failure_count:i outgoing_failures:s thread_id:i "
	    "thread_message_id:i created_at:t updated_at:t "
	    "last_edited_at:t last_edited_user_id:i attachments:a[o] "
	    "automation_id:i automation_type_id:i auto_response:b "
	    "ticket_id:i source_additional_info:o",
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
	    .fields =
	    "id:i survey_id:i user_id:i agent_id:i feedback:s "
	    "group_id:i ticket_id:i created_at:t updated_at:t "
	    "ratings:o",
	    .passes = { { "satisfaction_ratings", NULL } } },
	/*
	 * /time_entries has no change filter (executed_after is the work
	 * date): the entries of the tickets changed since the bookmark
	 */
	{ .name = "time_entries", .path = "/tickets", .kind = SYNC_CHILD,
	    .filter = "updated_since", .cursor = "updated_at",
	    .pool = FD_RATE_ACCOUNT, .parent = "tickets",
	    .child = "/tickets/%lld/time_entries",
	    .fields =
	    "id:i billable:b note:s timer_running:b agent_id:i "
	    "ticket_id:i company_id:i time_spent:s executed_at:t "
	    "start_time:t created_at:t updated_at:t "
	    "time_spent_in_seconds:i",
	    .passes = { { "time_entries", NULL } } },
	{ .name = "surveys", .path = "/surveys", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i title:s active:b questions:a[o] created_at:t "
	    "updated_at:t",
	    .passes = { { "surveys", NULL } } },
	{ .name = "products", .path = "/products", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s description:s primary_email:s default:b "
	    "created_at:t updated_at:t",
	    .passes = { { "products", NULL } } },
	{ .name = "business_hours", .path = "/business_hours", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s description:s business_hours:o time_zone:s "
	    "is_default:b created_at:t updated_at:t",
	    .passes = { { "business_hours", NULL } } },
	{ .name = "sla_policies", .path = "/sla_policies", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s description:s active:b is_default:b "
	    "position:i sla_target:o applicable_to:o escalation:o "
	    "created_at:t updated_at:t",
	    .passes = { { "sla_policies", NULL } } },
	{ .name = "ticket_fields", .path = "/ticket_fields", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s label:s description:s position:i "
	    "required_for_closure:b required_for_agents:b type:s "
	    "default:b customers_can_edit:b label_for_customers:s "
	    "required_for_customers:b displayed_to_customers:b "
	    "choices:ao created_at:t updated_at:t",
	    .passes = { { "ticket_fields", NULL } } },
	{ .name = "contact_fields", .path = "/contact_fields", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s label:s description:s position:i "
	    "required_for_agents:b type:s default:b "
	    "customers_can_edit:b label_for_customers:s "
	    "required_for_customers:b displayed_to_customers:b "
	    "editable_in_signup:b choices:ao created_at:t "
	    "updated_at:t",
	    .passes = { { "contact_fields", NULL } } },
	{ .name = "company_fields", .path = "/company_fields", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s label:s description:s position:i "
	    "required_for_agents:b type:s default:b choices:ao "
	    "created_at:t updated_at:t",
	    .passes = { { "company_fields", NULL } } },
	{ .name = "email_configs", .path = "/email_configs", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s product_id:i to_email:s reply_email:s "
	    "group_id:i primary_role:b active:b created_at:t "
	    "updated_at:t",
	    .passes = { { "email_configs", NULL } } },
	{ .name = "mailboxes", .path = "/email/mailboxes", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s support_email:s product_id:i group_id:i "
	    "default_reply_email:b active:b mailbox_type:s "
	    "created_at:t updated_at:t",
	    .passes = { { "mailboxes", NULL } } },
	{ .name = "skills", .path = "/skills", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s rank:i match_type:s conditions:a agents:a "
	    "created_at:t updated_at:t",
	    .passes = { { "skills", NULL } } },
	{ .name = "scenario_automations", .path = "/scenario_automations", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s description:s private:b actions:a "
	    "created_at:t updated_at:t",
	    .passes = { { "scenario_automations", NULL } } },
	{ .name = "canned_response_folders", .path = "/canned_response_folders", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s personal:b responses_count:i created_at:t "
	    "updated_at:t",
	    .passes = { { "canned_response_folders", NULL } } },
	{ .name = "solution_categories", .path = "/solutions/categories", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s description:s visible_in_portals:a[i] "
	    "created_at:t updated_at:t",
	    .passes = { { "solution_categories", NULL } } },
	{ .name = "solution_folders", .path = "/solutions/categories/%lld/folders",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "solution_categories", .child = "/solutions/categories/%lld/folders",
	    .fields =
	    "id:i name:s description:s visibility:i articles_count:i "
	    "sub_folders_count:i created_at:t updated_at:t",
	    .passes = { { "solution_folders", NULL } } },
	{ .name = "solution_articles", .path = "/solutions/folders/%lld/articles",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "solution_folders", .child = "/solutions/folders/%lld/articles",
	    .fields =
	    "id:i type:i category_id:i folder_id:i title:s "
	    "description:s description_text:s status:i agent_id:i "
	    "thumbs_up:i thumbs_down:i hits:i feedback_count:i "
	    "suggested:i tags:a[s] seo_data:o hierarchy:a "
	    "created_at:t updated_at:t",
	    .passes = { { "solution_articles", NULL } } },
	{ .name = "canned_responses", .path = "/canned_response_folders/%lld/responses",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "canned_response_folders", .child = "/canned_response_folders/%lld/responses",
	    .fields =
	    "id:i title:s folder_id:i content:s content_html:s "
	    "attachments:a[o] created_at:t updated_at:t",
	    .passes = { { "canned_responses", NULL } } },
	{ .name = "discussion_categories", .path = "/discussions/categories",
	    .kind = SYNC_FULL, .pool = FD_RATE_ACCOUNT,
	    .fields =
	    "id:i name:s description:s created_at:t updated_at:t",
	    .passes = { { "discussion_categories", NULL } } },
	{ .name = "discussion_forums", .path = "/discussions/categories/%lld/forums",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "discussion_categories", .child = "/discussions/categories/%lld/forums",
	    .fields =
	    "id:i name:s description:s position:i "
	    "forum_category_id:i forum_type:i forum_visibility:i "
	    "topics_count:i posts_count:i",
	    .passes = { { "discussion_forums", NULL } } },
	{ .name = "discussion_topics", .path = "/discussions/forums/%lld/topics",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "discussion_forums", .child = "/discussions/forums/%lld/topics",
	    .fields =
	    "id:i title:s forum_id:i user_id:i locked:b published:b "
	    "stamp_type:i replied_by:i user_votes:i "
	    "merged_topic_id:i comments_count:i sticky:b hits:i "
	    "created_at:t updated_at:t replied_at:t",
	    .passes = { { "discussion_topics", NULL } } },
	{ .name = "discussion_comments", .path = "/discussions/topics/%lld/comments",
	    .kind = SYNC_FULL_CHILD, .pool = FD_RATE_ACCOUNT,
	    .parent = "discussion_topics", .child = "/discussions/topics/%lld/comments",
	    .fields =
	    "id:i body:s body_text:s answer:b user_id:i topic_id:i "
	    "forum_id:i published:b spam:b trash:b created_at:t "
	    "updated_at:t",
	    .passes = { { "discussion_comments", NULL } } },
	{ .name = "settings", .path = "/settings/helpdesk", .kind = SYNC_FULL,
	    .pool = FD_RATE_ACCOUNT, .object = 1,
	    .fields =
	    "primary_language:s supported_languages:a[s] "
	    "portal_languages:a[s] help_widget_languages:a[s]",
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

void
endpoint_path_put(struct fd_buf *b, const char *child)
{
	const char *p = strstr(child, "%lld");

	if (p == NULL) {
		fd_buf_puts(b, child);
		return;
	}
	fd_buf_append(b, child, (size_t)(p - child));
	fd_buf_puts(b, "{id}");
	fd_buf_puts(b, p + 4);
}
