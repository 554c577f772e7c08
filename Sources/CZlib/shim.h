#ifndef MNIST_REPORT_CZLIB_SHIM_H
#define MNIST_REPORT_CZLIB_SHIM_H

#include <zlib.h>

/// `inflateInit2` is a macro that Swift cannot call: this wraps it.
/// `windowBits` 15 + 32 accepts both zlib and gzip headers.
static inline int czlib_inflate_init2(z_stream *stream, int windowBits) {
  return inflateInit2(stream, windowBits);
}

/// `deflateInit2` is a macro too; `windowBits` 15 + 16 writes a gzip header and trailer.
/// The tests use it to make their own gzip fixtures.
static inline int czlib_deflate_init2(z_stream *stream, int level, int windowBits) {
  return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

#endif
