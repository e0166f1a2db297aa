// `sigah-mpi`: `sigah`'s encode, search and ground truth with the rows shared out across
// MPI ranks (`mpirun -np N sigah-mpi …`). Each rank works on its contiguous part of the
// rows; rank 0 gathers the parts in rank order, merges per-query results with ties by
// global index, and writes the same file one process writes.

import ArgumentParser
import Backend
import CommandOptions
import Foundation
import OpenCL
import SiGAH

@main
struct SigahMPI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sigah-mpi",
    abstract: "Train, encode, search and compute ground truth across MPI ranks: mpirun -np N sigah-mpi <command> …",
    discussion: """
      Every rank works on its share of the rows (vectors to fit on or encode, database \
      codes to scan, database vectors to rank), and of .fvecs, .bvecs and .npy vector \
      files reads only that share; rank 0 writes the result, \
      which is the file `sigah` writes with one process (train: up to the order of the \
      sums). train fits lsh, pcah and itq with their sums all-reduced across ranks and \
      trains the learned methods data-parallel. Example: mpirun -np 4 sigah-mpi search \
      --database base.npy --queries queries.npy --k 10 --out ids.ivecs
      """,
    version: "sigah-mpi \(ModelFile.toolVersion) (model format \(ModelFile.formatVersion))",
    subcommands: [ShardedTrain.self, ShardedEncode.self, ShardedSearch.self, ShardedGroundTruth.self])

  static let world = Communicator()

  static func main() {
    _ = OpenBLASRuntime.core
    TemporaryFiles.removeOnSignals()
    do {
      var command = try parseAsRoot()
      try command.run()
      world.finish()
    } catch {
      // A failure every rank knows of (an agreement point): the failing rank says why, the
      // others leave quietly, and all finish together, without MPI_Abort.
      if error is PeerFailure {
        world.finish()
        Foundation.exit(ExitCode.failure.rawValue)
      }
      if let agreed = error as? AgreedFailure {
        if agreed.speaks {
          let message = Self.fullMessage(for: agreed.underlying)
          FileHandle.standardError.write(Data(((world.isRoot ? "" : "rank \(world.rank): ") + message + "\n").utf8))
        }
        world.finish()
        Foundation.exit(Self.exitCode(for: agreed.underlying).rawValue)
      }
      // Elsewhere the failing rank says what went wrong and stops every rank: a rank that
      // failed alone (its share, or rank 0's files: checkpoints, validation, the output)
      // would otherwise leave the others waiting in the next sum. When every rank fails
      // alike (the same bad input), rank 0 speaks first and its abort ends the others
      // before they repeat it.
      let message = Self.fullMessage(for: error)
      let code = Self.exitCode(for: error).rawValue
      if code == 0 {
        // --help and --version: asked-for output, on standard output, from rank 0.
        if world.isRoot { print(message) }
        world.finish()
        Foundation.exit(0)
      }
      if !world.isRoot { Thread.sleep(forTimeInterval: 0.5) }
      FileHandle.standardError.write(Data(((world.isRoot ? "" : "rank \(world.rank): ") + message + "\n").utf8))
      if world.size > 1 { world.abort(code) }
      world.finish()
      Foundation.exit(code)
    }
  }
}

/// The backend of every rank.
extension BackendOptions {
  /// This rank's backend (BackendSelector's rank rule): the CPU with the machine's cores
  /// shared between the ranks on it, or the OpenCL device its place on the machine names.
  func make(_ world: Communicator) throws -> any Backend {
    try open(localRank: world.localRank, ranksOnMachine: world.localSize).backend
  }
}

/// Status lines on standard error, from rank 0 only.
func status(_ world: Communicator, _ line: @autoclosure () -> String) {
  if world.isRoot { FileHandle.standardError.write(Data((line() + "\n").utf8)) }
}

struct ShardedTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract:
      "sigah train across ranks: lsh, pcah and itq with their sums over ranks, the learned methods data-parallel.",
    discussion: """
      lsh, pcah and itq sum their means, covariance and ITQ's products over the ranks. \
      sigah, sigah-dm, hashgan, gmans, sgh and ba train data-parallel: every step each rank \
      computes the gradients of its rows of the global batch (the one process's batch), \
      the gradients are summed over the ranks and every rank takes the same Adam step, so \
      the model is the one process's up to the order of the sums. SiGAH's graph terms \
      gather the whole batch's inputs and codes. Rank 0 writes the model and the \
      checkpoints and measures the validation mAP that chooses the kept epoch, on \
      pseudo-queries and a database from its own share. sigah-dm's ranking stage runs \
      data-parallel too: every rank gathers the whole training set (any row can be an \
      anchor's positive or negative) and finds its own rows' neighbours, and trains on its \
      part of each step's anchors.
      """)
  @Argument(help: "Training vectors.") var data: String
  @OptionGroup var job: TrainingJobOptions
  @Flag(help: "No per-epoch lines on standard error.") var quiet = false
  @OptionGroup var backendOptions: BackendOptions

  static let linearMethods: [HashMethod] = [.lsh, .pcah, .itq]
  /// The methods that train across ranks.
  static let methods = linearMethods + [.sigah, .sigahDM] + GenerativeTraining.dataParallelMethods

  func validate() throws {
    let method = job.method ?? .sigah
    guard Self.methods.contains(method) else {
      throw ValidationError(
        "--method must be one of \(Self.methods.map(\.rawValue).joined(separator: ", ")) across ranks, got '\(method.rawValue)'."
      )
    }
    if let bits = job.bits, !Self.linearMethods.contains(method), bits > maximumCodeBits {
      throw ValidationError("--bits must be between 1 and \(maximumCodeBits) for \(method.rawValue), got \(bits).")
    }
  }

  func run() throws {
    let world = SigahMPI.world
    let job = try self.job.job()
    let out = self.job.out
    let (share, _, total) = try world.agree { try Dataset.loadShare(data, share: world.shard(of:)) }
    guard total >= world.size else {
      throw ValidationError("\(data) has \(total) vectors, fewer than the \(world.size) ranks.")
    }
    let backend = try backendOptions.make(world)
    let started = Date()
    let rows = DataShare(rows: world.shard(of: total), total: total, reduction: world.reduction, writer: world.isRoot)
    let model = try job.run(
      data: share, backend: backend, share: rows,
      onEvent: { event in
        guard !quiet else { return }
        switch event {
        case .epoch(let report):
          let validation = report.validationMAP.map { String(format: ", validation mAP %.4f", $0) } ?? ""
          let generator = report.term("L_G").map { String(format: ", L_G %.4g", $0) } ?? ""
          status(
            world,
            String(
              format: "epoch %d%@: %.0f samples/s over %d ranks", report.epoch,
              report.phase.isEmpty ? "" : " " + report.phase, report.samplesPerSecond, world.size) + generator
              + validation)
        default: break
        }
      }, status: { line in status(world, line) })
    if world.isRoot {
      try model.write(to: out)
      status(
        world,
        String(
          format: "%@ trained on %d vectors by %d ranks in %.2f s; model in %@", job.method.rawValue, total,
          world.size, Date().timeIntervalSince(started), out))
    }
  }
}

