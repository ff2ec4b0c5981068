"""Files in and out (import and export) checked by parsers nobody here wrote: every exported file
is read with its own ecosystem's tools from PyPI (polib for gettext, translate-toolkit for
XLIFF 1.2 and 2.0, Android resources, .strings, .stringsdict and ARB, plistlib for
.stringsdict, and String Catalogs against the layout Xcode writes), and files those tools wrote
are imported. Also `better-i18n pull` and `push` as CI would run them."""
import io
import json
import os
import plistlib
import subprocess
import tempfile
import uuid
import zipfile

import polib
import pytest
import requests
from translate.storage import aresource, jsonl10n, properties, stringsdict, xliff, xliff2

from conftest import BINARY
from tokens import Installation

SCOPES = ["org:read", "projects:read", "projects:write", "keys:read", "keys:write", "translations:read", "translations:write"]
CLDR = {"zero", "one", "two", "few", "many", "other"}

KEYS = [
    {"name": "greeting", "description": "Home page greeting",
     "translations": {"en": "Hello, {name}!", "de": "Hallo, {name}!", "ru": "Привет, {name}!"}},
    {"name": "files", "translations": {
        "en": "{count, plural, one {# file} other {# files}}",
        "de": "{count, plural, one {# Datei} other {# Dateien}}",
        "ru": "{count, plural, one {# файл} few {# файла} many {# файлов} other {# файлов}}"}},
    {"name": "inbox", "translations": {"en": "{user} has {count, number} messages", "de": "{count, number} Nachrichten für {user}"}},
    {"name": "login.title", "translations": {"en": "Sign in", "de": "Anmelden", "ru": "Войти"}},
    {"name": "quote", "translations": {"en": "Say \"hi\" & don't <stop>\nagain", "de": "Sag \"hallo\" & hör nicht <auf>\nwieder"}},
]


@pytest.fixture(scope="module")
def project(server):
    installation = Installation(server, SCOPES)
    api = Api(server.base, installation.token)
    slug = "formats-" + uuid.uuid4().hex[:6]
    created = api.post("/api/oauth-client/v1/projects", json={"name": "Formats", "slug": slug, "sourceLanguage": "en"})
    assert created.status_code == 201, created.text
    api.project = created.json()["id"]
    api.slug = "acme/" + slug
    for code in ("de", "ru"):
        assert api.post(f"/api/oauth-client/v1/projects/{api.project}/languages", json={"code": code}).status_code == 201
    response = api.post(f"/api/oauth-client/v1/projects/{api.project}/keys", json={"keys": KEYS})
    assert response.status_code == 201, response.text
    return api


