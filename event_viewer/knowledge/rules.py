"""Operator fingerprint rules: a small declarative format, validated, first match wins.

This module owns the rules' format and their matching; ``fingerprint.py``
applies the rule that matches. Rules are data (a list of mappings, as read
from YAML or JSON by the caller)::

    - name: no-backend                          # optional, shown with the fingerprint
      match:
        service: scheduler                       # glob
        event_type: "scheduler.create_volume*"   # glob
        exception: NoValidBackend                # glob (no wildcard: exact)
        message: "re:No weighed backends"        # glob, or "re:" and a regex (searched)
      fingerprint: cinder-no-backend             # a fixed fingerprint, or ...
    - match: {exception: TroveError, message: "Failed to create server*"}
      extend: server                             # ... the default one plus a suffix

Match keys are ``source``, ``service``, ``event_type``, ``exception``,
``message``; every key given must match (case-sensitive), keys not given match
anything. The message is the raw text (not the parameterized one), so a rule
can tell apart what parameterization merges. The first rule that matches an
event decides; rules are evaluated when an event is stored, and changing them
changes no stored fingerprint until someone re-fingerprints (a command).

Regexes are compiled once, and guarded: an operator's regex runs on every
event, on text that users partly choose (a volume's name), so patterns that can
take exponential or high polynomial time (nested or alternated unbounded
repeats, backreferences, more than two unbounded repeats) are refused, and
only the first :data:`MAX_INPUT` characters of a value are matched. Globs are
compiled by :mod:`fnmatch`, whose translation does not backtrack catastrophically.
"""

import dataclasses
import fnmatch
import re

MATCH_KEYS = ("source", "service", "event_type", "exception", "message")
RULE_KEYS = frozenset(("name", "match", "fingerprint", "extend"))
REGEX_PREFIX = "re:"
#: Values are matched up to this length (a regex's cost grows with its input).
MAX_INPUT = 1024
MAX_PATTERN = 1024
MAX_RULES = 1000
MAX_RESULT = 255
#: Unbounded repeats (``*``, ``+``, ``{n,}``) one regex may hold.
MAX_UNBOUNDED = 2
# A bounded repeat this wide counts as unbounded for the checks.
_WIDE = 100

try:  # the parser behind re.compile; private, so the structural check is best effort
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - Python without it: length bound only
    _sre_parser = _sre_constants = None


class RuleError(ValueError):
    """A rule set that cannot be used, and which rule and field is wrong."""


@dataclasses.dataclass(frozen=True)
class Rule:
    """One compiled rule: ``fingerprint`` (fixed) or ``extend`` (suffix), never both."""

    rule_name: str
    matchers: tuple  # ((key, compiled pattern, is_regex), ...)
    fingerprint: str | None = None
    extend: str | None = None

    def matches(self, facts):
        for key, pattern, is_regex in self.matchers:
            value = (facts.get(key) or "")[:MAX_INPUT]
            found = pattern.search(value) if is_regex else pattern.match(value)
            if not found:
                return False
        return True


@dataclasses.dataclass(frozen=True)
class Rules:
    """An ordered, compiled rule set."""

    rules: tuple = ()

    def first_match(self, **facts):
        """The first rule matching ``source``, ``service``, ... (strings), or None."""
        return next((rule for rule in self.rules if rule.matches(facts)), None)

    def __len__(self):
        return len(self.rules)


def compile_rules(data):
    """A :class:`Rules` from a list of rule mappings; :class:`RuleError` says what is wrong."""
    if data is None:
        return Rules()
    if not isinstance(data, list):
        raise RuleError(f"rules must be a list of mappings, not {type(data).__name__}")
    if len(data) > MAX_RULES:
        raise RuleError(f"at most {MAX_RULES} rules, not {len(data)}")
    return Rules(tuple(_compile_rule(index, item) for index, item in enumerate(data, 1)))


def _compile_rule(index, item):
    where = f"rule {index}"
    if not isinstance(item, dict):
        raise RuleError(f"{where}: must be a mapping, not {type(item).__name__}")
    unknown = sorted(set(map(str, item)) - RULE_KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(unknown)}")
    name = item.get("name")
    if name is not None:
        name = _text(name, f"{where}: name", MAX_RESULT)
        where = f"rule {index} ({name})"
    match = item.get("match")
    if not isinstance(match, dict) or not match:
        raise RuleError(f"{where}: 'match' must be a non-empty mapping of {', '.join(MATCH_KEYS)}")
    unknown = sorted(set(map(str, match)) - set(MATCH_KEYS))
    if unknown:
        raise RuleError(f"{where}: unknown match key(s) {', '.join(unknown)}")
    matchers = tuple(
        _matcher(key, _text(match[key], f"{where}: match.{key}", MAX_PATTERN), where)
        for key in MATCH_KEYS
        if key in match
    )
    if ("fingerprint" in item) == ("extend" in item):
        raise RuleError(f"{where}: give exactly one of 'fingerprint' (fixed) or 'extend' (suffix)")
    result = "fingerprint" if "fingerprint" in item else "extend"
    value = _text(item[result], f"{where}: {result}", MAX_RESULT)
    return Rule(
        rule_name=name or f"rule {index}",
        matchers=matchers,
        **{result: value},
    )


def _text(value, where, limit):
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: must be a non-empty string")
    if len(value) > limit:
        raise RuleError(f"{where}: longer than {limit} characters")
    return value


def _matcher(key, pattern, where):
    if not pattern.startswith(REGEX_PREFIX):
        return key, re.compile(fnmatch.translate(pattern)), False
    source = pattern[len(REGEX_PREFIX) :]
    try:
        compiled = re.compile(source)
    except re.error as error:
        raise RuleError(f"{where}: match.{key}: invalid regular expression: {error}") from None
    problem = _regex_problem(source)
    if problem:
        raise RuleError(f"{where}: match.{key}: regular expression refused: {problem}")
    return key, compiled, True


def _regex_problem(source):
    """Why a regex could take too long on a hostile input, or ``""``."""
    if _sre_parser is None:  # pragma: no cover
        return ""
    c = _sre_constants
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT)
    unbounded = 0

    def walk(items, inside_wide):
        nonlocal unbounded
        for op, av in items:
            if op in (c.GROUPREF, c.GROUPREF_EXISTS):
                return "backreferences are not allowed"
            if op in repeats:
                _low, high, body = av
                wide = high == c.MAXREPEAT or high > _WIDE
                if wide and inside_wide:
                    return "a repeat inside a repeat (e.g. (a+)+) can take exponential time"
                unbounded += wide
                problem = walk(body, inside_wide or wide)
            elif op == c.BRANCH:
                if inside_wide:
                    return "an alternation inside a repeat (e.g. (a|ab)*) can take exponential time"
                problem = next((p for p in (walk(b, inside_wide) for b in av[1]) if p), "")
            elif op == c.SUBPATTERN:
                problem = walk(av[-1], inside_wide)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                problem = walk(av[1], inside_wide)
            else:  # literals, sets, anchors; atomic groups and possessive repeats never backtrack
                problem = ""
            if problem:
                return problem
        return ""

    problem = walk(_sre_parser.parse(source), False)
    if not problem and unbounded > MAX_UNBOUNDED:
        problem = f"more than {MAX_UNBOUNDED} unbounded repeats (.*, +) can take polynomial time"
    return problem
