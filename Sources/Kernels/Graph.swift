// Launcher for kernels/graph.cl.

import Backend

extension OpenCLBackend {
  public func distancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>,
    rows: Int, columns: Int, squareRoot: Bool, zeroDiagonal: Bool,
    into distances: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "distancesFromGram", rows: rows, columns: columns,
      [
        ("gram", gram, rows * columns), ("rowNorms", rowNorms, rows), ("columnNorms", columnNorms, columns),
        ("distances", distances, rows * columns),
      ])
    let operation = "distancesFromGram"
    try launch(
      "distances_from_gram", file: "graph", global: [rows * columns],
      [
        .memory(try memory(gram, operation, "gram")),
        .memory(try memory(rowNorms, operation, "rowNorms")),
        .memory(try memory(columnNorms, operation, "columnNorms")), .int(rows), .int(columns),
        .int(squareRoot ? 1 : 0), .int(zeroDiagonal ? 1 : 0), .memory(try memory(distances, operation, "distances")),
      ])
  }
}
