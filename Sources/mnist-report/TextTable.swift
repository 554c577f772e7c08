/// A plain-text table with columns padded to their widest cell; numbers right-aligned.
struct TextTable {
  var header: [String]
  var rows: [[String]] = []
  /// Columns to right-align.
  var rightAligned: Set<Int> = []

  func render(indent: String = "  ") -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { cells in
      let padded = cells.enumerated().map { column, cell in
        let pad = String(repeating: " ", count: widths[column] - cell.count)
        return rightAligned.contains(column) ? pad + cell : cell + pad
      }
      return indent + padded.joined(separator: "  ").trimmingTrailingSpaces()
    }.joined(separator: "\n")
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var end = endIndex
    while end > startIndex && self[index(before: end)] == " " { end = index(before: end) }
    return String(self[..<end])
  }
}

/// `1234567` as `1,234,567`.
func grouped(_ value: Int) -> String {
  let digits = String(value.magnitude)
  var out = ""
  for (i, ch) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(ch)
  }
  return value < 0 ? "-" + out : out
}
