// What an evaluation was, beside what it measured: the report.json and `eval --json`
// record, so that a number can be traced to the data, the K, the seeds and every option.

public struct EvaluationRecord: Sendable, Codable, Equatable {
  public struct Metadata: Sendable, Codable, Equatable {
    /// "sigah 0.5.0".
    public var tool: String
    /// The command line as given.
    public var arguments: [String]
    public var data: String
    public var queryFile: String?
    public var queries: Int
    public var databaseVectors: Int
    public var dimension: Int
    /// The relevant neighbours a query (K), and their distance.
    public var relevantK: Int
    public var metric: String
    public var labelled: Bool
    public var seeds: [UInt64]
    public var methods: [String]
    public var bits: [Int]
    public var epochs: Int
    public var backend: String

    public init(
      tool: String, arguments: [String], data: String, queryFile: String?, queries: Int, databaseVectors: Int,
      dimension: Int, relevantK: Int, metric: String, labelled: Bool, seeds: [UInt64], methods: [String], bits: [Int],
      epochs: Int,
      backend: String
    ) {
      (self.tool, self.arguments, self.data, self.queryFile) = (tool, arguments, data, queryFile)
      self.metric = metric
      (self.queries, self.databaseVectors, self.dimension, self.relevantK) = (
        queries, databaseVectors, dimension, relevantK
      )
      (self.labelled, self.seeds, self.methods, self.bits) = (labelled, seeds, methods, bits)
      (self.epochs, self.backend) = (epochs, backend)
    }
  }

  public var metadata: Metadata
  public var rows: [ExperimentRow]

  public init(metadata: Metadata, rows: [ExperimentRow]) {
    (self.metadata, self.rows) = (metadata, rows)
  }
}
