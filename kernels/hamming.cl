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
// The most queries one work-group scores each database code against (the launcher may
// give a group fewer): a code read once serves them all, so a block of queries streams
// the database once instead of once each.
#ifndef HAMMING_QUERIES
#define HAMMING_QUERIES 16
#endif
// The tie flags of four queries share a ulong, 16 bits each, so one work-group prefix sum
// of the packed words ranks the ties of four queries at once (a count ≤ HAMMING_WG < 2¹⁶
// never carries into its neighbour).
#define HAMMING_PACKS ((HAMMING_QUERIES + 3) / 4)
// Codes in the first segment of pass 1, before the first bound (at least k).
#ifndef HAMMING_FIRST_SEGMENT
#define HAMMING_FIRST_SEGMENT 4096
#endif
#if HAMMING_WG >= 65536
#error "HAMMING_WG must stay below 2^16 for the packed tie counts"
#endif
// One lane (CPU devices) has no one to race with: a plain increment, not an atomic one.
#if HAMMING_WG == 1
#define LOCAL_INC(counter) ((*(counter))++)
#else
#define LOCAL_INC(counter) atomic_inc(counter)
#endif

inline int hamming_to_local(const __local ulong* query, const __global ulong* code, const int words) {
  if (words == 1) return (int)popcount(query[0] ^ code[0]);  // the common case, unrolled
  int distance = 0;
  for (int w = 0; w < words; w++) distance += (int)popcount(query[w] ^ code[w]);
  return distance;
}

