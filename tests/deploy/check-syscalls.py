#!/usr/bin/python3
"""Holds a strace log of prodmcp-server against the sandbox of its systemd unit, for what cannot be
tried without systemd as PID 1: every system call is in the unit's SystemCallFilter, every socket
family in RestrictAddressFamilies, no memory is mapped writable and executable
(MemoryDenyWriteExecute), and nothing is written outside WRITABLE_DIR (ProtectSystem=strict).
   check-syscalls.py UNIT_FILE STRACE_LOG WRITABLE_DIR"""
import re
import subprocess
import sys

# Allowed by systemd whatever the filter says (systemd.exec(5), SystemCallFilter=).
ALWAYS_ALLOWED = {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}


def unit_settings(path):
    settings = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def syscall_groups():
    """{"@group": {members, including @subgroups}} from systemd-analyze's own table."""
    text = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
    groups, current = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.split()[0], set())
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.add(line.split()[0])
    return groups


def expand(names, groups):
    result = set()
    for name in names:
        if name.startswith("@"):
            result |= expand(groups[name], groups)
        else:
            result.add(name)
    return result


def main():
    unit, log, writable = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/") + "/"
    settings = unit_settings(unit)
    groups = syscall_groups()
    allowed = set(ALWAYS_ALLOWED)
    filters = settings.get("SystemCallFilter", [])
    if not filters or filters[0].startswith("~"):
        sys.exit("FAIL: the unit needs an allow-list SystemCallFilter= first")
    for value in filters:
        names = expand(value.lstrip("~").split(), groups)
        allowed = allowed - names if value.startswith("~") else allowed | names
    families = set(" ".join(settings.get("RestrictAddressFamilies", [])).split())
    no_wx = settings.get("MemoryDenyWriteExecute", ["no"])[-1] == "yes"

    used, problems = set(), []
    for line in open(log):
        match = re.match(r"\d+\s+([a-z_0-9]+)\((.*)", line)
        if not match:
            continue
        call, args = match.groups()
        used.add(call)
        if call == "socket":
            family = args.split(",")[0]
            if family not in families:
                problems.append(f"socket family {family} is not in RestrictAddressFamilies: {line.strip()}")
        if no_wx and call in ("mmap", "mprotect", "pkey_mprotect") and "PROT_WRITE" in args and "PROT_EXEC" in args:
            problems.append(f"writable+executable memory (MemoryDenyWriteExecute=yes): {line.strip()}")
        path = re.match(r'(?:AT_FDCWD, )?"([^"]*)"', args.split(", ", 1)[1] if call in ("openat", "renameat", "renameat2", "unlinkat", "mkdirat") else args)
        writes = call in ("rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "creat", "truncate") \
            or (call in ("open", "openat") and re.search(r"O_WRONLY|O_RDWR|O_CREAT", args))
        if writes and path and not path.group(1).startswith(writable):
            problems.append(f"writes outside the writable directories (ProtectSystem=strict): {line.strip()}")
    for call in sorted(used - allowed):
        problems.append(f"system call {call} is not allowed by SystemCallFilter (it would fail with EPERM)")
    if problems:
        print("\n".join("FAIL: " + p for p in problems))
        sys.exit(1)
    print(f"syscalls: ok ({len(used)} distinct system calls, all allowed by the unit's filter of {len(allowed)})")


if __name__ == "__main__":
    main()
