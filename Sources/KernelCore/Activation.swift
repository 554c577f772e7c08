/// The activation functions the engine fuses into its elementwise passes.
public enum Activation: String, Sendable, CaseIterable, Codable {
  case identity, relu, tanh, sigmoid, gelu
}
