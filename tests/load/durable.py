#!/usr/bin/env python3
"""durable.py LOG TARGET...: checks an strace log of fd-load for the
order of its writes: a rename onto a TARGET (the state file, a files
destination's manifest) must come after every write that it may cover
has reached the disk.

The log is of strace -f -y -e trace=write,pwrite64,writev,pwritev,
ftruncate,fsync,fdatasync,mkdir,rename,renameat,renameat2 (-y: the
path of each file descriptor).  A file is dirty from a write to it
until an fsync or fdatasync of it; a directory is dirty from a mkdir,
or a rename, in it until an fsync of it.  At each successful rename
onto a TARGET, anything dirty fails the check: one line per file on
stdout, "LINE: rename onto TARGET before a sync of PATH" (LINE, the
log's line of the rename), and the exit status 1; so does a TARGET
that is never renamed onto (the check would pass by seeing nothing).

Files no crash needs are left out: SQLite's -shm (rebuilt from the
WAL), lock files (a pid), and what is not a path (pipes, terminals) or
under /dev and /proc.  A file made with O_CREAT and never written is
not tracked: a rename that names it makes its directory dirty.
"""
import os
import re
import sys

CALL = re.compile(r'^(?:\[pid\s+)?(\d+)\]?\s+(\w+)\((.*)\)\s+=\s+(-?\d+)')
FD = re.compile(r'^\d+<(.*?)>')
STR = re.compile(r'"((?:[^"\\]|\\.)*)"')


def ignored(path):
    return (not path.startswith('/') or path.startswith('/dev/') or
            path.startswith('/proc/') or path.endswith('-shm') or
            path.endswith('.lock'))


def unescape(s):
    return s.encode('latin-1').decode('unicode_escape').encode(
        'latin-1').decode('utf-8', 'replace')


def lines(log):
    """The calls of the log, each whole: unfinished ones are joined
    with their resumption."""
    pending = {}
    for n, raw in enumerate(open(log, encoding='utf-8',
                                 errors='replace'), 1):
        raw = raw.rstrip('\n')
        m = re.match(r'^(?:\[pid\s+)?(\d+)\]?\s+(.*)$', raw)
        if not m:
            continue
        pid, rest = m.groups()
        if rest.endswith('<unfinished ...>'):
            pending[pid] = rest[:-len('<unfinished ...>')].rstrip()
            continue
        r = re.match(r'^<\.\.\. \w+ resumed>\s?(.*)$', rest)
        if r:
            rest = pending.pop(pid, '') + r.group(1)
        yield n, pid + ' ' + rest


def main():
    log, targets = sys.argv[1], set(sys.argv[2:])
    dirty = {}		# path -> the log line that made it dirty
    seen = set()
    bad = 0
    for n, line in lines(log):
        m = CALL.match(line)
        if not m or int(m.group(4)) < 0:
            continue
        call, args = m.group(2), m.group(3)
        if call in ('write', 'pwrite64', 'writev', 'pwritev', 'ftruncate',
                    'fsync', 'fdatasync'):
            f = FD.match(args)
            if not f or ignored(f.group(1)):
                continue
            if call in ('fsync', 'fdatasync'):
                dirty.pop(f.group(1), None)
            else:
                dirty.setdefault(f.group(1), n)
        elif call == 'mkdir':
            s = STR.search(args)
            if s:
                dirty.setdefault(os.path.dirname(unescape(s.group(1))), n)
        elif call in ('rename', 'renameat', 'renameat2'):
            names = [unescape(s) for s in STR.findall(args)]
            if len(names) < 2:
                continue
            src, dst = names[0], names[1]
            if dst in targets:
                seen.add(dst)
                for path, since in sorted(dirty.items()):
                    print('%d: rename onto %s before a sync of %s '
                          '(dirty since line %d)' % (n, dst, path, since))
                    bad = 1
            for p in (src, dst):
                dirty.setdefault(os.path.dirname(p), n)
            if src in dirty:	# its data, unsynced, under the new name
                dirty[dst] = dirty.pop(src)
    for t in sorted(targets - seen):
        print('no rename onto %s' % t)
        bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main())
