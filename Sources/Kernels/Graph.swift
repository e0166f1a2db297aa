// Launcher for kernels/graph.cl.

import Backend

extension OpenCLBackend {
  public func distancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>,
    rows: Int, columns: Int, squareRoot: Bool, zeroDiagonal: Bool,
    into distances: DeviceBuffer<Float>
  ) throws {
    let operation = "distancesFromGram"
    try Validate.positive(operation, "rows", rows)
    try Validate.positive(operation, "columns", columns)
    try Validate.fits(operation, "gram", gram, needs: rows * columns)
    try Validate.fits(operation, "rowNorms", rowNorms, needs: rows)
    try Validate.fits(operation, "columnNorms", columnNorms, needs: columns)
    try Validate.fits(operation, "distances", distances, needs: rows * columns)
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
