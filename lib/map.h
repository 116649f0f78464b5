/*
 * map.h: a hash map from byte strings to pointers.
 *
 * Keys are copied into the map; values are the caller's (the map never
 * frees them).  Lookups cost one hash of the key.  Insertion order is
 * kept: fd_map_at(m, i) is the i-th key inserted, for walks in a stable
 * order.
 */
#ifndef FD_MAP_H
#define FD_MAP_H

#include <stddef.h>

struct fd_map;

/* A new, empty map.  NULL with errno ENOMEM. */
struct fd_map	*fd_map_new(void);

/* The value stored under key (len bytes), or NULL. */
void	*fd_map_get(const struct fd_map *, const char *key, size_t len);

/*
 * Stores value under key, replacing any value there.  0, or -1 with
 * errno ENOMEM (the map is unchanged).
 */
int	 fd_map_put(struct fd_map *, const char *key, size_t len, void *value);

/* The number of keys. */
size_t	 fd_map_len(const struct fd_map *);

/* The i-th key inserted (0-based) and its value; NULL past the end.
 * The key is NUL-terminated and lives as long as the map. */
const char	*fd_map_at(const struct fd_map *, size_t i, void **value);

/* Frees the map and its key copies, not the values.  NULL is a no-op. */
void	 fd_map_free(struct fd_map *);

#endif /* FD_MAP_H */
