#!/usr/bin/env python3
"""Files in and out benchmark (issue: import and export in the formats teams use, "Speed").

Builds release, starts better-i18n on a fresh SQLite database, mints an installation token
through the real OAuth flow, seeds a project with 10,000 keys × 10 languages (values with
placeholders, every tenth a plural) and measures on this machine, in one run:
  1. the baselines: reading the same 100,000 values as JSON with GET …/translations (100
     pages of 1,000), and writing 10,000 keys with one value each with POST …/keys (10 bulk
     requests of 1,000) — what a client had to do before files;
  2. import of a 10,000-key × 1-language String Catalog (xcstrings), dry run and real, into an
     empty project (target: under 2 s each);
  3. export of the 10,000 keys × 10 languages in every format (target: under 1 s each);
  4. the server's peak resident memory (VmHWM) over all of it (target: under 200 MB), with
     MALLOC_ARENA_MAX=2 as the container image sets it (docs/deploy.md).

Each timing is the median of --rounds runs (the real import runs into a fresh project each
round); the ratio column compares it with the same run's baseline. BENCH_BINARY=path measures
another build of the server.

Usage: python3 bench/formats_bench.py [--rounds 3] [--no-build]
Needs python3 with requests.
"""
import argparse
import json
import os
import statistics
import time

import requests

from common import BenchServer, build_release

FORMATS = ["json", "json-flat", "xcstrings", "strings", "stringsdict", "android", "xliff", "xliff2", "po", "arb"]
LANGUAGES = ["en", "de", "fr", "es", "it", "ja", "ru", "pt-br", "nl", "pl"]
KEYS = 10_000


