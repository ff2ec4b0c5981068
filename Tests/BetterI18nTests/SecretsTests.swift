import BetterI18nCore
import Foundation
import Testing

/// SPEC §3: the token format, its checksum and digests.
@Suite struct SecretsTests {
    @Test func crc32MatchesZlibCheckValue() {
        // The standard CRC-32 check value of "123456789".
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func base62EncodesMostSignificantDigitFirstWithZeroPadding() {
        #expect(Base62.encode(0, width: 6) == "000000")
        #expect(Base62.encode(61, width: 6) == "00000z")
        #expect(Base62.encode(62, width: 6) == "000010")
        #expect(Base62.encode(UInt32.max, width: 6) == "4gfFC3")
    }

    @Test(arguments: SecretKind.allCases)
    func generatedSecretHasPrefixRandomPartAndChecksum(kind: SecretKind) {
        let secret = Secret(kind: kind)
        #expect(secret.value.hasPrefix(kind.prefix))
        #expect(secret.value.count == kind.prefix.count + 32 + 6)
        let body = String(secret.value.dropLast(6))
        #expect(String(secret.value.suffix(6)) == Base62.encode(CRC32.checksum(Array(body.utf8)), width: 6))
        #expect(SecretFormatCheck(secret.value) == .valid(kind))
    }

    @Test func checkRecognisesAHandComputedToken() {
        let body = "bi_oat_" + String(repeating: "a", count: 32)
        let token = body + Base62.encode(CRC32.checksum(Array(body.utf8)), width: 6)
        #expect(SecretFormatCheck(token) == .valid(.installationToken))
    }

    @Test func typoBreaksTheChecksum() {
        var characters = Array(Secret(kind: .accessToken).value)
        let index = 10
        characters[index] = characters[index] == "A" ? "B" : "A"
        #expect(SecretFormatCheck(String(characters)) == .badChecksum(.accessToken))
    }

    @Test func truncatedOrWrongAlphabetTokensFail() {
        let token = Secret(kind: .refreshToken).value
        #expect(SecretFormatCheck(String(token.dropLast())) == .badChecksum(.refreshToken))
        let wrongAlphabet = "bi_rt_" + "-" + token.dropFirst(7)
        #expect(wrongAlphabet.count == token.count)
        #expect(SecretFormatCheck(wrongAlphabet) == .badChecksum(.refreshToken))
    }

    @Test func unknownPrefixIsNotOurs() {
        #expect(SecretFormatCheck("ghp_abcdef") == .unknownKind)
        #expect(SecretFormatCheck("") == .unknownKind)
    }

    @Test func installationPrefixIsNotConfusedWithShorterOnes() {
        #expect(SecretKind.matching("bi_oat_x") == .installationToken)
        #expect(SecretKind.matching("bi_at_x") == .accessToken)
    }

    @Test func randomPartsDoNotRepeat() {
        let values = Set((0..<1000).map { _ in Secret(kind: .session).value })
        #expect(values.count == 1000)
    }

    @Test func digestIsSHA256HexAndNeverTheSecret() {
        let digest = SecretDigest(of: "abc")
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let secret = Secret(kind: .clientSecret)
        #expect(!secret.digest.hex.contains(secret.value))
        #expect(secret.digest == SecretDigest(of: secret.value))
        #expect(secret.digest != SecretDigest(of: secret.value + "x"))
    }

    @Test func secretsAreRedactedInStringInterpolation() {
        let secret = Secret(kind: .refreshToken)
        #expect(!"\(secret)".contains(secret.value))
        #expect(!"\(secret.digest)".contains(secret.digest.hex))
    }

    @Test func constantTimeEqualityComparesWholeValues() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
    }

    @Test func csrfTokenIsBoundToItsCookie() {
        let token = CSRFToken.derive(from: "cookie-a")
        #expect(CSRFToken.verify(token, cookieSecret: "cookie-a"))
        #expect(!CSRFToken.verify(token, cookieSecret: "cookie-b"))
        #expect(!CSRFToken.verify(nil, cookieSecret: "cookie-a"))
        #expect(!CSRFToken.verify(token, cookieSecret: nil))
        #expect(!CSRFToken.verify("", cookieSecret: ""))
    }
}

/// SPEC §3 identifiers and the domain's value rules.
@Suite struct DomainValueTests {
    @Test func identifiersCarryTheirPrefix() {
        #expect(UserID.generate().rawValue.hasPrefix("usr_"))
        #expect(OrganizationID.generate().rawValue.hasPrefix("org_"))
        #expect(ProjectID.generate().rawValue.hasPrefix("prj_"))
        #expect(KeyID.generate().rawValue.hasPrefix("key_"))
        #expect(GrantID.generate().rawValue.hasPrefix("grt_"))
        #expect(ReleaseID.generate().rawValue.hasPrefix("rel_"))
        #expect(ClientID.generate().rawValue.hasPrefix("bic_"))
    }

    @Test func identifiersOfAnotherKindOrMalformedAreRefused() {
        let project = ProjectID.generate()
        #expect(ProjectID(project.rawValue) == project)
        #expect(OrganizationID(project.rawValue) == nil)
        #expect(ProjectID("prj_../../etc") == nil)
        #expect(ProjectID("prj_") == nil)
    }

    @Test func languageCodesAreBCP47AndStoredLowercase() throws {
        #expect(try LanguageCode("pt-BR").value == "pt-br")
        #expect(try LanguageCode("zh_Hant_TW").value == "zh-hant-tw")
        #expect(try LanguageCode("DE") == LanguageCode("de"))
        for bad in ["", "e", "english-language-tag", "de--at", "1a", "de-", "d e"] {
            #expect(throws: ValidationError.self) { try LanguageCode(bad) }
        }
    }

    @Test func slugsAreLowercaseWithSingleHyphens() throws {
        #expect(try Slug("web-app").value == "web-app")
        for bad in ["Web", "-a", "a-", "a--b", "a", "a_b", String(repeating: "a", count: 65), "a b"] {
            #expect(throws: ValidationError.self) { try Slug(bad) }
        }
    }

    @Test func translationsNamespaceIsReserved() {
        #expect(throws: ValidationError.self) { try NamespaceName("translations") }
        #expect(throws: ValidationError.self) { try NamespaceName("../x") }
        #expect((try? NamespaceName("checkout")) != nil)
    }

    @Test func emailsAreNormalised() throws {
        #expect(try EmailAddress("  Dana@Example.COM ").value == "dana@example.com")
        for bad in ["dana", "@example.com", "dana@", "dana@example", "da na@example.com", "<a>@example.com"] {
            #expect(throws: ValidationError.self) { try EmailAddress(bad) }
        }
    }

    @Test func redirectURIsFollowSection5_2() throws {
        for good in ["https://app.example.com/cb", "http://127.0.0.1/callback", "http://localhost:3000/cb",
                     "http://[::1]:8080/cb", "com.example.app:/callback"] {
            #expect((try? RedirectURI(good)) != nil, "\(good) should be accepted")
        }
        for bad in ["http://app.example.com/cb", "https://app.example.com/cb#frag", "javascript:alert(1)",
                    "/relative", "ftp://example.com", "data:text/html,hi", "https:///nohost"] {
            #expect(throws: ValidationError.self, "\(bad) should be refused") { try RedirectURI(bad) }
        }
    }
}
