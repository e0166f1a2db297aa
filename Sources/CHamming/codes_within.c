// The inner loop of Hamming search (METHOD.md §4, §4c): most codes are far farther than
// the query's current k-th, so the loop is a stream of xor, population count and compare;
// a hit is rare and only its position leaves the loop.
#include "hamming.h"

#include <pthread.h>
#include <stdlib.h>

size_t sigah_codes_within_portable(const uint64_t *codes, size_t count, size_t words, const uint64_t *query,
                                   uint32_t within, uint32_t *positions) {
  size_t found = 0;
  for (size_t i = 0; i < count; i++) {
    uint32_t distance = 0;
    for (size_t w = 0; w < words; w++) distance += (uint32_t)__builtin_popcountll(codes[i * words + w] ^ query[w]);
    if (distance <= within) positions[found++] = (uint32_t)i;
  }
  return found;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define SIGAH_EMIT_HITS(near, first, shift)                                                                 \
  while (near) {                                                                                            \
    positions[found++] = (uint32_t)((first) + ((size_t)__builtin_ctz(near) >> (shift)));                    \
    near &= near - 1;                                                                                       \
  }

// The codes from `first` on, by the plain loop, their positions counted from 0.
static size_t rest_portable(const uint64_t *codes, size_t first, size_t count, size_t words, const uint64_t *query,
                            uint32_t within, uint32_t *positions, size_t found) {
  size_t rest = sigah_codes_within_portable(codes + first * words, count - first, words, query, within,
                                            positions + found);
  for (size_t h = found; h < found + rest; h++) positions[h] += (uint32_t)first;
  return found + rest;
}

// One-word codes, eight a vector: one load, xor, VPOPCNTQ and an unsigned compare into a
// mask; 32 a step, with one test of their least count.
__attribute__((target("avx512f,avx512vpopcntdq"))) static size_t
within1_avx512(const uint64_t *codes, size_t count, uint64_t query, uint32_t within, uint32_t *positions) {
  const __m512i query8 = _mm512_set1_epi64((long long)query);
  const __m512i within8 = _mm512_set1_epi64((long long)within);
  size_t found = 0;
  size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    __m512i counts[4];
    for (int v = 0; v < 4; v++)
      counts[v] = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(codes + i + 8 * v), query8));
    __m512i least = _mm512_min_epu64(_mm512_min_epu64(counts[0], counts[1]), _mm512_min_epu64(counts[2], counts[3]));
    if (_mm512_cmple_epu64_mask(least, within8) == 0) continue;
    for (int v = 0; v < 4; v++) {
      unsigned near = _mm512_cmple_epu64_mask(counts[v], within8);
      SIGAH_EMIT_HITS(near, i + 8 * (size_t)v, 0)
    }
  }
  for (; i + 8 <= count; i += 8) {
    __m512i counts = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(codes + i), query8));
    unsigned near = _mm512_cmple_epu64_mask(counts, within8);
    SIGAH_EMIT_HITS(near, i, 0)
  }
  if (i < count) {
    __mmask8 rest = (__mmask8)((1u << (count - i)) - 1);
    __m512i counts = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_maskz_loadu_epi64(rest, codes + i), query8));
    unsigned near = _mm512_mask_cmple_epu64_mask(rest, counts, within8);
    SIGAH_EMIT_HITS(near, i, 0)
  }
  return found;
}

// Two-word (65–128-bit) codes, four a vector, each word's count in its own lane: adding the
// lane beside it gives both lanes the code's distance, and the even lanes' bits are the codes'.
__attribute__((target("avx512f,avx512vpopcntdq"))) static size_t
within2_avx512(const uint64_t *codes, size_t count, const uint64_t *query, uint32_t within, uint32_t *positions) {
  const __m512i query4 = _mm512_set_epi64((long long)query[1], (long long)query[0], (long long)query[1],
                                          (long long)query[0], (long long)query[1], (long long)query[0],
                                          (long long)query[1], (long long)query[0]);
  const __m512i within8 = _mm512_set1_epi64((long long)within);
  size_t found = 0;
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    __m512i counts = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(codes + 2 * i), query4));
    __m512i distances = _mm512_add_epi64(counts, _mm512_shuffle_epi32(counts, _MM_PERM_BADC));
    unsigned near = _mm512_cmple_epu64_mask(distances, within8) & 0x55u;
    SIGAH_EMIT_HITS(near, i, 1)
  }
  return rest_portable(codes, i, count, 2, query, within, positions, found);
}