def value(index, language):
    if index % 10 == 0:
        return f"{{count, plural, one {{# item {language} {index}}} other {{# items {language} {index}}}}}"
    return f"Hello {{name}}, item {index} in {language}"


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def catalog(language):
    """A String Catalog as Xcode writes it: one language, 10,000 keys."""
    strings = {}
    for index in range(KEYS):
        text = value(index, language)
        if index % 10 == 0:
            unit = {"variations": {"plural": {
                "one": {"stringUnit": {"state": "translated", "value": f"%lld item {language} {index}"}},
                "other": {"stringUnit": {"state": "translated", "value": f"%lld items {language} {index}"}}}}}
        else:
            unit = {"stringUnit": {"state": "translated", "value": text.replace("{name}", "%@")}}
        strings[f"screen.section_{index // 100:03d}.item_{index:05d}"] = {"localizations": {language: unit}}
    return json.dumps({"sourceLanguage": "en", "strings": strings, "version": "1.0"}, indent=2).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build_release()

    # As the container image runs it (docs/deploy.md): two malloc arenas, so memory freed after
    # one export is reused by the next rather than kept per thread. MALLOC_ARENA_MAX= (empty)
    # measures glibc's default.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    server = BenchServer()
    try:
        tokens = server.tokens("org:read projects:read projects:write keys:read keys:write translations:read translations:write")
        token = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                              headers={"Authorization": "Bearer " + tokens["access_token"]}).json()["installation_token"]
        auth = {"Authorization": "Bearer " + token}
        rss_start = server.rss_kib()
        api = server.base + "/api/oauth-client/v1/projects"

        def new_project(slug):
            created = requests.post(api, headers=auth, json={"name": slug, "slug": slug, "sourceLanguage": "en"})
            assert created.status_code == 201, created.text
            project = created.json()["id"]
            for code in LANGUAGES[1:]:
                assert requests.post(f"{api}/{project}/languages", headers=auth, json={"code": code}).status_code == 201
            return project

        def import_file(project, content, **params):
            response = requests.post(f"{api}/{project}/import", headers={**auth, "Content-Type": "application/octet-stream"},
                                     params={"format": "xcstrings", **params}, data=content)
            assert response.status_code == 200, response.text[:500]
            return response.json()

        # Seed: 10,000 keys × 10 languages, one language file at a time.
        seeded = new_project("seeded")
        for language in LANGUAGES:
            result = import_file(seeded, catalog(language), language=language, on_conflict="update")
            assert result["created"] + result["updated"] == KEYS, result
        rss_after_seed = server.rss_kib()

        # Baselines: the JSON API reading the same values, and bulk-writing as many keys.
        def read_all():
            cursor, count = None, 0
            while True:
                params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
                page = requests.get(f"{api}/{seeded}/translations", headers=auth, params=params).json()
                count += len(page["translations"])
                cursor = page["next_cursor"]
                if not cursor:
                    return count
        read_times = []
        for _ in range(args.rounds):
            elapsed, count = timed(read_all)
            assert count == KEYS * len(LANGUAGES), count
            read_times.append(elapsed)
        write_times = []
        for round_index in range(args.rounds):
            project = new_project(f"bulk-{round_index}")

            def write_all():
                for start in range(0, KEYS, 1000):
                    keys = [{"name": f"screen.section_{i // 100:03d}.item_{i:05d}", "translations": {"en": value(i, "en")}}
                            for i in range(start, start + 1000)]
                    assert requests.post(f"{api}/{project}/keys", headers=auth, json={"keys": keys}).status_code == 201
            write_times.append(timed(write_all)[0])
        read_baseline, write_baseline = statistics.median(read_times), statistics.median(write_times)
        peak_after_baselines = server.rss_kib()[1]

        # Imports of one 10,000-key language, dry run and real (into a fresh project each round).
        english = catalog("en")
        dry_times, real_times = [], []
        for round_index in range(args.rounds):
            project = new_project(f"import-{round_index}")
            elapsed, result = timed(lambda: import_file(project, english, language="en", dry_run="true"))
            assert result["created"] == KEYS and result["dry_run"], result
            dry_times.append(elapsed)
            elapsed, result = timed(lambda: import_file(project, english, language="en"))
            assert result["created"] == KEYS, result
            real_times.append(elapsed)
        peak_after_imports = server.rss_kib()[1]

        # Exports of 10,000 keys × 10 languages in every format.
        export_times = {}
        sizes = {}
        for format in FORMATS:
            runs = []
            for _ in range(args.rounds):
                elapsed, response = timed(lambda: requests.get(f"{api}/{seeded}/export", headers=auth, params={"format": format}))
                assert response.status_code == 200, response.text[:500]
                runs.append(elapsed)
            sizes[format] = len(response.content)
            export_times[format] = statistics.median(runs)
        rss, peak = server.rss_kib()
    finally:
        server.stop()

    print(f"\nFiles in and out: {KEYS:,} keys × {len(LANGUAGES)} languages, median of {args.rounds} rounds")
    print(f"{'measure':<52}{'seconds':>9}{'target':>9}{'ratio':>8}{'bytes':>12}")
    print(f"{'baseline: read 100,000 values (GET translations)':<52}{read_baseline:>9.3f}{'':>9}{1:>8.2f}{'':>12}")
    print(f"{'baseline: write 10,000 keys (POST keys ×10)':<52}{write_baseline:>9.3f}{'':>9}{1:>8.2f}{'':>12}")
    print(f"{'import xcstrings 10,000 × 1, dry run':<52}{statistics.median(dry_times):>9.3f}{'< 2':>9}"
          f"{statistics.median(dry_times) / write_baseline:>8.2f}{len(english):>12,}")
    print(f"{'import xcstrings 10,000 × 1':<52}{statistics.median(real_times):>9.3f}{'< 2':>9}"
          f"{statistics.median(real_times) / write_baseline:>8.2f}{len(english):>12,}")
    for format in FORMATS:
        print(f"{'export ' + format + ' 10,000 × 10':<52}{export_times[format]:>9.3f}{'< 1':>9}"
              f"{export_times[format] / read_baseline:>8.2f}{sizes[format]:>12,}")
    print(f"\nserver memory: {rss / 1024:.0f} MiB resident at the end, {peak / 1024:.0f} MiB peak (VmHWM; target < 200), "
          f"{rss_after_seed[0] / 1024:.0f} MiB after seeding, {rss_start[0] / 1024:.0f} MiB at start")
    print(f"peak (VmHWM) after each phase: seeding {rss_after_seed[1] / 1024:.0f}, baselines {peak_after_baselines / 1024:.0f}, "
          f"imports {peak_after_imports / 1024:.0f}, exports {peak / 1024:.0f} MiB")
    print("ratios: imports against the bulk-write baseline, exports against the read baseline (lower is faster)")


if __name__ == "__main__":
    main()
