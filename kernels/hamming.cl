// hamming.cl — binary codes (METHOD.md §4): sign-packing, Hamming distances, exact top-k.
// Codes are little-endian 64-bit words: bit k of a code is bit k % 64 of word k / 64.

// One work-item per (row, word): global size rows·words.
__kernel void sign_pack(const __global float* x, const int rows, const int bits,
                        __global ulong* codes) {
  const int words = (bits + 63) / 64;
  const int index = get_global_id(0);
  if (index >= rows * words) return;
  const int row = index / words;
  const int word = index - row * words;
  const int first = word * 64;
  const int last = min(bits, first + 64);
  const __global float* values = x + (size_t)row * bits;
  ulong packed = 0;
  for (int bit = first; bit < last; bit++) {
    if (values[bit] >= 0.0f) packed |= (ulong)1 << (bit - first);
  }
  codes[index] = packed;
}

inline int hamming(const __global ulong* a, const __global ulong* b, const int words) {
  int distance = 0;
  for (int w = 0; w < words; w++) distance += (int)popcount(a[w] ^ b[w]);
  return distance;
}

// D[q, i] for all pairs: global size (database_count, query_count).
__kernel void hamming_distances(const __global ulong* queries, const __global ulong* database,
                                const int query_count, const int database_count,
                                const int words, __global int* distances) {
  const int i = get_global_id(0);
  const int q = get_global_id(1);
  if (i >= database_count || q >= query_count) return;
  distances[(size_t)q * database_count + i] =
      hamming(queries + (size_t)q * words, database + (size_t)i * words, words);
}

#ifndef HAMMING_WG
#define HAMMING_WG 64
#endif

// Exact top-k of one query per work-group, ties by ascending index, equal to the CPU's.
// Pass 1: the lanes stream the database (consecutive lanes on consecutive codes) into a
// histogram of the bits + 1 possible distances in local memory; it fixes the threshold t
// (the k-th smallest distance), the count below it, and where each distance's run starts.
// Pass 2 streams the database again in chunks of HAMMING_WG: a code below t takes the next
// slot of its distance's run (in any order; each run is put in index order at the end),
// and codes at t are ranked by a work-group prefix sum, so the first ones in index order
// fill the k − below slots left. Scratch per query: k ids and bits + 1 run starts.
// Local size HAMMING_WG, global size queries·HAMMING_WG; histogram (bits + 1) ints.
__kernel __attribute__((reqd_work_group_size(HAMMING_WG, 1, 1)))
void hamming_topk(const __global ulong* queries, const __global ulong* database,
                  const int database_count, const int bits, const int k,
                  __local int* histogram, __global int* scratch, __global int* ids,
                  __global int* distances) {
  __local int scan[HAMMING_WG];
  __local int threshold, below, ties_placed, below_placed;
  const int q = get_group_id(0);
  const int lane = get_local_id(0);
  const int words = (bits + 63) / 64;
  const __global ulong* query = queries + (size_t)q * words;
  __global int* out_ids = ids + (size_t)q * k;
  __global int* out_distances = distances + (size_t)q * k;
  __global int* run_ids = scratch + (size_t)q * (k + bits + 1);
  __global int* run_starts = run_ids + k;

  for (int d = lane; d <= bits; d += HAMMING_WG) histogram[d] = 0;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int i = lane; i < database_count; i += HAMMING_WG)
    atomic_inc(&histogram[hamming(query, database + (size_t)i * words, words)]);
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lane == 0) {
    int total = 0;
    int t = 0;
    while (total + histogram[t] < k) {
      const int count = histogram[t];
      histogram[t] = total;  // from here on: the next free slot of distance t's run
      run_starts[t] = total;
      total += count;
      t++;
    }
    threshold = t;
    below = total;
    ties_placed = 0;
    below_placed = 0;
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  const int t = threshold;
  const int needed = k - below;

  for (int base = 0; base < database_count; base += HAMMING_WG) {
    const int i = base + lane;
    const int d = i < database_count ? hamming(query, database + (size_t)i * words, words) : bits + 1;
    if (d < t) {
      const int slot = atomic_inc(&histogram[d]);
      run_ids[slot] = i;
      out_distances[slot] = d;
      atomic_inc(&below_placed);
    }
    const int tie = d == t;
    scan[lane] = tie;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int offset = 1; offset < HAMMING_WG; offset *= 2) {
      const int add = lane >= offset ? scan[lane - offset] : 0;
      barrier(CLK_LOCAL_MEM_FENCE);
      scan[lane] += add;
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    const int rank = ties_placed + scan[lane] - tie;
    if (tie && rank < needed) {
      out_ids[below + rank] = i;
      out_distances[below + rank] = t;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lane == HAMMING_WG - 1) ties_placed += scan[lane];
    barrier(CLK_LOCAL_MEM_FENCE);
    if (ties_placed >= needed && below_placed == below) break;
  }
  barrier(CLK_GLOBAL_MEM_FENCE);

  // Each run below t into index order: an id's place is its run's start plus the number of
  // smaller ids in the run.
  for (int e = lane; e < below; e += HAMMING_WG) {
    const int d = out_distances[e];
    const int start = run_starts[d];
    const int end = d + 1 < t ? run_starts[d + 1] : below;
    const int id = run_ids[e];
    int smaller = 0;
    for (int f = start; f < end; f++) smaller += run_ids[f] < id;
    out_ids[start + smaller] = id;
  }
}
