// CZlib: not API. zlib's gzip reader (Debian zlib1g-dev), for MNIST's .gz files.
#ifndef SIGAH_CZLIB_SHIM_H
#define SIGAH_CZLIB_SHIM_H
#include <zlib.h>
#endif
