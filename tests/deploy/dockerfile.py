"""A small Dockerfile reader for the deploy checks: stages of (instruction, arguments)."""
import shlex


def stages(text):
    """[{"from": "debian:12", "name": "build", "steps": [("RUN", "..."), ...]}, ...]"""
    lines, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        lines.append(current + line)
        current = ""
    result = []
    for line in lines:
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = arguments.split()
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else None
            result.append({"from": words[0], "name": name, "steps": []})
        else:
            result[-1]["steps"].append((instruction, arguments.strip()))
    return result


def env(stage):
    """The ENV variables a stage sets (KEY=VALUE form)."""
    found = {}
    for instruction, arguments in stage["steps"]:
        if instruction == "ENV":
            for word in shlex.split(arguments):
                key, _, value = word.partition("=")
                found[key] = value
    return found


def apt_packages(stage):
    """Package names given to `apt-get install` in the stage's RUN steps."""
    packages = []
    for instruction, arguments in stage["steps"]:
        if instruction != "RUN":
            continue
        for command in arguments.split("&&"):
            words = command.split()
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1:]
                packages += [w for w in after if not w.startswith("-")]
    return packages
