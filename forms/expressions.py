"""XLSForm expressions (`relevant`, `constraint`, `calculation`, `choice_filter`, `required`):
XPath 1.0 as ODK uses it, parsed and evaluated over a participant's answers.

Why not elementpath: it lets a caller add functions only to its XPath 2.0+ parsers, whose typed
comparisons (`'1' = 1` is an error there) and `if ... then ... else` syntax are not the XPath 1.0
that forms are written in (`if(c, a, b)`, `${age} = '18'`); a small parser of the subset forms use
keeps XPath 1.0's conversions exactly.

Values are what XPath 1.0 has: strings, numbers (float) and booleans, plus dates as ODK adds
them. An answer is read as its node's string value: a `multiple` answer is its choice ids
separated by spaces (so `selected()` works), a number stays a number, no answer is ''.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Value = str | float | bool | datetime.date


class ExpressionError(ValueError):
    """An expression that cannot be read or run, with where in it the trouble is."""


# -- reading -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<ref>\$\{\s*[^}\s]+\s*\})
    | (?P<op>!=|<=|>=|//|\.\.|[=<>+\-*|(),/\[\]@.])
    | (?P<name>[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)
    )""",
    re.X,
)
_WORDS = {"and", "or", "div", "mod"}


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: an operator, a function call, a literal or a reference."""

    kind: str  # "num" "str" "ref" "field" "current" "op" "neg" "call"
    value: object = None
    args: tuple[Node, ...] = field(default=())


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            raise ExpressionError(
                f"cannot read {text[pos:].strip()[:20]!r} (at character {pos + 1})"
            )
        kind = found.lastgroup or ""
        out.append((kind, found[kind], found.start(kind)))
        pos = found.end()
    return out


class _Parser:
    """A precedence-climbing parser of XPath 1.0 expressions as forms write them."""

    _LEVELS: tuple[frozenset[str], ...] = (
        frozenset({"or"}),
        frozenset({"and"}),
        frozenset({"=", "!="}),
        frozenset({"<", "<=", ">", ">="}),
        frozenset({"+", "-"}),
        frozenset({"*", "div", "mod"}),
    )

    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.i = text, _tokens(text), 0

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self.binary(0)
        if self.i < len(self.tokens):
            _, value, pos = self.tokens[self.i]
            raise ExpressionError(f"unexpected {value!r} at character {pos + 1}")
        return node

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def operator(self) -> str | None:
        token = self.peek()
        if token is None:
            return None
        kind, value, _ = token
        if kind == "op" or (kind == "name" and value in _WORDS):
            return value
        return None

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None or token[1] != value:
            got = f"{token[1]!r} at character {token[2] + 1}" if token else "the end"
            raise ExpressionError(f"expected {value!r}, found {got}")
        self.i += 1

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (op := self.operator()) in self._LEVELS[level]:
            self.i += 1
            node = Node("op", op, (node, self.binary(level + 1)))
        return node

    def unary(self) -> Node:
        if self.operator() == "-":
            self.i += 1
            token = self.peek()
            if token is None or token[0] != "number":
                # The phone's engine (openrosa-xpath-evaluator) negates numbers only.
                raise ExpressionError("a minus sign may only stand before a number; write 0 - x")
            return Node("neg", None, (self.unary(),))
        node = self.primary()
        if self.operator() == "|":
            raise ExpressionError("node-set unions (|) are not supported")
        return node

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        kind, value, pos = token
        self.i += 1
        if kind == "number":
            return Node("num", float(value))
        if kind == "string":
            return Node("str", value[1:-1])
        if kind == "ref":
            return self.steps(Node("ref", value[2:-1].strip()))
        if value == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if kind == "name" and self.operator() == "(":
            self.i += 1
            args: list[Node] = []
            if self.operator() != ")":
                args.append(self.binary(0))
                while self.operator() == ",":
                    self.i += 1
                    args.append(self.binary(0))
            self.expect(")")
            if value not in FUNCTIONS:
                raise ExpressionError(f"unknown function {value}() at character {pos + 1}")
            return self.steps(Node("call", value, tuple(args)))
        if value in (".", "..", "/", "//") or kind == "name":
            self.i -= 1
            return self.path()
        raise ExpressionError(f"unexpected {value!r} at character {pos + 1}")

    def steps(self, node: Node) -> Node:
        if self.operator() in ("/", "//", "["):
            raise ExpressionError("paths below a reference or a function are not supported")
        return node

    def path(self) -> Node:
        """A location path; in a flattened form it names a question by its last step."""
        start = self.peek()
        absolute = self.operator() in ("/", "//")
        if absolute:
            self.i += 1
        names: list[str] = []
        while (token := self.peek()) is not None:
            kind, value, _ = token
            if not (kind == "name" or (kind == "op" and value in (".", ".."))):
                break
            names.append(value)
            self.i += 1
            if self.operator() not in ("/", "//"):
                break
            self.i += 1
        if self.operator() == "[":
            raise ExpressionError("predicates ([...]) are not supported")
        if not names:
            raise ExpressionError(f"unexpected {start[1] if start else 'end'!r}")
        last = names[-1]
        if last == ".":
            return Node("current")
        if last == "..":
            raise ExpressionError("'..' must be followed by a question's name")
        # `../name` and `/data/group/name` point at a question; a bare name is a field of the
        # choice a choice filter is testing.
        return Node("ref" if absolute or len(names) > 1 else "field", last)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """The expression read into nodes; ExpressionError when it is not one."""
    return _Parser(text).parse()


def references(node: Node) -> set[str]:
    """The question names an expression reads (`${name}` and paths to questions)."""
    found = {str(node.value)} if node.kind == "ref" else set()
    for arg in node.args:
        found |= references(arg)
    return found


def fields(node: Node) -> set[str]:
    """The bare names an expression reads: choice columns, in a choice filter."""
    found = {str(node.value)} if node.kind == "field" else set()
    for arg in node.args:
        found |= fields(arg)
    return found


# -- running -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What an expression reads: the answers, the current question's value, the choice being
    filtered, and the day and time to take as now."""

    answers: Mapping[str, object]
    current: object = None
    choice: Mapping[str, str] | None = None
    now: datetime.datetime | None = None

    def clock(self) -> datetime.datetime:
        return self.now or datetime.datetime.now().astimezone()