// Exact top-k of a block of `group_queries` queries per work-group, ties by ascending
// index, equal to the CPU's (METHOD.md §4). For each query of the block:
// Pass 1: the lanes stream the database (consecutive lanes on consecutive codes) into a
// histogram of the bits + 1 possible distances in local memory, skipping codes beyond a
// bound that shrinks after each segment; it fixes the threshold t (the k-th smallest
// distance), the count below it, and where each distance's run starts.
// Pass 2 streams the database again in chunks of HAMMING_WG: a code below t takes the next
// slot of its distance's run (in any order; each run is put in index order at the end),
// and codes at t are ranked by a work-group prefix sum, so the first ones in index order
// fill the k − below slots left. Each lane reads its code once per pass for the whole
// block. Scratch per query: k ids and bits + 1 run starts.
// Local size HAMMING_WG, global size ⌈queries / group_queries⌉·HAMMING_WG; local memory
// group_queries·words ulongs (the block's codes) and group_queries·(bits + 1) ints.
__kernel __attribute__((reqd_work_group_size(HAMMING_WG, 1, 1)))
void hamming_topk(const __global ulong* queries, const int query_count, const __global ulong* database,
                  const int database_count, const int bits, const int k, const int group_queries,
                  __local ulong* query_codes, __local int* histograms, __global int* scratch,
                  __global int* ids, __global int* distances) {
  __local ulong scan[HAMMING_PACKS][HAMMING_WG];
  __local int threshold[HAMMING_QUERIES], below[HAMMING_QUERIES];
  __local int ties_placed[HAMMING_QUERIES], below_placed[HAMMING_QUERIES];
  __local int bound[HAMMING_QUERIES];
  __local int finished;
  const int first = get_group_id(0) * group_queries;
  const int count = min(group_queries, query_count - first);
  const int lane = get_local_id(0);
  const int words = (bits + 63) / 64;
  const int bins = bits + 1;
  const int stride = k + bins;  // a query's scratch: its run ids, then its run starts

  for (int e = lane; e < count * words; e += HAMMING_WG) query_codes[e] = queries[(size_t)first * words + e];
  for (int e = lane; e < count * bins; e += HAMMING_WG) histograms[e] = 0;
  barrier(CLK_LOCAL_MEM_FENCE);
  // Pass 1 in segments of growing length (the first holds at least k codes): after each,
  // a query's bound becomes the smallest distance with k codes at or below it so far. A
  // later code farther than that ranks after k earlier ones, so it is not counted: the
  // histogram stays exact up to the bound, which the threshold never passes.
  for (int q = lane; q < count; q += HAMMING_WG) bound[q] = bits;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int start = 0, end = min(database_count, max(k, HAMMING_FIRST_SEGMENT)); start < database_count;
       start = end, end = (int)min((long)database_count, 4L * end)) {
    for (int i = start + lane; i < end; i += HAMMING_WG) {
      const __global ulong* code = database + (size_t)i * words;
      for (int q = 0; q < count; q++) {
        const int d = hamming_to_local(query_codes + q * words, code, words);
        if (d <= bound[q]) LOCAL_INC(&histograms[q * bins + d]);
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int q = lane; q < count; q += HAMMING_WG) {
      const __local int* histogram = histograms + q * bins;
      int total = 0;
      int t = 0;
      while (total + histogram[t] < k) total += histogram[t++];
      bound[q] = t;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  for (int q = lane; q < count; q += HAMMING_WG) {
    __local int* histogram = histograms + q * bins;
    __global int* run_starts = scratch + (size_t)(first + q) * stride + k;
    int total = 0;
    int t = 0;
    while (total + histogram[t] < k) {
      const int runLength = histogram[t];
      histogram[t] = total;  // from here on: the next free slot of distance t's run
      run_starts[t] = total;
      total += runLength;
      t++;
    }
    threshold[q] = t;
    below[q] = total;
    ties_placed[q] = 0;
    below_placed[q] = 0;
  }
  barrier(CLK_LOCAL_MEM_FENCE);

#if HAMMING_WG == 1
  // One lane meets the codes in index order: a tie takes the next tie slot while any is left.
  int unfinished = count;
  for (int i = 0; i < database_count && unfinished > 0; i++) {
    const __global ulong* code = database + (size_t)i * words;
    for (int q = 0; q < count; q++) {
      const int d = hamming_to_local(query_codes + q * words, code, words);
      const int t = threshold[q];
      if (d > t) continue;
      const size_t row = (size_t)(first + q);
      if (d < t) {
        const int slot = histograms[q * bins + d]++;
        scratch[row * stride + slot] = i;
        distances[row * k + slot] = d;
        below_placed[q]++;
      } else if (ties_placed[q] < k - below[q]) {
        const size_t slot = row * k + below[q] + ties_placed[q]++;
        ids[slot] = i;
        distances[slot] = t;
      } else {
        continue;
      }
      if (ties_placed[q] == k - below[q] && below_placed[q] == below[q]) unfinished--;
    }
  }
#else
  for (int base = 0; base < database_count; base += HAMMING_WG) {
    const int i = base + lane;
    ulong ties[HAMMING_PACKS];
    for (int p = 0; p < HAMMING_PACKS; p++) ties[p] = 0;
    if (i < database_count) {
      const __global ulong* code = database + (size_t)i * words;
      for (int q = 0; q < count; q++) {
        const int d = hamming_to_local(query_codes + q * words, code, words);
        const int t = threshold[q];
        if (d < t) {
          const size_t row = (size_t)(first + q);
          const int slot = LOCAL_INC(&histograms[q * bins + d]);
          scratch[row * stride + slot] = i;
          distances[row * k + slot] = d;
          LOCAL_INC(&below_placed[q]);
        }
        if (d == t) ties[q / 4] |= (ulong)1 << (16 * (q % 4));
      }
    }
    for (int p = 0; p < HAMMING_PACKS; p++) scan[p][lane] = ties[p];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int offset = 1; offset < HAMMING_WG; offset *= 2) {
      ulong add[HAMMING_PACKS];
      for (int p = 0; p < HAMMING_PACKS; p++) add[p] = lane >= offset ? scan[p][lane - offset] : 0;
      barrier(CLK_LOCAL_MEM_FENCE);
      for (int p = 0; p < HAMMING_PACKS; p++) scan[p][lane] += add[p];
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int q = 0; q < count; q++) {
      const int shift = 16 * (q % 4);
      const ulong own = ties[q / 4];
      if ((own >> shift) & 1) {
        // Inclusive minus own is exclusive in every field at once: no field borrows.
        const int rank = ties_placed[q] + (int)(((scan[q / 4][lane] - own) >> shift) & 0xFFFF);
        if (rank < k - below[q]) {
          const size_t slot = (size_t)(first + q) * k + below[q] + rank;
          ids[slot] = i;
          distances[slot] = threshold[q];
        }
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lane == HAMMING_WG - 1) {
      int done = 1;
      for (int q = 0; q < count; q++) {
        ties_placed[q] += (int)((scan[q / 4][lane] >> (16 * (q % 4))) & 0xFFFF);
        done &= ties_placed[q] >= k - below[q] && below_placed[q] == below[q];
      }
      finished = done;
    }
    // Every lane reads the same flag: `finished` and the counts it read change only after
    // the next chunk's barriers.
    barrier(CLK_LOCAL_MEM_FENCE);
    if (finished) break;
  }
#endif
  barrier(CLK_GLOBAL_MEM_FENCE);

  // Each run below t into index order: an id's place is its run's start plus the number of
  // smaller ids in the run.
  for (int q = 0; q < count; q++) {
    const size_t row = (size_t)(first + q);
    const __global int* run_ids = scratch + row * stride;
    const __global int* run_starts = run_ids + k;
    const int t = threshold[q];
    const int placed = below[q];
    for (int e = lane; e < placed; e += HAMMING_WG) {
      const int d = distances[row * k + e];
      const int start = run_starts[d];
      const int end = d + 1 < t ? run_starts[d + 1] : placed;
      const int id = run_ids[e];
      int smaller = 0;
      for (int f = start; f < end; f++) smaller += run_ids[f] < id;
      ids[row * k + start + smaller] = id;
    }
  }
}
