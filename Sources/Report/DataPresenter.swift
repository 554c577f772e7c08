import Charts
import Study

/// The outputs of the data cell.
struct DataView {
  let splits: TableView
  let classes: TableView
  let pixels: TableView
  let files: TableView
  let figures: [FigureView]
}

/// The data cell: the splits, the classes, sample images, pixel statistics and the files.
struct DataPresenter: Presenter {
  enum FigureKind: String, FigureName, CaseIterable {
    case classes, samples
  }

  let cell: Cell
  let body: DataCell
  let data: DataSummary
  let facts: DataFacts?
  /// How many times the study evaluated a model on the test set.
  let testEvaluations: Int

  /// Sample images a row of the figure holds at most: ten fill its width.
  static let maxColumns = 10

  func figures() -> [(FigureKind, FigureSpec)] {
    let classes = BarChart(
      categories: data.classNames,
      groups: [
        BarGroup("training", values: data.trainClasses.map(Double.init)),
        BarGroup("validation", values: data.validationClasses.map(Double.init)),
        BarGroup("test", values: data.testClasses.map(Double.init)),
      ], categoryTitle: "class", y: Axis("images", format: .integer, includesZero: true), valueLabels: false)
    // One column per class, as many rows as samples per class.
    let perClass = Dictionary(grouping: data.samples, by: \.label)
    let depth = perClass.values.map(\.count).max() ?? 0
    var tiles: [ImageTile] = []
    for row in 0..<depth {
      for label in data.classNames.indices {
        guard let sample = perClass[label].flatMap({ row < $0.count ? $0[row] : nil }) else { continue }
        tiles.append(
          ImageTile(
            pixels: sample.image.values, rows: data.rows, columns: data.columns,
            caption: "\(data.classNames[label]) · #\(sample.image.index)"))
      }
    }
    var specs: [(FigureKind, FigureSpec)] = [
      (
        .classes,
        FigureSpec(
          figure: Figure(title: "Images per class", width: 720, height: 380, chart: .bar(classes)),
          alt: "Bar chart of the number of images of each class in the training, validation and test parts.",
          caption: "Images per class in each part: the validation part keeps the training part's proportions.",
          wide: true)
      )
    ]
    // One column per class, up to the ten that fit the page's width; more classes wrap.
    let gridColumns = min(max(data.classNames.count, 1), Self.maxColumns)
    let gridRows = (tiles.count + gridColumns - 1) / gridColumns
    if !tiles.isEmpty {
      specs.append(
        (
          .samples,
          FigureSpec(
            figure: Figure(
              title: "Sample training images", subtitle: "each captioned with its class and its position in the file",
              width: 760, height: 110 + 86 * Double(gridRows),
              chart: .images(ImageGrid(images: tiles, columns: gridColumns))),
            alt: "\(tiles.count) training images, \(depth) of each class.",
            caption: "The first training images of each class, as the network sees them (before normalization).",
            wide: true)
        ))
    }
    return specs
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    var splits = TableBuilder(
      "The three parts", columns: [("Part", .left), ("Images", .right), ("Share", .right), ("Used for", .left)])
    splits.add(["training", Format.count(data.trainCount), Self.share(facts?.trainShare), "fitting the weights"])
    splits.add([
      "validation", Format.count(data.validationCount), Self.share(facts?.validationShare),
      "choosing epochs, schedules and settings",
    ])
    splits.add([
      "test", Format.count(data.testCount), Self.share(facts?.testShare),
      "reporting tested models (\(Format.count(testEvaluations)) evaluation\(testEvaluations == 1 ? "" : "s")), never choosing",
    ])

    var classes = TableBuilder(
      "Images per class",
      columns: [("Class", .left), ("Training", .right), ("Validation", .right), ("Test", .right)])
    for (i, name) in data.classNames.enumerated() {
      classes.add([
        name, Format.count(data.trainClasses[i]), Format.count(data.validationClasses[i]),
        Format.count(data.testClasses[i]),
      ])
    }
    classes.add(
      [
        "all", Format.count(data.trainCount), Format.count(data.validationCount), Format.count(data.testCount),
      ], emphasis: true)

    var pixels = TableBuilder("Pixels", columns: [("Statistic", .left), ("Value", .left)])
    pixels.add(["Image size", "\(data.rows) × \(data.columns) = \(data.rows * data.columns) pixels, 8-bit grey"])
    pixels.add(["Mean intensity (training part)", Format.number(data.pixelMean, decimals: 4)])
    pixels.add(["Standard deviation", Format.number(data.pixelStd, decimals: 4)])
    let normalization: String
    switch data.normalization {
    case .scale: normalization = "pixels / 255, into [0, 1]"
    case .standardize:
      normalization =
        "(pixel − \(Format.number(data.pixelMean, decimals: 4))) / \(Format.number(data.pixelStd, decimals: 4))"
    }
    pixels.add(["Normalization", normalization])

    var files = TableBuilder(
      "Files (\(data.dataset), \(data.directory))",
      columns: [("File", .left), ("Bytes, decompressed", .right), ("SHA-256, decompressed", .left), ("Checked", .left)])
    for file in data.files {
      files.add([file.file, Format.count(file.bytes), file.sha256, file.verified ? "matches" : "not known"])
    }
    return .data(
      DataView(
        splits: splits.table, classes: classes.table, pixels: pixels.table, files: files.table,
        figures: figures.list(FigureKind.allCases)))
  }

  func finding() -> String { facts.map(Self.finding) ?? "" }

  static func finding(_ facts: DataFacts) -> String {
    let (low, high) = (facts.rarest, facts.commonest)
    return """
      The classes are close to balanced: the training part holds from \(Format.count(low.count)) images \
      of class \(low.name) (\(Format.percent(low.share, decimals: 1))) to \
      \(Format.count(high.count)) of class \(high.name) \
      (\(Format.percent(high.share, decimals: 1))), so accuracy is a fair summary and a model \
      that always answered the commonest class would score \(Format.percent(facts.majorityAccuracy)) \
      on the test set. The mean pixel is \(Format.number(facts.pixelMean, decimals: 3)) with a standard \
      deviation of \(Format.number(facts.pixelStd, decimals: 3)).
      """
  }

  static func share(_ share: Double?) -> String {
    share.map { Format.percent($0, decimals: 1) } ?? "–"
  }
}
