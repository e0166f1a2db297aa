// CMPI: not API. Open MPI (Debian libopenmpi-dev) for `sigah-mpi`. Open MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, …) are macros over addresses that Swift cannot import, so
// they are wrapped in functions here.
#ifndef SIGAH_CMPI_SHIM_H
#define SIGAH_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm sigah_mpi_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype sigah_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype sigah_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype sigah_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype sigah_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op sigah_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op sigah_mpi_min(void) { return MPI_MIN; }

/// This process's rank among the ranks on its machine (the node-local communicator), and
/// how many ranks that machine runs.
static inline void sigah_mpi_local_place(int *rank, int *size) {
  MPI_Comm local;
  *rank = 0;
  *size = 1;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) != MPI_SUCCESS) return;
  MPI_Comm_rank(local, rank);
  MPI_Comm_size(local, size);
  MPI_Comm_free(&local);
}
#endif
