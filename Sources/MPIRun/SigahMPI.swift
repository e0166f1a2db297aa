// `sigah-mpi`: `sigah`'s encode, search and ground truth with the rows shared out across
// MPI ranks (`mpirun -np N sigah-mpi …`). Each rank works on its contiguous part of the
// rows; rank 0 gathers the parts in rank order, merges per-query results with ties by
// global index, and writes the same file one process writes.

import ArgumentParser
import Backend
import Foundation
import Kernels
import SiGAH

@main
struct SigahMPI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sigah-mpi",
    abstract: "Encode, search and compute ground truth across MPI ranks: mpirun -np N sigah-mpi <command> …",
    discussion: """
      Every rank works on its share of the rows (vectors to fit on or encode, database \
      codes to scan, database vectors to rank), and of .fvecs, .bvecs and .npy vector \
      files reads only that share; rank 0 writes the result, \
      which is the file `sigah` writes with one process (train: up to the order of the \
      sums). train fits lsh, pcah and itq with their sums all-reduced across ranks; the \
      other methods train in one process for now. Example: mpirun -np 4 sigah-mpi search \
      --database base.npy --queries queries.npy --k 10 --out ids.ivecs
      """,
    subcommands: [ShardedTrain.self, ShardedEncode.self, ShardedSearch.self, ShardedGroundTruth.self])

  static let world = Communicator()

  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
      world.finish()
    } catch {
      // Rank 0 says what went wrong (every rank saw the same inputs); all finish MPI.
      if world.isRoot { FileHandle.standardError.write(Data((Self.fullMessage(for: error) + "\n").utf8)) }
      world.finish()
      Foundation.exit(Self.exitCode(for: error).rawValue)
    }
  }
}

/// The backend of every rank.
struct RankBackendOptions: ParsableArguments {
  @Option(
    help:
      "cpu (the default), opencl or auto: with OpenCL each rank takes the device its rank on its machine names (GPUs first; auto falls back to the CPU without one)."
  )
  var backend = "cpu"

  func validate() throws {
    guard BackendChoice(rawValue: backend) != nil else {
      throw ValidationError("--backend must be cpu, opencl or auto, got '\(backend)'.")
    }
  }

  /// This rank's backend: the CPU with the machine's cores shared between the ranks on
  /// it, or OpenCL device `local rank mod devices` (GPUs only for auto).
  func make(_ world: Communicator) throws -> any Backend {
    let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / max(world.size, 1))
    let choice = BackendChoice(rawValue: backend)!
    guard choice != .cpu else { return try CPUBackend(threads: threads) }
    let devices = ((try? OpenCLDevices.all()) ?? []).filter { choice == .opencl || $0.isGPU }
    guard !devices.isEmpty else {
      if choice == .auto { return try CPUBackend(threads: threads) }
      throw ValidationError("--backend opencl: no OpenCL device was found.")
    }
    return try OpenCLBackend(deviceIndex: devices[world.localRank % devices.count].index)
  }
}

/// Status lines on standard error, from rank 0 only.
func status(_ world: Communicator, _ line: @autoclosure () -> String) {
  if world.isRoot { FileHandle.standardError.write(Data((line() + "\n").utf8)) }
}

