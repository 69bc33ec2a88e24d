# Runs /etc/init.d/simquota's config generation (or start_service) off a router, with the stub
# functions.sh beside this file:
#   sh run.sh UCI_DIR generate          # the TOML on stdout
#   sh run.sh UCI_DIR start OUT_TOML    # procd calls on stdout, the TOML written to OUT_TOML
# The init script is sourced as rc.common would: its functions only, nothing runs on load.
here=$(dirname "$0")
UCI_CONFIG_DIR=$1
. "$here/functions.sh"
. "$here/../simquota/files/simquota.init"
case "$2" in
generate) generate_config ;;
start)
	CONF=$3
	start_service
	;;
*) echo "usage: run.sh UCI_DIR generate|start [OUT]" >&2; exit 2 ;;
esac
