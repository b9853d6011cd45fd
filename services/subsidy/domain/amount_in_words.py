"""An amount in Chinese capitals as a payment voucher states it (大写金额): 人民币壹仟零伍拾壹元壹角整.

The rules are the People's Bank's (《正确填写票据和结算凭证的基本规定》, 支付结算办法 附件):
- the yuan are written in capitals with their units (拾佰仟万亿), 零 where digits are skipped
  (1051 壹仟零伍拾壹, 100010 壹拾万零壹拾), 壹拾 for ten;
- 整 follows 元 when there are no 角 and 分, and may follow 角; it never follows 分. This module writes it
  after 角 too (the contract's 人民币壹仟零伍拾壹元壹角整);
- when 角 is 0 and 分 is not, 零 follows 元 (壹万陆仟肆佰零玖元零贰分);
- when the yuan's last digit is 0 and 角 is not, 零 after 元 may be written or left out; this module writes
  it (壹佰元零壹角整), so every skipped digit shows as 零;
- less than one yuan is written without 零元 (伍分), nothing at all as 零元整.

The capitals of the whole yuan come from cn2an (its "up" mode writes them by these rules); the 元角分
rules above are this module's, because cn2an's "rmb" mode leaves out the optional 零 and 整.
"""

from __future__ import annotations

from decimal import Decimal

import cn2an

from .money import to_money

PREFIX = "人民币"
DIGITS = "零壹贰叁肆伍陆柒捌玖"


def amount_in_words(amount: Decimal) -> str:
    """The amount (yuan, two places, not negative) in capitals with the 人民币 prefix."""
    cents = int(to_money(amount) * 100)
    if cents < 0:
        raise ValueError(f"a voucher states no negative amount ({amount})")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = PREFIX
    if yuan:
        words += str(cn2an.an2cn(yuan, "up")) + "元"
    if not jiao and not fen:
        return words + ("整" if yuan else "零元整")
    if yuan and (yuan % 10 == 0 or not jiao):
        words += "零"  # the yuan's last digit or the 角 is skipped
    if jiao:
        words += DIGITS[jiao] + "角"
    if fen:
        return words + DIGITS[fen] + "分"
    return words + "整"
