// The integer codes that cross from Swift into the OpenCL kernels, defined once. The
// kernel embedder turns them into `#define`s prepended to every kernel file, so a kernel's
// `switch` and the Swift enum cannot disagree (ggml's single op table).

/// A family of operation codes shared with the kernels.
public protocol KernelCode: CaseIterable, RawRepresentable where RawValue == Int32 {
  /// The prefix of the family's macros, e.g. `ACTIVATION` for `ACTIVATION_TANH`.
  static var macroPrefix: String { get }
  /// The case's macro suffix, e.g. `TANH`.
  var macroName: String { get }
}

/// Element-wise activations (forward from `x`, backward from the output `y`).
public enum ActivationCode: Int32, KernelCode, Sendable {
  case leakyReLU = 0
  case relu, tanh, sigmoid, identity, selu
  public static let macroPrefix = "ACTIVATION"
  public var macroName: String {
    switch self {
    case .leakyReLU: "LEAKY_RELU"
    case .relu: "RELU"
    case .tanh: "TANH"
    case .sigmoid: "SIGMOID"
    case .identity: "IDENTITY"
    case .selu: "SELU"
    }
  }
}

/// Reductions of a run of elements.
public enum ReductionCode: Int32, KernelCode, Sendable {
  case sum = 0
  case sumOfSquares, sumOfAbsoluteValues
  public static let macroPrefix = "REDUCTION"
  public var macroName: String {
    switch self {
    case .sum: "SUM"
    case .sumOfSquares: "SUM_OF_SQUARES"
    case .sumOfAbsoluteValues: "SUM_OF_ABSOLUTE_VALUES"
    }
  }
}

/// Element-wise functions `y = f(x)`.
public enum UnaryFunctionCode: Int32, KernelCode, Sendable {
  case sign = 0
  case abs, square, exp, softplus, log
  public static let macroPrefix = "FUNCTION"
  public var macroName: String {
    switch self {
    case .sign: "SIGN"
    case .abs: "ABS"
    case .square: "SQUARE"
    case .exp: "EXP"
    case .softplus: "SOFTPLUS"
    case .log: "LOG"
    }
  }
}

/// Distributions of the counter-based random fill.
public enum RandomCode: Int32, KernelCode, Sendable {
  case uniform = 0
  case gaussian, bernoulli
  public static let macroPrefix = "RANDOM"
  public var macroName: String {
    switch self {
    case .uniform: "UNIFORM"
    case .gaussian: "GAUSSIAN"
    case .bernoulli: "BERNOULLI"
    }
  }
}

/// What the GEMM does to each element before storing it (`GemmEpilogue`).
public enum EpilogueCode: Int32, KernelCode, Sendable {
  case none = 0
  case biasActivation, activationGradient
  public static let macroPrefix = "EPILOGUE"
  public var macroName: String {
    switch self {
    case .none: "NONE"
    case .biasActivation: "BIAS_ACTIVATION"
    case .activationGradient: "ACTIVATION_GRADIENT"
    }
  }
}

public enum OperationCodes {
  /// `#define PREFIX_NAME value` for every code of every family: the header the kernels
  /// are compiled with.
  public static var openCLHeader: String {
    var lines = ["// Generated from Sources/OperationCodes at build time. Do not edit."]
    func add<Code: KernelCode>(_ family: Code.Type) {
      for code in family.allCases { lines.append("#define \(family.macroPrefix)_\(code.macroName) \(code.rawValue)") }
    }
    add(ActivationCode.self)
    add(ReductionCode.self)
    add(UnaryFunctionCode.self)
    add(RandomCode.self)
    add(EpilogueCode.self)
    return lines.joined(separator: "\n") + "\n"
  }
}
