"""Eligibility rules of a programme, evaluated on a household's facts. No Django here.

A programme's configuration (Programme.eligibility_rules) looks like:

    {
      "any_of": ["social_tariff", "welfare_client", "income_below"],
      "all_of": ["postcode_served"],
      "income_limits": {"1": "1600", "2": "2100", "3": "2500", "extra_person": "400"},
      "postcodes": ["8400", "8000"]
    }

At least one rule of `any_of` (when it is not empty) and every rule of `all_of` must pass.
Every rule is evaluated and its result kept, so a decision can be explained later.
"""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

Facts = Mapping[str, Any]
Config = Mapping[str, Any]


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    eligible: bool
    results: tuple[RuleResult, ...]


class RulesError(ValueError):
    """The configuration names a rule that does not exist or misses a value a rule needs."""


def income_limit(config: Config, size: int) -> Decimal:
    limits = config.get("income_limits") or {}
    if not isinstance(limits, Mapping):
        raise RulesError("income_limits must map household sizes to amounts")
    try:
        known = {int(k): Decimal(str(v)) for k, v in limits.items() if k != "extra_person"}
        extra = Decimal(str(limits.get("extra_person", "0")))
    except (InvalidOperation, ValueError) as exc:
        raise RulesError("income_limits must map household sizes to amounts") from exc
    if any(v < 0 for v in known.values()) or extra < 0:
        raise RulesError("income limits cannot be negative")
    if not known:
        raise RulesError("income_below needs income_limits")
    largest = max(known)
    if size in known:
        return known[size]
    if size > largest:
        return known[largest] + extra * (size - largest)
    return known[min(k for k in known if k >= size)]


def _social_tariff(facts: Facts, config: Config) -> RuleResult:
    return RuleResult("social_tariff", bool(facts.get("social_tariff")))


def _welfare_client(facts: Facts, config: Config) -> RuleResult:
    return RuleResult("welfare_client", bool(facts.get("welfare_client")))


def _debt_support(facts: Facts, config: Config) -> RuleResult:
    value = facts.get("debt_support") or "none"
    return RuleResult("debt_support", value != "none", {"debt_support": value})


def _income_below(facts: Facts, config: Config) -> RuleResult:
    size = int(facts.get("size") or 1)
    limit = income_limit(config, size)
    income = facts.get("net_monthly_income")
    if income is None:
        return RuleResult("income_below", False, {"limit": str(limit), "income": None})
    income = Decimal(str(income))
    return RuleResult("income_below", income < limit, {"limit": str(limit), "income": str(income)})


def _postcode_served(facts: Facts, config: Config) -> RuleResult:
    postcodes = config.get("postcodes") or []
    if not isinstance(postcodes, list):
        raise RulesError("postcodes must be a list")
    served = [str(p).replace(" ", "").upper() for p in postcodes]
    if not served:
        raise RulesError("postcode_served needs postcodes")
    postcode = str(facts.get("postcode") or "").replace(" ", "").upper()
    # Dutch postcodes match on their four digits, so "6811" serves 6811 AB and 6811 CD.
    passed = postcode in served or postcode[:4] in served
    return RuleResult("postcode_served", passed, {"postcode": facts.get("postcode")})


RULES: dict[str, Callable[[Facts, Config], RuleResult]] = {
    "social_tariff": _social_tariff,
    "welfare_client": _welfare_client,
    "debt_support": _debt_support,
    "income_below": _income_below,
    "postcode_served": _postcode_served,
}


def validate_config(config: Config) -> None:
    """Raise RulesError when the configuration cannot be evaluated."""
    if not isinstance(config, Mapping):
        raise RulesError("the rules must be an object")
    unknown_keys = set(config) - {"any_of", "all_of", "income_limits", "postcodes"}
    if unknown_keys:
        raise RulesError(f"unknown setting: {', '.join(sorted(map(str, unknown_keys)))}")
    for key in ("any_of", "all_of"):
        names = config.get(key) or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RulesError(f"{key} must be a list of rule names")
        unknown = [n for n in names if n not in RULES]
        if unknown:
            raise RulesError(f"unknown rule: {', '.join(map(str, unknown))}")
    probe = {"size": 1, "postcode": "", "net_monthly_income": Decimal("0")}
    for name in [*(config.get("any_of") or []), *(config.get("all_of") or [])]:
        RULES[name](probe, config)


def evaluate(config: Config, facts: Facts) -> Decision:
    validate_config(config)
    any_of = [RULES[name](facts, config) for name in config.get("any_of") or []]
    all_of = [RULES[name](facts, config) for name in config.get("all_of") or []]
    eligible = (not any_of or any(r.passed for r in any_of)) and all(r.passed for r in all_of)
    return Decision(eligible=eligible, results=tuple(any_of + all_of))
