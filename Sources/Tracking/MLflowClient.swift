import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A request to an MLflow tracking server that failed: the server's URL, the request, and
/// what went wrong (unreachable, refused with MLflow's error code and message, or an answer
/// that is not what MLflow's REST API returns).
public struct MLflowError: Error, CustomStringConvertible {
  public let url: String
  public let request: String
  public let message: String

  public var description: String { "MLflow at \(url): \(request): \(message)" }
}

/// MLflow's REST API (2.0, as MLflow 2 and 3 serve it) over HTTP, one request at a time:
/// JSON bodies for the tracking calls, raw bytes for artifacts (`mlflow-artifacts`, which a
/// server started with `--artifacts-destination` serves).
final class MLflowClient {
  let base: URL
  private let session: URLSession

  init(trackingURI: String) throws(MLflowError) {
    let trimmed = trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI
    guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
    else {
      throw MLflowError(
        url: trackingURI, request: "--tracking-uri",
        message:
          "expected an http:// or https:// URL of a tracking server (mlflow server), such as http://127.0.0.1:5000")
    }
    base = url
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = 60
    session = URLSession(configuration: configuration)
  }

  /// GET `path` (with `query`), the answer's bytes.
  func get(_ path: String, query: [String: String] = [:]) throws(MLflowError) -> Data {
    var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
    // Every character but the unreserved ones encoded: a `+` left as is reads as a space.
    let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    if !query.isEmpty {
      components.percentEncodedQuery = query.sorted { $0.key < $1.key }.map {
        "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")"
      }.joined(separator: "&")
    }
    var request = URLRequest(url: components.url!)
    request.httpMethod = "GET"
    return try send(request, describing: "GET \(path)")
  }

  /// POST `path` with `body` as JSON; the answer as a JSON object.
  @discardableResult
  func post(_ path: String, _ body: [String: Any]) throws(MLflowError) -> [String: Any] {
    var request = URLRequest(url: base.appendingPathComponent(path))
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    let data = try send(request, describing: "POST \(path)")
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw MLflowError(url: base.absoluteString, request: "POST \(path)", message: "the answer is not a JSON object")
    }
    return object
  }

  /// PUT `data` at `path` (an artifact).
  func put(_ path: String, _ data: Data) throws(MLflowError) {
    var request = URLRequest(url: base.appendingPathComponent(path))
    request.httpMethod = "PUT"
    request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
    request.httpBody = data
    _ = try send(request, describing: "PUT \(path)")
  }

  private func send(_ request: URLRequest, describing: String) throws(MLflowError) -> Data {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var answer: (Data?, URLResponse?, Error?)
    let task = session.dataTask(with: request) { data, response, error in
      answer = (data, response, error)
      done.signal()
    }
    task.resume()
    done.wait()
    let (data, response, error) = answer
    if let error {
      throw MLflowError(
        url: base.absoluteString, request: describing,
        message: "no answer (\(error.localizedDescription)); is `mlflow server` running there?")
    }
    guard let http = response as? HTTPURLResponse else {
      throw MLflowError(url: base.absoluteString, request: describing, message: "no HTTP answer")
    }
    guard (200..<300).contains(http.statusCode) else {
      var message = "refused with HTTP \(http.statusCode)"
      if let data, let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
        let code = object["error_code"] as? String ?? ""
        let text = object["message"] as? String ?? ""
        message += ": \(code) \(text)".trimmingCharacters(in: .whitespaces)
      } else if let data, !data.isEmpty {
        message += ": " + String(decoding: data.prefix(300), as: UTF8.self)
      }
      throw MLflowError(url: base.absoluteString, request: describing, message: message)
    }
    return data ?? Data()
  }
}
