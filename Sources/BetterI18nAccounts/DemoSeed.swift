import BetterI18nCore
import BetterI18nStorage
import Foundation

/// The data `serve --demo` puts into an empty database (SPEC §2): a user, an organization, a
/// project in en/de/fr with a few dozen keys, and a confidential and a public OAuth client.
public struct DemoSeed: Sendable {
    /// What the operator needs to try the demo; printed once, never logged.
    public struct Credentials: Sendable {
        public let email: String
        public let password: String
        public let organizationSlug: String
        public let projectSlug: String
        public let confidentialClientID: ClientID
        public let confidentialClientSecret: Secret
        public let publicClientID: ClientID
        public let redirectURIs: [String]
    }

    public static let email = "demo@example.com"
    public static let organizationSlug = "acme"
    public static let projectSlug = "web-app"

    let admin: AdminService

    public init(admin: AdminService) {
        self.admin = admin
    }

    /// Seeds when the database has no users; returns nil (and writes nothing) otherwise.
    public func seedIfEmpty() async throws -> Credentials? {
        guard try await admin.storage.userCount() == 0 else { return nil }
        let password = Base62.random(count: 16, from: admin.random)
        _ = try await admin.createUser(email: Self.email, name: "Dana Demo", password: password)
        let organization = try await admin.createOrganization(slug: Self.organizationSlug, name: "Acme Inc.", ownerEmail: Self.email)
        let (project, _) = try await admin.createProject(
            organizationSlug: organization.slug.value, slug: Self.projectSlug, name: "Acme Web App",
            sourceLanguage: "en", languages: ["de", "fr"]
        )
        try await seedKeys(in: project)
        let redirectURIs = ["https://partner.example.com/oauth/callback", "http://127.0.0.1/callback"]
        let confidential = try await admin.createClient(
            name: "Acme Translation Sync", type: "web", redirectURIs: redirectURIs, ownerEmail: Self.email,
            clientURI: "https://partner.example.com"
        )
        let publicClient = try await admin.createClient(
            name: "Acme CLI", type: "native", redirectURIs: ["http://127.0.0.1/callback", "com.example.acme:/callback"],
            ownerEmail: Self.email
        )
        guard let secret = confidential.secret else { throw AdminError.conflict("demo web client has no secret") }
        return Credentials(
            email: Self.email, password: password, organizationSlug: organization.slug.value, projectSlug: project.slug.value,
            confidentialClientID: confidential.client.id, confidentialClientSecret: secret,
            publicClientID: publicClient.client.id, redirectURIs: redirectURIs
        )
    }

    private func seedKeys(in project: Project) async throws {
        let now = admin.clock.now()
        var keys: [TranslationKey] = []
        var translations: [Translation] = []
        for entry in Self.catalogue {
            let key = TranslationKey(
                id: .generate(using: admin.random), projectID: project.id, namespace: try NamespaceName(entry.namespace),
                name: try KeyName(entry.name), description: nil, createdAt: now, updatedAt: now
            )
            keys.append(key)
            for (language, value) in [("en", entry.en), ("de", entry.de), ("fr", entry.fr)] {
                guard let value else { continue }
                translations.append(Translation(
                    keyID: key.id, language: try LanguageCode(language), value: value, updatedBy: nil, updatedAt: now
                ))
            }
        }
        try await admin.storage.createKeys(keys, translations: translations)
    }

    private struct Entry {
        let namespace: String
        let name: String
        let en: String?
        let de: String?
        let fr: String?
    }

