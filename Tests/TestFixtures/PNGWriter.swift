import CPNG
import Foundation

/// Writes a PNG with libpng's simplified API: `channels` 1 (grey), 2 (grey and alpha), 3
/// (RGB) or 4 (RGBA), 8 bits each, `pixels` row by row.
public func writePNG(_ pixels: [UInt8], width: Int, height: Int, channels: Int = 1, to path: String) {
  precondition(pixels.count == width * height * channels, "pixels for \(width) × \(height) × \(channels)")
  var image = png_image()
  image.version = UInt32(PNG_IMAGE_VERSION)
  image.width = UInt32(width)
  image.height = UInt32(height)
  let flags: [Int: UInt32] = [
    1: 0, 2: UInt32(PNG_FORMAT_FLAG_ALPHA), 3: UInt32(PNG_FORMAT_FLAG_COLOR),
    4: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA),
  ]
  image.format = flags[channels]!
  let written = pixels.withUnsafeBytes { buffer in
    png_image_write_to_file(&image, path, 0, buffer.baseAddress, 0, nil)
  }
  precondition(written != 0, "cannot write \(path)")
  png_image_free(&image)
}
