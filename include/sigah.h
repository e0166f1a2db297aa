/* sigah: learned binary codes and Hamming search, from C.
 *
 * Link with -lsigahc (libsigahc.so, built by `swift build -c release --product sigahc`,
 * or carried by the Python wheel). docs/C-API.md describes every function with an example.
 *
 * Conventions
 *   - Every function that can fail returns a sigah_status; SIGAH_OK is 0. On failure,
 *     sigah_last_error() gives a message naming what was wrong (thread-local, valid until
 *     the next call on the same thread). Nothing traps or exits across this boundary.
 *   - Buffers belong to the caller: vectors are rows × columns, row-major, contiguous, of
 *     the element type given; codes are rows of (bits + 7) / 8 bytes, bit k of a code in
 *     byte k / 8 at position k % 8 (NumPy's packbits(bitorder="little"), Faiss's binary
 *     indexes). Bits past the code length in the last byte are zero on output and must be
 *     zero on input.
 *   - Handles (backend, model, index, results) are created by the library and released
 *     with their *_free function; a NULL handle is ignored by *_free.
 *   - Threads: models and indexes are read-only after creation and may be used from many
 *     threads at once. A backend is used by one thread at a time (an OpenCL queue is
 *     ordered); open one backend per thread for parallel work.
 */
#ifndef SIGAH_H
#define SIGAH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sigah_status {
  SIGAH_OK = 0,
  /* An argument is out of range or inconsistent (sizes, bits, k, an option). */
  SIGAH_INVALID_ARGUMENT = 1,
  /* A file could not be read or written, or its contents are not what was expected. */
  SIGAH_FILE_ERROR = 2,
  /* The backend failed (OpenCL driver, device memory) or could not be opened. */
  SIGAH_BACKEND_ERROR = 3,
  /* Training could not go on (diverged, too few vectors for the method). */
  SIGAH_TRAINING_ERROR = 4
} sigah_status;

typedef enum sigah_dtype {
  SIGAH_FLOAT32 = 0,
  SIGAH_FLOAT64 = 1,
  SIGAH_UINT8 = 2,
  SIGAH_INT32 = 3
} sigah_dtype;

typedef struct sigah_backend sigah_backend;
typedef struct sigah_model sigah_model;
typedef struct sigah_index sigah_index;
typedef struct sigah_matches sigah_matches;

/* Progress of long work: `stage` names it ("epoch", "batch", "ranking", "fitting",
 * "encoding", "groundtruth", ...), `done` of `total` units. Called on the calling thread. */
typedef void (*sigah_progress)(const char *stage, int64_t done, int64_t total, void *user);

/* The library's version ("0.5.0") and the model file format it writes. */
const char *sigah_version(void);
int sigah_model_format_version(void);

/* The message of the last failure on this thread ("" when none). */
const char *sigah_last_error(void);

/* ---- Backends -------------------------------------------------------------------- */

/* Opens a backend: name "cpu", "opencl" or "auto" (an OpenCL GPU if any, else the CPU);
 * NULL follows SIGAH_BACKEND as the command line does. device < 0: the default device;
 * threads < 1: one CPU thread per core. */
sigah_status sigah_backend_open(const char *name, int device, int threads, sigah_backend **out);
/* How OpenBLAS's kernels were chosen, as `sigah devices` says it: "Cooperlake (detected
 * by OpenBLAS)", or the processor's core where OpenBLAS's detection fell short of it. Name
 * it beside every CPU figure. Static storage. */
const char *sigah_openblas_core(void);
/* One line: the device and, on the CPU, OpenBLAS's core. Owned by the backend. */
const char *sigah_backend_summary(const sigah_backend *backend);
void sigah_backend_free(sigah_backend *backend);

/* ---- Models ---------------------------------------------------------------------- */

/* Trains `method` ("sigah-dm", "sigah", "itq", ... as `sigah train --method`) on `rows`
 * vectors of dimension `columns`. `options` is NULL or a list of key=value pairs separated
 * by spaces or newlines, each the long option of `sigah train` without its dashes
 * ("bits=64 epochs=30 val-k=10,100"); every option means and defaults to what it does on
 * the command line, so the model equals the command line's bit for bit on the same data,
 * backend and seed. `out` and the backend options are not options here. */
sigah_status sigah_train(sigah_backend *backend, const char *method, const void *vectors, sigah_dtype dtype,
                         int64_t rows, int64_t columns, const char *options, sigah_progress progress,
                         void *user, sigah_model **out);
/* Reads and writes the model files of `sigah train` (safetensors, docs/FORMATS.md). A file
 * is written whole or not at all. */
