#ifndef MNIST_REPORT_CPANGOCAIRO_SHIM_H
#define MNIST_REPORT_CPANGOCAIRO_SHIM_H

#include <pango/pangocairo.h>

#endif
