// The two LAPACK routines the baselines need, on row-major Float32 matrices, through
// OpenBLAS. LAPACK is column-major: inputs and outputs are transposed here.

import COpenBLAS

public enum LinearAlgebra {
  /// Eigen-decomposition of a symmetric `n × n` matrix (ssyevd): eigenvalues ascending,
  /// and the eigenvectors as the rows of `vectors` (row i belongs to value i).
  public static func symmetricEigen(_ matrix: [Float], n: Int) throws -> (values: [Float], vectors: [Float]) {
    precondition(matrix.count == n * n)
    OpenBLASRuntime.requestThreads(nil)
    var a = matrix  // symmetric: row- and column-major agree
    var w = [Float](repeating: 0, count: n)
    var (jobz, uplo) = (CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")))
    var (size, lda, info) = (Int32(n), Int32(n), Int32(0))
    var workQuery: Float = 0
    var iworkQuery: Int32 = 0
    var minusOne: Int32 = -1
    ssyevd_(&jobz, &uplo, &size, &a, &lda, &w, &workQuery, &minusOne, &iworkQuery, &minusOne, &info)
    // The query returns the size as a Float, which past 2²⁴ may round below LAPACK's
    // own minimum (1 + 6n + 2n² from n ≈ 2,900): the documented minimum bounds it.
    var work = [Float](repeating: 0, count: workspace(queried: workQuery, minimum: 1 + 6 * n + 2 * n * n))
    var iwork = [Int32](repeating: 0, count: max(Int(iworkQuery), 3 + 5 * n))
    var lwork = Int32(work.count)
    var liwork = Int32(iwork.count)
    ssyevd_(&jobz, &uplo, &size, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
    guard info == 0 else {
      throw BackendError.invalidArgument(operation: "ssyevd", message: "the eigen-decomposition failed (info \(info))")
    }
    // Column j of the column-major result is eigenvector j: as row-major it is row j.
    return (w, a)
  }

  /// Singular value decomposition of a row-major `m × n` matrix (sgesdd):
  /// `A = U·diag(s)·Vᵀ` with `U: m × m`, `Vᵀ: n × n`, row-major.
  public static func svd(_ matrix: [Float], m: Int, n: Int) throws -> (u: [Float], s: [Float], vt: [Float]) {
    precondition(matrix.count == m * n)
    OpenBLASRuntime.requestThreads(nil)
    var a = transpose(matrix, rows: m, columns: n)  // column-major A
    var s = [Float](repeating: 0, count: min(m, n))
    var u = [Float](repeating: 0, count: m * m)
    var vt = [Float](repeating: 0, count: n * n)
    var jobz = CChar(UInt8(ascii: "A"))
    var (rows, columns, lda, ldu, ldvt, info) = (Int32(m), Int32(n), Int32(m), Int32(m), Int32(n), Int32(0))
    var iwork = [Int32](repeating: 0, count: 8 * min(m, n))
    var workQuery: Float = 0
    var minusOne: Int32 = -1
    sgesdd_(&jobz, &rows, &columns, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &workQuery, &minusOne, &iwork, &info)
    let (small, large) = (min(m, n), max(m, n))
    let minimum = 3 * small + max(large, 4 * small * small + 4 * small)
    var work = [Float](repeating: 0, count: workspace(queried: workQuery, minimum: minimum))
    var lwork = Int32(work.count)
    sgesdd_(&jobz, &rows, &columns, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info)
    guard info == 0 else {
      throw BackendError.invalidArgument(operation: "sgesdd", message: "the SVD did not converge (info \(info))")
    }
    return (transpose(u, rows: m, columns: m), s, transpose(vt, rows: n, columns: n))
  }

  /// A workspace size from LAPACK's Float answer, rounded up and at least `minimum`.
  static func workspace(queried: Float, minimum: Int) -> Int {
    max(Int(queried.nextUp.rounded(.up)), minimum)
  }

  /// Row-major transpose.
  public static func transpose(_ matrix: [Float], rows: Int, columns: Int) -> [Float] {
    var out = [Float](repeating: 0, count: matrix.count)
    for i in 0..<rows {
      for j in 0..<columns { out[j * rows + i] = matrix[i * columns + j] }
    }
    return out
  }
}
