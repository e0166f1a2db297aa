/* The C API from C, as a program linking libsigahc would use it: every answer checked
 * against a brute force written here, every refusal checked for its status and message.
 * Usage: api_test FOLDER (for the model and index files); exit 0 when every check holds. */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigah.h"

static int failures = 0;

#define CHECK(condition, ...)                                    \
  do {                                                           \
    if (!(condition)) {                                          \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);       \
      fprintf(stderr, __VA_ARGS__);                              \
      fprintf(stderr, " (last error: %s)\n", sigah_last_error()); \
      failures++;                                                \
    }                                                            \
  } while (0)

#define OK(call) CHECK((call) == SIGAH_OK, "%s", #call)

/* Clustered data: structure for the learned methods to find, from a fixed generator. */
static unsigned long long state = 88172645463325252ULL;
static double uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (double)(state >> 11) / 9007199254740992.0;
}

static float *clustered(int rows, int columns) {
  float *x = malloc(sizeof(float) * rows * columns);
  for (int i = 0; i < rows; i++) {
    int cluster = i % 8;
    for (int j = 0; j < columns; j++) x[i * columns + j] = (float)((cluster * 7 + j) % 5) + (float)uniform();
  }
  return x;
}

static int hamming(const uint8_t *a, const uint8_t *b, int bytes) {
  int distance = 0;
  for (int i = 0; i < bytes; i++) distance += __builtin_popcount(a[i] ^ b[i]);
  return distance;
}

/* The k nearest by (distance, id), as the library promises. */
static void brute_force(const uint8_t *base, int n, const uint8_t *query, int bytes, int k, int32_t *ids,
                        int32_t *distances) {
  for (int j = 0; j < k; j++) distances[j] = 1 << 30, ids[j] = -1;
  for (int i = 0; i < n; i++) {
    int d = hamming(base + (size_t)i * bytes, query, bytes);
    int at = k;
    while (at > 0 && d < distances[at - 1]) at--;
    if (at == k) continue;
    for (int j = k - 1; j > at; j--) distances[j] = distances[j - 1], ids[j] = ids[j - 1];
    distances[at] = d, ids[at] = i;
  }
}

