import CCairo
import Foundation
import Testing

@testable import Charts

/// Decodes a PNG with Cairo: its size and ARGB pixels.
struct Picture {
  let width: Int
  let height: Int
  let pixels: [UInt32]

  init?(png: [UInt8]) {
    let path = NSTemporaryDirectory() + "chart-\(UUID().uuidString).png"
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard FileManager.default.createFile(atPath: path, contents: Data(png)),
      let surface = cairo_image_surface_create_from_png(path), cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
    else { return nil }
    defer { cairo_surface_destroy(surface) }
    width = Int(cairo_image_surface_get_width(surface))
    height = Int(cairo_image_surface_get_height(surface))
    let stride = Int(cairo_image_surface_get_stride(surface)) / 4
    let data = UnsafeRawPointer(cairo_image_surface_get_data(surface)!).assumingMemoryBound(to: UInt32.self)
    var pixels: [UInt32] = []
    for y in 0..<height { pixels += UnsafeBufferPointer(start: data + y * stride, count: width) }
    self.pixels = pixels
  }

  func pixel(_ x: Int, _ y: Int) -> (red: Int, green: Int, blue: Int) {
    let p = pixels[y * width + x]
    return (Int(p >> 16 & 255), Int(p >> 8 & 255), Int(p & 255))
  }

  /// How many different colors the picture has.
  var colorCount: Int { Set(pixels).count }
}

@Suite struct ChartRendering {
  @Test(arguments: Samples.all.map(\.0))
  func everyChartRendersToPNGAndSVG(_ name: String) throws {
    let figure = Samples.all.first { $0.0 == name }!.1
    let png = try figure.render(.png())
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let picture = try #require(Picture(png: png))
    #expect(picture.width == Int(figure.width * 2) && picture.height == Int(figure.height * 2))
    #expect(picture.colorCount > 50, "not blank")
    let small = try #require(Picture(png: try figure.render(.png(scale: 1))))
    #expect(small.width == Int(figure.width))

    let svg = String(decoding: try figure.render(.svg), as: UTF8.self)
    #expect(svg.hasPrefix("<?xml") && svg.contains("<svg"))
    #expect(svg.contains("width=\"\(Int(figure.width))px\"") || svg.contains("width=\"\(Int(figure.width))\""))
    #expect(svg.contains("<title>\(figure.title)</title>"))
    for word in figure.textContent.dropFirst() {
      #expect(svg.contains(word.replacingOccurrences(of: "&", with: "&amp;")), "\(word) in the SVG")
    }
    if let folder = ProcessInfo.processInfo.environment["MNIST_REPORT_GALLERY"] {
      try figure.write(to: "\(folder)/\(name).png", format: .png())
      try figure.write(to: "\(folder)/\(name).svg", format: .svg)
    }
  }

  @Test func heatmapCellsDarkenWithTheirValue() throws {
    let figure = Figure(
      title: "Order", width: 400, height: 300,
      chart: .heatmap(
        Heatmap(
          values: [[0, 1, 2, 3]], rowLabels: ["r"], columnLabels: ["a", "b", "c", "d"], rowTitle: "", columnTitle: "",
          cellText: .none)))
    let picture = try #require(Picture(png: try figure.render(.png(scale: 1))))
    // Find a line of pixels across the cells: the first with four long runs of one
    // non-white color (the color bar's steps are short).
    func runs(_ y: Int) -> [(red: Int, green: Int, blue: Int)] {
      var found: [(red: Int, green: Int, blue: Int)] = []
      var x = 0
      while x < picture.width {
        let p = picture.pixel(x, y)
        var end = x
        while end < picture.width, picture.pixel(end, y) == p { end += 1 }
        if end - x > 30 && !(p.red == 255 && p.green == 255 && p.blue == 255) { found.append(p) }
        x = max(end, x + 1)
      }
      return found
    }
    let cells = try #require((0..<picture.height).lazy.map(runs).first { $0.count == 4 })
    let brightness = cells.map { $0.red + $0.green + $0.blue }
    #expect(brightness == brightness.sorted(by: >), "cells darken as values grow: \(brightness)")
  }

  @Test func nonFiniteValuesAreSkippedAndSaidSo() throws {
    let figure = Figure(
      title: "With gaps",
      chart: .line(
        LineChart(
          series: [LineSeries("loss", x: [1, 2, 3, 4, 5], y: [1, .nan, 0.5, .infinity, 0.2])], x: Axis("epoch"),
          y: Axis("loss"))))
    let png = try figure.render(.png())
    #expect(Picture(png: png) != nil)
  }

