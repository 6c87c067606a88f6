"""One reading of a formula's terms, shared by the models that fit them and the report that names
them, so that both agree on what a term is and which variable it is of.

A researcher writes patsy formulas; patsy names each term and coefficient column from the code as
written: `C(federation)[T.fsp_lem]`, `np.log1p(messages_before_session2)`, `age_40_plus:garment`.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import patsy

from analysis.errors import ModelSpecError

# What a formula may call besides the table's columns (patsy's own helpers, numpy).
FUNCTIONS = {"np": np, "log1p": np.log1p, "log": np.log, "exp": np.exp, "sqrt": np.sqrt}
PATSY_NAMES = {"C", "I", "Q", "Treatment", "Sum", "Poly", "Diff", "Helmert", "center",
               "standardize", "scale", "bs", "cr", "cc", "te", "True", "False", "None"}


def names_in(code: str) -> set[str]:
    """The table columns a factor's code uses: `np.log1p(messages)` -> {messages}."""
    tree = ast.parse(code.strip(), mode="eval")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Name) and call.func.id == "Q":  # Q("odd name")
            names |= {a.value for a in call.args if isinstance(a, ast.Constant)}
    return names - PATSY_NAMES - set(FUNCTIONS)


def parse(formula: str, name: str = "formula") -> tuple[str, list, list[str]]:
    """(outcome, right-hand terms, variables used), or a ModelSpecError saying what is wrong."""
    if not isinstance(formula, str) or "~" not in formula:
        raise ModelSpecError(f"{name}: '{formula}' is not a model formula (expected "
                             "'outcome ~ term + term', e.g. 'dropout ~ age_40_plus + garment')")
    try:
        description = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as exc:
        raise ModelSpecError(f"{name}: syntax error in '{formula}' "
                             f"({str(exc).splitlines()[0]})") from None
    if len(description.lhs_termlist) != 1 or len(description.lhs_termlist[0].factors) != 1:
        raise ModelSpecError(f"{name}: '{formula}' must have one outcome left of '~'")
    outcome_code = description.lhs_termlist[0].factors[0].code
    variables: list[str] = []
    for term in description.rhs_termlist:
        for factor in term.factors:
            try:
                found = names_in(factor.code)
            except SyntaxError:
                raise ModelSpecError(f"{name}: syntax error in the term `{factor.code}` of "
                                     f"'{formula}'") from None
            variables += [v for v in sorted(found) if v not in variables]
    return outcome_code, description.rhs_termlist, variables


def parse_terms(formula: str, name: str = "formula") -> list[str]:
    """The right-hand terms of a formula, as patsy names them (and as coefficients start)."""
    return [t.name() for t in parse(formula, name)[1] if t.name() != "Intercept"]


# A coefficient's name: its term's factors joined by ":", a categorical one with its level.
LEVEL = re.compile(r"^(?P<code>.+)\[(?:T\.)?(?P<level>[^\[\]]*)\]$")
LOG_CALL = re.compile(r"^(?:np\.)?(?P<fn>log1p|log|log2|log10)\((?P<inner>[A-Za-z_]\w*)\)$")


def factors_of(name: str) -> list[str]:
    """`C(a)[T.x]:np.log1p(b)` -> [`C(a)[T.x]`, `np.log1p(b)`]: split at the ":" of an
    interaction, not at one inside brackets."""
    parts, depth, current = [], 0, ""
    for ch in name:
        depth += ch in "([" and 1 or (ch in ")]" and -1 or 0)
        if ch == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def level_of(factor: str) -> tuple[str, str] | None:
    """`C(federation)[T.fsp_lem]` -> (`C(federation)`, `fsp_lem`); None for a numeric factor."""
    match = LEVEL.match(factor)
    return (match.group("code"), match.group("level")) if match else None


def variable_of(code: str) -> str | None:
    """`C(federation, Treatment('x'))` or `federation` -> federation; None for an expression."""
    match = re.match(r"^C\(\s*(?P<v>[A-Za-z_]\w*)", code)
    if match:
        return match.group("v")
    return code if re.fullmatch(r"[A-Za-z_]\w*", code) else None


def log_of(code: str) -> tuple[str, str] | None:
    """`np.log1p(messages)` -> (`log1p`, `messages`); None for anything but a log of a column."""
    match = LOG_CALL.match(code)
    return (match.group("fn"), match.group("inner")) if match else None
