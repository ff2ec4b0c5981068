/// The version `better-i18n` reports (`--version`, MCP `serverInfo`).
public enum BetterI18nVersion {
    public static let current = "0.6.0"
}
