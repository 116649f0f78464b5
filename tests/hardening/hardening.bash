# hardening.bash: helpers of the hardening suites ("load hardening").

# b64 TEXT: TEXT in base64 on one line
b64() {
	printf '%s' "$1" | base64 -w0
}

# secret_forms KEY: the key and its HTTP Basic forms (key:X, key:, the
# key alone, base64), one per line
secret_forms() {
	printf '%s\n' "$1" "$(b64 "$1:X")" "$(b64 "$1:")" "$(b64 "$1")"
}

# scan_secrets KEY PATH...: fails, naming the file and the form, when
# any file under PATHs holds KEY or a Basic form of it (binary files,
# SQLite databases and journals included)
scan_secrets() {
	local k="$1" s hits
	shift
	while IFS= read -r s; do
		if hits=$(grep -rlaF -- "$s" "$@" 2>/dev/null) && [ -n "$hits" ]; then
			echo "secret ($s) found in: $hits" >&2
			return 1
		fi
	done < <(secret_forms "$k")
	return 0
}

# ps_watch FILE: samples the command line of every process on the
# machine into FILE ("/proc/PID/cmdline:arg arg ...", one process a
# line) every 10 ms until FILE.stop exists; run in the background.  One
# grep a sweep: the machine may run hundreds of processes.
ps_watch() {
	local f="$1"
	: >"$f"
	while [ ! -e "$f.stop" ]; do
		{ grep -a -H '' /proc/[0-9]*/cmdline | tr '\0' ' '; } \
		    >>"$f" 2>/dev/null || :
		sleep 0.01
	done
	return 0
}
