# account_dunning: run it, test it, measure it. See README.rst.
PYTHON ?= python3
export PYTHON

.PHONY: test run stop pot bench cycle
test:
	bash tools/test.sh

run:
	bash tools/run.sh

stop:
	bash tools/pg.sh stop

bench:
	bash tools/bench.sh

# Install, update, uninstall, reinstall, with and without demo data (tier 4 of `make test`).
cycle:
	bash tools/cycle.sh

# Export the translation template from a database with the addon installed.
pot:
	bash tools/export_pot.sh
