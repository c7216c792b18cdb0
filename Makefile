# KioskPos — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
CONFIGURATION ?= Release
RESULTS := artifacts/test-results

.PHONY: run test check attack screenshots-compare build bench loadtest soak fuzz fuzz-smoke publish-pi publish-aot deb repo pi-smoke tap clean prereqs

run: ## Start the province server and one terminal with simulated hardware and demo data
	@bash scripts/run.sh

test: prereqs ## Build and run every test; TRX results under artifacts/test-results, the test servers' warnings and errors in server-log.txt beside them
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	dotnet build KioskPos.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	KIOSKPOS_TEST_SERVER_LOG=$${KIOSKPOS_TEST_SERVER_LOG:-$(CURDIR)/$(RESULTS)/server-log.txt} dotnet test KioskPos.sln -c $(CONFIGURATION) --no-build --nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS)
	@$(MAKE) --no-print-directory fuzz-smoke

# Every fuzz target briefly, without AFL++: its seed corpus and past findings replayed, then FUZZ_SMOKE_SECONDS of
# in-process mutation (about 45 s for all; tests/KioskPos.Fuzz/README.md). make test runs it after the tests.
fuzz-smoke:
	dotnet tests/KioskPos.Fuzz/bin/$(CONFIGURATION)/net10.0/KioskPos.Fuzz.dll smoke --seconds $${FUZZ_SMOKE_SECONDS:-3}

fuzz: ## Every fuzz target under AFL++ (SharpFuzz) for FUZZ_SECONDS each (default 600; FUZZ_TARGETS="vietqr evdev" for some): executions, coverage, crashes per target
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} bash scripts/fuzz.sh

# The slow categories (tests/README.md): make check leaves them out, make test runs them.
SLOW := Browser Crash DiskFull FaultProxy Package Postgres Process
FAST_FILTER := $(subst $(eval) ,&,$(foreach c,$(SLOW),Category!=$(c)))

check: prereqs ## The fast subset: every test except the slow categories ($(SLOW)); about 2 minutes
	dotnet build KioskPos.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	dotnet test KioskPos.sln -c $(CONFIGURATION) --no-build --nologo --filter "$(FAST_FILTER)" \
	  --logger "console;verbosity=minimal"

attack: prereqs ## The attack suite (issue 18): every test of Category=Attack, then the table of attack, expected refusal and result
	@rm -rf artifacts/attack-results artifacts/attack
	dotnet build KioskPos.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	-dotnet test KioskPos.sln -c $(CONFIGURATION) --no-build --nologo --filter Category=Attack \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory artifacts/attack-results
	@python3 scripts/attack-table.py artifacts/attack-results

screenshots-compare: ## Screen by screen, the browser tests' screenshots of two runs (BEFORE=dir, AFTER=dir, default artifacts/screenshots) by pixelmatch; diff images under artifacts/screenshots-diff
	@test -n "$(BEFORE)" || { echo "screenshots-compare: BEFORE=<a directory of screenshots from an earlier make test> is needed"; exit 2; }
	@bash scripts/prereqs.sh >/dev/null
	node tests/browser-tools/compare-screenshots.mjs "$(BEFORE)" "$(or $(AFTER),artifacts/screenshots)" artifacts/screenshots-diff

build: prereqs
	dotnet build KioskPos.sln -c $(CONFIGURATION) -nologo

bench: prereqs publish-aot ## Benchmarks: journal append and payment vs a raw SQLite insert+commit (ratio); drain of 100,000 queued entries; ingest from 200 terminals; an 80 mm receipt vs the npm receipt-printer-encoder (ratio); card tap latency and idle polling CPU vs baselines; the kiosk in Chromium: tap to fees painted, screen weights; the hospital XML and school .xlsx imports and the bank statement against a bare parse; the QR on the emulated SPI panel; an online card payment against VietQR and the AOT terminal's memory every 1,000 payments (BENCH_PAYMENTS, BENCH_MEMORY_EVERY)
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- $(BENCH_ARGS)
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- drain $${DRAIN_ENTRIES:-100000}
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- ingest
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- report $${REPORT_PAYMENTS:-1000000}
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- aot 1000
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- payments $${BENCH_PAYMENTS:-20000} $${BENCH_MEMORY_EVERY:-1000}
	cd bench/receipt-encoder-js && npm ci --no-audit --no-fund --loglevel=error
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- receipt
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- readers
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- kiosk
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- xml $${XML_EPISODES:-5000}
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- xlsx $${XLSX_PUPILS:-20000}
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- statement $${STATEMENT_LINES:-10000}
	dotnet run -c Release --project bench/KioskPos.Benchmarks -- panel $${PANEL_CLOCK_HZ:-32000000}

