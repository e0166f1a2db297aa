// CHamming: not API. The Hamming scan that the multi-index probe (a bucket at a time) and
// the CPU backend's linear top-k (a block at a time) share, below Swift: AVX-512's 64-bit
// population count where the processor has it, AVX2 where not, chosen at run time so that
// one build runs on every x86-64 from Haswell on. One- and two-word codes (up to 128 bits)
// have vector loops; longer ones the plain loop.
#ifndef SIGAH_HAMMING_H
#define SIGAH_HAMMING_H

#include <stddef.h>
#include <stdint.h>

/// Writes to `positions` the index `i` of every code `i` of `count` (`words` words each,
/// from `codes`) within Hamming distance `within` of `query`, ascending, and returns how
/// many there are. `positions` holds `count` entries. The variant the processor runs best.
size_t sigah_codes_within(const uint64_t *codes, size_t count, size_t words, const uint64_t *query, uint32_t within,
                          uint32_t *positions);

/// The same in plain C (the reference the vector variants are tested against).
size_t sigah_codes_within_portable(const uint64_t *codes, size_t count, size_t words, const uint64_t *query,
                                   uint32_t within, uint32_t *positions);

#if defined(__x86_64__)
/// The same with AVX-512 VPOPCNTQ: only where `sigah_codes_within_uses_avx512()`.
size_t sigah_codes_within_avx512(const uint64_t *codes, size_t count, size_t words, const uint64_t *query,
                                 uint32_t within, uint32_t *positions);
/// The same with AVX2 (any x86-64 this package builds for).
size_t sigah_codes_within_avx2(const uint64_t *codes, size_t count, size_t words, const uint64_t *query,
                               uint32_t within, uint32_t *positions);
#endif

/// Whether `sigah_codes_within` runs on AVX-512 VPOPCNTQ on this processor (and the
/// environment does not set SIGAH_NO_AVX512).
int sigah_codes_within_uses_avx512(void);

#endif
