import Foundation

/// A tensor as a safetensors file holds it: a name, an element type, a shape and the raw
/// little-endian bytes.
public struct NamedTensor: Sendable, Equatable {
  /// The element types this tool writes and reads.
  public enum DType: String, Sendable {
    case f32 = "F32"
    case i64 = "I64"

    var size: Int { self == .f32 ? 4 : 8 }
  }

  public var name: String
  public var dtype: DType
  public var shape: [Int]
  public var bytes: [UInt8]

  public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) {
    (self.name, self.dtype, self.shape, self.bytes) = (name, dtype, shape, bytes)
  }

  /// A Float32 tensor of `shape` from row-major `values`.
  public init(name: String, shape: [Int], values: [Float]) {
    precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for shape \(shape)")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * 4)
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    self.init(name: name, dtype: .f32, shape: shape, bytes: bytes)
  }

  /// A 64-bit integer scalar (BatchNorm's `num_batches_tracked`).
  public init(name: String, int64 value: Int64) {
    self.init(name: name, dtype: .i64, shape: [], bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
  }

  /// The values of a Float32 tensor, row-major.
  public var floats: [Float] {
    precondition(dtype == .f32, "\(name) is \(dtype.rawValue), not F32")
    return stride(from: 0, to: bytes.count, by: 4).map { i in
      Float(
        bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
          | UInt32(bytes[i + 3]) << 24)
    }
  }

  public var count: Int { shape.reduce(1, *) }
}

/// A safetensors file that cannot be read: the message names the file and what is wrong.
public struct SafetensorsError: Error, CustomStringConvertible {
  public let description: String
}

/// The safetensors format (Hugging Face's, which `safetensors.torch.load_file` reads): an
/// 8-byte little-endian header length N, N bytes of JSON mapping each tensor's name to its
/// `dtype`, `shape` and `data_offsets` (begin and end in the data that follows), with an
/// optional `__metadata__` object of strings, then the data: every tensor's bytes, with no
/// gap and no overlap. The header is padded with spaces to a multiple of 8 bytes, so that
/// the data starts aligned.
public enum Safetensors {
  /// The file's bytes: tensors in name order, so that the same tensors give the same bytes.
  public static func encode(_ tensors: [NamedTensor], metadata: [String: String] = [:]) -> [UInt8] {
    let sorted = tensors.sorted { $0.name < $1.name }
    var entries: [String] = []
    if !metadata.isEmpty {
      let fields = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
      entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
    }
    var offset = 0
    for tensor in sorted {
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(quoted(tensor.name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}"
      )
      offset += tensor.bytes.count
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
    bytes.reserveCapacity(8 + header.count + offset)
    bytes += header
    for tensor in sorted { bytes += tensor.bytes }
    return bytes
  }

  /// The tensors and metadata of a file's bytes, every field checked; `file` names it in errors.
  public static func decode(_ bytes: [UInt8], file: String) throws -> (
    tensors: [NamedTensor], metadata: [String: String]
  ) {
    func fail(_ message: String) -> SafetensorsError {
      SafetensorsError(description: "\(file): not a valid safetensors file: \(message)")
    }
    guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, too short for the 8-byte header length") }
    let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
    guard length >= 2, length <= UInt64(bytes.count - 8) else {
      throw fail("the header length says \(length) bytes, and the file holds \(bytes.count - 8) after it")
    }
    let headerEnd = 8 + Int(length)
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
    } catch {
      throw fail("the header is not JSON")
    }
    guard let header = object as? [String: Any] else { throw fail("the header is not a JSON object") }
    let dataCount = bytes.count - headerEnd
    var metadata: [String: String] = [:]
    var tensors: [(NamedTensor, begin: Int)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let fields = value as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
        metadata = fields
        continue
      }
      guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
        let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
      else { throw fail("tensor '\(name)' needs dtype, shape and data_offsets [begin, end]") }
      guard let dtype = NamedTensor.DType(rawValue: dtypeName) else {
        throw fail("tensor '\(name)' has dtype \(dtypeName) (this tool reads F32 and I64)")
      }
      guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)' has a negative dimension in \(shape)") }
      let (begin, end) = (offsets[0], offsets[1])
      guard begin >= 0, begin <= end, end <= dataCount else {
        throw fail("tensor '\(name)' spans bytes \(begin)..<\(end) of a data part of \(dataCount) (truncated?)")
      }
      let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
      guard count < Int.max / 8, count * dtype.size == end - begin else {
        throw fail(
          "tensor '\(name)' of shape \(shape) needs \(count * dtype.size) bytes, its offsets give \(end - begin)")
      }
      let data = Array(bytes[(headerEnd + begin)..<(headerEnd + end)])
      tensors.append((NamedTensor(name: name, dtype: dtype, shape: shape, bytes: data), begin))
    }
    // The data part is every tensor's bytes, none overlapping and nothing left over.
    var covered = 0
    for (tensor, begin) in tensors.sorted(by: { $0.begin < $1.begin }) {
      guard begin == covered else { throw fail("tensor '\(tensor.name)' starts at byte \(begin), not \(covered)") }
      covered += tensor.bytes.count
    }
    guard covered == dataCount else { throw fail("\(dataCount - covered) bytes of data belong to no tensor") }
    return (tensors.map(\.0).sorted { $0.name < $1.name }, metadata)
  }

  private static func quoted(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
  }
}
