import Foundation

/// A file name from a run's name: letters, digits and dashes.
func slug(_ name: String) -> String {
  var out = ""
  for ch in name.lowercased() {
    if ch.isLetter || ch.isNumber {
      out.append(ch)
    } else if !out.hasSuffix("-") {
      out.append("-")
    }
  }
  return out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
}
