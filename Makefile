# The map of the project: `make help` lists every target. Outputs are file targets with their
# real prerequisites, so an unchanged cohort is not rebuilt and cohorts build in parallel (`make
# report` does on its own, below; `make -j2 report pooled` for more goals at once).

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.SECONDEXPANSION:
# Keep every output even when only another rule asked for it (make would delete "intermediates").
.SECONDARY:

# Some machines set PYTHONDONTWRITEBYTECODE: then every run recompiles pandas and statsmodels
# from source (10 s an import). The venv is compiled at install; let our own code cache too.
unexport PYTHONDONTWRITEBYTECODE

PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
ANALYSIS := $(PY) -m analysis
STAMP    := $(VENV)/.installed
# Each stage depends on the folders of src/analysis it imports (tests/test_layout.py checks these
# against the imports and the flow rules), so editing a figure re-renders reports without
# re-cleaning every cohort. The shared modules (codebook, features, errors, outputs, runner,
# provenance) sit at the top of src/analysis; commands.py is left out: a command's printout
# changes no output.
stage = $(wildcard $(foreach f,$(1),src/analysis/$(f)/*.py src/analysis/$(f)/*.yml))
SHARED_SRC  := $(filter-out src/analysis/commands.py,$(wildcard src/analysis/*.py src/analysis/*.yml))
CLEAN_SRC   := $(SHARED_SRC) $(call stage,ingest) $(wildcard src/analysis/ingest/templates/*)
MODEL_SRC   := $(SHARED_SRC) $(call stage,models privacy)
REPORT_SRC  := $(SHARED_SRC) $(call stage,report privacy)
PRIVACY_SRC := $(SHARED_SRC) $(call stage,privacy ingest)
PLANNING_SRC := $(MODEL_SRC) $(REPORT_SRC) $(call stage,planning)

# Every folder under data/raw with a cohort.yml is a cohort; COHORT=<id> builds just one.
# A folder `make cohort` started whose cohort.yml still has "ISI: ..." placeholders is not built
# by a plain `make report` (it would stop every other cohort's build); it is named instead, and
# `make report COHORT=<id>` or `make check COHORT=<id>` says what is still to fill in.
# (the rule of cohort.PLACEHOLDER: a value that starts with "ISI:", quoted or not, any case)
STARTED     := $(patsubst data/raw/%/cohort.yml,%,$(shell grep -lisE \
                 '^[^#]*(:|-)[[:space:]]+.?isi:' data/raw/*/cohort.yml 2>/dev/null))
