#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a whole file into memory with POSIX calls, turning each failure into a
/// `DataError` that names the file.
func readFileBytes(_ path: String) throws(DataError) -> [UInt8] {
  let fd = open(path, O_RDONLY)
  if fd < 0 {
    let code = errno
    if code == ENOENT {
      throw DataError(.missingFile, path, "file not found (expected an IDX file, gzip-compressed or raw)")
    }
    throw DataError(.unreadable, path, "cannot open: \(String(cString: strerror(code)))")
  }
  defer { close(fd) }

  var info = stat()
  guard fstat(fd, &info) == 0 else {
    throw DataError(.unreadable, path, "cannot read its size: \(String(cString: strerror(errno)))")
  }
  if (info.st_mode & S_IFMT) == S_IFDIR {
    throw DataError(.notAFile, path, "is a directory, expected an IDX file")
  }
  let size = Int(info.st_size)
  if size == 0 {
    throw DataError(.emptyFile, path, "the file is empty (0 bytes), expected an IDX file")
  }

  var failure: DataError?
  let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
    var done = 0
    while done < size {
      let got = read(fd, buffer.baseAddress! + done, size - done)
      if got < 0 {
        if errno == EINTR { continue }
        failure = DataError(.unreadable, path, "read failed: \(String(cString: strerror(errno)))")
        break
      }
      if got == 0 { break }
      done += got
    }
    count = done
  }
  if let failure { throw failure }
  if bytes.count != size {
    throw DataError(.unreadable, path, "the file shrank while being read: expected \(size) bytes, read \(bytes.count)")
  }
  return bytes
}
