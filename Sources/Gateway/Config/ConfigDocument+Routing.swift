import Yams

/// `models:` (deployments, priorities, weights, strategy) and `health_checks:`.
extension ConfigDocument {
    mutating func readModels(_ node: Node) -> [String: ModelRoute] {
        var models: [String: ModelRoute] = [:]
        for (name, value) in reader.mapping(node, at: "models") ?? [] {
            let path = "models.\(name)"
            if value.sequence != nil {
                models[name] = ModelRoute(deployments: readDeployments(value, of: name, at: path))
                continue
            }
            guard value.mapping != nil else {
                reader.report(path, "expected a list of deployments ({provider, model}) or {strategy, deployments}")
                continue
            }
            var route = ModelRoute(deployments: [])
            for (key, field) in reader.mapping(value, at: path, known: ["strategy", "deployments"]) ?? [] {
                let keyPath = "\(path).\(key)"
                if key == "deployments" {
                    route.deployments = readDeployments(field, of: name, at: keyPath)
                } else if let text = reader.string(field, at: keyPath) {
                    if let strategy = RoutingStrategy(rawValue: text) {
                        route.strategy = strategy
                    } else {
                        let choices = RoutingStrategy.allCases.map(\.rawValue).joined(separator: ", ")
                        reader.report(keyPath, "unknown strategy \"\(text)\" (expected one of: \(choices))")
                    }
                }
            }
            models[name] = route
        }
        return models
    }

    private mutating func readDeployments(_ node: Node, of name: String, at path: String) -> [ModelDeployment] {
        guard let items = node.sequence else {
            reader.report(path, "expected a list of deployments ({provider, model})")
            return []
        }
        var deployments: [ModelDeployment] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var deployment = ModelDeployment(provider: "", model: name)
            var hasProvider = false
            for (key, field) in reader.mapping(item, at: itemPath, known: ["provider", "model", "priority", "weight"]) ?? [] {
                let keyPath = "\(itemPath).\(key)"
                switch key {
                case "provider":
                    hasProvider = true
                    assign(&deployment.provider, reader.string(field, at: keyPath))
                case "model": assign(&deployment.model, reader.string(field, at: keyPath))
                case "priority": assign(&deployment.priority, reader.int(field, at: keyPath))
                default: assign(&deployment.weight, reader.double(field, at: keyPath))
                }
            }
            guard hasProvider else {
                reader.report("\(itemPath).provider", "required")
                continue
            }
            deployments.append(deployment)
        }
        return deployments
    }

    mutating func readHealthChecks(_ node: Node, into checks: inout HealthCheckConfig) {
        let known: Set = [
            "enabled", "interval_seconds", "timeout_seconds", "unhealthy_threshold", "healthy_threshold", "error_rate_threshold",
            "error_rate_window_seconds", "minimum_requests",
        ]
        for (key, value) in reader.mapping(node, at: "health_checks", known: known) ?? [] {
            let path = "health_checks.\(key)"
            switch key {
            case "enabled": assign(&checks.enabled, reader.bool(value, at: path))
            case "interval_seconds": assign(&checks.interval, seconds: reader.double(value, at: path))
            case "timeout_seconds": assign(&checks.timeout, seconds: reader.double(value, at: path))
            case "unhealthy_threshold": assign(&checks.unhealthyThreshold, reader.int(value, at: path))
            case "error_rate_threshold": assign(&checks.errorRateThreshold, reader.double(value, at: path))
            case "error_rate_window_seconds": assign(&checks.errorRateWindow, seconds: reader.double(value, at: path))
            case "minimum_requests": assign(&checks.minimumRequests, reader.int(value, at: path))
            default: assign(&checks.healthyThreshold, reader.int(value, at: path))
            }
        }
    }
}