  @Test func emptyChartsSayNoData() throws {
    let figures = [
      Figure(title: "Empty lines", chart: .line(LineChart(series: [], x: Axis("x"), y: Axis("y")))),
      Figure(
        title: "All NaN",
        chart: .line(LineChart(series: [LineSeries("a", x: [1], y: [.nan])], x: Axis("x"), y: Axis("y")))),
      Figure(title: "No bars", chart: .bar(BarChart(categories: [], groups: [], categoryTitle: "", y: Axis("y")))),
      Figure(
        title: "No cells",
        chart: .heatmap(
          Heatmap(values: [], rowLabels: [], columnLabels: [], rowTitle: "", columnTitle: "", cellText: .none))),
      Figure(title: "No images", chart: .images(ImageGrid(images: [], columns: 3))),
      Figure(title: "No points", chart: .scatter(ScatterChart(points: [], x: Axis("x"), y: Axis("y")))),
    ]
    for figure in figures {
      let picture = try #require(Picture(png: try figure.render(.png())))
      #expect(picture.colorCount > 10, "\(figure.title) is drawn")
    }
  }

  @Test func mismatchedLengthsAreAClearError() {
    let figure = Figure(
      title: "Bad",
      chart: .line(LineChart(series: [LineSeries("train", x: [1, 2, 3], y: [1, 2])], x: Axis("x"), y: Axis("y"))))
    let error = #expect(throws: ChartError.self) { try figure.render(.png()) }
    #expect(error?.description == "figure 'Bad': series 'train' has 3 x values and 2 y values")
  }

  @Test func barsMustMatchTheirCategories() {
    let figure = Figure(
      title: "Bars",
      chart: .bar(
        BarChart(categories: ["a", "b"], groups: [BarGroup("g", values: [1])], categoryTitle: "", y: Axis("y"))))
    let error = #expect(throws: ChartError.self) { try figure.render(.svg) }
    #expect(error?.message == "group 'g' has 1 values for 2 categories")
  }

  @Test func zeroSizeCanvasIsAnError() {
    let figure = Figure(
      title: "Tiny", width: 0, height: 300, chart: .scatter(ScatterChart(points: [], x: Axis("x"), y: Axis("y"))))
    let error = #expect(throws: ChartError.self) { try figure.render(.png()) }
    #expect(error?.message.contains("at least 120 × 90") == true)
  }

  @Test func tooManySeriesIsAnErrorButSixteenAreDrawn() throws {
    func chart(_ n: Int) -> Figure {
      Figure(
        title: "Many",
        chart: .line(
          LineChart(
            series: (0..<n).map { LineSeries("s\($0)", x: [1, 2], y: [Double($0), Double($0 + 1)]) }, x: Axis("x"),
            y: Axis("y"))))
    }
    #expect(Picture(png: try chart(16).render(.png())) != nil)
    let error = #expect(throws: ChartError.self) { try chart(17).render(.png()) }
    #expect(error?.message == "17 series or groups; at most 16 can be told apart")
  }

  @Test func imagesMustHaveTheirPixels() {
    let figure = Figure(
      title: "Img",
      chart: .images(ImageGrid(images: [ImageTile(pixels: [0, 1], rows: 2, columns: 2, caption: "")], columns: 1)))
    #expect(throws: ChartError.self) { try figure.render(.png()) }
  }

  @Test func writesAtomically() throws {
    let folder = NSTemporaryDirectory() + "charts-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Samples.curves.write(to: folder + "/curves.png", format: .png())
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["curves.png"])
  }
}

@Suite struct SVGWriter {
  @Test func coordinatesHaveAtMostTwoDecimals() {
    #expect(n(0.796875) == "0.8" && n(-11.28125) == "-11.28" && n(12.3456) == "12.35" && n(-2.999) == "-3")
    #expect(n(-0.001) == "0" && n(-0.25) == "-0.25" && n(3) == "3" && n(0.05) == "0.05" && n(.nan) == "0")
  }

  func svg(_ figure: Figure) throws -> String { String(decoding: try figure.render(.svg), as: UTF8.self) }

  @Test(arguments: Samples.all.map(\.0))
  func textIsTextAndThemeColoursAreRestylable(_ name: String) throws {
    let figure = Samples.all.first { $0.0 == name }!.1
    let svg = try svg(figure)
    #expect(!svg.contains("<path") && !svg.contains("<symbol"), "no glyph outlines")
    #expect(svg.contains(">\(escapeXML(figure.title))</text>"), "the title is a <text>")
    #expect(svg.contains("class=\"f-background\"") && svg.contains("class=\"f-ink\""))
    #expect(svg.contains(".f-ink{fill:var(--chart-ink,#222222)}"))
    #expect(try self.svg(figure) == svg, "the same bytes every time")
  }

