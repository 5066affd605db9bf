# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
BENCH_BUILD_DIR ?= build
DATA_DIR ?= var
# The edX Demo course (CC BY-NC-SA, kept outside the repository).
DEMO_COURSE ?= ../shared/olx/edx-demo-course-quince/course
LISTEN ?= 127.0.0.1:8000
JOBS ?= $(shell nproc)

.PHONY: run build test bench deps format tidy clean

# Installs what is missing, builds in Release, migrates, serves until Ctrl-C.
run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/larch migrate --data-dir $(DATA_DIR)
	@if [ -f $(DEMO_COURSE)/course.xml ]; then \
	  $(BUILD_DIR)/larch import-olx --data-dir $(DATA_DIR) $(DEMO_COURSE); \
	else \
	  echo "note: $(DEMO_COURSE) not found; no demo course imported"; \
	fi
	exec $(BUILD_DIR)/larch serve --data-dir $(DATA_DIR) --listen $(LISTEN)

build:
	@scripts/install_deps.sh run
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DLARCH_BUILD_TESTS=OFF \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@ninja -C $(BUILD_DIR) -j $(JOBS) larch
	@scripts/build_web.sh

# The whole suite: format and layer checks, ASan+UBSan build, unit tests,
# storage conformance on SQLite and a private PostgreSQL server, fuzzers,
# and the HTTP tests against the real binary.
test:
	@scripts/install_deps.sh test
	@scripts/run_tests.sh

bench:
	@scripts/install_deps.sh bench
	@cmake -S . -B $(BENCH_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DLARCH_BUILD_TESTS=OFF \
	  -DLARCH_BUILD_BENCH=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@ninja -C $(BENCH_BUILD_DIR) -j $(JOBS)
	@bench/run.sh $(BENCH_BUILD_DIR)/larch

format:
	@scripts/check_format.sh --fix

tidy:
	@scripts/run_tidy.sh $(TEST_BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