def evaluate(expression: str, context: Context) -> Value:
    """The value of `expression` in `context`."""
    return _eval(parse(expression), context)


def truth(value: Value) -> bool:
    """XPath's boolean(): true for a non-empty string, a number other than 0 and NaN."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def number(value: Value) -> float:
    """XPath's number(); a date is its days since 1970-01-01, as in ODK."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, datetime.datetime):
        return value.timestamp() / 86400
    if isinstance(value, datetime.date):
        return float((value - datetime.date(1970, 1, 1)).days)
    text = value.strip()
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    return math.nan


def string(value: Value) -> str:
    """XPath's string(): whole numbers without a decimal point, dates as YYYY-MM-DD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def answer_value(answer: object) -> Value:
    """An answer as its node's value: a list is its ids separated by spaces, nothing is ''."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, list):
        return " ".join(str(a) for a in answer)
    return str(answer)


def _eval(node: Node, ctx: Context) -> Value:
    kind = node.kind
    if kind == "num":
        return float(node.value)  # type: ignore[arg-type]
    if kind == "str":
        return str(node.value)
    if kind == "ref":
        return answer_value(ctx.answers.get(str(node.value)))
    if kind == "current":
        return answer_value(ctx.current)
    if kind == "field":
        if ctx.choice is None:
            raise ExpressionError(f"{node.value!r} is not a question; write ${{{node.value}}}")
        return ctx.choice.get(str(node.value), "")
    if kind == "neg":
        return -number(_eval(node.args[0], ctx))
    if kind == "call":
        return FUNCTIONS[str(node.value)](ctx, node.args)
    op = str(node.value)
    if op == "or":
        return truth(_eval(node.args[0], ctx)) or truth(_eval(node.args[1], ctx))
    if op == "and":
        return truth(_eval(node.args[0], ctx)) and truth(_eval(node.args[1], ctx))
    left, right = _eval(node.args[0], ctx), _eval(node.args[1], ctx)
    if op in ("=", "!="):
        return _equal(left, right) == (op == "=")
    if op in ("<", "<=", ">", ">="):
        return _compare(op, left, right)
    a, b = number(left), number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        return _divide(a, b)
    # mod: the sign of the dividend, as XPath's and JavaScript's %
    return math.fmod(a, b) if b else math.nan


