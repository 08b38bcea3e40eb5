/* SHA-256 (FIPS 180-4), the only digest the agent's files use. */
#ifndef RINGFENCE_SHA256_H
#define RINGFENCE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h[8];
  uint64_t length;        /* bytes hashed so far */
  unsigned char block[64];
  size_t used;            /* bytes in block */
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_final_hex(sha256_ctx *ctx, char hex[65]);
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