int main(int argc, char **argv) {
  const char *folder = argc > 1 ? argv[1] : ".";
  char model_path[4096], index_path[4096];
  snprintf(model_path, sizeof model_path, "%s/api-test.safetensors", folder);
  snprintf(index_path, sizeof index_path, "%s/api-test.mih", folder);
  enum { N = 2000, D = 24, BITS = 20, BYTES = (BITS + 7) / 8, Q = 50, K = 10 };
  float *x = clustered(N, D);

  CHECK(strlen(sigah_version()) > 0 && sigah_model_format_version() >= 1, "version");
  sigah_backend *cpu = NULL;
  OK(sigah_backend_open("cpu", -1, 0, &cpu));
  CHECK(cpu && strstr(sigah_backend_summary(cpu), "OpenBLAS"), "summary names OpenBLAS");

  /* Training: a fitted baseline and the recommended method, briefly. */
  sigah_model *itq = NULL, *dm = NULL;
  OK(sigah_train(cpu, "itq", x, SIGAH_FLOAT32, N, D, "bits=20 seed=3", NULL, NULL, &itq));
  CHECK(itq && sigah_model_bits(itq) == BITS && sigah_model_dimension(itq) == D, "itq shape");
  CHECK(itq && strcmp(sigah_model_method(itq), "itq") == 0, "itq method name");
  OK(sigah_train(cpu, "sigah-dm", x, SIGAH_FLOAT32, N, D,
                 "bits=20 epochs=2 val-size=100 val-k=10 ranking-steps=10", NULL, NULL, &dm));
  CHECK(dm && strcmp(sigah_model_method(dm), "sigah-dm") == 0, "sigah-dm method name");

  /* Encoding, and the same codes from float64 input and after a save and load. */
  uint8_t *codes = calloc((size_t)N * BYTES, 1), *again = calloc((size_t)N * BYTES, 1);
  OK(sigah_encode(dm, cpu, x, SIGAH_FLOAT32, N, D, codes, NULL, NULL));
  for (int i = 0; i < N; i++) CHECK((codes[i * BYTES + BYTES - 1] >> (BITS % 8)) == 0, "padding bits of code %d", i);
  double *x64 = malloc(sizeof(double) * N * D);
  for (int i = 0; i < N * D; i++) x64[i] = x[i];
  OK(sigah_encode(dm, cpu, x64, SIGAH_FLOAT64, N, D, again, NULL, NULL));
  CHECK(memcmp(codes, again, (size_t)N * BYTES) == 0, "float64 input encodes as float32");
  OK(sigah_model_save(dm, model_path));
  sigah_model *loaded = NULL;
  OK(sigah_model_load(model_path, &loaded));
  memset(again, 0, (size_t)N * BYTES);
  OK(sigah_encode(loaded, cpu, x, SIGAH_FLOAT32, N, D, again, NULL, NULL));
  CHECK(memcmp(codes, again, (size_t)N * BYTES) == 0, "a saved and loaded model encodes the same");

  /* k-NN by the scan and by the multi-index, against the brute force. */
  const uint8_t *queries = codes; /* the first Q database codes as queries */
  int32_t ids[Q * K], distances[Q * K], want_ids[K], want_distances[K];
  OK(sigah_search(cpu, codes, N, queries, Q, BITS, K, ids, distances));
  sigah_index *index = NULL;
  OK(sigah_index_build(codes, N, BITS, 0, &index));
  OK(sigah_index_save(index, index_path));
  sigah_index *reloaded = NULL;
  OK(sigah_index_load(index_path, &reloaded));
  CHECK(reloaded && sigah_index_count(reloaded) == N && sigah_index_bits(reloaded) == BITS, "index shape");
  int32_t index_ids[Q * K], index_distances[Q * K];
  OK(sigah_index_search(reloaded, queries, Q, K, index_ids, index_distances));
  for (int q = 0; q < Q; q++) {
    brute_force(codes, N, queries + q * BYTES, BYTES, K, want_ids, want_distances);
    CHECK(memcmp(ids + q * K, want_ids, sizeof want_ids) == 0, "scan ids of query %d", q);
    CHECK(memcmp(distances + q * K, want_distances, sizeof want_distances) == 0, "scan distances of query %d", q);
    CHECK(memcmp(index_ids + q * K, want_ids, sizeof want_ids) == 0, "index ids of query %d", q);
  }

  /* Radius search: counts and members against the brute force, scan and index alike. */
  sigah_matches *matches = NULL, *index_matches = NULL;
  OK(sigah_range_search(cpu, codes, N, queries, Q, BITS, 2, &matches));
  OK(sigah_index_range_search(index, queries, Q, 2, &index_matches));
  if (matches && index_matches) {
    const int64_t *limits = sigah_matches_limits(matches);
    CHECK(sigah_matches_count(matches) == sigah_matches_count(index_matches), "scan and index match counts");
    for (int q = 0; q < Q; q++) {
      int64_t expected = 0;
      for (int i = 0; i < N; i++) expected += hamming(codes + (size_t)i * BYTES, queries + q * BYTES, BYTES) <= 2;
      CHECK(limits[q + 1] - limits[q] == expected, "radius-2 matches of query %d", q);
      for (int64_t m = limits[q]; m < limits[q + 1]; m++) {
        int32_t id = sigah_matches_ids(matches)[m];
        CHECK(sigah_matches_distances(matches)[m] == hamming(codes + (size_t)id * BYTES, queries + q * BYTES, BYTES),
              "distance of match %lld", (long long)m);
        CHECK(sigah_matches_ids(index_matches)[m] == id, "index match %lld", (long long)m);
      }
    }
  }

  /* Ground truth against a double-precision brute force (the data has no near-ties). */
  int32_t truth[Q * K];
  OK(sigah_groundtruth(cpu, x, N, x + D, Q, D, SIGAH_FLOAT32, K, NULL, truth, NULL, NULL));
  for (int q = 0; q < Q; q++) {
    double best = INFINITY;
    int best_id = -1;
    for (int i = 0; i < N; i++) {
      double s = 0;
      for (int j = 0; j < D; j++) s += ((double)x[i * D + j] - x[(q + 1) * D + j]) * ((double)x[i * D + j] - x[(q + 1) * D + j]);
      if (s < best) best = s, best_id = i;
    }
    CHECK(truth[q * K] == best_id, "nearest neighbour of query %d: %d, expected %d", q, truth[q * K], best_id);
  }
  /* By inner product: the largest q·x first, against a brute force. */
  int32_t by_ip[Q * K];
  OK(sigah_groundtruth(cpu, x, N, x + D, Q, D, SIGAH_FLOAT32, K, "ip", by_ip, NULL, NULL));
  for (int q = 0; q < Q; q++) {
    double best = -INFINITY;
    int best_id = -1;
    for (int i = 0; i < N; i++) {
      double s = 0;
      for (int j = 0; j < D; j++) s += (double)x[i * D + j] * x[(q + 1) * D + j];
      if (s > best) best = s, best_id = i;
    }
    CHECK(by_ip[q * K] == best_id, "largest inner product of query %d: %d, expected %d", q, by_ip[q * K], best_id);
  }
  CHECK(sigah_groundtruth(cpu, x, N, x + D, Q, D, SIGAH_FLOAT32, K, "manhattan", by_ip, NULL, NULL) ==
            SIGAH_INVALID_ARGUMENT,
        "an unknown metric");
  char *json = NULL;
  OK(sigah_evaluate(cpu, codes, N, queries, Q, BITS, truth, K, K, NULL, NULL, &json));
  CHECK(json && strstr(json, "\"mAP\""), "evaluation JSON");
  sigah_string_free(json);

  /* Refusals: a status, a message naming what was wrong, and nothing written. */
  sigah_model *none = NULL;
  CHECK(sigah_train(cpu, "itq", x, SIGAH_FLOAT32, N, D, "bits=20 frobnicate=1", NULL, NULL, &none) ==
            SIGAH_INVALID_ARGUMENT && strstr(sigah_last_error(), "frobnicate") && none == NULL,
        "an unknown option is refused by name");
  CHECK(sigah_train(cpu, "itq", x, SIGAH_FLOAT32, N, D, "out=x.safetensors", NULL, NULL, &none) ==
            SIGAH_INVALID_ARGUMENT,
        "out is not an option");
  CHECK(sigah_train(cpu, "nope", x, SIGAH_FLOAT32, N, D, NULL, NULL, NULL, &none) == SIGAH_INVALID_ARGUMENT,
        "an unknown method");
  CHECK(sigah_encode(dm, cpu, x, SIGAH_FLOAT32, N, D - 1, codes, NULL, NULL) == SIGAH_INVALID_ARGUMENT &&
            strstr(sigah_last_error(), "dimension"),
        "a wrong dimension");
  CHECK(sigah_encode(dm, cpu, x, (sigah_dtype)9, N, D, codes, NULL, NULL) == SIGAH_INVALID_ARGUMENT, "a bad dtype");
  CHECK(sigah_encode(dm, NULL, x, SIGAH_FLOAT32, N, D, codes, NULL, NULL) == SIGAH_INVALID_ARGUMENT, "a NULL backend");
  CHECK(sigah_train(cpu, "itq", x, SIGAH_FLOAT32, -5, D, NULL, NULL, NULL, &none) == SIGAH_INVALID_ARGUMENT,
        "negative rows");
  x[7] = NAN;
  CHECK(sigah_encode(dm, cpu, x, SIGAH_FLOAT32, N, D, again, NULL, NULL) == SIGAH_INVALID_ARGUMENT &&
            strstr(sigah_last_error(), "row 0, column 7"),
        "a NaN is refused with its position");
  uint8_t stray[BYTES] = {0xff, 0xff, 0xff};
  CHECK(sigah_search(cpu, codes, N, stray, 1, BITS, K, ids, NULL) == SIGAH_INVALID_ARGUMENT, "padding bits refused");
  CHECK(sigah_search(cpu, codes, N, queries, Q, BITS, N + 1, ids, NULL) == SIGAH_INVALID_ARGUMENT, "k past the codes");
  CHECK(sigah_model_load("/nonexistent/model.safetensors", &none) == SIGAH_FILE_ERROR && none == NULL,
        "a missing file");
  CHECK(sigah_model_load(index_path, &none) == SIGAH_FILE_ERROR && strstr(sigah_last_error(), index_path),
        "an index file is not a model, and the message names it");
  CHECK(sigah_backend_open("quantum", -1, 0, &cpu) == SIGAH_INVALID_ARGUMENT, "an unknown backend");

  sigah_matches_free(matches);
  sigah_matches_free(index_matches);
  sigah_index_free(index);
  sigah_index_free(reloaded);
  sigah_model_free(itq);
  sigah_model_free(dm);
  sigah_model_free(loaded);
  sigah_backend_free(cpu);
  free(x), free(x64), free(codes), free(again);
  if (failures) {
    fprintf(stderr, "api_test: %d checks failed\n", failures);
    return 1;
  }
  printf("api_test: every check passed\n");
  return 0;
}
