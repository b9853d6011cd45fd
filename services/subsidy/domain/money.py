"""Money: yuan as Decimal with two places, rounded half-up here and nowhere else."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The database column is Numeric(14, 2): twelve digits before the point.
LIMIT = Decimal("1000000000000")

MoneyInput = Decimal | int | str


def to_money(value: MoneyInput) -> Decimal:
    """Parse a string, int or Decimal into yuan quantised to 0.01, rounding half-up (the one place we round)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(
            f"money must be a decimal string, an int or a Decimal, not {type(value).__name__}"
            + (
                " (floats cannot hold yuan exactly; pass a string such as '12.50')"
                if isinstance(value, float)
                else ""
            )
        )
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not an amount of money; write it like '1234.50'") from None
    else:
        parsed = Decimal(value)
    if not parsed.is_finite():
        raise ValueError(f"{value!r} is not a finite amount of money")
    if abs(parsed) >= LIMIT:
        raise ValueError(f"{value!r} is too large an amount of money (at most 999999999999.99)")
    with localcontext() as ctx:
        ctx.prec = 60
        rounded = parsed.quantize(CENT, rounding=ROUND_HALF_UP)
    # -0.001 rounds to -0.00; show it as the zero a person would write.
    return ZERO if rounded == 0 else rounded


def format_money(amount: Decimal) -> str:
    """Render yuan as a plain two-place string such as '1234.50' (no grouping, no currency sign)."""
    if not isinstance(amount, Decimal):
        raise ValueError(f"format_money takes a Decimal, not {type(amount).__name__}")
    return f"{to_money(amount):f}"
