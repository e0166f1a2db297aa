// hamming_within.cl — radius search (METHOD.md §4): every database code within Hamming
// distance `radius` of each query. Two launches over one grid: the first counts each
// work-group's matches per query, the host turns the counts into output offsets (and so
// knows how much to allocate), the second writes each match's id and distance there. Only
// the matches cross the bus. Inside a work-group's slots the order is the lanes'; the host
// puts each query's matches in (distance, index) order.
//
// Grid: (chunks · WITHIN_WG, query groups). Work-group (c, g) scores the database codes
// [c·chunk_length, (c + 1)·chunk_length) against queries g·group_queries … (at most
// WITHIN_QUERIES), whose codes it keeps in local memory: a code read once serves the whole
// group. Splitting the database into chunks keeps a GPU's compute units busy when there
// are few queries. Counts and offsets are indexed by query · chunks + c.

#ifndef WITHIN_WG
#define WITHIN_WG 64
#endif
#ifndef WITHIN_QUERIES
#define WITHIN_QUERIES 16
#endif
#if WITHIN_WG == 1
#define WITHIN_INC(counter) ((*(counter))++)
#else
#define WITHIN_INC(counter) atomic_inc(counter)
#endif

inline int within_distance(const __local ulong* query, const __global ulong* code, const int words) {
  if (words == 1) return (int)popcount(query[0] ^ code[0]);
  int distance = 0;
  for (int w = 0; w < words; w++) distance += (int)popcount(query[w] ^ code[w]);
  return distance;
}

// Loads the group's query codes and zeroes its per-query counters; returns how many
// queries the group has.
inline int within_start(const __global ulong* queries, const int query_count, const int group_queries,
                        const int words, __local ulong* query_codes, __local int* found) {
  const int first = get_group_id(1) * group_queries;
  const int count = min(group_queries, query_count - first);
  const int lane = get_local_id(0);
  for (int e = lane; e < count * words; e += WITHIN_WG) query_codes[e] = queries[(size_t)first * words + e];
  for (int q = lane; q < count; q += WITHIN_WG) found[q] = 0;
  barrier(CLK_LOCAL_MEM_FENCE);
  return count;
}

__kernel __attribute__((reqd_work_group_size(WITHIN_WG, 1, 1)))
void hamming_within_count(const __global ulong* queries, const int query_count, const int group_queries,
                          const __global ulong* database, const int database_count, const int words,
                          const int radius, const int chunk_length, __local ulong* query_codes,
                          __global int* counts) {
  __local int found[WITHIN_QUERIES];
  const int count = within_start(queries, query_count, group_queries, words, query_codes, found);
  const int chunk = get_group_id(0);
  const int chunks = get_num_groups(0);
  const int end = (int)min((long)database_count, (long)(chunk + 1) * chunk_length);
  for (int i = chunk * chunk_length + (int)get_local_id(0); i < end; i += WITHIN_WG) {
    const __global ulong* code = database + (size_t)i * words;
    for (int q = 0; q < count; q++) {
      if (within_distance(query_codes + q * words, code, words) <= radius) WITHIN_INC(&found[q]);
    }
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  const int first = get_group_id(1) * group_queries;
  for (int q = get_local_id(0); q < count; q += WITHIN_WG) counts[(size_t)(first + q) * chunks + chunk] = found[q];
}

__kernel __attribute__((reqd_work_group_size(WITHIN_WG, 1, 1)))
void hamming_within_write(const __global ulong* queries, const int query_count, const int group_queries,
                          const __global ulong* database, const int database_count, const int words,
                          const int radius, const int chunk_length, __local ulong* query_codes,
                          const __global int* offsets, __global int* ids, __global int* distances) {
  __local int found[WITHIN_QUERIES];
  const int count = within_start(queries, query_count, group_queries, words, query_codes, found);
  const int chunk = get_group_id(0);
  const int chunks = get_num_groups(0);
  const int first = get_group_id(1) * group_queries;
  const int end = (int)min((long)database_count, (long)(chunk + 1) * chunk_length);
  for (int i = chunk * chunk_length + (int)get_local_id(0); i < end; i += WITHIN_WG) {
    const __global ulong* code = database + (size_t)i * words;
    for (int q = 0; q < count; q++) {
      const int d = within_distance(query_codes + q * words, code, words);
      if (d <= radius) {
        const int slot = offsets[(size_t)(first + q) * chunks + chunk] + WITHIN_INC(&found[q]);
        ids[slot] = i;
        distances[slot] = d;
      }
    }
  }
}
