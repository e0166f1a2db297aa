// code_step.cl — BA's code step (METHOD.md §11): per row, flip the bits of z ∈ {−1, 1}^k
// that lower zᵀGz − 2zᵀv, in passes over the bits in order, as the CPU backend does.
// Every product is by ±1 (z_a, h_a), so contracted or not the arithmetic is the CPU's, bit
// for bit.

// One work-group a row: the row's z, Gz and v in local memory; the bits are decided one
// after another (a flip changes Gz for the later ones), each flip's update of Gz shared by
// the lanes. A group of one lane is the CPU backend's loop.
__kernel void flip_code_bits(__global float* codes, const int first_row, const int bits,
                             const __global float* projections, const __global float* shift,
                             const __global float* scores, const __global float* gram,
                             const float penalty, const int passes, __global float* flips,
                             __global float* mismatches, __local float* z, __local float* gz,
                             __local float* v, __local int* flipped) {
  const int row = get_group_id(0);
  const int lane = get_local_id(0);
  const int lanes = get_local_size(0);
  __global float* code = codes + (size_t)(first_row + row) * bits;
  const __global float* projected = projections + (size_t)row * bits;
  const __global float* score = scores + (size_t)row * bits;
  // The penalty in units of the mean of G's diagonal, summed as the CPU backend sums it.
  float diagonal = 0.0f;
  for (int a = 0; a < bits; a++) diagonal += gram[a * bits + a];
  const float mu = penalty * (diagonal / (float)bits);
  for (int a = lane; a < bits; a += lanes) {
    z[a] = code[a];
    const float h = score[a] < 0.0f ? -1.0f : 1.0f;
    v[a] = projected[a] - shift[a] + mu * h;
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int a = lane; a < bits; a += lanes) {
    float sum = 0.0f;
    for (int b = 0; b < bits; b++) sum += gram[a * bits + b] * z[b];
    gz[a] = sum;
  }
  int count = 0;
  for (int pass = 0; pass < passes; pass++) {
    if (lane == 0) *flipped = 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int a = 0; a < bits; a++) {
      const float za = z[a];
      const int flip = gram[a * bits + a] - za * gz[a] + za * v[a] < 0.0f;
      // Every lane has read z[a] and gz before any lane changes them.
      barrier(CLK_LOCAL_MEM_FENCE);
      if (flip) {
        for (int b = lane; b < bits; b += lanes) gz[b] -= 2.0f * za * gram[b * bits + a];
        if (lane == 0) {
          z[a] = -za;
          *flipped = 1;
          count++;
        }
      }
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (*flipped == 0) break;
    // Every lane has read the flag before lane 0 clears it for the next pass.
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  for (int a = lane; a < bits; a += lanes) code[a] = z[a];
  if (lane == 0) {
    int unlike = 0;
    for (int a = 0; a < bits; a++) unlike += (score[a] < 0.0f ? -1.0f : 1.0f) != z[a];
    flips[first_row + row] = (float)count;
    mismatches[first_row + row] = (float)unlike;
  }
}
