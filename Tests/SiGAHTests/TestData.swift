// Where the bundled data sets are, relative to this file.

import Foundation

enum TestData {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

  static var mnistImages: String { path("data/mnist/t10k-images-idx3-ubyte.gz") }
  static var siftBase: String { path("data/siftsmall/siftsmall_base.fvecs") }
  static var siftQueries: String { path("data/siftsmall/siftsmall_query.fvecs") }
  static var siftGroundTruth: String { path("data/siftsmall/siftsmall_groundtruth.ivecs") }
}
