# sigah — the two set-up commands (README) and the release bundle.
#   make demo    install what is missing, build, run the main job on the bundled data
#   make test    install what is missing, run the whole test suite
#   make bundle  release binary + the shared libraries a GPU box may lack (dist/)
#   make wheel   the Python package with libsigahc and its libraries (dist/*.whl)
#   make fuzz    each reader's libFuzzer target for five minutes

SWIFT ?= swift
DEBIAN_PACKAGES := ocl-icd-opencl-dev opencl-headers libopenblas-dev pocl-opencl-icd zlib1g-dev libclblast-dev python3-numpy python3-faiss python3-venv libopenmpi-dev openmpi-bin patchelf
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE := .build/release/sigah

.PHONY: deps build demo test fuzz bundle wheel c-api-test clean

# Installs only the Debian packages that are not there yet.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product sigah

demo: build
	$(RELEASE) demo

# Release mode: the numerical tests train on real data, which a debug build runs ~25×
# slower; -enable-testing keeps @testable imports working.
test: deps
	$(SWIFT) test -c release -Xswiftc -enable-testing
	/usr/bin/python3 python/test_encode.py $(RELEASE)  # Debian's interpreter, with Debian's NumPy and Faiss
	scripts/wheel.sh
	$(MAKE) --no-print-directory c-api-test
	scripts/test-wheel.sh
	scripts/test-bundle.sh
	scripts/fuzz.sh runs 10000

# The C API from C, linked against the library the wheel carries.
WHEEL_LIB := .build-wheel/sigah/_lib
c-api-test:
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -Iinclude Tests/C/api_test.c -L$(WHEEL_LIB) -lsigahc \
	  -Wl,-rpath,$(CURDIR)/$(WHEEL_LIB) -lm -o .build-wheel/api_test
	folder=$$(mktemp -d) && .build-wheel/api_test $$folder && rm -rf $$folder

wheel: deps
	scripts/wheel.sh

fuzz: deps
	scripts/fuzz.sh seconds 300

bundle: deps
	@command -v patchelf >/dev/null || { $(SUDO) apt-get install -y -qq patchelf; }
	scripts/bundle.sh

clean:
	rm -rf .build .build-bundle .build-wheel .build-fuzz dist fuzz-crashes