// AVX2 has no population count: each byte's is looked up by nibble (VPSHUFB) and a lane's
// eight summed (VPSADBW).
__attribute__((target("avx2"))) static inline __m256i counts4(__m256i x) {
  const __m256i nibbles = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                           2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  __m256i bytes = _mm256_add_epi8(_mm256_shuffle_epi8(nibbles, _mm256_and_si256(x, low)),
                                  _mm256_shuffle_epi8(nibbles, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
  return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

// Counts are at most 128, so a signed compare against within + 1 is exact.
__attribute__((target("avx2"))) static inline unsigned below4(__m256i distances, __m256i above) {
  return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(above, distances)));
}

// One-word codes, four a vector, two vectors a step.
__attribute__((target("avx2"))) static size_t within1_avx2(const uint64_t *codes, size_t count, uint64_t query,
                                                           uint32_t within, uint32_t *positions) {
  const __m256i query4 = _mm256_set1_epi64x((long long)query);
  const __m256i above = _mm256_set1_epi64x((long long)within + 1);
  size_t found = 0;
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256i low = counts4(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(codes + i)), query4));
    __m256i high = counts4(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(codes + i + 4)), query4));
    unsigned near = below4(low, above) | below4(high, above) << 4;
    SIGAH_EMIT_HITS(near, i, 0)
  }
  return rest_portable(codes, i, count, 1, &query, within, positions, found);
}

// Two-word codes, two a vector, as in the AVX-512 loop.
__attribute__((target("avx2"))) static size_t within2_avx2(const uint64_t *codes, size_t count, const uint64_t *query,
                                                           uint32_t within, uint32_t *positions) {
  const __m256i query2 = _mm256_setr_epi64x((long long)query[0], (long long)query[1], (long long)query[0],
                                            (long long)query[1]);
  const __m256i above = _mm256_set1_epi64x((long long)within + 1);
  size_t found = 0;
  size_t i = 0;
  for (; i + 2 <= count; i += 2) {
    __m256i counts = counts4(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(codes + 2 * i)), query2));
    __m256i distances = _mm256_add_epi64(counts, _mm256_shuffle_epi32(counts, 0x4E));
    unsigned near = below4(distances, above) & 0x5u;
    SIGAH_EMIT_HITS(near, i, 1)
  }
  return rest_portable(codes, i, count, 2, query, within, positions, found);
}

size_t sigah_codes_within_avx512(const uint64_t *codes, size_t count, size_t words, const uint64_t *query,
                                 uint32_t within, uint32_t *positions) {
  if (words == 1) return within1_avx512(codes, count, query[0], within, positions);
  if (words == 2) return within2_avx512(codes, count, query, within, positions);
  return sigah_codes_within_portable(codes, count, words, query, within, positions);
}

size_t sigah_codes_within_avx2(const uint64_t *codes, size_t count, size_t words, const uint64_t *query,
                               uint32_t within, uint32_t *positions) {
  if (words == 1) return within1_avx2(codes, count, query[0], within, positions);
  if (words == 2) return within2_avx2(codes, count, query, within, positions);
  return sigah_codes_within_portable(codes, count, words, query, within, positions);
}

static int use_avx512;
static int use_avx2;
static pthread_once_t chosen = PTHREAD_ONCE_INIT;

// SIGAH_NO_AVX512 set (to anything) measures the AVX2 loop on a processor with AVX-512.
static void choose(void) {
  use_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq") &&
               getenv("SIGAH_NO_AVX512") == NULL;
  use_avx2 = __builtin_cpu_supports("avx2");
}

int sigah_codes_within_uses_avx512(void) {
  pthread_once(&chosen, choose);
  return use_avx512;
}

size_t sigah_codes_within(const uint64_t *codes, size_t count, size_t words, const uint64_t *query, uint32_t within,
                          uint32_t *positions) {
  pthread_once(&chosen, choose);
  if (use_avx512) return sigah_codes_within_avx512(codes, count, words, query, within, positions);
  if (use_avx2) return sigah_codes_within_avx2(codes, count, words, query, within, positions);
  return sigah_codes_within_portable(codes, count, words, query, within, positions);
}

#else

int sigah_codes_within_uses_avx512(void) { return 0; }

size_t sigah_codes_within(const uint64_t *codes, size_t count, size_t words, const uint64_t *query, uint32_t within,
                          uint32_t *positions) {
  return sigah_codes_within_portable(codes, count, words, query, within, positions);
}

#endif
