#!/usr/bin/env python3
"""Lists file-local names (in an anonymous namespace, or `static` at namespace scope) that more than
one source file of a group (a folder, or one target's files) defines, and exits 1 if there are any.

The glue folders are compiled a batch of files at a time (cmake/MgscopeUnityBuild.cmake): there the
file-local names of every file in a batch share one namespace. Two definitions of one name with the
same signature fail to compile, but two overloads (num(double) here, num(json, key) there) compile
and a call may silently take the other file's. Keeping each name to one file rules out both,
whichever files a batch happens to hold.

usage: check_unity_names.py GROUP [GROUP ...]
  GROUP: a folder (its *.cpp files, not its subfolders) or a comma-separated list of source files
  (one target's, e.g. a test executable's)
"""
import pathlib
import re
import sys

KEYWORDS_BEFORE_NAME = {"struct", "class", "union", "enum"}
SKIP_WORDS = {"static", "constexpr", "inline", "const", "extern", "thread_local", "unsigned",
              "signed", "long", "short", "volatile", "mutable", "typename", "noexcept", "override",
              "final", "operator"}


def code_only(text):
    """`text` without comments, string and character literals (each kept as an empty "")."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            i = text.find("*/", i + 2)
            i = n if i < 0 else i + 2
        elif text.startswith('R"', i):  # raw string R"delim( ... )delim"
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            out.append('""')
            i = n if end < 0 else end + len(m.group(1)) + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def declared_name(statement):
    """The name a namespace-scope declaration introduces, or None."""
    s = re.sub(r"^template\s*<.*?>\s*", "", statement.strip(), flags=re.S)
    # A using-declaration or alias may be repeated for the same entity; one for another entity
    # does not compile. Neither can change a call silently.
    if not s or re.match(r"(using|namespace|friend|static_assert)\b|#", s):
        return None
    words = re.findall(r"[A-Za-z_]\w*|::|[(=;{<>,\[]", s)
    for k, w in enumerate(words):
        if w in KEYWORDS_BEFORE_NAME:
            rest = [x for x in words[k + 1:] if x not in ("class", "struct")]
            return rest[0] if rest and re.match(r"\w", rest[0]) else None
        if w in "(=;{[":
            prev = [x for x in words[:k] if re.match(r"\w", x) and x not in SKIP_WORDS]
            # "A::f(" defines a member of A, not a file-local name.
            if k >= 2 and words[k - 2] == "::":
                return None
            name = prev[-1] if prev else None
            # TEST(Suite, Name) { ... } and other macros that expand to their own names.
            return None if name and re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and w == "(" and len(prev) == 1 else name
    # "const std::array<int, 2> kSizes" before a brace initialiser: the last word.
    last = [x for x in words if re.match(r"\w", x) and x not in SKIP_WORDS]
    return last[-1] if last else None


def line_at(code, start):
    """The line number of the first character of the statement that begins at or after `start`."""
    while start < len(code) and code[start].isspace():
        start += 1
    return code.count("\n", 0, start) + 1


def file_local_names(path):
    """(name, line) of each file-local definition in the source file at `path`."""
    code = code_only(path.read_text(encoding="utf-8"))
    names, stack, start = [], [], 0  # stack: one entry per open brace, "anon", "ns" or "other"
    i = 0
    while i < len(code):
        c = code[i]
        if c == "#" and (i == 0 or code[i - 1] == "\n"):  # a preprocessor line
            i = code.find("\n", i)
            i = len(code) if i < 0 else i
            start = i
            continue
        at_namespace_scope = all(kind != "other" for kind in stack)
        local = "anon" in stack
        if c == "{":
            head = code[start:i].strip()
            if re.fullmatch(r"(inline\s+)?namespace", head):
                stack.append("anon")
            elif re.fullmatch(r"(inline\s+)?namespace\s+[\w:]+", head) or head.startswith('extern ""'):
                stack.append("ns")
            else:
                if at_namespace_scope and (local or re.match(r"static\b", head)):
                    name = declared_name(head)
                    if name:
                        names.append((name, line_at(code, start)))
                stack.append("other")
            start = i + 1
        elif c == "}":
            if stack:
                stack.pop()
            start = i + 1
        elif c == ";":
            head = code[start:i].strip()
            if at_namespace_scope and head and (local or re.match(r"static\b", head)):
                name = declared_name(head)
                if name:
                    names.append((name, line_at(code, start)))
            start = i + 1
        i += 1
    return names


def main(groups):
    clashes = 0
    for group in groups:
        seen = {}
        paths = ([pathlib.Path(p) for p in group.split(",")] if "," in group or group.endswith(".cpp")
                 else sorted(pathlib.Path(group).glob("*.cpp")))
        for path in paths:
            for name, line in set(file_local_names(path)):
                seen.setdefault(name, []).append(f"{path}:{line}")
        for name, places in sorted(seen.items()):
            files = {p.rsplit(":", 1)[0] for p in places}
            if len(files) > 1:
                clashes += 1
                print(f"{group[:60]}: the file-local name '{name}' is defined in {len(files)} files: "
                      + ", ".join(sorted(places)))
    if clashes:
        print(f"{clashes} file-local name(s) defined in more than one file of a group; rename them, or share "
              "one definition in a header (cmake/MgscopeUnityBuild.cmake says why)")
    return 1 if clashes else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
