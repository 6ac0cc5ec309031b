import Foundation
import NIOCore
import NIOFoundationCompat

/// The assistant's text of a `chat.completion` body, for the access line when content logging is on.
enum CompletionText {
    private struct Completion: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message?
        }
        var choices: [Choice]?
    }

    static func extract(from body: ByteBuffer) -> String? {
        (try? JSONDecoder().decode(Completion.self, from: body))?.choices?.first?.message?.content
    }
}
