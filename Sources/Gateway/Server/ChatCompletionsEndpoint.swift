import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore

/// `POST /v1/chat/completions`: validate, route, call the provider, answer whole or as SSE.
struct ChatCompletionsEndpoint: Sendable {
    let router: ModelRouter

    func handle(body: ByteBuffer, scope: RequestScope, slot: WriterSlot) async throws {
        let request: ChatCompletionRequest
        let route: Route
        do {
            request = try ChatCompletionRequest(body: body)
            route = try router.primaryRoute(for: request.model)
        } catch {
            return try await ResponseWriting.fail(error, scope: scope, slot: slot)
        }
        scope.outcome.update {
            $0.provider = route.provider.name
            $0.model = request.model
            $0.stream = request.stream
            $0.attempts = 1
            if scope.includeContent { $0.prompt = request.messages.last(where: { $0.role == "user" })?.text }
        }
        if request.stream {
            try await stream(request, route: route, scope: scope, slot: slot)
        } else {
            try await complete(request, route: route, scope: scope, slot: slot)
        }
    }

    private func complete(_ request: ChatCompletionRequest, route: Route, scope: RequestScope, slot: WriterSlot) async throws {
        try await ResponseWriting.answer(route: route, operation: .chat, scope: scope, slot: slot) { () async throws(GatewayError) in
            try await route.provider.chatCompletion(request, model: route.model)
        }
    }

    /// Relays the provider's SSE events as they arrive. The response head waits for the first event,
    /// so a refusal before any output (429, 5xx, timeout) still reaches the client as an HTTP status.
    private func stream(_ request: ChatCompletionRequest, route: Route, scope: RequestScope, slot: WriterSlot) async throws {
        let started = ContinuousClock.now
        let attempt = scope.tracing.startAttempt()
        let stream: ProviderStream
        var events: UpstreamBody.AsyncIterator
        let first: ByteBuffer?
        do {
            stream = try await Route.within(attempt) { () async throws(GatewayError) in
                try await route.provider.chatCompletionStream(request, model: route.model)
            }
            events = stream.events.makeAsyncIterator()
            first = try await Self.next(&events)
        } catch {
            route.recordFailure(.chat, error, duration: .now - started, trace: scope.trace)
            attempt.finish(route: route, operation: .chat, stream: true, summary: nil, error: error)
            return try await ResponseWriting.fail(error, scope: scope, slot: slot, provider: route.provider.name)
        }
        let firstChunk = ContinuousClock.now - started
        guard let writer = slot.take() else { return }
        var headers = scope.responseHeaders(provider: route.provider.name)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("x-accel-buffering")!] = "no"
        scope.outcome.record(status: 200)
        var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: headers))
        if let first { try await body.write(first) }
        do {
            while let event = try await Self.next(&events) {
                try await body.write(event)
            }
            let total = ContinuousClock.now - started
            let usage = stream.summary.usage
            scope.outcome.update { $0.usage = usage }
            route.recordSuccess(.chat, duration: total, usage: usage, trace: scope.trace)
            route.metrics.recordStreamTiming(firstChunk: firstChunk, total: total, outputTokens: usage?.completionTokens, trace: scope.trace)
            attempt.finish(route: route, operation: .chat, stream: true, summary: stream.summary.value, firstChunk: firstChunk, error: nil)
        } catch let error as GatewayError where error != .cancelled {
            route.recordFailure(.chat, error, duration: .now - started, trace: scope.trace)
            attempt.finish(route: route, operation: .chat, stream: true, summary: stream.summary.value, firstChunk: firstChunk, error: error)
            scope.outcome.update { $0.errorType = error.errorTypeLabel }
            scope.logger.warning("stream failed after it started", metadata: ["error": "\(error.message)", "provider": "\(route.provider.name)"])
            try await body.write(OpenAIErrorBody.sseEvent(for: error))
        }
        try await body.finish(nil)
    }

    /// The next event, with every failure expressed as a ``GatewayError``.
    private static func next(_ events: inout UpstreamBody.AsyncIterator) async throws(GatewayError) -> ByteBuffer? {
        do {
            return try await events.next()
        } catch {
            throw HTTPClientTransport.translate(error)
        }
    }
}
