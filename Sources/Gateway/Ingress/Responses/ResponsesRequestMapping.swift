import NIOCore

/// `POST /v1/responses` bodies (OpenAI's Responses API) as OpenAI chat bodies, so every provider serves them
/// through the chat pipeline — routing, retries, failover, limits, budgets and cache included: `instructions`
/// become a system message, input items become messages (`function_call` items the assistant's tool calls,
/// `function_call_output` items `tool` messages), function tools and `tool_choice` map across,
/// `max_output_tokens` becomes `max_tokens`, `text.format` becomes `response_format`, and a stream asks for
/// usage. A `previous_response_id`'s stored conversation comes before the new input (its instructions do
/// not carry over, as OpenAI's do not). What the gateway cannot serve — built-in tools, file inputs, item
/// references — is a 400 that names it.
enum ResponsesRequestMapping {
    static func decode(_ body: ByteBuffer) throws(GatewayError) -> ResponsesRequestWire.Request {
        try RequestDecoding.decode(ResponsesRequestWire.Request.self, from: body)
    }

    /// ``decode(_:)`` and ``chatBody(for:previous:)`` for a request without `previous_response_id`.
    static func chatBody(from body: ByteBuffer) throws(GatewayError) -> (body: ByteBuffer, echo: ResponsesEcho) {
        try chatBody(for: decode(body))
    }

    /// The chat body for `request`, after `previous` (the conversation its `previous_response_id` stored).
    /// `lenient` (every deployment takes the request as it is): what only translation cannot carry — built-in
    /// tools, other item and content types, other formats — is left out instead of refused, as the chat body
    /// then only serves routing, limits and estimates.
    static func chatBody(
        for request: ResponsesRequestWire.Request,
        previous: [ChatRequestWire.Message] = [],
        lenient: Bool = false
    ) throws(GatewayError) -> (body: ByteBuffer, echo: ResponsesEcho) {
        // What translation refuses: thrown, or — lenient — left out (nil).
        func translated<Value>(_ translate: () throws(GatewayError) -> Value) throws(GatewayError) -> Value? {
            do throws(GatewayError) {
                return try translate()
            } catch  where lenient {
                return nil
            }
        }
        let model = try RequestDecoding.requireModel(request.model)
        try RequestLimits.check(request.temperature, in: 0...2, param: "temperature")
        try RequestLimits.check(request.topP, in: 0...1, param: "top_p")
        var messages = previous
        switch request.input {
        case .text(let text): messages.append(.init(role: "user", content: .text(text)))
        case .list(let items):
            for (index, item) in items.enumerated() {
                _ = try translated { () throws(GatewayError) in try append(item, at: index, to: &messages) }
            }
        case nil: throw GatewayError.invalidRequest(message: "Missing required parameter: 'input'.", param: "input")
        }
        let conversation = messages
        if let instructions = request.instructions { messages.insert(.init(role: "system", content: .text(instructions)), at: 0) }
        var tools: [ChatRequestWire.Tool] = []
        for (index, tool) in (request.tools ?? []).enumerated() {
            if let tool = try translated({ () throws(GatewayError) in try chatTool(tool, at: index) }) { tools.append(tool) }
        }
        var choice: ChatRequestWire.ToolChoice?
        if let requested = request.toolChoice { choice = try translated { () throws(GatewayError) in try toolChoice(requested) } }
        var format: ChatRequestWire.ResponseFormat?
        if let requested = request.text?.format { format = try translated { () throws(GatewayError) in try responseFormat(requested) } ?? nil }
        let stream = request.stream == true
        let chat = ChatRequestWire.Request(
            model: model,
            messages: messages,
            maxTokens: request.maxOutputTokens,
            temperature: request.temperature,
            topP: request.topP,
            stream: stream ? true : nil,
            streamOptions: stream ? .init(includeUsage: true) : nil,
            tools: tools.isEmpty ? nil : tools,
            toolChoice: choice,
            responseFormat: format,
            user: request.user
        )
        var echo = ResponsesEcho(model: model)
        echo.instructions = request.instructions
        echo.tools = request.tools ?? []
        echo.toolChoice = request.toolChoice ?? .string("auto")
        if let text = request.text, text.format != nil { echo.text = text }
        echo.metadata = request.metadata ?? [:]
        echo.temperature = request.temperature
        echo.topP = request.topP
        echo.maxOutputTokens = request.maxOutputTokens?.value
        echo.parallelToolCalls = request.parallelToolCalls ?? true
        echo.user = request.user
        echo.previousResponseID = request.previousResponseID
        echo.conversation = conversation
        return (WireJSON.encode(chat), echo)
    }

