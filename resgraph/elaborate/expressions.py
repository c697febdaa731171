"""Expressions: names, literals, arithmetic, comparisons, calls of blocks, ops and built-in
functions, each ``eval_<Node>`` for the syntax node it evaluates."""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from typing import Any

from resgraph import syntax as s
from resgraph.elaborate import limits
from resgraph.elaborate.checks import Checks
from resgraph.elaborate.functions import ARITH, BUILTINS, OVERLOADED, ROUNDINGS
from resgraph.elaborate.values import (
    BlockValue,
    Env,
    Partial,
    Tensor,
    brief,
    described,
    equal,
    inner_values,
    is_int,
    is_number,
    show,
    signature,
    type_name,
)
from resgraph.errors import Span, did_you_mean
from resgraph.ops import OPS, OpDef
from resgraph.parse import int_error

# a computed stage name or block scope: words joined by dots (torchvision's 'block1-0')
_SCOPE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*")


class Expressions(Checks):
    """Expressions evaluated to values."""

    def eval(self, expr: s.Expr, env: Env) -> Any:
        self.steps += 1
        if self.steps > limits.MAX_STEPS:
            self.spend(0, expr.span)
        method: Callable[[Any, Env], Any] = getattr(self, "eval_" + type(expr).__name__)
        return method(expr, env)

    def eval_int(self, expr: s.Expr, env: Env, what: str) -> int:
        v = self.eval(expr, env)
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(f"{what} must be an integer, got {described(v)}", expr.span)
        return v

    def eval_Int(self, e: s.Int, env: Env) -> int:
        return e.value

    def eval_Float(self, e: s.Float, env: Env) -> float:
        return e.value

    def eval_Str(self, e: s.Str, env: Env) -> str:
        return e.value

    def eval_FString(self, e: s.FString, env: Env) -> str:
        out = []
        for part in e.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            v = self.eval(part, env)
            if not (is_number(v) or isinstance(v, str)):
                self.fail(f"an f-string shows integers, numbers and strings, got "
                          f"{described(v)}", part.span)
            out.append(show(v) if not isinstance(v, str) else v)
        text = "".join(out)
        if len(text) > limits.MAX_STRING:
            self.fail(f"string too long: over the limit of {limits.MAX_STRING} characters", e.span)
        return text

    def eval_Comp(self, e: s.Comp, env: Env) -> list[Any]:
        """``[expr for v in items if test]``, each value in a scope of its own."""
        items = self.eval(e.items, env)
        if not isinstance(items, (list, tuple)):
            self.fail(f"'for' goes over a list or shape, got {described(items)}",
                      e.items.span)
        out = []
        for v in items:
            inner = Env({e.var: v}, env)
            if e.test is None or self.eval_bool(e.test, inner, "if"):
                out.append(self.eval(e.expr, inner))
        return self.checked_value(out, e.span)

    def eval_Bool(self, e: s.Bool, env: Env) -> bool:
        return e.value

    def eval_ShapeLit(self, e: s.ShapeLit, env: Env) -> tuple[int, ...]:
        return e.dims

    def eval_ListLit(self, e: s.ListLit, env: Env) -> list[Any]:
        return self.checked_value([self.eval(i, env) for i in e.items], e.span)

    def eval_DictLit(self, e: s.DictLit, env: Env) -> dict[Any, Any]:
        out = {}
        for k, v in e.entries:
            out[self.table_key(self.eval(k, env), k.span)] = self.eval(v, env)
        return self.checked_value(out, e.span)

    def table_key(self, key: Any, span: Span) -> int | str:
        if not (is_int(key) or isinstance(key, str)):
            self.fail(f"table keys are integers or strings, got {described(key)}",
                      span)
        return key

    def fail_unmade(self, name: str, span: Span) -> None:
        """A result of the network read before it is made: defined in :mod:`.dataflow`."""
        raise NotImplementedError

    def eval_Name(self, e: s.Name, env: Env) -> Any:
        try:
            value = env.lookup(e.id)
        except KeyError:
            if e.id in self.planned:
                self.fail_unmade(e.id, e.span)
            self.fail(f"unknown name '{e.id}'", e.span, did_you_mean(e.id, _visible(env)))
        if isinstance(value, OpDef):
            if value.arity != 1:
                self.fail(f"'{e.id}' needs its inputs, as in {e.id}(a, b)", e.span)
            return Partial(value, e.id)
        if isinstance(value, BlockValue):
            return Partial(value, e.id)
        if callable(value):
            also = f", or {e.id}(dims=...) for the op" if e.id in OVERLOADED else ""
            self.fail(f"'{e.id}' is a function; call it as {e.id}(...){also}", e.span)
        return value

    def eval_Index(self, e: s.Index, env: Env) -> Any:
        target = self.eval(e.target, env)
        key = self.eval(e.key, env)
        if isinstance(target, dict):
            if self.table_key(key, e.key.span) not in target:
                self.fail(f"no entry for {show(key)} in this table", e.key.span,
                          hint="the table has " + ", ".join(show(k) for k in target))
            return target[key]
        if isinstance(target, (list, tuple)):
            if not is_int(key):
                self.fail(f"an index must be an integer, got {described(key)}",
                          e.key.span)
            if not -len(target) <= key < len(target):
                self.fail(f"index {key} is out of range for {show(target)} "
                          f"({len(target)} items)", e.key.span)
            return target[key]
        self.fail(f"cannot index {type_name(target)} ({show(target)}); only lists, shapes "
                  "and tables can be indexed", e.target.span)

    def call_multi(self, call: s.Call, env: Env, label: str | None) -> Tensor:
        """An op of several tensors (``add(a, b)``) is a call that makes a node: defined in
        :mod:`.nodes`, which evaluates its arguments here."""
        raise NotImplementedError

    def apply(self, partial: Partial, x: Tensor, label: str | None, span: Span) -> Tensor:
        """An op of one tensor given its tensor first (``reshape(q, 4x16)``) is applied at
        once: defined in :mod:`.bodies`."""
        raise NotImplementedError

    def eval_Call(self, e: s.Call, env: Env) -> Any:
        return self.eval_call(e, env, None)

    def eval_call(self, e: s.Call, env: Env, label: str | None) -> Any:
        """A call: of a block or layer (a layer waiting for its input, unless an op's first
        argument is its tensor), of an op of several tensors (a node, at ``label``), or of
        a built-in function."""
        try:
            fn = env.lookup(e.func)
        except KeyError:
            self.fail(f"unknown block or function '{e.func}'", e.span,
                      did_you_mean(e.func, _callables(env)))
        if e.kwargs and e.func in OVERLOADED and fn is BUILTINS[e.func]:
            fn = OPS[e.func]
        if isinstance(fn, OpDef) and fn.arity != 1:
            return self.call_multi(e, env, label)
        args = [(self.eval(a, env), a.span) for a in e.args]
        kwargs = {k.name: (self.eval(k.value, env), k.span, f"{k.span}") for k in e.kwargs}
        if isinstance(fn, OpDef) and args and isinstance(args[0][0], Tensor):
            call = self.checked_call(Partial(fn, e.func, args[1:], kwargs))
            return self.apply(call, args[0][0], label, e.span)
        if isinstance(fn, (OpDef, BlockValue)):
            return self.checked_call(Partial(fn, e.func, args, kwargs))
        if isinstance(fn, Partial):
            merged = dict(fn.kwargs)
            merged.update(kwargs)
            return self.checked_call(Partial(fn.target, e.func, fn.args + args, merged))
        if callable(fn):
            return self.call_builtin(e, fn, args, kwargs)
        hidden = e.func in OPS or e.func in BUILTINS
        self.fail(f"'{e.func}' is {type_name(fn)}, not a block or function", e.span,
                  hint=f"a name of this spec hides the {'op' if e.func in OPS else 'function'} "
                       f"'{e.func}': rename it" if hidden else None)

    def checked_call(self, call: Partial) -> Partial:
        """A layer or block whose arguments fit its parameters: checked where the call is
        written, so that calls of calls (``let b = b(16)``, line after line) cannot pile up
        arguments."""
        if isinstance(call.target, OpDef):
            op = call.target
            names = [a.name for a in op.attr_args]
            what, noun, hint = f"'{op.name}'", "argument", signature(op)
        else:
            names = [q.name for q in call.target.defn.params]
            what, noun, hint = f"block '{call.target.defn.name}'", "parameter", None
        if len(call.args) > len(names):
            self.fail(f"{what} takes at most {len(names)} arguments, got {len(call.args)}",
                      call.args[len(names)][1], hint=hint)
        for key, (_, sp, _) in call.kwargs.items():
            if key not in names:
                self.fail(f"{what} has no {noun} '{key}'", sp, did_you_mean(key, names) or hint)
        return call

    def call_builtin(self, e: s.Call, fn: Callable[..., Any], spanned: list[tuple[Any, Span]],
                     kwargs: dict[str, tuple[Any, Span, str]]) -> Any:
        if kwargs:
            self.fail(f"'{e.func}' takes no keyword arguments", next(iter(kwargs.values()))[1])
        args = [a for a, _ in spanned]
        try:
            inspect.signature(fn).bind(*args)
            value = fn(*args)
        except (TypeError, ValueError, OverflowError) as exc:
            self.fail(f"{e.func}(): {exc}", e.span)
        if fn in ROUNDINGS and value != args[0]:
            self.note_rounding(e.func, f"{e.func} rounded {brief(args[0])} to {value}", e.span)
        if isinstance(value, list):
            return self.checked_value(value, e.span)
        return self.checked_number(value, e.span) if is_number(value) else value



    def eval_BinOp(self, e: s.BinOp, env: Env) -> Any:
        a, b = self.eval(e.left, env), self.eval(e.right, env)
        if e.op == "+" and isinstance(a, str) and isinstance(b, str):
            if len(a) + len(b) > limits.MAX_STRING:
                self.fail(f"string too long: over the limit of {limits.MAX_STRING} characters", e.span)
            return a + b
        if e.op == "+" and isinstance(a, list) and isinstance(b, list):
            return self.checked_value(a + b, e.span)  # bounded as any list
        for v, sub in ((a, e.left), (b, e.right)):
            if not is_number(v):
                self.fail(f"'{e.op}' works on numbers, got {described(v)}", sub.span)
        if e.op in ("/", "//", "%") and b == 0:
            self.fail("division by zero", e.right.span)
        if e.op == "**":
            return self.power(a, b, e)
        if isinstance(a, float) or isinstance(b, float):
            return self.float_op(e, a, b)
        if e.op == "/":
            if a % b:
                self.fail(f"{a} / {b} is not a whole number", e.span,
                          hint="write // to round down, make_divisible(x, d) to round to a "
                               "multiple (both reported), or float(a) / b for a number")
            return a // b
        if e.op == "//" and a % b:
            self.note_rounding("//", f"{a} // {b} rounded down to {a // b}", e.span)
        return self.checked_int(ARITH[e.op](a, b), e.span)

    def float_op(self, e: s.BinOp, a: float, b: float) -> float:
        """Arithmetic with a number that is not an integer: no rounding happens, so ``//``
        and ``%`` (which round) take integers only; ``floor(a / b)`` says it."""
        if e.op in ("//", "%"):
            self.fail(f"'{e.op}' works on integers, got {show(a)} and {show(b)}", e.span,
                      hint="round explicitly: floor(a / b), round(x), ceil(x)")
        return self.checked_number(ARITH[e.op](a, b), e.span)

    def power(self, a: float, b: float, e: s.BinOp) -> float:
        """``a ** b``: an integer for integers (a negative power is a number), bounded
        before it is computed, as 2 ** 10 ** 18 would take forever."""
        if is_int(a) and is_int(b) and b >= 0:
            if abs(a) > 1 and b > 64:
                self.throw(int_error(e.span))
            return self.checked_int(a ** b, e.span)
        if a == 0 and b < 0:
            self.fail("division by zero", e.right.span)
        if a < 0 and not float(b).is_integer():
            self.fail(f"{show(a)} ** {show(b)} is not a real number", e.span)
        try:
            value = float(a) ** float(b)
        except OverflowError:
            value = math.inf
        return self.checked_number(value, e.span)

    def eval_Compare(self, e: s.Compare, env: Env) -> bool:
        a, b = self.eval(e.left, env), self.eval(e.right, env)
        if e.op == "in":
            return self.contains(b, a, e)
        if e.op in ("==", "!="):
            self.spend_on_values(e, a, b)
            return equal(a, b) == (e.op == "==")
        for v, sub in ((a, e.left), (b, e.right)):
            if not is_number(v):
                self.fail(f"'{e.op}' compares numbers, got {described(v)}", sub.span)
        return bool(ARITH[e.op](a, b))

    def contains(self, container: Any, item: Any, e: s.Compare) -> bool:
        """``item in container``: an element of a list or shape, a key of a table, a part of
        a string."""
        if isinstance(container, dict):
            return self.table_key(item, e.left.span) in container
        if isinstance(container, str):
            if not isinstance(item, str):
                self.fail(f"'in' a string looks for a string, got {type_name(item)} "
                          f"{show(item)}", e.left.span)
            return item in container
        if not isinstance(container, (list, tuple)):
            self.fail(f"'in' needs a list, shape, table or string, got {type_name(container)} "
                      f"{show(container)}", e.right.span)
        self.spend_on_values(e, item, container)
        return any(equal(item, x) for x in container)

    def spend_on_values(self, e: s.Expr, *values: Any) -> None:
        """Comparing lists and tables takes time as they are large: pay for it in steps."""
        for v in values:
            if inner_values(v):
                self.checked_value(v, e.span)

    def eval_Logic(self, e: s.Logic, env: Env) -> bool:
        a = self.eval_bool(e.left, env, e.op)
        if (e.op == "and" and not a) or (e.op == "or" and a):
            return a
        return self.eval_bool(e.right, env, e.op)

    def eval_bool(self, expr: s.Expr, env: Env, what: str) -> bool:
        v = self.eval(expr, env)
        if not isinstance(v, bool):
            self.fail(f"'{what}' needs true or false, got {described(v)}", expr.span)
        return v

    def eval_Not(self, e: s.Not, env: Env) -> bool:
        return not self.eval_bool(e.operand, env, "not")

    def eval_Neg(self, e: s.Neg, env: Env) -> float:
        v = self.eval(e.operand, env)
        if not is_number(v):
            self.fail(f"'-' must be a number, got {described(v)}", e.operand.span)
        return -v

    def eval_Cond(self, e: s.Cond, env: Env) -> Any:
        return self.eval(e.then if self.eval_bool(e.test, env, "?") else e.orelse, env)


    def scope_text(self, value: Any, span: Span, what: str) -> str:
        """A computed name: words of letters, digits, '_' and '-', joined by dots."""
        if not isinstance(value, str) or not _SCOPE.fullmatch(value):
            self.fail(f"{what} is words of letters, digits, '_' and '-' joined by dots, "
                      f"got {show(value)}", span)
        return value


def _visible(env: Env) -> set[str]:
    return {n for n in env.names() if not callable(env.lookup(n)) or isinstance(
        env.lookup(n), (OpDef, BlockValue))} | {"input", "in_channels"}


def _callables(env: Env) -> set[str]:
    return {n for n in env.names() if isinstance(env.lookup(n), (OpDef, BlockValue, Partial))
            or callable(env.lookup(n))}