def _divide(a: float, b: float) -> float:
    """IEEE division, as XPath has it: 1 div 0 is Infinity, 0 div 0 is NaN."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _dates(left: Value, right: Value) -> tuple[Value, Value]:
    """A date compared with text compares with the date the text writes, as in ODK."""
    if isinstance(left, datetime.date) and isinstance(right, str):
        return left, _as_date(right, left)
    if isinstance(right, datetime.date) and isinstance(left, str):
        return _as_date(left, right), right
    if isinstance(left, str) and isinstance(right, str) and _ISO.match(left) and _ISO.match(right):
        return _as_date(left, None), _as_date(right, None)
    return left, right


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(text: str, like: datetime.date | None) -> Value:
    try:
        if "T" in text or isinstance(like, datetime.datetime):
            found = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return found if found.tzinfo else found.astimezone()
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return text


def _equal(left: Value, right: Value) -> bool:
    left, right = _dates(left, right)
    if isinstance(left, bool) or isinstance(right, bool):
        return truth(left) == truth(right)
    if isinstance(left, float | datetime.date) or isinstance(right, float | datetime.date):
        return number(left) == number(right)
    return left == right


def _compare(op: str, left: Value, right: Value) -> bool:
    left, right = _dates(left, right)
    a, b = number(left), number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


# -- functions -----------------------------------------------------------------------------

_Function = Callable[[Context, tuple[Node, ...]], Value]


def _arity(name: str, args: tuple[Node, ...], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= (high if high >= 0 else len(args)):
        wanted = f"{low}" if low == high else f"{low} to {high}" if high >= 0 else f"{low} or more"
        raise ExpressionError(f"{name}() takes {wanted} arguments, not {len(args)}")


def _nullary(name: str, run: Callable[[Context], Value]) -> _Function:
    def call(ctx: Context, args: tuple[Node, ...]) -> Value:
        _arity(name, args, 0)
        return run(ctx)

    return call


def _values(ctx: Context, args: tuple[Node, ...]) -> list[Value]:
    return [_eval(a, ctx) for a in args]


def _if(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("if", args, 3)
    return _eval(args[1] if truth(_eval(args[0], ctx)) else args[2], ctx)


def _selected(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("selected", args, 2)
    picks, choice = _values(ctx, args)
    return string(choice).strip() in string(picks).split()


def _count_selected(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("count-selected", args, 1)
    return float(len(string(_eval(args[0], ctx)).split()))


def _coalesce(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("coalesce", args, 2)
    first = _eval(args[0], ctx)
    return first if string(first) != "" else _eval(args[1], ctx)


def _regex(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("regex", args, 2)
    text, pattern = (string(v) for v in _values(ctx, args))
    try:
        return re.search(pattern, text) is not None
    except re.error as exc:
        raise ExpressionError(f"regex {pattern!r} is not a regular expression: {exc}") from None


def _round(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("round", args, 1, 2)
    values = [number(v) for v in _values(ctx, args)]
    digits = int(values[1]) if len(values) > 1 and not math.isnan(values[1]) else 0
    x = values[0]
    if math.isnan(x) or math.isinf(x):
        return x
    scale = 10.0**digits
    # Half away from zero, as ODK's round(x, digits) does.
    return math.copysign(math.floor(abs(x) * scale + 0.5), x) / scale


def _int(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("int", args, 1)
    x = number(_eval(args[0], ctx))
    return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))


def _string_length(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("string-length", args, 0, 1)
    value = _eval(args[0], ctx) if args else answer_value(ctx.current)
    return float(len(string(value)))


def _substr(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("substr", args, 2, 3)
    values = _values(ctx, args)
    text, start = string(values[0]), int(number(values[1]))
    end = int(number(values[2])) if len(values) > 2 else len(text)
    return text[start:end]


def _date(ctx: Context, args: tuple[Node, ...]) -> Value:
    _arity("date", args, 1)
    value = _eval(args[0], ctx)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float):
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=math.floor(value))
    found = _as_date(string(value), None)
    if isinstance(found, str):
        raise ExpressionError(f"date({found!r}): not a date written YYYY-MM-DD")
    return found


def _fixed(name: str, arity: int, run: Callable[..., Value]) -> _Function:
    def call(ctx: Context, args: tuple[Node, ...]) -> Value:
        _arity(name, args, arity)
        return run(*_values(ctx, args))

    return call


def _many(name: str, low: int, run: Callable[[list[Value]], Value]) -> _Function:
    def call(ctx: Context, args: tuple[Node, ...]) -> Value:
        _arity(name, args, low, -1)
        return run(_values(ctx, args))

    return call


def _min_max(pick: Callable[[list[float]], float]) -> Callable[[list[Value]], Value]:
    def run(values: list[Value]) -> Value:
        numbers = [number(v) for v in values]
        return math.nan if any(math.isnan(n) for n in numbers) else pick(numbers)

    return run


def _whole(round_: Callable[[float], int], x: float) -> float:
    return float(round_(x)) if math.isfinite(x) else x


def _item(items: list[str], index: float) -> str:
    return items[int(index)] if math.isfinite(index) and 0 <= index < len(items) else ""


FUNCTIONS: dict[str, _Function] = {
    "if": _if,
    "selected": _selected,
    "count-selected": _count_selected,
    "coalesce": _coalesce,
    "regex": _regex,
    "round": _round,
    "int": _int,
    "string-length": _string_length,
    "substr": _substr,
    "date": _date,
    "today": _nullary("today", lambda ctx: ctx.clock().date()),
    "now": _nullary("now", lambda ctx: ctx.clock()),
    "uuid": _nullary("uuid", lambda ctx: str(uuid.uuid4())),
    "not": _fixed("not", 1, lambda v: not truth(v)),
    "true": _fixed("true", 0, lambda: True),
    "false": _fixed("false", 0, lambda: False),
    "boolean": _fixed("boolean", 1, truth),
    "number": _fixed("number", 1, number),
    "string": _fixed("string", 1, string),
    "concat": _many("concat", 0, lambda vs: "".join(string(v) for v in vs)),
    "contains": _fixed("contains", 2, lambda a, b: string(b) in string(a)),
    "starts-with": _fixed("starts-with", 2, lambda a, b: string(a).startswith(string(b))),
    "ends-with": _fixed("ends-with", 2, lambda a, b: string(a).endswith(string(b))),
    "normalize-space": _fixed("normalize-space", 1, lambda a: " ".join(string(a).split())),
    "floor": _fixed("floor", 1, lambda a: _whole(math.floor, number(a))),
    "ceiling": _fixed("ceiling", 1, lambda a: _whole(math.ceil, number(a))),
    "abs": _fixed("abs", 1, lambda a: abs(number(a))),
    "pow": _fixed("pow", 2, lambda a, b: math.pow(number(a), number(b))),
    "max": _many("max", 1, _min_max(max)),
    "min": _many("min", 1, _min_max(min)),
    "selected-at": _fixed("selected-at", 2, lambda a, i: _item(string(a).split(), number(i))),
    "join": _many("join", 1, lambda vs: string(vs[0]).join(string(v) for v in vs[1:])),
}  # fmt: skip
