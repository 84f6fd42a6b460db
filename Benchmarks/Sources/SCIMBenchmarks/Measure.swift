/// Runs `body` repeatedly and reports nanoseconds per operation: the median of `rounds` timed
/// rounds of `iterations` calls each, after one untimed warm-up round.
struct Measurement {
    let name: String
    let nanosecondsPerOperation: Double
    let spread: (Double, Double)
}

func measure(
    _ name: String, iterations: Int = 20_000, rounds: Int = 9, _ body: () throws -> Void
) rethrows -> Measurement {
    let clock = ContinuousClock()
    for _ in 0..<iterations { try body() }
    var samples: [Double] = []
    for _ in 0..<rounds {
        let elapsed = try clock.measure {
            for _ in 0..<iterations { try body() }
        }
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        samples.append(nanoseconds / Double(iterations))
    }
    samples.sort()
    return Measurement(
        name: name, nanosecondsPerOperation: samples[samples.count / 2],
        spread: (samples[0], samples[samples.count - 1]))
}

func report(_ measurements: [Measurement]) {
    let width = measurements.map(\.name.count).max() ?? 10
    print("| benchmark" + String(repeating: " ", count: max(0, width - 9)) + " | ns/op (median) | min – max |")
    print("| " + String(repeating: "-", count: width) + " | ---: | ---: |")
    for measurement in measurements {
        let padded = measurement.name + String(repeating: " ", count: max(0, width - measurement.name.count))
        print(
            "| \(padded) | \(format(measurement.nanosecondsPerOperation)) | \(format(measurement.spread.0)) – \(format(measurement.spread.1)) |"
        )
    }
}

func format(_ value: Double) -> String {
    String(Int(value + 0.5))
}