struct ShardedEncode: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "encode", abstract: "sigah encode across ranks.")
  @Option(help: "The model file.") var model: String
  @Argument(help: "Vectors to encode.") var data: String
  @Option(name: .shortAndLong, help: "Codes (.npy): uint8 rows, or uint64 words with --words.") var out: String
  @Flag(help: "Write uint64 words instead of bytes.") var words = false

  @OptionGroup var backendOptions: BackendOptions

  func run() throws {
    let world = SigahMPI.world
    let (hash, share, total) = try world.agree {
      let hash = try HashModel.read(from: model)
      let (share, _, total) = try Dataset.loadShare(data, share: world.shard(of:))
      try share.requireDimension(hash.inputDimension)
      return (hash, share, total)
    }
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
  @Option(
    help: """
      Find every code within this Hamming distance instead of the top k: --out then holds \
      one row (query, id, distance) a match, by query, distance and id, as sigah search \
      --radius writes them.
      """)
  var radius: Int?

  @OptionGroup var backendOptions: BackendOptions

  func validate() throws {
    if let radius {
      guard radius >= 0 else { throw ValidationError("--radius must be at least 0, got \(radius).") }
      guard distancesOut == nil else {
        throw ValidationError("--radius writes (query, id, distance) rows; it takes no --distances-out.")
      }
    }
  }

  func run() throws {
    let world = SigahMPI.world
    let (base, query) = try world.agree {
      let base = try NPYFormat.readCodes(database, bits: bits)
      return (base, try NPYFormat.readCodes(queries, bits: base.bits))
    }
    if let radius { return try within(min(radius, base.bits), base: base, query: query, world: world) }
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

  /// Radius search: each rank finds the matches in its share, rank 0 gathers each query's
  /// (distance, id) keys with their counts and orders them as one scan would.
  private func within(_ radius: Int, base: PackedCodes, query: PackedCodes, world: Communicator) throws {
    let part = world.shard(of: base.count)
    let words = base.wordsPerCode
    var counts = [Int32](repeating: 0, count: query.count)
    var keys: [UInt64] = []
    if !part.isEmpty {
      let backend = try backendOptions.make(world)
      let found = try backend.hammingWithin(
        queries: try backend.makeBuffer(query.words), queryCount: query.count,
        database: try backend.makeBuffer(Array(base.words[(part.lowerBound * words)..<(part.upperBound * words)])),
        databaseCount: part.count, bits: base.bits, radius: radius)
      for q in 0..<query.count {
        counts[q] = Int32(found.range(ofQuery: q).count)
        for e in found.range(ofQuery: q) {
          keys.append(SmallestKeys.key(UInt32(found.distances[e]), index: part.lowerBound + Int(found.ids[e])))
        }
      }
    }
    let (allCounts, allKeys) = (world.gather(counts), world.gather(keys))
    guard world.isRoot else { return }
    // Rank r's keys start after those of the ranks before it; inside, by query.
    var next = [Int](repeating: 0, count: world.size)
    for r in 1..<max(world.size, 1) {
      next[r] = next[r - 1] + allCounts[((r - 1) * query.count)..<(r * query.count)].reduce(0) { $0 + Int($1) }
    }
    var rows: [Int32] = []
    for q in 0..<query.count {
      var matches: [UInt64] = []
      for r in 0..<world.size {
        let n = Int(allCounts[r * query.count + q])
        matches += allKeys[next[r]..<(next[r] + n)]
        next[r] += n
      }
      for key in matches.sorted() {
        rows += [Int32(q), SmallestKeys.index(of: key), Int32(SmallestKeys.value(of: key))]
      }
    }
    try Tables.write(integers: rows, columns: 3, to: out)
    status(
      world,
      "\(query.count) queries × \(base.count) codes searched by \(world.size) ranks: \(rows.count / 3) matches "
        + "within distance \(radius) in \(out)")
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

  @OptionGroup var backendOptions: BackendOptions

  func run() throws {
    let world = SigahMPI.world
    let (base, part, total, query) = try world.agree {
      let (base, part, total) = try Dataset.loadShare(database, share: world.shard(of:))
      return (base, part, total, try Dataset.load(queries).vectors)
    }
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
