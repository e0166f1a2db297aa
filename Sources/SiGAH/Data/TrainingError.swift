// Why a training could not run or did not finish, for every method and every layer.

public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// A loss term or a weight stopped being finite.
  case diverged(epoch: Int, term: String, lastCheckpoint: String?)
  case invalidData(String)

  public var description: String {
    switch self {
    case .diverged(let epoch, let term, let checkpoint):
      return "training diverged in epoch \(epoch): \(term) is not finite"
        + (checkpoint.map { "; the last good checkpoint is \($0)" } ?? "; lower the learning rate")
    case .invalidData(let message):
      return message
    }
  }
}
