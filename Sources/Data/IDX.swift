import Crypto

/// One IDX file (LeCun's format: two zero bytes, a type byte, a dimension count, one
/// big-endian 32-bit size per dimension, then the data in row-major order), read,
/// decompressed if needed, validated and digested.
public struct IDXFile: Sendable {
  /// The path the file was read from.
  public let path: String
  /// The size of each dimension, outermost first.
  public let dimensions: [Int]
  /// Whether the file on disk was gzip-compressed.
  public let compressed: Bool
  /// The size of the file on disk (compressed or not), in bytes.
  public let fileBytes: Int
  /// SHA-256 of the decompressed file, in lowercase hex.
  public let sha256: String
  /// The whole decompressed file; the data starts at `headerSize`.
  let bytes: [UInt8]
  let headerSize: Int

  /// The decompressed size in bytes, header included.
  public var byteCount: Int { bytes.count }
  /// The number of records (the first dimension).
  public var count: Int { dimensions.first ?? 0 }

  /// Reads `path` and checks that it holds unsigned bytes in `rank` dimensions whose
  /// sizes agree with the file's length. `what` ("images", "labels") words the errors.
  public static func read(_ path: String, rank: Int, what: String) throws(DataError) -> IDXFile {
    let raw = try readFileBytes(path)
    let compressed = isGzip(raw)
    let bytes: [UInt8]
    if compressed {
      bytes = try gunzip(raw, path: path)
    } else if raw.count >= 3 && raw[0] == 0 && raw[1] == 0 {
      bytes = raw
    } else {
      throw DataError(
        .notGzipOrIDX, path,
        "not gzip and not IDX: expected the bytes 1f 8b (gzip) or 00 00 (IDX) at the start, found \(hex(raw.prefix(4)))"
      )
    }
    return try IDXFile(path: path, bytes: bytes, compressed: compressed, fileBytes: raw.count, rank: rank, what: what)
  }

  init(path: String, bytes: [UInt8], compressed: Bool, fileBytes: Int, rank: Int, what: String) throws(DataError) {
    let source = compressed ? "decompressed " : ""
    guard bytes.count >= 4 else {
      throw DataError(
        .sizeMismatch, path, "the \(source)data is \(bytes.count) bytes, too short for an IDX header (4 bytes or more)")
    }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw DataError(
        .badMagic, path, "wrong IDX magic number: expected 00 00 08 0\(rank), found \(hex(bytes.prefix(4)))")
    }
    guard bytes[2] == 0x08 else {
      throw DataError(
        .badType, path,
        "unsupported IDX element type 0x\(hex(bytes[2])): expected 0x08 (unsigned byte) for \(what)")
    }
    guard Int(bytes[3]) == rank else {
      throw DataError(
        .badDimensions, path, "expected \(rank) dimension\(rank == 1 ? "" : "s") for \(what), found \(bytes[3])")
    }
    let headerSize = 4 + 4 * rank
    guard bytes.count >= headerSize else {
      throw DataError(
        .sizeMismatch, path,
        "the \(source)data is \(bytes.count) bytes, too short for a \(rank)-dimensional IDX header (\(headerSize) bytes)"
      )
    }
    var dimensions: [Int] = []
    for d in 0..<rank {
      let at = 4 + 4 * d
      dimensions.append(
        Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]))
    }
    let shape = dimensions.map(String.init).joined(separator: "×")
    // Each size is below 2³², so a product of three could pass Int's range: checked.
    var elements = 1
    for size in dimensions {
      let (product, overflow) = elements.multipliedReportingOverflow(by: size)
      guard !overflow, product <= bytes.count else {
        throw DataError(
          .sizeMismatch, path,
          "the \(source)file is shorter than its header says: \(shape) needs more than the \(bytes.count) bytes found")
      }
      elements = product
    }
    let expected = headerSize + elements
    if bytes.count < expected {
      throw DataError(
        .sizeMismatch, path,
        "the \(source)file is shorter than its header says: \(shape) needs \(expected) bytes, found \(bytes.count) (\(expected - bytes.count) missing)"
      )
    }
    if bytes.count > expected {
      throw DataError(
        .sizeMismatch, path,
        "the \(source)file is longer than its header says: \(shape) needs \(expected) bytes, found \(bytes.count) (\(bytes.count - expected) extra)"
      )
    }
    self.path = path
    self.dimensions = dimensions
    self.compressed = compressed
    self.fileBytes = fileBytes
    self.bytes = bytes
    self.headerSize = headerSize
    self.sha256 = SHA256.hash(data: bytes).map { hex($0) }.joined()
  }

  /// The data after the header: for images, each image's pixels (one byte each) in turn.
  public var data: ArraySlice<UInt8> { bytes[headerSize...] }

  /// Calls `body` with the data bytes after the header.
  func withData<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { all in
      try body(UnsafeBufferPointer(rebasing: all[headerSize...]))
    }
  }
}

func hex(_ byte: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}

func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
  bytes.map { hex($0) }.joined(separator: " ")
}
