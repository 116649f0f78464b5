# warehouse.bash: a csv: or jsonl: tree into PostgreSQL as a warehouse
# loads it, by the recipe of fd-load.1 (EXAMPLES), for the suites that
# check the files against SQLite or the simulator's truth
# ("load ../load/warehouse"; tests/pg.bash's server must run):
#
#   warehouse FMT [DIR]  a new database $WH; in its schema "raw", a table
#                        per manifest table, typed as its schema.json
#                        says, holding every live file of DIR (default
#                        $T/FMT) copied with the file's columns (CSV
#                        HEADER) or through jsonb (JSONL), and a view
#                        "<table>_now" of the latest version of each
#                        root row and of its child rows; in schema
#                        "public", table "<table>" holds that view's rows
#   W                    warehouse.py (its checks of files and tables)

W="$FD_TOP/tests/load/warehouse.py"
TYPES='{"INTEGER": "bigint", "FLOAT": "float8", "BOOLEAN": "boolean", "STRING": "text", "TIMESTAMP": "timestamptz", "JSON": "jsonb", "NUMERIC": "numeric"}'

create_tables() {	# DIR
	jq -r --argjson ty "$TYPES" '.tables | to_entries[] |
	    "create table \"\(.key)\" (\(.value.columns |
	    map("\"\(.name)\" \($ty[.type])") | join(", ")));"' "$1/_fd_manifest.json"
}
copy_csv() {		# DIR
	jq -r --arg d "$1" '.tables | to_entries[] | .key as $t | .value as $e |
	    $e.files[] | "\\copy \"\($t)\" (\($e.columns[:$e.widths[.]] |
	    map("\"\(.name)\"") | join(", "))) from '\''\($d)/\($e.dir)/\(.)'\'' csv header"' \
	    "$1/_fd_manifest.json"
}
copy_jsonl() {		# DIR
	echo 'create temporary table lines (doc jsonb);'
	jq -r --arg d "$1" '.tables | to_entries[] | .key as $t | .value as $e |
	    $e.files[] | "truncate lines;",
	    "\\copy lines from '\''\($d)/\($e.dir)/\(.)'\'' (format csv, quote e'\''\\x01'\'', delimiter e'\''\\x02'\'')",
	    "insert into \"\($t)\" select (jsonb_populate_record(null::\"\($t)\", doc)).* from lines;"' \
	    "$1/_fd_manifest.json"
}
views() {		# DIR
	jq -r '.tables as $all | $all | to_entries | sort_by(.value.kind != "root")[] |
	    .key as $t | .value as $e | $all[$e.root] as $r |
	    ($e.key | map("\"\(.)\"") | join(", ")) as $k |
	    if $e.disposition == "merge" and ($r.key | length) > 0 then
		if $e.kind == "root" then
		    "create view \"\($t)_now\" as select distinct on (\($k)) * from \"\($t)\" order by \($k), _fd_load_id desc, _fd_seq desc;"
		else
		    "create view \"\($t)_now\" as select c.* from \"\($t)\" c join \"\($e.root)_now\" r on c._fd_root_id = r._fd_id and c._fd_load_id = r._fd_load_id and c._fd_seq = r._fd_seq;"
		end
	    else "create view \"\($t)_now\" as select * from \"\($t)\";" end' "$1/_fd_manifest.json"
}
latest() {		# DIR: the views' rows as tables of schema public
	jq -r '.tables | keys[] |
	    "create table public.\"\(.)\" as select * from raw.\"\(.)_now\";"' \
	    "$1/_fd_manifest.json"
}

warehouse() {
	local dir=${2:-$T/$1}
	WH=w_$1_$BATS_TEST_NUMBER
	createdb -h "$PGHOST" -U fd "$WH"
	{
		echo 'create schema raw; set search_path = raw;'
		create_tables "$dir"
		"copy_$1" "$dir"
		views "$dir"
		latest "$dir"
	} >"$T/$1.sql"
	psql -X -q -v ON_ERROR_STOP=1 -d "$WH" -f "$T/$1.sql"
}