loadtest: prereqs ## The province server under 1,000 enrolled terminals pushing signed batches and pulling deltas at once, on PostgreSQL (fsync on) against SQLite: entries/s, p50/p99 per endpoint, each engine against its own server-side SQL anchor, CPU shares (LOADTEST_TERMINALS, LOADTEST_BATCHES, LOADTEST_SIZE, LOADTEST_INSTITUTIONS: 1 or 2, LOADTEST_PACE: seconds between a terminal's pushes, 0 for as fast as answered)
	DOTNET_gcServer=1 dotnet run -c Release --project bench/KioskPos.Benchmarks -- loadtest $${LOADTEST_TERMINALS:-1000} $${LOADTEST_BATCHES:-4} $${LOADTEST_SIZE:-50} $${LOADTEST_INSTITUTIONS:-1} $${LOADTEST_PACE:-0}

soak: prereqs ## The long crash proofs side by side: 200 SIGKILLs of the terminal over 10,000 payments, 100 of the server (SOAK_KILLS, SOAK_PAYMENTS, SOAK_SERVER_KILLS); logs in artifacts/soak
	@CONFIGURATION=$(CONFIGURATION) bash scripts/soak.sh

# A package's version: DEB_VERSION=x.y.z (make deb DEB_VERSION=0.2.0), else Directory.Build.props's; the terminal
# reports the same version to the province, which compares it with its channel's target (docs/fleet-updates.md).
DEB_VERSION ?=

publish-pi: prereqs ## Self-contained linux-arm64 build of the terminal under artifacts/pi (DEB_VERSION=x.y.z sets its version)
	dotnet publish kiosk-app/KioskPos.Terminal -c Release -r linux-arm64 --self-contained true -p:WithSimulators=false $(if $(DEB_VERSION),-p:Version=$(DEB_VERSION)) -o artifacts/pi/terminal --artifacts-path artifacts/pi-build -nologo

publish-aot: ## The terminal as one native executable (linux-x64, native AOT; fails on any trim or AOT warning): artifacts/aot/kioskpos-terminal
	@bash scripts/prereqs.sh aot
	dotnet publish kiosk-app/KioskPos.Terminal -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot --artifacts-path artifacts/aot-build -nologo

deb: publish-pi ## The terminal's Debian package (arm64), versioned by DEB_VERSION: artifacts/kioskpos_<version>_arm64.deb, trusting the province's repository key (scripts/repo-key.sh)
	KIOSKPOS_VERSION=$(DEB_VERSION) bash scripts/deb.sh artifacts/pi/terminal artifacts

repo: prereqs ## The province's signed apt repository of artifacts/kioskpos_*.deb under artifacts/repo (apt-ftparchive, gpg; versions already there are kept)
	bash scripts/repo.sh artifacts artifacts/repo

pi-smoke: publish-pi ## The linux-arm64 terminal under qemu-user against this machine's province server: enrol, /health, one payment (slow; not in make test)
	dotnet build province-server/KioskPos.ProvinceServer -c Release -nologo -v quiet
	bash scripts/pi-smoke.sh

tap: ## Simulate a card tap on a running terminal: make tap CARD=04A1B2C3 [URL=http://127.0.0.1:8081 for the hospital counter]
	@test -n "$(CARD)" || { echo "usage: make tap CARD=04A1B2C3 [URL=http://127.0.0.1:8081]"; exit 2; }
	@dotnet kiosk-app/KioskPos.Terminal/bin/Release/net10.0/kioskpos-terminal.dll tap $(CARD) $(if $(URL),--url $(URL))

prereqs:
	@bash scripts/prereqs.sh

clean:
	dotnet clean KioskPos.sln -nologo -v quiet
	rm -rf artifacts var
