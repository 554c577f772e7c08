/// An sRGB color with alpha, components in [0, 1].
public struct Color: Sendable, Equatable {
  public var red, green, blue, alpha: Double
  /// The theme's part this colour plays, if any: an SVG lets a page restyle it (dark mode),
  /// while a data colour (a heatmap cell, the text over it) stays as it is.
  public var role: Role?

  /// The parts of the theme a page may restyle.
  public enum Role: String, Sendable {
    case ink, muted, grid, background
  }

  public init(red: Double, green: Double, blue: Double, alpha: Double = 1, role: Role? = nil) {
    self.red = red
    self.green = green
    self.blue = blue
    self.alpha = alpha
    self.role = role
  }

  /// A color from `0xRRGGBB`.
  public init(hex: UInt32, alpha: Double = 1, role: Role? = nil) {
    self.init(
      red: Double(hex >> 16 & 255) / 255, green: Double(hex >> 8 & 255) / 255, blue: Double(hex & 255) / 255,
      alpha: alpha, role: role)
  }

  public func withAlpha(_ alpha: Double) -> Color {
    Color(red: red, green: green, blue: blue, alpha: alpha, role: role)
  }

  /// Relative luminance (WCAG), to choose a legible text color over this one.
  public var luminance: Double {
    func linear(_ c: Double) -> Double { c <= 0.039_28 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
  }

  /// Black or white, whichever contrasts more with this color: a data colour, which dark
  /// mode leaves alone like the colour under it.
  public var contrastingText: Color { luminance > 0.179 ? Color(hex: 0x222222) : .white }

  public static let white = Color(red: 1, green: 1, blue: 1)
}

/// The one look of every figure: a color-blind-safe palette (Okabe & Ito, 2008), a
/// single-hue sequential map for heatmaps, DejaVu Sans, and shared sizes.
public enum Theme {
  /// Series colors in order: blue, vermillion, bluish green, orange, reddish purple, sky
  /// blue, yellow, black. Beyond eight series the colors repeat with dashed lines.
  public static let palette: [Color] =
    [
      0x0072B2, 0xD55E00, 0x009E73, 0xE69F00, 0xCC79A7, 0x56B4E9, 0xF0E442,
    ].map { Color(hex: $0) } + [Color(hex: 0x000000, role: .ink)]

  /// At most this many series or groups are told apart (colors, then colors dashed).
  public static let maximumSeries = 2 * palette.count

  /// Text and axes.
  public static let ink = Color(hex: 0x222222, role: .ink)
  /// Secondary text (subtitles, notes, tick labels).
  public static let muted = Color(hex: 0x555555, role: .muted)
  /// Grid lines.
  public static let grid = Color(hex: 0xE3E3E3, role: .grid)
  /// Highlights: the annotated point, the best trial, a mistaken digit.
  public static let accent = Color(hex: 0xD55E00)
  public static let background = Color(hex: 0xFFFFFF, role: .background)

  public static let font = "DejaVu Sans"
  public static let titleSize = 16.0
  public static let subtitleSize = 12.0
  public static let labelSize = 12.5
  public static let tickSize = 11.0
  public static let noteSize = 10.0
  public static let margin = 16.0

  /// Light to dark blue (ColorBrewer's Blues stops), for values from 0 to 1.
  static let sequentialStops: [Color] = [
    0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
  ].map { Color(hex: $0) }

  /// The sequential map at `t` in [0, 1] (clamped), interpolated between its stops.
  public static func sequential(_ t: Double) -> Color {
    let clamped = t.isFinite ? min(max(t, 0), 1) : 0
    let position = clamped * Double(sequentialStops.count - 1)
    let index = min(Int(position), sequentialStops.count - 2)
    let f = position - Double(index)
    let (a, b) = (sequentialStops[index], sequentialStops[index + 1])
    return Color(
      red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f, blue: a.blue + (b.blue - a.blue) * f)
  }

  /// The color and dash of series `index`.
  static func series(_ index: Int) -> (color: Color, dashed: Bool) {
    (palette[index % palette.count], index >= palette.count)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
