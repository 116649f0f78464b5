/*
 * digest.c: SHAKE-128 and base64 through libcrypto.  See digest.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digest.h"

int
fd_digest_shake128(const void *p, size_t n, unsigned char *out,
    size_t outlen)
{
	EVP_MD_CTX *c;
	int ok;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(c, EVP_shake128(), NULL) == 1 &&
	    EVP_DigestUpdate(c, p, n) == 1 &&
	    EVP_DigestFinalXOF(c, out, outlen) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

size_t
fd_digest_b64(const unsigned char *p, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	return (size_t)len;
}

/* A hasher: SHAKE-128 fetched from the provider once (EVP_shake128()
 * alone would fetch it again, under the provider's lock, at each
 * init), and one context reused for each id. */
struct fd_digest {
	EVP_MD_CTX	*ctx;
	EVP_MD		*md;
};

struct fd_digest *
fd_digest_new(void)
{
	struct fd_digest *d;

	if ((d = malloc(sizeof(*d))) == NULL)
		return NULL;
	d->ctx = EVP_MD_CTX_new();
	d->md = EVP_MD_fetch(NULL, "SHAKE128", NULL);
	if (d->ctx == NULL || d->md == NULL) {
		fd_digest_free(d);
		return NULL;
	}
	return d;
}

void
fd_digest_free(struct fd_digest *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->ctx);
	EVP_MD_free(d->md);
	free(d);
}

int
fd_digest_id(struct fd_digest *d, const void *p, size_t n, char out[15])
{
	unsigned char h[10];
	char tmp[20];

	if (d == NULL) {
		if (fd_digest_shake128(p, n, h, sizeof(h)) == -1)
			return -1;
	} else if (EVP_DigestInit_ex2(d->ctx, d->md, NULL) != 1 ||
	    EVP_DigestUpdate(d->ctx, p, n) != 1 ||
	    EVP_DigestFinalXOF(d->ctx, h, sizeof(h)) != 1)
		return -1;
	fd_digest_b64(h, sizeof(h), tmp);
	memcpy(out, tmp, 15);
	return 0;
}
