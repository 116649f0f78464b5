/* Unit tests of lib/map.c and lib/digest.c. */
#include <stdio.h>

#include "digest.h"
#include "map.h"
#include "t.h"

void
t_map(void)
{
	struct fd_map *m = fd_map_new();
	char key[32];
	void *v;
	int i;

	T(fd_map_get(m, "a", 1) == NULL);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		T(fd_map_put(m, key, strlen(key), (void *)(long)(i + 1)) == 0);
	}
	T_INT(fd_map_len(m), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (fd_map_get(m, key, strlen(key)) != (void *)(long)(i + 1))
			T_FAIL("lost %s", key);
	}
	/* replacing keeps the place in insertion order */
	T(fd_map_put(m, "k7", 2, (void *)99L) == 0);
	T_INT(fd_map_len(m), 5000);
	T_STR(fd_map_at(m, 7, &v), "k7");
	T(v == (void *)99L);
	T(fd_map_at(m, 5000, &v) == NULL);
	/* keys are bytes: embedded NUL, prefixes */
	T(fd_map_put(m, "x\0y", 3, (void *)1L) == 0);
	T(fd_map_get(m, "x", 1) == NULL);
	T(fd_map_get(m, "x\0y", 3) == (void *)1L);
	fd_map_free(m);
	fd_map_free(NULL);
}

void
t_digest(void)
{
	char id[15], b[16];
	const char *in = "wX3f5vn801W16A_tickets__tags_0";

	/* the nested row id of dlt's worked example (the note, 3.4) */
	struct fd_digest *d = fd_digest_new();

	T(fd_digest_id(NULL, in, strlen(in), id) == 0);
	T_STR(id, "r0pBeIGyt+b3cA");
	T(fd_digest_id(d, in, strlen(in), id) == 0);
	T_STR(id, "r0pBeIGyt+b3cA");
	in = "wX3f5vn801W16A_tickets__tags_1";
	T(fd_digest_id(d, in, strlen(in), id) == 0);
	T_STR(id, "HRhTv3Ed/0TWQw");
	/* the empty text, and texts longer than SHAKE-128's 168-byte
	 * block (Python's hashlib.shake_128, 10 bytes, base64) */
	T(fd_digest_id(d, "", 0, id) == 0);
	T_STR(id, "f5wrpOiPgn1hYA");
	{
		char x[201], u[209];
		int i;

		memset(x, 'x', 200);
		x[200] = '\0';
		T(fd_digest_id(d, x, 200, id) == 0);
		T_STR(id, "/x9VFC6Sx0xnGA");
		memcpy(u, "tickets.", 8);
		for (i = 0; i < 40; i++)	/* U+00E9 U+4E2D */
			memcpy(u + 8 + i * 5, "\xc3\xa9\xe4\xb8\xad", 5);
		T(fd_digest_id(d, u, 208, id) == 0);
		T_STR(id, "Ami4KG8mOSgnBg");
	}
	fd_digest_free(d);
	fd_digest_free(NULL);
	T_INT(fd_digest_b64((const unsigned char *)"fo", 2, b), 3);
	T_STR(b, "Zm8");
	T_INT(fd_digest_b64((const unsigned char *)"", 0, b), 0);
}