    /// One input item as chat messages: consecutive `function_call` items share one assistant message.
    private static func append(_ item: ResponsesRequestWire.Item, at index: Int, to messages: inout [ChatRequestWire.Message]) throws(GatewayError) {
        let param = "input[\(index)]"
        switch item.type ?? "message" {
        case "message":
            guard let role = item.role, ["user", "assistant", "system", "developer"].contains(role) else {
                throw GatewayError.invalidRequest(message: "Invalid value for 'role' of \(param).", param: "\(param).role")
            }
            let content = try content(item.content, param: "\(param).content")
            messages.append(.init(role: role == "developer" ? "system" : role, content: content))
        case "function_call":
            guard let callID = item.callID, let name = item.name else {
                throw GatewayError.invalidRequest(message: "A function_call item needs call_id and name.", param: param)
            }
            let call = ChatRequestWire.ToolCall(id: callID, type: "function", function: .init(name: name, arguments: item.arguments ?? "{}"))
            if let last = messages.indices.last, messages[last].role == "assistant", messages[last].toolCalls != nil {
                messages[last].toolCalls?.append(call)
            } else {
                messages.append(.init(role: "assistant", content: nil, toolCalls: [call]))
            }
        case "function_call_output":
            guard let callID = item.callID else {
                throw GatewayError.invalidRequest(message: "A function_call_output item needs call_id.", param: "\(param).call_id")
            }
            // A tool message holds text: the output's text parts, joined.
            let output = ChatRequestWire.Message(role: "tool", content: try content(item.output, param: "\(param).output")).text
            messages.append(.init(role: "tool", content: .text(output), toolCallID: callID))
        case "reasoning":
            return  // a model's own reasoning from an earlier turn: no chat API takes it back
        case let other:
            throw unsupported("input items of type '\(other)'", param: "\(param).type")
        }
    }

    /// Text and image parts as chat content (plain text when there are no images).
    private static func content(_ content: ResponsesRequestWire.Content?, param: String) throws(GatewayError) -> ChatRequestWire.Content? {
        guard case .list(let parts) = content else {
            if case .text(let text) = content { return .text(text) }
            return nil
        }
        var chat: [ChatRequestWire.Part] = []
        for (index, part) in parts.enumerated() {
            switch part.type {
            case "input_text", "output_text", "text": chat.append(.text(part.text ?? ""))
            case "input_image":
                guard let url = part.imageURL else {
                    throw unsupported("images by file_id", param: "\(param)[\(index)].image_url")
                }
                chat.append(.image(url: url))
            case let other: throw unsupported("content parts of type '\(other)'", param: "\(param)[\(index)].type")
            }
        }
        guard chat.allSatisfy({ $0.type == "text" }) else { return .list(chat) }
        return .text(chat.compactMap(\.text).joined())
    }

    private static func chatTool(_ tool: ResponsesRequestWire.Tool, at index: Int) throws(GatewayError) -> ChatRequestWire.Tool {
        guard tool.type == "function" else { throw unsupported("the built-in tool '\(tool.type)'", param: "tools[\(index)].type") }
        guard let name = tool.name else {
            throw GatewayError.invalidRequest(message: "Missing required parameter: 'tools[\(index)].name'.", param: "tools[\(index)].name")
        }
        return ChatRequestWire.Tool(type: "function", function: .init(name: name, description: tool.description, parameters: tool.parameters))
    }

    /// `"auto"`, `"none"`, `"required"`, or `{"type": "function", "name": …}`.
    private static func toolChoice(_ choice: JSONValue) throws(GatewayError) -> ChatRequestWire.ToolChoice {
        switch choice {
        case .string(let mode) where ["auto", "none", "required"].contains(mode): return .mode(mode)
        case .object(let fields):
            if fields["type"] == .string("function"), case .string(let name)? = fields["name"] { return .function(name) }
            if case .string(let mode)? = fields["type"] { throw unsupported("tool_choice of type '\(mode)'", param: "tool_choice") }
        default: break
        }
        throw GatewayError.invalidRequest(message: "Invalid value for 'tool_choice'.", param: "tool_choice")
    }

    /// `text.format` as chat's `response_format`.
    private static func responseFormat(_ format: ResponsesRequestWire.Format) throws(GatewayError) -> ChatRequestWire.ResponseFormat? {
        switch format.type {
        case "text": return nil
        case "json_object": return .init(type: "json_object")
        case "json_schema":
            guard let schema = format.schema, let name = format.name else {
                throw GatewayError.invalidRequest(message: "A json_schema format needs name and schema.", param: "text.format")
            }
            var fields: [String: JSONValue] = ["name": .string(name), "schema": schema]
            if let strict = format.strict { fields["strict"] = .bool(strict) }
            if let description = format.description { fields["description"] = .string(description) }
            return .init(type: "json_schema", jsonSchema: .object(fields))
        case let other: throw unsupported("text.format of type '\(other)'", param: "text.format.type")
        }
    }

    private static func unsupported(_ feature: String, param: String) -> GatewayError {
        .invalidRequest(message: "This gateway does not support \(feature) on /v1/responses.", param: param)
    }
}
