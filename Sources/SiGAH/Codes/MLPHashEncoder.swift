// An MLP hash function (`MLPHash`, METHOD.md §7; with its skip, §3c) held on a backend: its
// weights uploaded once and the workspace of a block of rows kept between calls, growing
// with them up to `largestBlock` rows. A last layer without an activation (every method's)
// runs with the skip's product, the signs and the packing as one `projectSignPack`, whose
// codes go straight to their place.

import Backend

final class MLPHashEncoder {
  let backend: any Backend
  let hash: MLPHash
  let largestBlock: Int
  private let block: ParameterBlock
  private let negatedMean: DeviceBuffer<Float>
  /// The last layer's weight transposed (`inputs × bits`, the encoding kernel's layout) and
  /// its bias, when it has no activation.
  private let fusedLastLayer: (transposedWeight: DeviceBuffer<Float>, bias: DeviceBuffer<Float>)?
  private var mlp: MLP
  private var input: DeviceBuffer<Float>
  /// The skip's product of a block, the last layer's addend.
  private var skipProducts: DeviceBuffer<Float>?
  private var blockCodes: DeviceBuffer<UInt64>
  private var codes: DeviceBuffer<UInt64>?
  /// Rows streamed from the host: into `input` and a spare in turn.
  private let uploads: BlockUploads

  init(_ hash: MLPHash, blockRows: Int, largestBlock: Int? = nil, backend: any Backend) throws {
    (self.backend, self.hash) = (backend, hash)
    let rows = max(blockRows, 1)
    self.largestBlock = max(largestBlock ?? rows, rows)
    var inits: [TensorInit] = []
    for (index, layer) in hash.layers.enumerated() {
      inits.append(
        TensorInit(name: "l\(index).weight", shape: [layer.outputs, layer.inputs], values: layer.weight, decays: true))
      inits.append(TensorInit(name: "l\(index).bias", shape: [layer.outputs], values: layer.bias, decays: false))
    }
    if let skip = hash.skip {
      inits.append(TensorInit(name: "skip", shape: [hash.bits, hash.inputDimension], values: skip, decays: false))
    }
    block = try ParameterBlock(inits, on: backend)
    negatedMean = try backend.makeBuffer(hash.mean.map { -$0 })
    let last = hash.layers[hash.layers.count - 1]
    fusedLastLayer =
      last.activation == .identity
      ? (
        try backend.makeBuffer(LinearAlgebra.transpose(last.weight, rows: last.outputs, columns: last.inputs)),
        try backend.makeBuffer(last.bias)
      ) : nil
    (mlp, input, skipProducts, blockCodes) = try Self.workspace(hash, rows: rows, block: block, backend: backend)
    uploads = BlockUploads(backend: backend)
  }

  private static func workspace(_ hash: MLPHash, rows: Int, block: ParameterBlock, backend: any Backend) throws -> (
    MLP, DeviceBuffer<Float>, DeviceBuffer<Float>?, DeviceBuffer<UInt64>
  ) {
    (
      try MLP(
        prefix: "l", inputs: hash.inputDimension, layers: hash.layers.map { LayerSpec($0.outputs, $0.activation) },
        block: block, capacity: rows, backend: backend),
      try backend.makeBuffer(Float.self, count: rows * hash.inputDimension),
      hash.skip == nil ? nil : try backend.makeBuffer(Float.self, count: rows * hash.bits),
      try backend.makeBuffer(UInt64.self, count: rows * codeWords(bits: hash.bits))
    )
  }

  /// Codes of every row, the codes read once at the end; `progress` is called with the
  /// rows queued so far.
  func encode(_ data: EncoderRows, progress: (Int) -> Void) throws -> PackedCodes {
    try data.requireDimension(hash.inputDimension)
    let words = codeWords(bits: hash.bits)
    if (codes?.count ?? 0) < max(data.rows, 1) * words {
      codes = try backend.makeBuffer(UInt64.self, count: max(data.rows, 1) * words)
    }
    try encode(data, resident: nil, into: codes!, progress: progress)
    return PackedCodes(count: data.rows, bits: hash.bits, words: try backend.download(codes!, count: data.rows * words))
  }

  /// Encodes every row of `rows` into `codes` on the device; `resident` holds the same rows
  /// there when they were uploaded (each block is then copied, not uploaded again).
  func encode(_ rows: Matrix, resident: DeviceBuffer<Float>?, into codes: DeviceBuffer<UInt64>) throws {
    try EncoderRows.floats(rows).requireDimension(hash.inputDimension)
    try encode(.floats(rows), resident: resident, into: codes) { _ in }
  }

  private func encode(
    _ data: EncoderRows, resident: DeviceBuffer<Float>?, into codes: DeviceBuffer<UInt64>, progress: (Int) -> Void
  ) throws {
    let wanted = min(max(data.rows, 1), largestBlock)
    if wanted > mlp.capacity {
      (mlp, input, skipProducts, blockCodes) = try Self.workspace(hash, rows: wanted, block: block, backend: backend)
    }
    let (d, bits, words) = (hash.inputDimension, hash.bits, codeWords(bits: hash.bits))
    // A block's rows are in `input` (the encoder's, or the stream's spare).
    func encodeBlock(_ rows: Range<Int>, _ input: DeviceBuffer<Float>) throws {
      let n = rows.count
      try backend.addRowVector(negatedMean, to: input, rows: n, columns: d)
      if hash.inputScale != 1 {
        try backend.linearCombination(alpha: 1 / hash.inputScale, input, beta: 0, input, into: input, count: n * d)
      }
      if let (transposedWeight, bias) = fusedLastLayer {
        let layers = hash.layers.count
        try mlp.forward(input, rows: n, layerCount: layers - 1)
        if let skipProducts {
          try backend.gemm(
            input, transposeA: false, block.tensor("skip").value, transposeB: true, into: skipProducts, m: n, n: bits,
            k: d, alpha: 1, beta: 0, epilogue: .none)
        }
        try backend.projectSignPack(
          layers == 1 ? input : mlp.activation(layers - 2), rows: n, columns: hash.layers[layers - 1].inputs,
          subtracting: nil, transposedProjection: transposedWeight, adding: skipProducts, offset: bias, bits: bits,
          into: codes, firstCode: rows.lowerBound,
          workspace: SignProjectionWorkspace(rows: mlp.capacity, projections: mlp.output, codes: blockCodes))
      } else {
        try mlp.forward(input, rows: n)
        if hash.skip != nil {
          try backend.gemm(
            input, transposeA: false, block.tensor("skip").value, transposeB: true, into: mlp.output, m: n, n: bits,
            k: d, alpha: 1, beta: 1, epilogue: .none)
        }
        try backend.signPack(mlp.output, rows: n, bits: bits, into: blockCodes)
        try backend.copy(
          blockCodes, sourceOffset: 0, to: codes, destinationOffset: rows.lowerBound * words, count: n * words)
      }
      progress(rows.upperBound)
    }
    if let resident {
      for rows in data.rowBlocks(mlp.capacity) {
        try backend.copy(
          resident, sourceOffset: rows.lowerBound * d, to: input, destinationOffset: 0, count: rows.count * d)
        try encodeBlock(rows, input)
      }
    } else {
      try uploads.stream(data, blockRows: mlp.capacity, first: input, encodeBlock)
    }
  }
}
