import Foundation

/// A Kaggle-style CSV pair (a training file and a test file, each a header, then per image
/// its label and one column per pixel, 0-255), read into the four parts of a dataset in IDX
/// form. The image size comes from the last pixel column's name when it reads `ROWSxCOLUMNS`
/// (`28x28`, as the "MNIST in CSV" files name them), else from a square pixel count.
enum CSVDataset {
  /// The training and test images and labels of the pair, in `DatasetFile.allCases` order.
  static func read(train: String, test: String) throws(DataError) -> [IDXFile] {
    try read(train) + read(test)
  }

  /// One file's images and labels.
  static func read(_ path: String) throws(DataError) -> [IDXFile] {
    let bytes = try readFileBytes(path)
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    while let last = lines.last, last.allSatisfy({ $0 == UInt8(ascii: "\r") }) { lines.removeLast() }
    guard let headerLine = lines.first else {
      throw DataError(.emptyFile, path, "no header line; expected label, then one column per pixel")
    }
    let header = String(decoding: headerLine, as: UTF8.self)
      .trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
      .split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
    guard header.first?.lowercased() == "label", header.count >= 2 else {
      throw DataError(
        .badShape, path,
        "line 1: the header starts with '\(header.first ?? "")', expected 'label' and then one column per pixel")
    }
    let pixels = header.count - 1
    let (rows, columns) = try imageSize(lastColumn: header[header.count - 1], pixels: pixels, path: path)
    let count = lines.count - 1
    var images = [UInt8](repeating: 0, count: count * pixels)
    var labels = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
      let line = lines[index + 1]
      var column = 0
      var value = 0
      var digits = 0
      var bad = false
      var spaced = false  // a space after digits: another digit would make "2 55" read 255
      func finish() throws(DataError) {
        guard digits > 0, !bad, value <= 255 else {
          let fields = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
          let text = column < fields.count ? String(fields[column]) : ""
          throw DataError(
            .badImage, path,
            "line \(index + 2), column \(column + 1): '\(text.trimmingCharacters(in: .whitespacesAndNewlines))' is not a whole number from 0 to 255"
          )
        }
        guard column <= pixels else {
          throw DataError(
            .badShape, path,
            "line \(index + 2) has more than \(pixels + 1) values, expected \(pixels + 1) like the header (label and \(pixels) pixels)"
          )
        }
        if column == 0 {
          labels[index] = UInt8(value)
        } else {
          images[index * pixels + column - 1] = UInt8(value)
        }
        column += 1
        (value, digits, bad, spaced) = (0, 0, false, false)
      }
      for byte in line {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
          if spaced { bad = true }
          value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1000)
          digits += 1
        case UInt8(ascii: ","): try finish()
        case UInt8(ascii: " "), UInt8(ascii: "\t"): spaced = digits > 0
        case UInt8(ascii: "\r"), UInt8(ascii: "\""): continue
        default: bad = true
        }
      }
      try finish()
      guard column == pixels + 1 else {
        throw DataError(
          .badShape, path,
          "line \(index + 2) has \(column) values, expected \(pixels + 1) like the header (label and \(pixels) pixels)")
      }
    }
    return [
      try IDXFile(
        path: path + "#pixels", bytes: idxBytes(dimensions: [count, rows, columns], data: images), compressed: false,
        fileBytes: bytes.count, rank: 3, what: "images"),
      try IDXFile(
        path: path + "#labels", bytes: idxBytes(dimensions: [count], data: labels), compressed: false,
        fileBytes: bytes.count, rank: 1, what: "labels"),
    ]
  }

  /// The image size: `ROWSxCOLUMNS` from the last column's name, or the side of a square.
  private static func imageSize(lastColumn: String, pixels: Int, path: String) throws(DataError) -> (Int, Int) {
    let parts = lastColumn.lowercased().split(separator: "x")
    if parts.count == 2, let rows = Int(parts[0]), let columns = Int(parts[1]), (1...65_535).contains(rows),
      (1...65_535).contains(columns), rows * columns == pixels
    {
      return (rows, columns)
    }
    let side = Int(Double(pixels).squareRoot().rounded())
    guard side * side == pixels else {
      throw DataError(
        .badShape, path,
        "line 1: \(pixels) pixel columns are not a square image, and the last column's name '\(lastColumn)' is not ROWSxCOLUMNS"
      )
    }
    return (side, side)
  }
}
