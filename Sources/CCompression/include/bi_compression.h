#ifndef BI_COMPRESSION_H
#define BI_COMPRESSION_H

#include <stddef.h>
#include <stdint.h>

/// One-shot compressors for the CDN's pre-compressed files. Each returns 0 on success and sets
/// `*out` to a malloc'd buffer of `*out_length` bytes, which the caller frees with `free`.
/// Output depends only on the input and level: the gzip header carries no name and mtime 0.
int bi_gzip(const uint8_t *input, size_t length, int level, uint8_t **out, size_t *out_length);
int bi_brotli(const uint8_t *input, size_t length, int quality, uint8_t **out, size_t *out_length);

/// Decoders, so tests can check what clients will see.
int bi_gunzip(const uint8_t *input, size_t length, uint8_t **out, size_t *out_length);
int bi_unbrotli(const uint8_t *input, size_t length, uint8_t **out, size_t *out_length);

void bi_free(void *pointer);

#endif
