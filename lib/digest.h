/*
 * digest.h: the hashes and encodings of fd's ids and name tags, from
 * OpenSSL's libcrypto (dlt-normalize-semantics.md, Appendix A).
 */
#ifndef FD_DIGEST_H
#define FD_DIGEST_H

#include <stddef.h>

/*
 * SHAKE-128 of p (n bytes), outlen bytes of output into out.  0, or -1
 * if libcrypto failed (no SHAKE-128, out of memory).
 */
int	fd_digest_shake128(const void *p, size_t n, unsigned char *out,
	    size_t outlen);

/*
 * Standard base64 (RFC 4648, '+' and '/') of p (n bytes) without '='
 * padding into out, which needs (n + 2) / 3 * 4 + 1 bytes; returns the
 * length written (NUL not counted).
 */
size_t	fd_digest_b64(const unsigned char *p, size_t n, char *out);

/*
 * dlt's row id of a text: the base64 (no padding) of the first 10
 * bytes of its SHAKE-128, 14 characters, into out (15 bytes).  0 or -1.
 * d is a hasher from fd_digest_new, kept for many ids (it saves setting
 * up libcrypto for each), or NULL for a one-off.
 */
struct fd_digest;
struct fd_digest	*fd_digest_new(void);	/* NULL if out of memory, or
						 * no SHAKE-128 */
void	fd_digest_free(struct fd_digest *);	/* NULL is a no-op */
int	fd_digest_id(struct fd_digest *d, const void *p, size_t n,
	    char out[15]);

#endif /* FD_DIGEST_H */