struct ShardedTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "sigah train across ranks for lsh, pcah and itq: means, covariance and ITQ's products summed over ranks.")
  @Argument(help: "Training vectors.") var data: String
  @Option(help: "lsh, pcah or itq.") var method = "itq"
  @Option(help: "Code length r (1–4096).") var bits = 64
  @Option(help: "Seed of the projections and rotations.") var seed: UInt64 = 0
  @Option(name: .shortAndLong, help: "The model file to write (safetensors).") var out: String

  @OptionGroup var backendOptions: RankBackendOptions

  func validate() throws {
    guard ["lsh", "pcah", "itq"].contains(method) else {
      throw ValidationError("--method must be lsh, pcah or itq across ranks, got '\(method)'.")
    }
    guard (1...4096).contains(bits) else { throw ValidationError("--bits must be between 1 and 4096, got \(bits).") }
  }

  func run() throws {
    let world = SigahMPI.world
    let (share, _, total) = try Dataset.loadShare(data, share: world.shard(of:))
    guard total >= world.size else {
      throw ValidationError("\(data) has \(total) vectors, fewer than the \(world.size) ranks.")
    }
    let reduction = ShardReduction { [world] in world.allSum($0) }
    let backend = try backendOptions.make(world)
    let hash: LinearHash
    switch method {
    case "lsh": hash = LinearBaselines.lsh(share, bits: bits, seed: seed, reduction: reduction)
    case "pcah": hash = try LinearBaselines.pcah(share, bits: bits, seed: seed, backend: backend, reduction: reduction)
    default: hash = try LinearBaselines.itq(share, bits: bits, seed: seed, backend: backend, reduction: reduction)
    }
    if world.isRoot {
      try HashModel.linear(hash, method: HashMethod(rawValue: method)!).write(to: out)
      status(world, "\(method) fitted on \(total) vectors by \(world.size) ranks; model in \(out)")
    }
  }
}

struct ShardedEncode: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "encode", abstract: "sigah encode across ranks.")
  @Option(help: "The model file.") var model: String
  @Argument(help: "Vectors to encode.") var data: String
  @Option(name: .shortAndLong, help: "Codes (.npy): uint8 rows, or uint64 words with --words.") var out: String
  @Flag(help: "Write uint64 words instead of bytes.") var words = false

  @OptionGroup var backendOptions: RankBackendOptions

  func run() throws {
    let world = SigahMPI.world
    let hash = try HashModel.read(from: model)
    let (share, _, total) = try Dataset.loadShare(data, share: world.shard(of:))
    try share.requireDimension(hash.inputDimension)
    let local = share.rows > 0 ? try hash.encode(share, backend: try backendOptions.make(world)).words : []
    let all = world.gather(local)
    if world.isRoot {
      try NPYFormat.write(codes: PackedCodes(count: total, bits: hash.bits, words: all), words: words, to: out)
      status(world, "\(total) vectors encoded by \(world.size) ranks into \(out)")
    }
  }
}

struct ShardedSearch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search", abstract: "sigah search across ranks: each scans its share of the database codes.")
  @Option(help: "Database codes (.npy).") var database: String
  @Option(help: "Query codes (.npy).") var queries: String
  @Option(help: "Code length, when the codes files do not fill whole bytes or words.") var bits: Int?
  @Option(help: "Results per query.") var k = 10
  @Option(name: .shortAndLong, help: "Ids: .ivecs, .npy, or - for text.") var out: String
  @Option(help: "Also write the Hamming distances.") var distancesOut: String?

  @OptionGroup var backendOptions: RankBackendOptions

  func run() throws {
    let world = SigahMPI.world
    let base = try NPYFormat.readCodes(database, bits: bits)
    let query = try NPYFormat.readCodes(queries, bits: base.bits)
    guard (1...base.count).contains(k) else {
      throw ValidationError("--k must be between 1 and the \(base.count) database codes, got \(k).")
    }
    let part = world.shard(of: base.count)
    let words = base.wordsPerCode
    var keys: [UInt64] = []
    if !part.isEmpty {
      let backend = try backendOptions.make(world)
      let local = min(k, part.count)
      let top = try backend.hammingTopK(
        queries: try backend.makeBuffer(query.words), queryCount: query.count,
        database: try backend.makeBuffer(Array(base.words[(part.lowerBound * words)..<(part.upperBound * words)])),
        databaseCount: part.count, bits: base.bits, k: local)
      // Every query gets k keys from every rank (padded with the largest key), so rank 0
      // can split the gathered keys by rank and query.
      for q in 0..<query.count {
        for j in 0..<k {
          keys.append(
            j < local
              ? SmallestKeys.key(
                UInt32(top.distances[q * local + j]), index: part.lowerBound + Int(top.ids[q * local + j]))
              : .max)
        }
      }
    } else {
      keys = [UInt64](repeating: .max, count: query.count * k)
    }
    let all = world.gather(keys)
    guard world.isRoot else { return }
    var ids = [Int32](repeating: 0, count: query.count * k)
    var distances = [Int32](repeating: 0, count: query.count * k)
    var kept = SmallestKeys(capacity: k)
    for q in 0..<query.count {
      kept.removeAll()
      for r in 0..<world.size {
        for j in 0..<k { kept.offer(all[(r * query.count + q) * k + j]) }
      }
      for (j, key) in kept.sorted().enumerated() {
        ids[q * k + j] = SmallestKeys.index(of: key)
        distances[q * k + j] = Int32(SmallestKeys.value(of: key))
      }
    }
    try Tables.write(integers: ids, columns: k, to: out)
    if let distancesOut { try Tables.write(integers: distances, columns: k, to: distancesOut) }
    status(world, "\(query.count) queries × \(base.count) codes searched by \(world.size) ranks; ids in \(out)")
  }
}

