#!/usr/bin/env bash
# Java 17 or newer for pyspark 4 (`make test-scale`, `make bench`): installs Debian's
# headless OpenJDK 17 when `java` is missing or older (needs root, as the other
# installing targets do).
set -euo pipefail
major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1; }
have=$(command -v java >/dev/null 2>&1 && major || true)
if [ -n "$have" ] && [ "$have" -ge 17 ]; then
  echo "java: $have (>= 17)"
  exit 0
fi
echo "java: ${have:-missing}; installing openjdk-17-jre-headless"
if [ "$(id -u)" != 0 ]; then
  echo "ensure-java.sh: Java 17 is needed and installing it needs root" >&2
  exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless
echo "java: $(major)"
