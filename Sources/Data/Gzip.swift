import CZlib

/// Whether `bytes` start with the gzip magic number 1f 8b.
func isGzip(_ bytes: [UInt8]) -> Bool {
  bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
}

/// Decompresses a gzip file (one or more concatenated members) through the system zlib.
/// `path` only names the file in errors.
func gunzip(_ input: [UInt8], path: String) throws(DataError) -> [UInt8] {
  // The trailer's ISIZE (size mod 2^32) sizes the output in one allocation, so that
  // zlib inflates the whole stream in one call; it is only a hint, never trusted.
  let hint: Int = {
    guard input.count >= 18 else { return 0 }
    let n = input.count
    let size = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
    return size <= input.count * 1100 ? size : 0
  }()
  var output = [UInt8](repeating: 0, count: max(hint + 1, 1 << 16))
  var produced = 0
  var consumed = 0
  var stream = z_stream()

  var status = czlib_inflate_init2(&stream, 15 + 16)
  guard status == Z_OK else {
    throw DataError(.corruptGzip, path, "zlib could not start (inflateInit2 returned \(status))")
  }
  defer { inflateEnd(&stream) }

  while true {
    let total = output.count
    status = input.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { target in
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
        stream.avail_in = UInt32(clamping: source.count - consumed)
        stream.next_out = target.baseAddress! + produced
        stream.avail_out = UInt32(clamping: total - produced)
        let inBefore = stream.avail_in
        let outBefore = stream.avail_out
        let result = inflate(&stream, Z_NO_FLUSH)
        consumed += Int(inBefore - stream.avail_in)
        produced += Int(outBefore - stream.avail_out)
        return result
      }
    }
    switch status {
    case Z_STREAM_END:
      let rest = input[consumed...]
      if rest.count >= 2 && rest[rest.startIndex] == 0x1F && rest[rest.startIndex + 1] == 0x8B {
        inflateReset(&stream)  // another gzip member follows
        continue
      }
      if !rest.allSatisfy({ $0 == 0 }) {
        throw DataError(
          .corruptGzip, path,
          "\(rest.count) unexpected bytes after the end of the gzip stream (expected the end of the file)")
      }
      output.removeSubrange(produced...)
      return output
    case Z_OK, Z_BUF_ERROR:
      if produced == output.count {
        output.append(contentsOf: repeatElement(0, count: output.count))  // out of room: double it
      } else if consumed == input.count {
        throw DataError(
          .truncatedGzip, path,
          "truncated gzip data: the compressed stream ends after \(input.count) bytes "
            + "(\(produced) bytes decompressed) before its end-of-stream marker and checksum")
      } else if status == Z_BUF_ERROR {
        throw DataError(.corruptGzip, path, "corrupt gzip data: zlib made no progress")
      }
    default:
      let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
      throw DataError(.corruptGzip, path, "corrupt gzip data: \(reason) (after \(consumed) compressed bytes)")
    }
  }
}
