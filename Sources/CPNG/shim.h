#ifndef MNIST_REPORT_CPNG_SHIM_H
#define MNIST_REPORT_CPNG_SHIM_H

#include <png.h>

/// libpng's simplified API (png_image), which reads any PNG into a buffer of a chosen format.
/// The version and format constants are macros that Swift imports; these name them plainly.
static inline png_uint_32 cpng_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 cpng_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline png_uint_32 cpng_flag_color(void) { return PNG_FORMAT_FLAG_COLOR; }
static inline png_uint_32 cpng_flag_alpha(void) { return PNG_FORMAT_FLAG_ALPHA; }

#endif
