# Sourced by bench/compare and bench/storm_instructions.sh, from the
# checkout's top, after they set `gen` (compare_load's path) and `root` (the
# checkout): the opeld configuration both benchmark opeld with.
#
# A config derived from the demo one: generated practices, the store in DIR,
# rate limits off, ZeroMQ ingest on ZMQ_PORT (or off), no PUB, the admin
# token only, one webhook subscriber (the receiver) taking both audiences of
# the practice alerts; with BATCH (e.g. "{max: 64}"), the receiver takes
# batches (docs/webhooks.md).
opeld_config() {  # DIR PRACTICES PORT RECEIVER_PORT [ZMQ_PORT [BATCH]]
  local zmq="" batch=""
  [ -n "${5:-}" ] && zmq="tcp://127.0.0.1:$5"
  [ -n "${6:-}" ] && batch="\n    batch: $6"
  "$gen" practices --count "$2" --out "$1/practices.yaml"
  awk '/^tokens:/{skip=1} /^# Webhooks/{skip=0} !skip' config/opeld.yaml |
    sed -e "s#^database: .*#database: $1/opeld.db#" \
        -e "s#^practices: .*#practices: $1/practices.yaml#" \
        -e "s#^rules: ../#rules: $root/#" \
        -e "s#^  listen: .*#  listen: 127.0.0.1:$3#" \
        -e "s#^  ingest: .*#  ingest: \"$zmq\"#" -e 's#^  publish: .*#  publish: ""#' \
        -e 's#^  rate: 50#  rate: 0#' \
        -e "s#^subscribers: \[\]#tokens:\n  - name: bench\n    sha256: cce7a2cf1ae045989cfc914fb95a41526f167a838b3c7d33745143614abace7c\n    role: admin\nsubscribers:\n  - name: bench receiver\n    url: http://127.0.0.1:$4/opel\n    audiences: [primary_care_team, control_room]$batch#" \
    > "$1/opeld.yaml"
}
