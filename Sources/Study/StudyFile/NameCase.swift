/// `name` in snake_case, as a snake_case key strategy writes it (`valLoss` → `val_loss`),
/// for names met by a decoder that reads snake_case as camelCase.
func snakeCase(_ name: String) -> String {
  var out = ""
  for (i, ch) in name.enumerated() {
    if ch.isUppercase {
      if i > 0 { out.append("_") }
      out += ch.lowercased()
    } else {
      out.append(ch)
    }
  }
  return out
}

/// `name` in camelCase, as a snake_case key strategy reads it (`param_learning_rate` →
/// `paramLearningRate`), for keys that must be written so the strategy writes `name`.
func camelCase(_ name: String) -> String {
  let words = name.split(separator: "_", omittingEmptySubsequences: false)
  guard let first = words.first else { return name }
  return String(first) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
}
