// losses.cl — the discriminator's margin term, SPEC §2 / paper Eq. 21:
// loss = max(0, margin − e), d loss / d e = −1 inside the margin, 0 outside.

__kernel void margin_loss(const __global float* energies, const int count, const float margin,
                          __global float* losses, __global float* gradient) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float gap = margin - energies[i];
  losses[i] = gap > 0.0f ? gap : 0.0f;
  gradient[i] = gap > 0.0f ? -1.0f : 0.0f;
}
