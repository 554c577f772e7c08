#ifndef MNIST_REPORT_CCAIRO_SHIM_H
#define MNIST_REPORT_CCAIRO_SHIM_H

#include <cairo.h>
#include <cairo-svg.h>

#endif