    /// Some values are missing on purpose, so the demo shows untranslated keys.
    private static let catalogue: [Entry] = [
        Entry(namespace: "default", name: "app.title", en: "Acme", de: "Acme", fr: "Acme"),
        Entry(namespace: "default", name: "nav.home", en: "Home", de: "Startseite", fr: "Accueil"),
        Entry(namespace: "default", name: "nav.products", en: "Products", de: "Produkte", fr: "Produits"),
        Entry(namespace: "default", name: "nav.pricing", en: "Pricing", de: "Preise", fr: "Tarifs"),
        Entry(namespace: "default", name: "nav.about", en: "About us", de: "Über uns", fr: "À propos"),
        Entry(namespace: "default", name: "nav.contact", en: "Contact", de: "Kontakt", fr: "Contact"),
        Entry(namespace: "default", name: "auth.sign_in", en: "Sign in", de: "Anmelden", fr: "Se connecter"),
        Entry(namespace: "default", name: "auth.sign_out", en: "Sign out", de: "Abmelden", fr: "Se déconnecter"),
        Entry(namespace: "default", name: "auth.forgot_password", en: "Forgot your password?", de: "Passwort vergessen?", fr: nil),
        Entry(namespace: "default", name: "greeting", en: "Hello, {name}!", de: "Hallo, {name}!", fr: "Bonjour, {name} !"),
        Entry(namespace: "default", name: "footer.copyright", en: "© {year} Acme Inc.", de: "© {year} Acme Inc.", fr: "© {year} Acme Inc."),
        Entry(namespace: "default", name: "errors.not_found", en: "Page not found", de: "Seite nicht gefunden", fr: "Page introuvable"),
        Entry(namespace: "default", name: "errors.generic", en: "Something went wrong. Please try again.", de: "Etwas ist schiefgelaufen. Bitte versuche es erneut.", fr: nil),
        Entry(namespace: "checkout", name: "cart.title", en: "Your cart", de: "Dein Warenkorb", fr: "Votre panier"),
        Entry(namespace: "checkout", name: "cart.items", en: "{count, plural, one {# item} other {# items}}", de: "{count, plural, one {# Artikel} other {# Artikel}}", fr: "{count, plural, one {# article} other {# articles}}"),
        Entry(namespace: "checkout", name: "cart.empty", en: "Your cart is empty.", de: "Dein Warenkorb ist leer.", fr: "Votre panier est vide."),
        Entry(namespace: "checkout", name: "cart.remove", en: "Remove", de: "Entfernen", fr: "Supprimer"),
        Entry(namespace: "checkout", name: "summary.subtotal", en: "Subtotal", de: "Zwischensumme", fr: "Sous-total"),
        Entry(namespace: "checkout", name: "summary.shipping", en: "Shipping", de: "Versand", fr: "Livraison"),
        Entry(namespace: "checkout", name: "summary.total", en: "Total", de: "Gesamt", fr: "Total"),
        Entry(namespace: "checkout", name: "pay_button", en: "Pay now", de: "Jetzt bezahlen", fr: "Payer maintenant"),
        Entry(namespace: "checkout", name: "payment.card", en: "Credit card", de: "Kreditkarte", fr: "Carte bancaire"),
        Entry(namespace: "checkout", name: "payment.invoice", en: "Invoice", de: "Rechnung", fr: nil),
        Entry(namespace: "checkout", name: "confirmation.title", en: "Thank you for your order!", de: "Danke für deine Bestellung!", fr: "Merci pour votre commande !"),
        Entry(namespace: "checkout", name: "confirmation.body", en: "We sent a confirmation to {email}.", de: "Wir haben eine Bestätigung an {email} geschickt.", fr: nil),
        Entry(namespace: "settings", name: "profile.title", en: "Profile", de: "Profil", fr: "Profil"),
        Entry(namespace: "settings", name: "profile.name", en: "Name", de: "Name", fr: "Nom"),
        Entry(namespace: "settings", name: "profile.email", en: "Email address", de: "E-Mail-Adresse", fr: "Adresse e-mail"),
        Entry(namespace: "settings", name: "profile.save", en: "Save changes", de: "Änderungen speichern", fr: "Enregistrer"),
        Entry(namespace: "settings", name: "language.title", en: "Language", de: "Sprache", fr: "Langue"),
        Entry(namespace: "settings", name: "notifications.title", en: "Notifications", de: "Benachrichtigungen", fr: "Notifications"),
        Entry(namespace: "settings", name: "notifications.email", en: "Email me about new releases", de: "Per E-Mail über neue Versionen informieren", fr: nil),
        Entry(namespace: "settings", name: "danger.delete_account", en: "Delete account", de: "Konto löschen", fr: "Supprimer le compte"),
        Entry(namespace: "settings", name: "danger.confirm", en: "This cannot be undone.", de: "Das kann nicht rückgängig gemacht werden.", fr: nil),
    ]
}