class Api:
    def __init__(self, base, token):
        self.base = base
        self.token = token
        self.headers = {"Authorization": "Bearer " + token}

    def post(self, path, **kwargs):
        return requests.post(self.base + path, headers=self.headers, **kwargs)

    def export(self, format, language, project=None):
        response = requests.get(f"{self.base}/api/oauth-client/v1/projects/{project or self.project}/export",
                                params={"format": format, "languages": language, "namespace": "default"}, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.content

    def import_file(self, project, format, content, language=None, expect=200):
        params = {"format": format}
        if language:
            params["language"] = language
        response = requests.post(f"{self.base}/api/oauth-client/v1/projects/{project}/import", params=params,
                                 data=content, headers={**self.headers, "Content-Type": "application/octet-stream"})
        assert response.status_code == expect, response.text
        return response.json()

    def empty_project(self):
        slug = "import-" + uuid.uuid4().hex[:6]
        created = self.post("/api/oauth-client/v1/projects", json={"name": "Import", "slug": slug, "sourceLanguage": "en"})
        assert created.status_code == 201, created.text
        project = created.json()["id"]
        for code in ("de", "ru"):
            assert self.post(f"/api/oauth-client/v1/projects/{project}/languages", json={"code": code}).status_code == 201
        return project

    def values(self, project, language):
        flat = json.loads(self.export("json-flat", language, project))
        return flat


# MARK: what we write, read by their parsers

def test_polib_reads_our_po_with_plural_forms(project):
    po = polib.pofile(project.export("po", "ru").decode())
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    by_context = {entry.msgctxt: entry for entry in po}
    assert by_context["greeting"].msgid == "Hello, {name}!"
    assert by_context["greeting"].msgstr == "Привет, {name}!"
    assert by_context["greeting"].comment == "Home page greeting"
    files = by_context["files"]
    assert files.msgid == "# file" and files.msgid_plural == "# files"
    assert files.msgstr_plural == {0: "# файл", 1: "# файла", 2: "# файлов"}
    assert by_context["inbox"].msgstr == ""      # no ru value: untranslated, as gettext has it


def test_translate_toolkit_reads_our_xliff_1_2_and_2_0(project):
    store = xliff.xlifffile.parsestring(project.export("xliff", "de"))
    assert store.getsourcelanguage() == "en" and store.gettargetlanguage() == "de"
    units = {unit.getid().split("\x04")[-1]: unit for unit in store.units}   # "file\x04id"
    assert units["greeting"].source == "Hello, {name}!" and units["greeting"].target == "Hallo, {name}!"
    assert units["quote"].target == "Sag \"hallo\" & hör nicht <auf>\nwieder"
    store2 = xliff2.Xliff2File.parsestring(project.export("xliff2", "de"))
    targets = {unit.source: unit.target for unit in store2.units}
    assert targets["Hello, {name}!"] == "Hallo, {name}!"
    assert targets["{count, plural, one {# file} other {# files}}"] == "{count, plural, one {# Datei} other {# Dateien}}"


def test_translate_toolkit_reads_our_android_resources(project):
    store = aresource.AndroidResourceFile()
    store.settargetlanguage("ru")   # its plural forms are the language's (gettext's three for ru)
    store.parse(project.export("android", "ru"))
    units = {unit.getid(): unit for unit in store.units}
    assert units["greeting"].target == "Привет, %s!"
    plural = units["files"].target
    assert [str(form) for form in plural.strings] == ["%d файл", "%d файла", "%d файлов"]
    assert units["login.title"].target == "Войти"
    de = {unit.getid(): unit for unit in aresource.AndroidResourceFile.parsestring(project.export("android", "de")).units}
    assert de["inbox"].target == "%2$d Nachrichten für %1$s"
    assert de["quote"].target == "Sag \"hallo\" & hör nicht <auf>\nwieder"


def test_translate_toolkit_reads_our_strings_and_arb(project):
    strings = properties.stringsutf8file.parsestring(project.export("strings", "de"))
    values = {unit.name: unit.source for unit in strings.units}
    assert values["greeting"] == "Hallo, %@!"
    assert values["inbox"] == "%2$lld Nachrichten für %1$@"
    assert values["quote"] == "Sag \"hallo\" & hör nicht <auf>\nwieder"
    arb = jsonl10n.ARBJsonFile.parsestring(project.export("arb", "de"))
    arb_values = {unit.getid(): unit.target for unit in arb.units}
    assert arb_values["greeting"] == "Hallo, {name}!"
    assert arb_values["files"] == "{count, plural, one {# Datei} other {# Dateien}}"


def test_plistlib_and_translate_toolkit_read_our_stringsdict(project):
    content = project.export("stringsdict", "ru")
    plist = plistlib.loads(content)
    rule = plist["files"]
    assert rule["NSStringLocalizedFormatKey"] == "%#@count@"
    variable = rule["count"]
    assert variable["NSStringFormatSpecTypeKey"] == "NSStringPluralRuleType"
    assert variable["NSStringFormatValueTypeKey"] == "lld"
    assert {k: variable[k] for k in ("one", "few", "many", "other")} == {
        "one": "%lld файл", "few": "%lld файла", "many": "%lld файлов", "other": "%lld файлов"}
    assert plist["greeting"]["NSStringLocalizedFormatKey"] == "Привет, %@!"
    store = stringsdict.StringsDictFile.parsestring(content)
    assert any(unit.getid().startswith("files") for unit in store.units)


def test_string_catalogs_have_the_shape_xcode_writes(project):
    content = project.export("xcstrings", "en,de,ru")
    catalog = json.loads(content)
    # Xcode's own layout: two-space indent, " : " between name and value, keys sorted.
    assert content.decode() == json.dumps(catalog, indent=2, separators=(",", " : "), ensure_ascii=False, sort_keys=True) + "\n"
    assert set(catalog) == {"sourceLanguage", "strings", "version"}
    assert catalog["sourceLanguage"] == "en" and catalog["version"] == "1.0"
    for key, entry in catalog["strings"].items():
        assert set(entry) <= {"comment", "extractionState", "localizations"}, key
        for language, localization in entry["localizations"].items():
            if "stringUnit" in localization:
                assert set(localization["stringUnit"]) == {"state", "value"}
                assert localization["stringUnit"]["state"] == "translated"
            else:
                plural = localization["variations"]["plural"]
                assert set(plural) <= CLDR and "other" in plural, (key, language)
                for unit in plural.values():
                    assert set(unit["stringUnit"]) == {"state", "value"}
    assert catalog["strings"]["files"]["localizations"]["ru"]["variations"]["plural"]["few"]["stringUnit"]["value"] == "%lld файла"
    assert catalog["strings"]["greeting"]["comment"] == "Home page greeting"


# MARK: what their tools write, imported

def test_we_import_what_polib_writes(project):
    target = project.empty_project()
    po = polib.POFile()
    po.metadata = {"Language": "de", "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgctxt="welcome", msgid="Welcome, {name}", msgstr="Willkommen, {name}", comment="Start screen"))
    po.append(polib.POEntry(msgctxt="items", msgid="# item", msgid_plural="# items", msgstr_plural={0: "# Eintrag", 1: "# Einträge"}))
    po.append(polib.POEntry(msgid="Untranslated", msgstr=""))
    result = project.import_file(target, "po", str(po).encode())
    assert result["created"] == 3
    assert project.values(target, "en") == {"Untranslated": "Untranslated", "items": "{count, plural, one {# item} other {# items}}",
                                            "welcome": "Welcome, {name}"}
    assert project.values(target, "de") == {"items": "{count, plural, one {# Eintrag} other {# Einträge}}", "welcome": "Willkommen, {name}"}


def test_we_import_what_translate_toolkit_writes(project):
    target = project.empty_project()
    # XLIFF 1.2, bilingual: creates the keys with their English source.
    store = xliff.xlifffile(sourcelanguage="en", targetlanguage="de")
    unit = store.addsourceunit("Save")
    unit.setid("button.save")
    unit.target = "Speichern"
    assert project.import_file(target, "xliff", bytes(store))["created"] == 1
    # Android resources, monolingual.
    android = aresource.AndroidResourceFile()
    for name, text in (("button.save", "Sichern"), ("hello", "Hallo %s")):
        unit = android.UnitClass(text)
        unit.setid(name)
        unit.target = text
        android.addunit(unit)
    english = aresource.AndroidResourceFile()
    for name, text in (("hello", "Hi %s"),):
        unit = english.UnitClass(text)
        unit.setid(name)
        unit.target = text
        english.addunit(unit)
    assert project.import_file(target, "android", bytes(english), language="en")["created"] == 1
    result = project.import_file(target, "android", bytes(android), language="de")
    assert result["skipped"] == 1  # button.save has a German value already; skip keeps it
    assert project.values(target, "de") == {"button.save": "Speichern", "hello": "Hallo {0}"}
    # .strings (UTF-8) and ARB.
    strings = properties.stringsutf8file()
    unit = properties.propunit("Abbrechen", "strings-utf8")
    unit.name = "button.cancel"
    strings.addunit(unit)
    assert project.import_file(target, "strings", bytes(strings), language="de")["created"] == 1
    arb = jsonl10n.ARBJsonFile()
    arb.addsourceunit("Schließen").setid("close")
    assert project.import_file(target, "arb", bytes(arb), language="de")["created"] == 1
    assert project.values(target, "de")["close"] == "Schließen"


def test_we_import_what_plistlib_writes(project):
    target = project.empty_project()
    content = plistlib.dumps({
        "photos": {"NSStringLocalizedFormatKey": "%#@n@", "n": {
            "NSStringFormatSpecTypeKey": "NSStringPluralRuleType", "NSStringFormatValueTypeKey": "d",
            "one": "%d photo", "other": "%d photos"}},
        "title": {"NSStringLocalizedFormatKey": "Photos"},
    })
    assert project.import_file(target, "stringsdict", content, language="en")["created"] == 2
    assert project.values(target, "en") == {"photos": "{0, plural, one {# photo} other {# photos}}", "title": "Photos"}


def test_pull_and_push_against_the_running_server(server, project):
    environment = {**os.environ, "BETTER_I18N_API_KEY": project.token, "BETTER_I18N_API_URL": server.base}
    with tempfile.TemporaryDirectory() as directory:
        pulled = subprocess.run([BINARY, "pull", "--project", project.slug, "--format", "po", "--out", directory],
                                env=environment, capture_output=True, text=True)
        assert pulled.returncode == 0, pulled.stderr
        assert sorted(os.listdir(os.path.join(directory, "default"))) == ["de.po", "en.po", "ru.po"]
        german = os.path.join(directory, "default", "de.po")
        po = polib.pofile(german)
        po.find("Sign in", by="msgid").msgstr = "Einloggen"
        po.save(german)
        dry = subprocess.run([BINARY, "push", "--project", project.slug, "--format", "po", "--language", "de", "--on-conflict", "update",
                              "--dry-run", german], env=environment, capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr
        assert "dry run" in dry.stdout and "updated 1" in dry.stdout
        assert project.values(project.project, "de")["login.title"] == "Anmelden"
        pushed = subprocess.run([BINARY, "push", "--project", project.slug, "--format", "po", "--language", "de", "--on-conflict", "update",
                                 german], env=environment, capture_output=True, text=True)
        assert pushed.returncode == 0, pushed.stderr
        assert project.values(project.project, "de")["login.title"] == "Einloggen"
        broken = os.path.join(directory, "broken.json")
        with open(broken, "w") as handle:
            handle.write('{\n  "ok": "fine",\n  "bad": "{oops"\n}\n')
        refused = subprocess.run([BINARY, "push", "--project", project.slug, "--format", "json", "--language", "de", broken],
                                 env=environment, capture_output=True, text=True)
        assert refused.returncode != 0
        assert "line 3" in refused.stderr and "key 'bad'" in refused.stderr
