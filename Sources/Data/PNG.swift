import CPNG
import Foundation

/// A greyscale image read from a PNG file with libpng's simplified API: one byte per pixel,
/// row by row (0 black, 255 white; MNIST draws white digits on black).
public struct GreyscaleImage: Sendable {
  public let rows: Int
  public let columns: Int
  public let pixels: [UInt8]

  /// Reads `path`: any bit depth of greyscale (1 to 16 bits, 16 reduced to 8), without an
  /// alpha channel. A colour image, one with transparency, or a file that is not a PNG is
  /// refused with a message that names the file.
  public init(png path: String) throws(DataError) {
    var image = png_image()
    image.version = cpng_image_version()
    guard png_image_begin_read_from_file(&image, path) != 0 else {
      let message = Self.message(of: image)
      png_image_free(&image)
      throw DataError(.badImage, path, "not a readable PNG (libpng: \(message))")
    }
    defer { png_image_free(&image) }
    let format = image.format
    guard format & cpng_flag_color() == 0 else {
      throw DataError(.badImage, path, "a colour PNG; expected greyscale (one channel, white digit on black)")
    }
    guard format & cpng_flag_alpha() == 0 else {
      throw DataError(.badImage, path, "a greyscale PNG with an alpha channel; expected greyscale without one")
    }
    let (width, height) = (Int(image.width), Int(image.height))
    image.format = cpng_format_gray()
    var pixels = [UInt8](repeating: 0, count: width * height)
    let finished = pixels.withUnsafeMutableBytes { buffer in
      png_image_finish_read(&image, nil, buffer.baseAddress, png_int_32(width), nil)
    }
    guard finished != 0 else {
      throw DataError(.badImage, path, "cannot decode the PNG (libpng: \(Self.message(of: image)))")
    }
    (rows, columns, self.pixels) = (height, width, pixels)
  }

  /// libpng's message for a failed call (a C string of up to 64 bytes in the image).
  private static func message(of image: png_image) -> String {
    withUnsafeBytes(of: image.message) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
  }
}
