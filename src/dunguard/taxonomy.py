"""The violation taxonomy: codes, Chinese and English names, default severities.

The twelve content categories apply to text; the ``contact.*`` codes are produced by the
contact-log policies. Codes are stable identifiers; never rename one in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dunguard.errors import RulePackError


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Category(StrEnum):
    THREAT_VIOLENCE = "threat.violence"
    THREAT_FALSE_LEGAL = "threat.false_legal"
    THREAT_VISIT = "threat.visit"
    SHAMING_PUBLIC = "shaming.public"
    DISCLOSURE_CONTACT_LIST = "disclosure.contact_list"
    DISCLOSURE_THIRD_PARTY = "disclosure.third_party"
    ABUSE_INSULT = "abuse.insult"
    IMPERSONATION = "impersonation"
    HARASSMENT = "harassment"
    MISREPRESENTATION = "misrepresentation"
    PRESSURE_COERCIVE = "pressure.coercive"
    SCAM_FAKE_COLLECTION = "scam.fake_collection"
    CONTACT_QUIET_HOURS = "contact.quiet_hours"
    CONTACT_FREQUENCY = "contact.frequency"
    CONTACT_AFTER_CONVERSATION = "contact.after_conversation"
    CONTACT_AFTER_CEASE = "contact.after_cease"
    CONTACT_THIRD_PARTY = "contact.third_party"
    CONTACT_CHANNEL_OPT_OUT = "contact.channel_opt_out"
    CONTACT_REPRESENTED = "contact.represented"
    CONTACT_WORKPLACE = "contact.workplace"

    @property
    def is_text(self) -> bool:
        return not self.value.startswith("contact.")


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    code: Category
    zh: str
    en: str
    severity: Severity
    catalogue: tuple[str, ...]
    """Unified-taxonomy codes of reference/rules.md section 5 this category draws on."""

    def name(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


def _info(
    code: Category, zh: str, en: str, severity: Severity, *catalogue: str
) -> tuple[Category, CategoryInfo]:
    return code, CategoryInfo(code, zh, en, severity, catalogue)


_C = Category
_S = Severity

TAXONOMY: dict[Category, CategoryInfo] = dict(
    [
        _info(
            _C.THREAT_VIOLENCE,
            "暴力或人身伤害威胁",
            "threat of violence or physical harm",
            _S.CRITICAL,
            "T01",
            "T02",
        ),
        _info(
            _C.THREAT_FALSE_LEGAL,
            "虚假法律后果威胁",
            "false or unintended legal threat",
            _S.HIGH,
            "T11",
            "T17",
        ),
        _info(
            _C.THREAT_VISIT,
            "威胁上门、到单位、到村居委",
            "threat to visit home or workplace",
            _S.HIGH,
            "T02",
            "T06",
        ),
        _info(
            _C.SHAMING_PUBLIC,
            "公开曝光、P图、群发羞辱",
            "public shaming or doxxing",
            _S.HIGH,
            "T09",
        ),
        _info(
            _C.DISCLOSURE_CONTACT_LIST,
            "爆通讯录、向通讯录群发",
            "contact-list exposure",
            _S.HIGH,
            "T07",
            "T08",
        ),
        _info(
            _C.DISCLOSURE_THIRD_PARTY,
            "联系、骚扰第三方或向其泄露债务",
            "contacting or disclosing the debt to third parties",
            _S.HIGH,
            "T07",
            "T08",
        ),
        _info(
            _C.ABUSE_INSULT,
            "侮辱、辱骂、淫秽语言",
            "abusive, obscene or degrading language",
            _S.HIGH,
            "T03",
        ),
        _info(
            _C.IMPERSONATION,
            "冒充公检法、政府、法院、律师",
            "impersonating police, courts, government or lawyers",
            _S.CRITICAL,
            "T10",
        ),
        _info(
            _C.HARASSMENT, "呼叫/短信轰炸、持续骚扰", "harassment or bombardment", _S.MEDIUM, "T04"
        ),
        _info(
            _C.MISREPRESENTATION,
            "虚构或夸大债务、费用、后果",
            "misrepresenting the debt, fees or status",
            _S.MEDIUM,
            "T12",
        ),
        _info(
            _C.PRESSURE_COERCIVE,
            "诱导借新还旧、逼迫变卖财产等不当施压",
            "coercive pressure (borrow to repay, sell property)",
            _S.MEDIUM,
            "T18",
        ),
        _info(
            _C.SCAM_FAKE_COLLECTION,
            "冒充催收的诈骗",
            "fake-collection scam",
            _S.CRITICAL,
            "T10",
            "T12",
        ),
        _info(
            _C.CONTACT_QUIET_HOURS,
            "不当时间联系",
            "contact at an inconvenient time",
            _S.MEDIUM,
            "T05",
        ),
        _info(
            _C.CONTACT_FREQUENCY, "联系频次超限", "contact frequency over the cap", _S.MEDIUM, "T04"
        ),
        _info(
            _C.CONTACT_AFTER_CONVERSATION,
            "通话后过早再次联系",
            "contact too soon after a conversation",
            _S.MEDIUM,
            "T04",
        ),
        _info(
            _C.CONTACT_AFTER_CEASE,
            "要求停止后仍联系",
            "contact after a cease request",
            _S.HIGH,
            "T14",
        ),
        _info(
            _C.CONTACT_THIRD_PARTY, "违规联系第三方", "improper third-party contact", _S.HIGH, "T07"
        ),
        _info(
            _C.CONTACT_CHANNEL_OPT_OUT,
            "退订渠道后仍联系",
            "contact on an opted-out channel",
            _S.MEDIUM,
            "T14",
            "T26",
        ),
        _info(
            _C.CONTACT_REPRESENTED,
            "绕开代理律师直接联系",
            "contact bypassing the consumer's attorney",
            _S.HIGH,
            "T15",
        ),
        _info(
            _C.CONTACT_WORKPLACE,
            "违规联系工作单位",
            "improper contact at the workplace",
            _S.MEDIUM,
            "T06",
        ),
    ]
)

TEXT_CATEGORIES: tuple[Category, ...] = tuple(c for c in Category if c.is_text)


def category(code: str, source: str = "taxonomy", entry: str | None = None) -> Category:
    """Return the category for ``code`` or raise naming the valid codes."""
    try:
        return Category(code)
    except ValueError:
        valid = ", ".join(c.value for c in Category)
        raise RulePackError(source, f"unknown category {code!r}; valid: {valid}", entry) from None


def info(code: Category | str) -> CategoryInfo:
    return TAXONOMY[Category(code)]