sigah_status sigah_model_load(const char *path, sigah_model **out);
sigah_status sigah_model_save(const sigah_model *model, const char *path);
/* The method's name (owned by the model), the code length and the input dimension. */
const char *sigah_model_method(const sigah_model *model);
int sigah_model_bits(const sigah_model *model);
int64_t sigah_model_dimension(const sigah_model *model);
void sigah_model_free(sigah_model *model);

/* Encodes `rows` vectors (columns = the model's dimension) into `codes`, which holds
 * rows × (bits + 7) / 8 bytes. */
sigah_status sigah_encode(const sigah_model *model, sigah_backend *backend, const void *vectors, sigah_dtype dtype,
                          int64_t rows, int64_t columns, uint8_t *codes, sigah_progress progress, void *user);

/* ---- Search ---------------------------------------------------------------------- */

/* The k nearest of `database_count` codes for each of `query_count` queries, by Hamming
 * distance, ties by database index (exact). `ids` and `distances` (either may be NULL)
 * hold query_count × k entries. */
sigah_status sigah_search(sigah_backend *backend, const uint8_t *database, int64_t database_count,
                          const uint8_t *queries, int64_t query_count, int bits, int k, int32_t *ids,
                          int32_t *distances);

/* Every database code within Hamming distance `radius` of each query, by query, then
 * distance, then id. The results are read with sigah_matches_*. */
sigah_status sigah_range_search(sigah_backend *backend, const uint8_t *database, int64_t database_count,
                                const uint8_t *queries, int64_t query_count, int bits, int radius,
                                sigah_matches **out);
/* The matches as Faiss's RangeSearchResult lays them out: query q's matches are entries
 * limits[q] ..< limits[q + 1] of ids and distances. The arrays belong to the matches. */
int64_t sigah_matches_count(const sigah_matches *matches);
const int64_t *sigah_matches_limits(const sigah_matches *matches);
const int32_t *sigah_matches_ids(const sigah_matches *matches);
const int32_t *sigah_matches_distances(const sigah_matches *matches);
void sigah_matches_free(sigah_matches *matches);

/* A multi-index hash of the codes (exact k-NN and radius search without a scan), with
 * `substrings` tables (0: chosen from the codes, as `sigah index` does). The codes are
 * copied. */
sigah_status sigah_index_build(const uint8_t *codes, int64_t count, int bits, int substrings, sigah_index **out);
/* The index files of `sigah index`. */
sigah_status sigah_index_load(const char *path, sigah_index **out);
sigah_status sigah_index_save(const sigah_index *index, const char *path);
int sigah_index_bits(const sigah_index *index);
int64_t sigah_index_count(const sigah_index *index);
int sigah_index_substrings(const sigah_index *index);
/* The same answers as sigah_search and sigah_range_search on the index's codes. */
sigah_status sigah_index_search(const sigah_index *index, const uint8_t *queries, int64_t query_count, int k,
                                int32_t *ids, int32_t *distances);
sigah_status sigah_index_range_search(const sigah_index *index, const uint8_t *queries, int64_t query_count,
                                      int radius, sigah_matches **out);
void sigah_index_free(sigah_index *index);

/* ---- Ground truth and evaluation ---------------------------------------------------- */

/* The exact k nearest database vectors of each query, ties by index (query_count × k ids
 * into `ids`), by `metric`: "l2" (or NULL), "cosine" (l2 between the rows scaled to unit
 * length) or "ip" (largest inner product first). Queries and database share a dtype and a
 * dimension. */
sigah_status sigah_groundtruth(sigah_backend *backend, const void *database, int64_t database_count,
                               const void *queries, int64_t query_count, int64_t columns, sigah_dtype dtype, int k,
                               const char *metric, int32_t *ids, sigah_progress progress, void *user);

/* The field's evaluation of query codes against database codes (docs/METHOD.md §5) as a
 * JSON object (mAP, tie-aware mAP, mAP@T, Precision@N, radius-2 precision and recall,
 * recall curves), written to *json (free it with sigah_string_free). Relevance: the first
 * `relevant` of each query's `truth_k` ground-truth ids (from sigah_groundtruth) when
 * `truth` is given; else the database items with the query's label. */
sigah_status sigah_evaluate(sigah_backend *backend, const uint8_t *database, int64_t database_count,
                            const uint8_t *queries, int64_t query_count, int bits, const int32_t *truth,
                            int truth_k, int relevant, const int32_t *query_labels, const int32_t *database_labels,
                            char **json);
void sigah_string_free(char *string);

#ifdef __cplusplus
}
#endif

#endif /* SIGAH_H */