ALL_COHORTS := $(filter-out $(STARTED),$(patsubst data/raw/%/cohort.yml,%,$(wildcard data/raw/*/cohort.yml)))
ifneq ($(STARTED),)
ifeq ($(COHORT),)
$(info note: not built, cohort.yml still to fill in: $(STARTED) (make check COHORT=<id> says what is missing))
endif
endif
COHORTS     := $(if $(COHORT),$(COHORT),$(ALL_COHORTS))

# A plain `make report` builds one cohort per core (the four demo cohorts: README's time), each
# cohort's console lines kept together. Only when report is the one goal (`make clean report`
# in parallel would race); a -j on the command line wins (`make -j1 report`: one at a time).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
ifeq ($(MAKECMDGOALS),report)
MAKEFLAGS += -j$(JOBS) --output-sync=target
endif
LANGS       := id en

# A cohort's raw files reach make as one file, data/interim/<cohort>/raw-files.txt: each raw
# file's name, size and time, rewritten only when one of them changes. File names (WhatsApp
# names its exports after the group: spaces, brackets, any Unicode) never enter a prerequisite
# list, so any name builds; a new, changed or removed raw file rebuilds the cohort.
RAW_MANIFEST = data/interim/$(1)/raw-files.txt
report_files = $(foreach c,$(COHORTS),reports/$(c)/report.html reports/$(c)/report.pdf \
                 reports/$(c)/report.en.html reports/$(c)/report.en.pdf reports/$(c)/privacy.ok)
team_files = $(foreach c,$(COHORTS),reports/$(c)/team/report.html reports/$(c)/team/report.pdf \
               reports/$(c)/team/report.en.html reports/$(c)/team/report.en.pdf \
               reports/$(c)/team/privacy.ok)
pooled_team_files = $(foreach f,report.html report.pdf report.en.html report.en.pdf \
  notebooks/10_pooled.id.ipynb notebooks/10_pooled.en.ipynb privacy.ok,reports/pooled/team/$(f))

.PHONY: FORCE help cohort report team check test test-fast bench validate pooled power explore lab data strip clean clean-venv venv

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  COHORT=<id>       with report: build one cohort (folders under data/raw/)"

venv: $(STAMP) ## create or refresh .venv from requirements.lock (runtime and dev: reports and tests)

$(STAMP): requirements.lock pyproject.toml scripts/bootstrap-venv.sh
	PYTHON=$(PYTHON) bash scripts/bootstrap-venv.sh

report: $(report_files) reports/index.html reports/privacy.ok ## build every cohort's report (HTML + PDF, id + en)

# The evaluation team's edition (report/editions.py): every count shown (no disclosure hiding),
# "restricted" on the cover and every page; never linked from reports/index.html.
team: $(team_files) $(if $(COHORT),,$(pooled_team_files)) ## the evaluation team's edition of each cohort's report and of the pooled report, every count shown: reports/<cohort>/team/ (COHORT=<id> for one cohort, no pooled)

# Without ID it says how to call it (and does not build .venv first).
cohort: $(if $(ID),$(STAMP)) ## start data/raw/<ID>/ for a new cohort, to fill in: make cohort ID=2024-03-bekasi
	@if [ -z "$(ID)" ]; then echo "usage / cara pakai: make cohort ID=2024-03-bekasi" \
	  "(huruf, angka, - dan _ / letters, digits, - and _)" >&2; exit 2; fi
	@$(ANALYSIS) new-cohort --data-dir $(CURDIR)/data -- '$(ID)'

check: $(STAMP) ## list every problem in each cohort's raw files at once (COHORT=<id> for one)
	$(ANALYSIS) check $(COHORTS) --data-dir $(CURDIR)/data

# -m "": every marker (e2e and slow too), whatever PYTEST_ADDOPTS says
test: $(STAMP) ## run the tests (unit, bad input, end to end, JupyterLab in Chromium)
	@bash scripts/need-chromium.sh
	$(PY) -m pytest -m ""

# on both cores (pytest-xdist; each worker builds its own session fixtures in its own tmp folder)
test-fast: $(STAMP) ## the edit loop: unit and bad-input tests (no end-to-end builds, no slow fits)
	$(PY) -m pytest -q -n 2 -m "not e2e and not slow" -p no:cacheprovider

bench: $(STAMP) ## time our WhatsApp parser against whatstk; the scale table (1k/10k/100k participants); the joint disclosure control (2/10/50 cohorts)
	$(PY) -m uv pip install --quiet --python $(PY) -r benchmarks/requirements-bench.lock
	$(PY) benchmarks/chat_parsers.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/bench_joint_disclosure.py --release

validate: $(STAMP) ## simulation study: bias and interval coverage of every reported model, n = 48 and 150 (about 8 minutes)
	$(ANALYSIS) validate --replications 1000 --sizes 48 150

explore: $(foreach c,$(ALL_COHORTS),data/processed/$(c)/participants.parquet) $(STAMP) ## run notebooks/30_explore (any formula) into reports/explore, privacy-checked
	$(ANALYSIS) run-notebook notebooks/30_explore.ipynb reports/explore/30_explore.ipynb \
	  -p data_dir $(CURDIR)/data
	$(foreach c,$(ALL_COHORTS),$(ANALYSIS) check-privacy $(c) --also reports/explore &&) true

lab: $(STAMP) ## open JupyterLab on the notebooks, with the project's environment
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

data: $(STAMP) ## regenerate the synthetic demo cohorts in data/raw
	$(ANALYSIS) generate --out data/raw

strip: $(STAMP) ## clear outputs from notebooks/ before committing (they can hold participant data)
	$(VENV)/bin/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb

clean: ## remove processed data, interim PII and reports (raw data is never touched)
	rm -rf data/processed data/interim reports

clean-venv: ## remove .venv as well
	rm -rf $(VENV)

# 01: raw -> processed. One run writes all of these (a grouped pattern rule).
data/processed/%/participants.parquet data/processed/%/person_period.parquet \
data/processed/%/activity.parquet data/processed/%/responsiveness.parquet \
data/processed/%/quality.json data/processed/%/cohort.json reports/%/notebooks/01_clean.ipynb \
data/interim/%/chat_people.csv: $$(call RAW_MANIFEST,$$*) notebooks/01_clean.ipynb $(CLEAN_SRC) \
  $(STAMP)
	$(ANALYSIS) run-notebook notebooks/01_clean.ipynb reports/$*/notebooks/01_clean.ipynb \
	  -p cohort $* -p data_dir $(CURDIR)/data
	$(ANALYSIS) quality-summary $* --data-dir $(CURDIR)/data

# Always run; the file changes only when the raw folder does (make then compares its time).
data/interim/%/raw-files.txt: FORCE
	@mkdir -p $(@D) && find "data/raw/$*" -type f ! -name synthetic_truth.json \
	  -printf '%P\t%s\t%T@\n' | LC_ALL=C sort > "$@.tmp" && \
	  if cmp -s "$@.tmp" "$@"; then rm -f "$@.tmp"; else mv -f "$@.tmp" "$@"; fi

FORCE:

# 02: processed -> results.json
reports/%/results.json reports/%/notebooks/02_dropout_model.ipynb: \
  data/processed/%/participants.parquet data/processed/%/person_period.parquet \
  data/processed/%/activity.parquet data/processed/%/responsiveness.parquet \
  data/processed/%/quality.json data/processed/%/cohort.json notebooks/02_dropout_model.ipynb \
  $(MODEL_SRC) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/02_dropout_model.ipynb \
	  reports/$*/notebooks/02_dropout_model.ipynb --settings data/processed/$*/cohort.json \
	  -p cohort $* -p data_dir $(CURDIR)/data -p reports_dir $(CURDIR)/reports

# 03: results.json -> report, in Indonesian (report.*) and English (report.en.*)
reports/%/report.html reports/%/report.pdf reports/%/notebooks/03_report.id.ipynb: \
  reports/%/results.json notebooks/03_report.ipynb $(REPORT_SRC) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/03_report.ipynb reports/$*/notebooks/03_report.id.ipynb \
	  -p cohort $* -p reports_dir $(CURDIR)/reports -p lang id -p project_root $(CURDIR)
	$(ANALYSIS) render $* --lang id --reports-dir reports

reports/%/report.en.html reports/%/report.en.pdf reports/%/notebooks/03_report.en.ipynb: \
  reports/%/results.json notebooks/03_report.ipynb $(REPORT_SRC) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/03_report.ipynb reports/$*/notebooks/03_report.en.ipynb \
	  -p cohort $* -p reports_dir $(CURDIR)/reports -p lang en -p project_root $(CURDIR)
	$(ANALYSIS) render $* --lang en --reports-dir reports

# The evaluation team's edition, from the same results.json, notebook and render path, into
# reports/<cohort>/team/ (its executed notebooks in team/notebooks/). These rules' stem is the
# cohort (shorter than the report rules' "<cohort>/team"), so make picks them for team/ files.
reports/%/team/report.html reports/%/team/report.pdf reports/%/team/notebooks/03_report.id.ipynb: \
  reports/%/results.json notebooks/03_report.ipynb $(REPORT_SRC) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/03_report.ipynb reports/$*/team/notebooks/03_report.id.ipynb \
	  -p cohort $* -p reports_dir $(CURDIR)/reports -p lang id -p project_root $(CURDIR) \
	  -p edition team
	$(ANALYSIS) render $* --lang id --edition team --reports-dir reports

reports/%/team/report.en.html reports/%/team/report.en.pdf reports/%/team/notebooks/03_report.en.ipynb: \
  reports/%/results.json notebooks/03_report.ipynb $(REPORT_SRC) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/03_report.ipynb reports/$*/team/notebooks/03_report.en.ipynb \
	  -p cohort $* -p reports_dir $(CURDIR)/reports -p lang en -p project_root $(CURDIR) \
	  -p edition team
	$(ANALYSIS) render $* --lang en --edition team --reports-dir reports

# The pooled report's team edition: what the public pooled build wrote (reports/pooled/
# results.json), every count shown. An explicit rule, so the cohort pattern rules above never
# take `pooled` for a cohort.
$(pooled_team_files) &: reports/pooled/report.html notebooks/10_pooled.ipynb $(PLANNING_SRC) \
  $(STAMP)
	$(foreach l,$(LANGS),$(ANALYSIS) run-notebook notebooks/10_pooled.ipynb \
	  reports/pooled/team/notebooks/10_pooled.$(l).ipynb -p data_dir $(CURDIR)/data \
	  -p reports_dir $(CURDIR)/reports -p lang $(l) -p edition team && \
	  $(ANALYSIS) render pooled --lang $(l) --notebook 10_pooled --edition team \
	  --reports-dir reports &&) true
	$(call check_all_reports,reports/pooled/team)
	echo "no roster name or phone of any cohort found under reports/pooled/team/" > reports/pooled/team/privacy.ok

# The leak check reads every output of the cohort; the build fails on any roster name or phone.
reports/%/privacy.ok: reports/%/report.html reports/%/report.pdf reports/%/report.en.html \
  reports/%/report.en.pdf reports/%/results.json data/processed/%/participants.parquet \
  data/interim/%/chat_people.csv \
  $(PRIVACY_SRC)
	$(ANALYSIS) check-privacy $* --data-dir $(CURDIR)/data --reports-dir $(CURDIR)/reports --stamp $@

# The team edition's files (reports, executed notebooks) pass the same leak check: every
# cohort's roster, as reports/privacy.ok reads every file under reports/ (which a team build
# does not rebuild), over team/ alone (the cohort's other outputs have their own stamps).
reports/%/team/privacy.ok: reports/%/team/report.html reports/%/team/report.pdf \
  reports/%/team/report.en.html reports/%/team/report.en.pdf \
  data/interim/%/chat_people.csv $(PRIVACY_SRC)
	$(ANALYSIS) check-privacy $(sort $* $(ALL_COHORTS)) --data-dir $(CURDIR)/data \
	  --reports-dir $(CURDIR)/reports --only-also --also reports/$*/team --stamp $@

# Every roster's names and phones, searched for in every file under reports/ (a cross-cohort
# report, the index, another cohort's folder): `make report` fails on any hit.
# One run reads each file once for every roster.
check_all_reports = $(if $(ALL_COHORTS),$(ANALYSIS) check-privacy $(ALL_COHORTS) \
  --data-dir $(CURDIR)/data --reports-dir $(CURDIR)/reports $(foreach p,$(1),--also $(p)),true)

# (make pooled / make power run the same check on what they write)
reports/privacy.ok: $(report_files) reports/index.html $(PRIVACY_SRC)
	$(call check_all_reports,reports)
	echo "no roster name or phone of any cohort found under reports/" > $@

planning_files = reports/$(1)/report.html reports/$(1)/report.pdf reports/$(1)/report.en.html \
  reports/$(1)/report.en.pdf reports/$(1)/notebooks/$(2).id.ipynb reports/$(1)/notebooks/$(2).en.ipynb

pooled: $(call planning_files,pooled,10_pooled) ## every cohort together: what we know so far, every breakdown (protected with all reports), the pooled model, id + en

# Explicit rules with several outputs need "&:" (grouped targets), or make runs them per output.
# Each language's notebook runs once; then the privacy check (every roster) and the index; then,
# when it covers new cohorts, what the report shows is kept as the next release
# (data/releases/pooled-<n>.json: every later pooled report is protected against it). The
# outputs are touched after, so a new record does not rebuild them.
RELEASES := $(wildcard data/releases/pooled-*.json)
$(call planning_files,pooled,10_pooled) &: \
  $(foreach c,$(ALL_COHORTS),data/processed/$(c)/participants.parquet reports/$(c)/results.json) \
  $(RELEASES) notebooks/10_pooled.ipynb $(PLANNING_SRC) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/10_pooled.ipynb reports/pooled/notebooks/10_pooled.id.ipynb \
	  -p data_dir $(CURDIR)/data -p reports_dir $(CURDIR)/reports -p lang id
	$(ANALYSIS) render pooled --lang id --notebook 10_pooled --reports-dir reports
	$(ANALYSIS) run-notebook notebooks/10_pooled.ipynb reports/pooled/notebooks/10_pooled.en.ipynb \
	  -p data_dir $(CURDIR)/data -p reports_dir $(CURDIR)/reports -p lang en
	$(ANALYSIS) render pooled --lang en --notebook 10_pooled --reports-dir reports
	$(call check_all_reports,reports/pooled)
	$(ANALYSIS) index --reports-dir reports
	$(ANALYSIS) record-release --reports-dir reports --releases-dir data/releases
	touch $(call planning_files,pooled,10_pooled)

power: $(call planning_files,power,20_power) ## participants needed for 80% power, by simulation (about a minute), id + en

# The English run reuses the simulation the Indonesian run wrote (same parameters).
$(call planning_files,power,20_power) &: \
  notebooks/20_power.ipynb $(PLANNING_SRC) $(call stage,synthetic) $(STAMP)
	$(ANALYSIS) run-notebook notebooks/20_power.ipynb reports/power/notebooks/20_power.id.ipynb \
	  -p reports_dir $(CURDIR)/reports -p lang id
	$(ANALYSIS) render power --lang id --notebook 20_power --reports-dir reports
	$(ANALYSIS) run-notebook notebooks/20_power.ipynb reports/power/notebooks/20_power.en.ipynb \
	  -p reports_dir $(CURDIR)/reports -p lang en -p reuse_results true
	$(ANALYSIS) render power --lang en --notebook 20_power --reports-dir reports
	$(call check_all_reports,reports/power)
	$(ANALYSIS) index --reports-dir reports

# The reports across cohorts are not cohorts: their results come from their own rules above, never
# from the cohort pattern rules (which would look for data/processed/pooled/).
reports/pooled/results.json reports/power/results.json: ;

reports/index.html: $(foreach c,$(COHORTS),reports/$(c)/results.json) \
  $(wildcard reports/pooled/results.json reports/power/results.json) $(REPORT_SRC) $(STAMP)
	$(ANALYSIS) index --reports-dir reports

print-%: # for tests: the value of a Makefile variable
	@echo $($*)
