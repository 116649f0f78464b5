/*
 * map.c: open-addressing hash map (FNV-1a, linear probing) over an
 * array of entries in insertion order.  See map.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

struct entry {
	char	*key;
	size_t	 len;
	uint64_t hash;
	void	*value;
};

struct fd_map {
	struct entry	*v;		/* in insertion order */
	size_t		 n, cap;
	uint32_t	*slot;		/* index + 1 into v; 0 is empty */
	size_t		 nslot;		/* a power of two */
};

static uint64_t
hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct fd_map *
fd_map_new(void)
{
	return calloc(1, sizeof(struct fd_map));
}

static size_t
find(const struct fd_map *m, const char *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (m->nslot - 1);
	const struct entry *e;

	for (;; i = (i + 1) & (m->nslot - 1)) {
		if (m->slot[i] == 0)
			return i;
		e = &m->v[m->slot[i] - 1];
		if (e->hash == h && e->len == len &&
		    memcmp(e->key, key, len) == 0)
			return i;
	}
}

void *
fd_map_get(const struct fd_map *m, const char *key, size_t len)
{
	size_t i;

	if (m->nslot == 0)
		return NULL;
	i = find(m, key, len, hash(key, len));
	return m->slot[i] ? m->v[m->slot[i] - 1].value : NULL;
}

static int
grow(struct fd_map *m)
{
	size_t nslot = m->nslot ? m->nslot * 2 : 16, i, j;
	uint32_t *slot;

	if ((slot = calloc(nslot, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < m->n; i++) {
		for (j = (size_t)m->v[i].hash & (nslot - 1); slot[j] != 0;
		    j = (j + 1) & (nslot - 1))
			;
		slot[j] = (uint32_t)(i + 1);
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

int
fd_map_put(struct fd_map *m, const char *key, size_t len, void *value)
{
	uint64_t h = hash(key, len);
	struct entry *e;
	size_t i;

	if (m->nslot > 0) {
		i = find(m, key, len, h);
		if (m->slot[i] != 0) {
			m->v[m->slot[i] - 1].value = value;
			return 0;
		}
	}
	if ((m->n + 1) * 2 > m->nslot && grow(m) == -1)
		return -1;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		if ((e = reallocarray(m->v, cap, sizeof(*e))) == NULL)
			return -1;
		m->v = e;
		m->cap = cap;
	}
	e = &m->v[m->n];
	if ((e->key = malloc(len + 1)) == NULL)
		return -1;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->len = len;
	e->hash = h;
	e->value = value;
	m->slot[find(m, key, len, h)] = (uint32_t)(m->n + 1);
	m->n++;
	return 0;
}

size_t
fd_map_len(const struct fd_map *m)
{
	return m->n;
}

const char *
fd_map_at(const struct fd_map *m, size_t i, void **value)
{
	if (i >= m->n)
		return NULL;
	if (value != NULL)
		*value = m->v[i].value;
	return m->v[i].key;
}

void
fd_map_free(struct fd_map *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->v[i].key);
	free(m->v);
	free(m->slot);
	free(m);
}
