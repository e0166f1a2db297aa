// losses.cl — the discriminator's margin term (METHOD.md §2, paper Eq. 21): loss =
// max(0, margin − e), d loss / d e = −1 inside the margin, 0 outside; and the pairwise
// ranking loss of §3c.

__kernel void margin_loss(const __global float* energies, const int count, const float margin,
                          __global float* losses, __global float* gradient) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float gap = margin - energies[i];
  losses[i] = gap > 0.0f ? gap : 0.0f;
  gradient[i] = gap > 0.0f ? -1.0f : 0.0f;
}

// The pairwise ranking loss of METHOD.md §3c over codes h (one row a code, `bits` wide):
// rows [0, anchors) are anchors; anchor a's positives are rows anchors + a·pairs + j and
// its negatives rows anchors·(1 + pairs) + a·pairs + j, for j < pairs. With
// s = h_a·h_b / bits, each (positive p, negative n) pair of an anchor costs
// softplus(−κ·(s_ap − s_an)); the loss is the mean over anchors and pairs·pairs pairs.
// One work-item an anchor: it owns its positives' and negatives' rows, so it writes the
// whole gradient of its rows; losses[a] is the anchor's share of the mean.
#ifndef RANKING_MAX_PAIRS
#define RANKING_MAX_PAIRS 32
#endif

__kernel void ranking_pair_loss(const __global float* h, const int anchors, const int pairs,
                                const int bits, const float sharpness, __global float* gradient,
                                __global float* losses) {
  const int a = get_global_id(0);
  if (a >= anchors) return;
  const __global float* anchor = h + (size_t)a * bits;
  const size_t positives = (size_t)anchors + (size_t)a * pairs;
  const size_t negatives = (size_t)anchors * (1 + pairs) + (size_t)a * pairs;
  float s_positive[RANKING_MAX_PAIRS], s_negative[RANKING_MAX_PAIRS];
  float g_positive[RANKING_MAX_PAIRS], g_negative[RANKING_MAX_PAIRS];
  for (int j = 0; j < pairs; j++) {
    const __global float* positive = h + (positives + j) * bits;
    const __global float* negative = h + (negatives + j) * bits;
    float dot_positive = 0.0f;
    float dot_negative = 0.0f;
    for (int k = 0; k < bits; k++) {
      dot_positive += anchor[k] * positive[k];
      dot_negative += anchor[k] * negative[k];
    }
    s_positive[j] = dot_positive / bits;
    s_negative[j] = dot_negative / bits;
    g_positive[j] = 0.0f;
    g_negative[j] = 0.0f;
  }
  const float scale = 1.0f / ((float)anchors * pairs * pairs);
  float loss = 0.0f;
  for (int p = 0; p < pairs; p++) {
    for (int n = 0; n < pairs; n++) {
      const float t = -sharpness * (s_positive[p] - s_negative[n]);
      loss += t > 0.0f ? t + log1p(exp(-t)) : log1p(exp(t));
      const float g = sharpness * scale / (1.0f + exp(-t));  // κ·σ(t)/(anchors·pairs²)
      g_positive[p] -= g;
      g_negative[n] += g;
    }
  }
  losses[a] = loss * scale;
  __global float* anchor_gradient = gradient + (size_t)a * bits;
  for (int k = 0; k < bits; k++) {
    float sum = 0.0f;
    for (int j = 0; j < pairs; j++) {
      sum += g_positive[j] * h[(positives + j) * bits + k] + g_negative[j] * h[(negatives + j) * bits + k];
    }
    anchor_gradient[k] = sum / bits;
  }
  for (int j = 0; j < pairs; j++) {
    __global float* positive_gradient = gradient + (positives + j) * bits;
    __global float* negative_gradient = gradient + (negatives + j) * bits;
    for (int k = 0; k < bits; k++) {
      positive_gradient[k] = g_positive[j] * anchor[k] / bits;
      negative_gradient[k] = g_negative[j] * anchor[k] / bits;
    }
  }
}
