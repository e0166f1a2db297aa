// Every method the library trains or fits, by the name the command line and model files use.

public enum HashMethod: String, CaseIterable, Sendable, Codable {
  case sigah
  /// SiGAH-DM (METHOD.md §3b).
  case sigahDM = "sigah-dm"
  case lsh, pcah, itq, sph
  /// Isotropic Hashing (Kong & Li 2012).
  case isoh
  /// Spectral Hashing (Weiss, Torralba & Fergus 2008).
  case sh
  /// K-means Hashing (He, Wen & Sun 2013).
  case kmh
  /// HashGAN (Dizaji et al. 2018), METHOD.md §8.
  case hashgan
  /// Multi-adversarial hashing, "GMANs" (Wang et al. 2018), METHOD.md §9.
  case gmans
  /// Stochastic Generative Hashing (Dai et al. 2017), METHOD.md §10.
  case sgh
  /// Binary Autoencoder (Carreira-Perpiñán & Raziperchikolaei 2015), METHOD.md §11.
  case ba

  /// Trained by SiGAHTrainer rather than fitted in one pass.
  public var isSiGAH: Bool { self == .sigah || self == .sigahDM }
  /// Trained over epochs by `GenerativeTraining` (the other papers' learned methods).
  public var isGenerative: Bool { [.hashgan, .gmans, .sgh, .ba].contains(self) }
}
