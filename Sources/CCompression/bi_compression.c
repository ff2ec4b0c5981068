#include "bi_compression.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <brotli/encode.h>
#include <brotli/decode.h>

int bi_gzip(const uint8_t *input, size_t length, int level, uint8_t **out, size_t *out_length) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    /* windowBits 15 + 16: a gzip wrapper with a minimal header (no name, mtime 0). */
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    size_t bound = deflateBound(&stream, (uLong)length) + 32;
    uint8_t *buffer = malloc(bound);
    if (!buffer) { deflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)bound;
    int status = deflate(&stream, Z_FINISH);
    if (status != Z_STREAM_END) { deflateEnd(&stream); free(buffer); return -1; }
    *out_length = stream.total_out;
    deflateEnd(&stream);
    *out = buffer;
    return 0;
}

int bi_brotli(const uint8_t *input, size_t length, int quality, uint8_t **out, size_t *out_length) {
    size_t bound = BrotliEncoderMaxCompressedSize(length);
    if (bound == 0) bound = length + 1024;
    uint8_t *buffer = malloc(bound);
    if (!buffer) return -1;
    size_t written = bound;
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, length, input, &written, buffer)) {
        free(buffer);
        return -1;
    }
    *out = buffer;
    *out_length = written;
    return 0;
}

int bi_gunzip(const uint8_t *input, size_t length, uint8_t **out, size_t *out_length) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return -1;
    size_t capacity = length * 4 + 1024;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    for (;;) {
        stream.next_out = buffer + stream.total_out;
        stream.avail_out = (uInt)(capacity - stream.total_out);
        int status = inflate(&stream, Z_NO_FLUSH);
        if (status == Z_STREAM_END) break;
        if (status != Z_OK && status != Z_BUF_ERROR) { inflateEnd(&stream); free(buffer); return -1; }
        if (stream.avail_out == 0) {
            capacity *= 2;
            uint8_t *grown = realloc(buffer, capacity);
            if (!grown) { inflateEnd(&stream); free(buffer); return -1; }
            buffer = grown;
        } else if (stream.avail_in == 0) {
            inflateEnd(&stream); free(buffer); return -1; /* truncated */
        }
    }
    *out_length = stream.total_out;
    inflateEnd(&stream);
    *out = buffer;
    return 0;
}

int bi_unbrotli(const uint8_t *input, size_t length, uint8_t **out, size_t *out_length) {
    BrotliDecoderState *state = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (!state) return -1;
    size_t capacity = length * 8 + 1024, total = 0;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { BrotliDecoderDestroyInstance(state); return -1; }
    size_t available_in = length;
    const uint8_t *next_in = input;
    for (;;) {
        size_t available_out = capacity - total;
        uint8_t *next_out = buffer + total;
        BrotliDecoderResult result = BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out, NULL);
        total = capacity - available_out;
        if (result == BROTLI_DECODER_RESULT_SUCCESS) break;
        if (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
            capacity *= 2;
            uint8_t *grown = realloc(buffer, capacity);
            if (!grown) { free(buffer); BrotliDecoderDestroyInstance(state); return -1; }
            buffer = grown;
            continue;
        }
        free(buffer);
        BrotliDecoderDestroyInstance(state);
        return -1;
    }
    BrotliDecoderDestroyInstance(state);
    *out = buffer;
    *out_length = total;
    return 0;
}

void bi_free(void *pointer) { free(pointer); }
