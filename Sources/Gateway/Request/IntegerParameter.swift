/// An integer parameter read as any JSON number, so that a value past `Int`'s range (`1e20`) reaches the
/// range check — whose 400 names the parameter — instead of failing the whole decode anonymously. A
/// number with a fraction is an invalid value of that parameter.
struct IntegerParameter: Codable, Sendable {
    var value: Int

    init(_ value: Int) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int.self) {
            value = integer
            return
        }
        let number = try container.decode(Double.self)
        guard number.rounded() == number else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(number) is not an integer"))
        }
        value = Int(clamping: number, to: Int.min...Int.max)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
