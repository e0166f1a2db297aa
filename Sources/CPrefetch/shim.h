// CPrefetch: not API. A cache-line prefetch hint, which Swift cannot express: the
// multi-index probe asks for the next buckets' codes while it compares the current one's.
#ifndef SIGAH_CPREFETCH_SHIM_H
#define SIGAH_CPREFETCH_SHIM_H

/// Hints that the line holding `address` will be read soon (no fault on any address).
static inline void sigah_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
