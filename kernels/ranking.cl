// ranking.cl — the average precision of each query's whole Hamming ranking (METHOD.md §5),
// computed from the codes without materialising or downloading the distances.
// The ranking orders the database by ascending distance, ties by ascending index; an item
// at 1-based position p that is the f-th relevant one found contributes f / p, and a
// query's AP is the mean of the contributions over its relevant items (0 when it has none).

#ifndef RANKING_WG
#define RANKING_WG 64
#endif

inline int ranking_distance(const __global ulong* a, const __global ulong* b, const int words) {
  int distance = 0;
  for (int w = 0; w < words; w++) distance += (int)popcount(a[w] ^ b[w]);
  return distance;
}

// Marks which items of the chunk [base, base + RANKING_WG) are relevant, walking the
// query's sorted ids from *next on, and moves *next past the ids below the chunk's end:
// each id is read once a pass. Every lane must call it (it holds barriers).
inline void ranking_mark_chunk(const __global int* ids, const int count, const int base,
                               const int lane, __local int* chunk_relevant,
                               __local int* next, __local int* next_after) {
  chunk_relevant[lane] = 0;
  if (lane == 0) *next_after = *next;
  barrier(CLK_LOCAL_MEM_FENCE);
  const int end = base + RANKING_WG;
  for (int e = *next + lane; e < count && ids[e] < end; e += RANKING_WG) {
    if (ids[e] >= base) chunk_relevant[ids[e] - base] = 1;
    atomic_max(next_after, e + 1);
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lane == 0) *next = *next_after;
  barrier(CLK_LOCAL_MEM_FENCE);
}

// One work-group per query. Pass 1 counts, per distance, all items and the relevant ones
// in local memory; lane 0 turns both counts into the positions that precede each
// distance's run. Pass 2 walks the database in index order, RANKING_WG items at a time: a
// relevant item's position is its run's start, plus the items of its run already passed
// (the counts advance chunk by chunk), plus the earlier items of the same distance in its
// chunk; the same for its rank among the relevant items.
// Local size RANKING_WG, global size queries·RANKING_WG; counts: 2·(bits + 1) ints.
__kernel __attribute__((reqd_work_group_size(RANKING_WG, 1, 1)))
void average_precision(const __global ulong* queries, const __global ulong* database,
                       const int database_count, const int bits,
                       const __global int* relevant_ids, const int relevant_per_query,
                       __local int* counts, __global float* average_precisions) {
  __local int chunk_distance[RANKING_WG];
  __local int chunk_relevant[RANKING_WG];
  __local float partial[RANKING_WG];
  __local int relevant_total;
  __local int next;
  __local int next_after;
  const int q = get_group_id(0);
  const int lane = get_local_id(0);
  const int words = (bits + 63) / 64;
  const __global ulong* query = queries + (size_t)q * words;
  const __global int* ids = relevant_ids + (size_t)q * relevant_per_query;
  __local int* preceding = counts;                      // items before a distance's next one
  __local int* relevant_preceding = counts + bits + 1;  // relevant items, likewise

  for (int d = lane; d <= 2 * bits + 1; d += RANKING_WG) counts[d] = 0;
  if (lane == 0) next = 0;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int base = 0; base < database_count; base += RANKING_WG) {
    ranking_mark_chunk(ids, relevant_per_query, base, lane, chunk_relevant, &next, &next_after);
    const int i = base + lane;
    if (i < database_count) {
      const int d = ranking_distance(query, database + (size_t)i * words, words);
      atomic_inc(&preceding[d]);
      if (chunk_relevant[lane]) atomic_inc(&relevant_preceding[d]);
    }
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lane == 0) {
    int all = 0;
    int relevant = 0;
    for (int d = 0; d <= bits; d++) {
      const int count = preceding[d];
      const int relevant_count = relevant_preceding[d];
      preceding[d] = all;
      relevant_preceding[d] = relevant;
      all += count;
      relevant += relevant_count;
    }
    relevant_total = relevant;
    next = 0;
  }
  barrier(CLK_LOCAL_MEM_FENCE);

  float sum = 0.0f;
  for (int base = 0; base < database_count; base += RANKING_WG) {
    ranking_mark_chunk(ids, relevant_per_query, base, lane, chunk_relevant, &next, &next_after);
    const int i = base + lane;
    const int inside = i < database_count;
    const int d = inside ? ranking_distance(query, database + (size_t)i * words, words) : -1;
    const int relevant = inside && chunk_relevant[lane];
    chunk_distance[lane] = d;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (relevant) {
      int earlier = 0;
      int earlier_relevant = 0;
      for (int l = 0; l < lane; l++) {
        if (chunk_distance[l] == d) {
          earlier++;
          earlier_relevant += chunk_relevant[l];
        }
      }
      const int position = preceding[d] + earlier + 1;
      const int found = relevant_preceding[d] + earlier_relevant + 1;
      sum += (float)found / (float)position;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (inside) {
      atomic_inc(&preceding[d]);
      if (relevant) atomic_inc(&relevant_preceding[d]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }

  const float total = tree_sum(partial, lane, RANKING_WG, 1, sum);
  if (lane == 0) average_precisions[q] = relevant_total > 0 ? total / (float)relevant_total : 0.0f;
}