struct ShardedGroundTruth: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "groundtruth",
    abstract: "sigah groundtruth across ranks: each ranks its share of the database, rank 0 merges exactly.")
  @Option(help: "Database vectors.") var database: String
  @Option(help: "Query vectors.") var queries: String
  @Option(help: "Neighbours per query.") var k = 100
  @Option(name: .shortAndLong, help: "Ids: .ivecs, .npy, or - for text.") var out: String

  @OptionGroup var backendOptions: RankBackendOptions

  func run() throws {
    let world = SigahMPI.world
    let (base, part, total) = try Dataset.loadShare(database, share: world.shard(of:))
    let query = try Dataset.load(queries).vectors
    guard query.columns == base.columns else {
      throw ValidationError("queries have dimension \(query.columns), the database \(base.columns).")
    }
    guard (1...total).contains(k) else {
      throw ValidationError("--k must be between 1 and the \(total) database vectors, got \(k).")
    }
    // Each rank's k nearest, with their exact Float64 distances (as bits); ids global.
    var distances = [UInt64](repeating: UInt64(Double.infinity.bitPattern), count: query.rows * k)
    var ids = [Int32](repeating: -1, count: query.rows * k)
    if !part.isEmpty {
      let local = min(k, part.count)
      let found = try GroundTruth.compute(
        queries: query, database: base, k: local, backend: try backendOptions.make(world))
      for q in 0..<query.rows {
        let exact = GroundTruth.rerank(
          query: q, of: query, candidates: Array(found[(q * local)..<((q + 1) * local)]), in: base, k: local)
        for (j, candidate) in exact.enumerated() {
          distances[q * k + j] = candidate.distance.bitPattern
          ids[q * k + j] = Int32(part.lowerBound) + candidate.id
        }
      }
    }
    let allDistances = world.gather(distances)
    let allIds = world.gather(ids)
    guard world.isRoot else { return }
    // The global k nearest are among the ranks' k nearest; merged by (distance, id) as
    // one process orders them.
    var result = [Int32](repeating: 0, count: query.rows * k)
    for q in 0..<query.rows {
      var pool: [(distance: Double, id: Int32)] = []
      for r in 0..<world.size {
        for j in 0..<k where allIds[(r * query.rows + q) * k + j] >= 0 {
          let slot = (r * query.rows + q) * k + j
          pool.append((Double(bitPattern: allDistances[slot]), allIds[slot]))
        }
      }
      pool.sort(by: GroundTruth.nearestFirst)
      for j in 0..<k { result[q * k + j] = pool[j].id }
    }
    try Tables.write(integers: result, columns: k, to: out)
    status(world, "top \(k) of \(query.rows) queries × \(total) vectors by \(world.size) ranks; ids in \(out)")
  }
}
