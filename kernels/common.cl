// common.cl — helpers every kernel file may use; prepended to each program after the
// generated operation codes.

// The sum of `lanes` partials (a power of two) in local memory, in a fixed tree order, so
// that a sum never depends on scheduling. Lane i's partial sits at partial[i · stride];
// every work-item that holds a lane must call it, and all of them get the total.
inline float tree_sum(__local float* partial, const int lane, const int lanes, const int stride,
                      const float value) {
  partial[lane * stride] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = lanes / 2; width > 0; width /= 2) {
    if (lane < width) partial[lane * stride] += partial[(lane + width) * stride];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const float total = partial[0];
  barrier(CLK_LOCAL_MEM_FENCE);  // the caller may reuse the partials
  return total;
}

// Column sums of a rows × columns matrix share one layout: work-groups of COLUMN_WG_COLUMNS
// columns × COLUMN_WG_ROWS row lanes; lane r of column j adds rows r, r + COLUMN_WG_ROWS, …
// (coalesced across columns), then the lanes' partials are tree-summed. One row lane is
// the plain serial loop, best where work-items are threads of a CPU.
#ifndef COLUMN_WG_COLUMNS
#define COLUMN_WG_COLUMNS 16
#endif
#ifndef COLUMN_WG_ROWS
#define COLUMN_WG_ROWS 1
#endif
