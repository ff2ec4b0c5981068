import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects

/// The one mapping from the services' refusals to the API's errors (SPEC §6.3), applied to
/// whatever a route throws by ``ErrorBodyMiddleware``: routes never catch to translate.
extension APIError {
    init?(mapping error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let failure as KeyFailure:
            switch failure {
            case .invalidItems(let problems): self = .validationFailed(problems.map(\.itemError))
            case .conflict(let message): self = .conflict(message)
            case .notFound: self = .notFound
            }
        case let failure as ProjectFailure:
            switch failure {
            case .invalid(let problem): self = .validationFailed([problem.itemError])
            case .conflict(let message): self = .conflict(message)
            case .notFound: self = .notFound
            }
        case let failure as PublishFailure:
            switch failure {
            case .invalidLanguages(let problems): self = .validationFailed(problems.map(\.itemError))
            case .notFound: self = .notFound
            case .rateLimited(let retryAfter):
                self = APIError(.rateLimited, "Too many publishes of this project; retry in \(retryAfter) s.",
                                headers: [.retryAfter: String(retryAfter)])
            }
        case let failure as InstallationTokens.Failure:
            switch failure {
            case .grantNotFound:
                self = APIError(.grantNotFound, "This token has no grant with that id.")
            case .invalidScope(let why):
                self = APIError(.invalidScope, "A requested scope is outside the grant: \(why).")
            case .invalidProject(let why):
                self = APIError(.invalidProject, "A requested project is outside the grant: \(why).")
            case .rateLimited(let retryAfter):
                self = APIError(.rateLimited, "Too many installation tokens minted for this grant; retry in \(retryAfter) s.",
                                headers: [.retryAfter: String(retryAfter)])
            }
        case let failure as ContentFailure:
            switch failure {
            case .invalid(let problems): self = .validationFailed(problems.map(\.itemError))
            case .conflict(let message): self = .conflict(message)
            case .notFound: self = .notFound
            case .invalidRequest(let message): self = .invalidRequest(message)
            }
        case let error as ValidationError:
            // Bad input that no service named as an item is the client's error.
            self = .invalidRequest("\(error.field): \(error.message)")
        default:
            return nil
        }
    }
}

extension ItemProblem {
    var itemError: ItemError {
        ItemError(index: index, error: code, message: message, offset: offset, field: field, line: line, key: key)
    }
}
