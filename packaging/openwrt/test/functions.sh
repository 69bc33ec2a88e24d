# A small stand-in for OpenWrt's /lib/functions.sh UCI API and /lib/functions/procd.sh, only to
# test /etc/init.d/simquota off a router. It reads UCI files the way `uci export` output is read
# on OpenWrt: the file is shell, with `config`, `option` and `list` as functions. Anonymous
# sections get generated names; lists keep their order. procd_* calls are printed, one a line.
# Not covered: uci's own parser (odd quoting it would normalise), /var/state overlays, hotplug.

CONFIG_SECTIONS=
_anon=0

config() {
	_type=$1
	_name=$2
	if [ -z "$_name" ]; then
		_anon=$((_anon + 1))
		_name="cfg$(printf '%06x' "$_anon")"
	fi
	CONFIG_SECTION=$_name
	CONFIG_SECTIONS="${CONFIG_SECTIONS:+$CONFIG_SECTIONS }$_name"
	eval "CONFIG_${_name}_TYPE=\$_type"
}

option() {
	eval "CONFIG_${CONFIG_SECTION}_$1=\$2"
}

list() {
	eval "_n=\${CONFIG_${CONFIG_SECTION}_$1_LENGTH:-0}"
	_n=$((_n + 1))
	eval "CONFIG_${CONFIG_SECTION}_$1_ITEM$_n=\$2"
	eval "CONFIG_${CONFIG_SECTION}_$1_LENGTH=\$_n"
}

package() { :; }

config_load() {
	CONFIG_SECTIONS=
	_anon=0
	[ -f "$UCI_CONFIG_DIR/$1" ] || return 0
	. "$UCI_CONFIG_DIR/$1"
}

config_get() {
	eval "_v=\${CONFIG_$2_$3-}"
	[ -n "$_v" ] || _v=$4
	eval "$1=\$_v"
}

config_get_bool() {
	config_get _gb "$2" "$3"
	case "$_gb" in
	1|on|true|yes|enabled) _gb=1 ;;
	0|off|false|no|disabled) _gb=0 ;;
	*) _gb=$4 ;;
	esac
	eval "$1=\$_gb"
}

config_foreach() {
	_f=$1
	_t=$2
	for _s in $CONFIG_SECTIONS; do
		eval "_st=\$CONFIG_${_s}_TYPE"
		[ -n "$_t" ] && [ "$_st" != "$_t" ] && continue
		"$_f" "$_s"
	done
}

config_list_foreach() {
	eval "_len=\${CONFIG_$1_$2_LENGTH:-0}"
	_i=1
	while [ "$_i" -le "$_len" ]; do
		eval "_item=\$CONFIG_$1_$2_ITEM$_i"
		"$3" "$_item"
		_i=$((_i + 1))
	done
}

procd_open_instance() { echo "procd_open_instance"; }
procd_close_instance() { echo "procd_close_instance"; }
procd_set_param() { echo "procd_set_param $*"; }
procd_append_param() { echo "procd_append_param $*"; }
procd_add_reload_trigger() { echo "procd_add_reload_trigger $*"; }
