// Launchers for kernels/graph.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedDistancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>
  ) throws {
    let operation = "distancesFromGram"
    try launch(
      "distances_from_gram", file: "graph", global: [rows * columns],
      [
        .memory(try memory(gram, operation, "gram")), .memory(try memory(rowNorms, operation, "rowNorms")),
        .memory(try memory(columnNorms, operation, "columnNorms")), .int(rows), .int(columns),
        .int(squareRoot ? 1 : 0), .int(zeroDiagonal ? 1 : 0), .memory(try memory(distances, operation, "distances")),
      ])
  }

  public func uncheckedExponentialSimilarity(
    _ distances: DeviceBuffer<Float>, count: Int, sigma: Float?, total: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>
  ) throws {
    let operation = "exponentialSimilarity"
    try launch(
      "exponential_similarity", file: "graph", global: [count],
      [
        .memory(try memory(distances, operation, "distances")), .int(count), .int(sigma == nil ? 0 : 1),
        .float(sigma ?? 0), .memory(try memory(total, operation, "total")), .int(pairs),
        .memory(try memory(similarity, operation, "similarity")),
      ])
  }

  public func uncheckedNearestSelection(
    _ distances: DeviceBuffer<Float>, rows: Int, nearest: Int, into selected: DeviceBuffer<Float>
  ) throws {
    let group = tuning.reductionGroupSize
    try launch(
      "nearest_selection", file: "graph", global: [rows * group], local: [group],
      [
        .memory(try memory(distances, "nearestSelection", "distances")), .int(rows), .int(nearest),
        .memory(try memory(selected, "nearestSelection", "selected")),
      ])
  }

  public func uncheckedDistanceMatchingResidual(
    products: DeviceBuffer<Float>, distances: DeviceBuffer<Float>, rowSums: DeviceBuffer<Float>,
    selected: DeviceBuffer<Float>, rows: Int, loss: LossRows
  ) throws {
    let buffers = try arguments(
      "distanceMatchingResidual",
      [("products", products), ("distances", distances), ("rowSums", rowSums), ("selected", selected)])
    let group = tuning.reductionGroupSize
    try launch(
      "distance_matching_residual", file: "graph", global: [rows * group], local: [group],
      buffers + [.int(rows)] + (try lossArguments(loss, "distanceMatchingResidual")))
  }

  public func uncheckedDistancesWithRowSums(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>,
    rowSums: DeviceBuffer<Float>
  ) throws {
    let buffers = try arguments(
      "distancesFromGram", [("gram", gram), ("rowNorms", rowNorms), ("columnNorms", columnNorms)])
    let group = tuning.reductionGroupSize
    try launch(
      "distances_with_row_sums", file: "graph", global: [rows * group], local: [group],
      buffers + [.int(columns), .int(squareRoot ? 1 : 0), .int(zeroDiagonal ? 1 : 0)]
        + (try arguments("distancesFromGram", [("distances", distances), ("rowSums", rowSums)])))
  }

  public func uncheckedSimilarityWithDegrees(
    _ distances: DeviceBuffer<Float>, rows: Int, sigma: Float?, distanceRowSums: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>
  ) throws {
    let operation = "similarityWithDegrees"
    let group = tuning.reductionGroupSize
    try launch(
      "similarity_with_degrees", file: "graph", global: [rows * group], local: [group],
      [
        .memory(try memory(distances, operation, "distances")), .int(rows), .int(sigma == nil ? 0 : 1),
        .float(sigma ?? 0), .memory(try memory(distanceRowSums, operation, "distanceRowSums")), .int(pairs),
      ] + (try arguments(operation, [("similarity", similarity), ("degrees", degrees)])))
  }
}
