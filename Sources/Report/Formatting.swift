import Foundation
import Statistics

/// How numbers read in the report: fixed rules, independent of the machine's locale, so the
/// same results always give the same text.
enum Format {
  /// 0.98754 → "98.75%".
  static func percent(_ value: Double?, decimals: Int = 2) -> String {
    guard let value, value.isFinite else { return "–" }
    return String(format: "%.\(decimals)f%%", value * 100)
  }

  /// A difference of two accuracies in percentage points: +0.42 pt.
  static func points(_ difference: Double, decimals: Int = 2) -> String {
    String(format: "%+.\(decimals)f pt", difference * 100)
  }

  /// A loss or other small positive number with four decimals.
  static func loss(_ value: Double?) -> String {
    guard let value else { return "–" }
    guard value.isFinite else { return value.isNaN ? "NaN" : "∞" }
    return String(format: "%.4f", value)
  }

  /// Seconds as "0.42 s", "12.3 s" or "4 min 05 s".
  static func seconds(_ value: Double) -> String {
    guard value.isFinite else { return "–" }
    if value < 10 { return String(format: "%.2f s", value) }
    if value < 120 { return String(format: "%.1f s", value) }
    let total = Int(value.rounded())
    return String(format: "%d min %02d s", total / 60, total % 60)
  }

  /// Seconds over repeats as "0.42 ± 0.01 s" (the sd with the mean's decimals), or as
  /// `seconds(_:)` for one value.
  static func seconds(_ spread: Spread) -> String {
    guard let sd = spread.sd, spread.mean < 120 else { return seconds(spread.mean) }
    let decimals = spread.mean < 10 ? 2 : 1
    return String(format: "%.\(decimals)f ± %.\(decimals)f s", spread.mean, sd)
  }

  /// A count with thousands separators: 1234567 → "1,234,567".
  static func count(_ value: Int) -> String {
    let digits = String(abs(value))
    var groups: [Substring] = []
    var end = digits.endIndex
    while end > digits.startIndex {
      let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
      groups.insert(digits[start..<end], at: 0)
      end = start
    }
    return (value < 0 ? "-" : "") + groups.joined(separator: ",")
  }

  /// A learning rate or other scale parameter as people write it: 0.0005 → "5e-4",
  /// 0.00123 → "1.23e-3", 0.1 → "0.1".
  static func scale(_ value: Double) -> String {
    guard value != 0 else { return "0" }
    if value >= 0.01 && value < 1000 { return trimmed(String(format: "%.4g", value)) }
    let exponent = Int(floor(log10(abs(value))))
    let mantissa = value / pow(10, Double(exponent))
    return trimmed(String(format: "%.3g", mantissa)) + "e\(exponent)"
  }

  /// A plain number with up to `decimals` decimals and no trailing zeros.
  static func number(_ value: Double, decimals: Int = 3) -> String {
    trimmed(String(format: "%.\(decimals)f", value))
  }

  private static func trimmed(_ text: String) -> String {
    guard text.contains("."), !text.contains("e") else { return text }
    var text = text
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// A repeated accuracy as "97.81 ± 0.06%" (mean ± sample standard deviation), or
  /// "97.81%" for one value.
  static func percent(_ spread: Spread, decimals: Int = 2) -> String {
    guard let sd = spread.sd else { return percent(spread.mean, decimals: decimals) }
    guard spread.mean.isFinite else { return "–" }
    return String(format: "%.\(decimals)f ± %.\(decimals)f%%", spread.mean * 100, sd * 100)
  }

  /// A repeated loss or time: "0.0432 ± 0.0011", with `format` for each number.
  static func spread(_ spread: Spread, _ format: (Double) -> String) -> String {
    guard let sd = spread.sd else { return format(spread.mean) }
    return "\(format(spread.mean)) ± \(format(sd))"
  }

  /// A repeated difference of accuracies as "+1.38 ± 0.11 pt", or "+1.38 pt" for one value.
  static func points(_ spread: Spread) -> String {
    guard let sd = spread.sd else { return points(spread.mean) }
    return String(format: "%+.2f ± %.2f pt", spread.mean * 100, sd * 100)
  }

  /// A difference of accuracies with its 95% interval: "+0.06 pt [−0.02, +0.14]".
  static func difference(_ estimate: Estimate) -> String {
    guard let low = estimate.low, let high = estimate.high else { return points(estimate.value) }
    return
      "\(points(estimate.value)) [\(fixed(low * 100, decimals: 2, beside: 0, signed: true)), \(fixed(high * 100, decimals: 2, beside: 0, signed: true))]"
  }

  /// `value` with `decimals` decimals, or with more (up to 6) where fewer would print it on
  /// the other side of `threshold`, or on it: an interval's bound of +0.00001 pt is "+0.00001",
  /// not "+0.00", and a p of 0.0502 against 0.05 is "0.0502", not "0.050".
  static func fixed(_ value: Double, decimals: Int, beside threshold: Double, signed: Bool = false) -> String {
    var places = decimals
    while true {
      let text = String(format: signed ? "%+.\(places)f" : "%.\(places)f", value)
      let printed = Double(text) ?? value
      let sameSide = (printed < threshold) == (value < threshold) && (printed == threshold) == (value == threshold)
      if sameSide || places >= 6 { return text }
      places += 1
    }
  }

  /// P(A > B), with its bootstrap interval when the repeats are enough for one: "0.83 [0.50,
  /// 1.00]", or "0.83".
  static func probability(_ comparison: Comparison) -> String {
    let p = String(format: "%.2f", comparison.probability)
    // A bootstrap that collapses to one value (every resample's pairs all won, or all lost)
    // is no interval: none is printed.
    guard let low = comparison.probabilityLow, let high = comparison.probabilityHigh, low < high else { return p }
    return "\(p) [\(String(format: "%.2f", low)), \(String(format: "%.2f", high))]"
  }

  /// A p value: "p = 0.032", "p < 0.001"; adjusted when the comparison is one of several,
  /// and said to be (`noting`) unless a caption says so. Printed on the side of the level it
  /// is on ("p = 0.0502", not "p = 0.050").
  static func pValue(_ comparison: Comparison, noting: Bool = true) -> String {
    guard let p = comparison.adjustedP ?? comparison.p else { return "no test" }
    let value = p < 0.001 ? "p < 0.001" : "p = \(fixed(p, decimals: 3, beside: comparison.level))"
    return comparison.family > 1 && noting ? "\(value), Holm-adjusted" : value
  }

  /// A list in prose: "a", "a and b", "a, b and c".
  static func list(_ items: [String]) -> String {
    switch items.count {
    case 0: return ""
    case 1: return items[0]
    default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
  }
}
