// The MPI calls `sigah-mpi` makes, over Open MPI's C API: rank and size of the world, and
// gathering every rank's part of a result on rank 0 in rank order.

import CMPI
import SiGAH

/// Another rank failed at an agreement point; it reports why.
struct PeerFailure: Error, CustomStringConvertible {
  let rank: Int
  var description: String { "stopped: rank \(rank) failed" }
}

/// This rank's failure at an agreement point, which every rank knows of; the lowest
/// failing rank `speaks` (ranks that failed alike would repeat it).
struct AgreedFailure: Error {
  let underlying: Error
  let speaks: Bool
}

extension Result {
  var isFailure: Bool {
    if case .failure = self { return true }
    return false
  }
}

final class Communicator: Sendable {
  let rank: Int
  let size: Int
  /// The rank among those on this machine (which of its GPUs to take), and their number.
  let localRank: Int
  let localSize: Int
  var isRoot: Bool { rank == 0 }

  init() {
    MPI_Init(nil, nil)
    var rank: Int32 = 0
    var size: Int32 = 1
    MPI_Comm_rank(sigah_mpi_world(), &rank)
    MPI_Comm_size(sigah_mpi_world(), &size)
    self.rank = Int(rank)
    self.size = Int(size)
    var (local, localCount): (Int32, Int32) = (0, 1)
    sigah_mpi_local_place(&local, &localCount)
    (localRank, localSize) = (Int(local), Int(localCount))
  }

  func finish() { MPI_Finalize() }

  /// Runs `body` on every rank and lets every rank know whether it failed anywhere: a rank
  /// whose body threw rethrows its error, the others throw `PeerFailure`, so that all
  /// leave together through MPI_Finalize instead of waiting in the next collective or
  /// racing an MPI_Abort. Every rank must call it at the same point.
  func agree<T>(_ body: () throws -> T) throws -> T {
    let result = Result(catching: body)
    var mine = Int32(result.isFailure ? rank : size)
    var first = Int32(size)
    MPI_Allreduce(&mine, &first, 1, sigah_mpi_int32(), sigah_mpi_min(), sigah_mpi_world())
    if first == Int32(size) { return try result.get() }
    if case .failure(let error) = result { throw AgreedFailure(underlying: error, speaks: Int(first) == rank) }
    throw PeerFailure(rank: Int(first))
  }

  /// Stops every rank (a failure on one rank must not leave the others waiting).
  func abort(_ code: Int32) -> Never {
    MPI_Abort(sigah_mpi_world(), code)
    fatalError("MPI_Abort returned")
  }

  /// This rank's contiguous part of `count` items: the first `count mod size` ranks take
  /// one more, so parts are as even as they can be.
  func shard(of count: Int) -> Range<Int> {
    let base = count / size
    let extra = count % size
    let start = rank * base + min(rank, extra)
    return start..<(start + base + (rank < extra ? 1 : 0))
  }

  /// Element-wise sums of every rank's `values`, on every rank.
  func allSum(_ values: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { send in
      out.withUnsafeMutableBufferPointer { receive in
        _ = MPI_Allreduce(
          send.baseAddress, receive.baseAddress, Int32(values.count), sigah_mpi_double(), sigah_mpi_sum(),
          sigah_mpi_world())
      }
    }
    return out
  }

  /// Every rank's `values` concatenated in rank order, on every rank, and where this
  /// rank's begin.
  func allGather(_ values: [Float]) -> (values: [Float], offset: Int) {
    var count = Int32(values.count)
    var counts = [Int32](repeating: 0, count: size)
    MPI_Allgather(&count, 1, sigah_mpi_int32(), &counts, 1, sigah_mpi_int32(), sigah_mpi_world())
    var displacements = Self.starts(of: counts)
    var out = [Float](repeating: 0, count: Int(counts.reduce(0, +)))
    values.withUnsafeBufferPointer { send in
      out.withUnsafeMutableBufferPointer { receive in
        _ = MPI_Allgatherv(
          send.baseAddress, count, sigah_mpi_float(), receive.baseAddress, &counts, &displacements, sigah_mpi_float(),
          sigah_mpi_world())
      }
    }
    return (out, Int(displacements[rank]))
  }

  /// Where each rank's part begins in the concatenation of parts of `counts` elements.
  private static func starts(of counts: [Int32]) -> [Int32] {
    var starts = [Int32](repeating: 0, count: counts.count)
    for r in counts.indices.dropFirst() { starts[r] = starts[r - 1] + counts[r - 1] }
    return starts
  }

  /// The reduction every data-parallel fit of this run uses.
  var reduction: ShardReduction {
    ShardReduction(sum: { [self] in allSum($0) }, gather: { [self] in allGather($0) })
  }

  /// Every rank's `values` concatenated in rank order, on rank 0 (empty elsewhere).
  func gather(_ values: [UInt64]) -> [UInt64] { gather(values, sigah_mpi_uint64()) }
  func gather(_ values: [Int32]) -> [Int32] { gather(values, sigah_mpi_int32()) }

  private func gather<T: FixedWidthInteger>(_ values: [T], _ type: MPI_Datatype) -> [T] {
    var count = Int32(values.count)
    var counts = [Int32](repeating: 0, count: size)
    MPI_Gather(&count, 1, sigah_mpi_int32(), &counts, 1, sigah_mpi_int32(), 0, sigah_mpi_world())
    var displacements = Self.starts(of: counts)
    let total = isRoot ? Int(counts.reduce(0, +)) : 0
    var out = [T](repeating: 0, count: total)
    values.withUnsafeBufferPointer { send in
      out.withUnsafeMutableBufferPointer { receive in
        _ = MPI_Gatherv(
          send.baseAddress, count, type, receive.baseAddress, &counts, &displacements, type, 0, sigah_mpi_world())
      }
    }
    return out
  }
}
