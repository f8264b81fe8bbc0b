# node_bin MAJOR: the bin folder of a Node MAJOR, installed once from the npm registry's `node` package
# into ~/.cache/rakomi-node<MAJOR> (the machine's own node when it already is that major).
node_bin() {
  local major=$1 cache="${XDG_CACHE_HOME:-$HOME/.cache}/rakomi-node$1"
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    dirname "$(command -v node)"
    return
  fi
  if ! "$cache/node_modules/.bin/node" -v >/dev/null 2>&1; then
    npm install --no-audit --no-fund --no-save --prefix "$cache" "node@$major" >&2 || return 1
  fi
  echo "$cache/node_modules/.bin"
}