  @Test func everyPointBarAndCellHasItsExactValue() throws {
    let line = try svg(Samples.curves)
    let points = 2 * Samples.epochs.count
    #expect(line.components(separatedBy: "fill=\"transparent\"><title>").count - 1 == points)
    let heatmap = Heatmap(
      values: [[90, 10], [8, 92]], rowLabels: ["4", "9"], columnLabels: ["4", "9"], rowTitle: "True digit",
      columnTitle: "Predicted", cellText: .countAndRowShare, colorsByRowShare: true)
    #expect(
      try svg(Figure(title: "c", width: 400, height: 300, chart: .heatmap(heatmap))).contains(
        "<title>True digit 9, predicted 4: 8 (8.00% of the row)</title>"))
    let bars = BarChart(
      categories: ["SGD", "Adam"], groups: [BarGroup("accuracy", values: [0.9712, 0.97873])], categoryTitle: "",
      y: Axis("accuracy", format: .percent))
    let barSVG = try svg(Figure(title: "b", width: 400, height: 300, chart: .bar(bars)))
    #expect(barSVG.contains("<title>Adam: 97.87%</title>") && barSVG.contains("<title>SGD: 97.12%</title>"))
    let curve = LineChart(
      series: [LineSeries("Adam", x: [1, 2], y: [0.95, 0.9787])], x: Axis("Epoch"),
      y: Axis("accuracy", format: .percent))
    #expect(
      try svg(Figure(title: "l", width: 400, height: 300, chart: .line(curve))).contains(
        "<title>Adam, epoch 2: 97.87%</title>"))
  }

  /// At every sample's own size and at the narrowest a page gives a figure, no two texts
  /// overlap (two bars' value labels, a tick label and a title, …).
  @Test(arguments: Samples.all.map(\.0))
  func labelsNeverOverlap(_ name: String) throws {
    var figure = Samples.all.first { $0.0 == name }!.1
    for width in [figure.width, 340] {
      figure.width = width
      let boxes = figure.textBoxes()
      for (i, a) in boxes.enumerated() {
        for b in boxes[(i + 1)...] {
          let overlapX = min(a.box.maxX, b.box.maxX) - max(a.box.x, b.box.x)
          let overlapY = min(a.box.maxY, b.box.maxY) - max(a.box.y, b.box.y)
          #expect(overlapX <= 1 || overlapY <= 1, "at \(width): '\(a.text)' and '\(b.text)' overlap")
        }
        #expect(a.box.x >= -0.5 && a.box.maxX <= width + 0.5, "at \(width): '\(a.text)' runs off the figure")
      }
    }
  }
}

@Suite struct Spreads {
  /// The share of the plot's pixels tinted by the first series' color.
  func tinted(_ chart: LineChart) throws -> Int {
    let png = try Figure(title: "t", width: 400, height: 300, chart: .line(chart)).render(.png(scale: 1))
    let picture = try #require(Picture(png: png))
    let blue = Theme.series(0).color
    // A band is the series color at 18% over white: well away from white and from the ink.
    return picture.pixels.filter { p in
      let (r, g, b) = (Double(p >> 16 & 255) / 255, Double(p >> 8 & 255) / 255, Double(p & 255) / 255)
      let expected = (1 - 0.18 + 0.18 * blue.red, 1 - 0.18 + 0.18 * blue.green, 1 - 0.18 + 0.18 * blue.blue)
      return abs(r - expected.0) < 0.03 && abs(g - expected.1) < 0.03 && abs(b - expected.2) < 0.03
    }.count
  }

  @Test func aBandIsShadedAroundItsLineAndTheAxisSpansIt() throws {
    let x = [1.0, 2, 3, 4]
    let y = [0.90, 0.93, 0.95, 0.96]
    let plain = LineChart(series: [LineSeries("a", x: x, y: y)], x: Axis("epoch"), y: Axis("accuracy"))
    let band = LineChart(
      series: [LineSeries("a", x: x, y: y, band: y.map { ($0 - 0.02, $0 + 0.02) })], x: Axis("epoch"),
      y: Axis("accuracy"))
    // A line's anti-aliased edges tint a few dozen pixels; a band, thousands.
    #expect(try tinted(plain) < 200)
    #expect(try tinted(band) > 2000, "the band fills a strip along the line")
  }

  @Test func aHeatmapShowsEachValueWithItsSpread() throws {
    let heatmap = Heatmap(
      values: [[0.97, 0.98]], rowLabels: ["1"], columnLabels: ["64", "128"], rowTitle: "layers",
      columnTitle: "width", cellText: .valueAndSpread(.percent), spreads: [[0.001, 0.002]])
    let svg = String(
      decoding: try Figure(title: "h", width: 400, height: 200, chart: .heatmap(heatmap)).render(.svg), as: UTF8.self)
    let without = String(
      decoding: try Figure(
        title: "h", width: 400, height: 200,
        chart: .heatmap(
          Heatmap(
            values: [[0.97, 0.98]], rowLabels: ["1"], columnLabels: ["64", "128"], rowTitle: "layers",
            columnTitle: "width", cellText: .value(.percent)))
      ).render(.svg), as: UTF8.self)
    #expect(svg.contains(">± 0.1") && svg.contains(">± 0.2") && !without.contains("±"), "the ± lines are there")
  }
}
